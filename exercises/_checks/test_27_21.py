# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.21: they check the form of your results, not their values."""
from autograder.testing import expect, graded

OLD_TASKS = {"a": {"code_hash": "1", "upstream": []}, "b": {"code_hash": "2", "upstream": ["a"]}}
NEW_TASKS = {"a": {"code_hash": "1", "upstream": []}, "c": {"code_hash": "3", "upstream": ["a"]}}


def task_form(ns, old, new):
    result = ns.diff_tasks(old, new)
    return {"type": type(result).__name__,
            "keys": sorted(str(k) for k in result) if isinstance(result, dict) else []}


@graded("a", points=0, hint="diff_tasks returns a dict with the lists added, removed, code_changed, dependencies_changed.")
def test_diff_tasks_returns_the_four_lists(sub):
    got = sub.run(task_form, OLD_TASKS, NEW_TASKS)
    expect(got["type"] == "dict", f"diff_tasks returned a {got['type']}")
    missing = sorted({"added", "removed", "code_changed", "dependencies_changed"} - set(got["keys"]))
    expect(not missing, f"the dict lacks {', '.join(missing)}")


def config_form(ns):
    result = ns.diff_config({"a": 1, "b": {"c": 2}}, {"a": 2, "b": {"c": 2}})
    if not isinstance(result, list):
        return {"type": type(result).__name__}
    return {"type": "list", "entries": [sorted(e) if isinstance(e, dict) else None for e in result]}


@graded("b", points=0, hint="diff_config returns a list of dicts with key, change, old and new.")
def test_diff_config_returns_a_list_of_changes(sub):
    got = sub.run(config_form)
    expect(got["type"] == "list", f"diff_config returned a {got['type']}")
    for keys in got["entries"]:
        expect(keys == ["change", "key", "new", "old"], "each change is a dict with the keys key, change, old, new")


def table_form(ns):
    import pandas as pd

    old = pd.DataFrame({"x": [1.0, 2.0, 3.0], "s": ["a", "b", "a"]})
    new = pd.DataFrame({"x": [1.0, 2.5, 3.0], "s": ["a", "b", "b"]})
    result = ns.diff_table(old, new)
    if not isinstance(result, dict):
        return {"type": type(result).__name__}
    return {"type": "dict", "keys": sorted(result),
            "numeric": type(result.get("numeric")).__name__, "categorical": type(result.get("categorical")).__name__}


@graded("c", points=0, hint="diff_table returns a dict: rows, schema, numeric (DataFrame), categorical (DataFrame).")
def test_diff_table_returns_the_four_entries(sub):
    got = sub.run(table_form)
    expect(got["type"] == "dict", f"diff_table returned a {got['type']}")
    missing = sorted({"rows", "schema", "numeric", "categorical"} - set(got["keys"]))
    expect(not missing, f"the dict lacks {', '.join(missing)}")
    expect(got["numeric"] == "DataFrame" and got["categorical"] == "DataFrame", "numeric and categorical are DataFrames")


def metric_form(ns):
    import pandas as pd

    old = pd.DataFrame({"model": ["m"], "metric": ["auc"], "value": [0.7]})
    new = pd.DataFrame({"model": ["m"], "metric": ["auc"], "value": [0.8]})
    result = ns.diff_metrics(old, new)
    return {"type": type(result).__name__,
            "columns": [str(c) for c in result.columns] if isinstance(result, pd.DataFrame) else []}


@graded("d", points=0, hint="diff_metrics returns a DataFrame with model, metric, old, new, change, status.")
def test_diff_metrics_returns_a_dataframe(sub):
    got = sub.run(metric_form)
    expect(got["type"] == "DataFrame", f"diff_metrics returned a {got['type']}")
    missing = [c for c in ("model", "metric", "old", "new", "change", "status") if c not in got["columns"]]
    expect(not missing, f"the DataFrame lacks the column(s) {', '.join(missing)}")
