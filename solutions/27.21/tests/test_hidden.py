"""Hidden tests for exercise 27.21 (a diff of two pipeline runs).

The fixture runs are built here, as plain data with known differences; the probes turn them into
DataFrames in the learner's worker. Expected values are computed here, in plain Python.
"""
import math
import random
import statistics
from collections import Counter

import pandas as pd

from autograder.testing import expect, graded

SHIFT_LIMIT, NULL_LIMIT, TVD_LIMIT = 0.25, 0.05, 0.10


def close(a, b, tol=1e-6):
    if a is None or b is None:
        return a is None and b is None
    return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=tol, abs_tol=1e-9)


# ---- (a) fixtures ---------------------------------------------------------------------------------
OLD_TASKS = {
    "extract_interactions": {"code_hash": "9c1e04", "upstream": []},
    "extract_users": {"code_hash": "77d0a2", "upstream": []},
    "extract_items": {"code_hash": "15be60", "upstream": []},
    "validate": {"code_hash": "c0ffee", "upstream": ["extract_interactions", "extract_users", "extract_items"]},
    "compute_features": {"code_hash": "51aa7b", "upstream": ["validate"]},
    "train_retrieval": {"code_hash": "e03f19", "upstream": ["compute_features"]},
    "train_ranking": {"code_hash": "7a7a01", "upstream": ["compute_features"]},
    "evaluate": {"code_hash": "2b8c44", "upstream": ["train_retrieval", "train_ranking"]},
    "export_report": {"code_hash": "4d4d4d", "upstream": ["evaluate"]},
}
NEW_TASKS = {
    "extract_interactions": {"code_hash": "9c1e04", "upstream": []},
    "extract_users": {"code_hash": "8e11f3", "upstream": []},                       # code changed
    "extract_items": {"code_hash": "15be60", "upstream": []},
    "validate": {"code_hash": "c0ffee", "upstream": ["extract_items", "extract_interactions", "extract_users"]},  # reordered only
    "compute_features": {"code_hash": "51aa7b", "upstream": ["validate"]},
    "compute_embeddings": {"code_hash": "0d93be", "upstream": ["validate"]},        # added
    "train_retrieval": {"code_hash": "e03f19", "upstream": ["compute_features", "compute_embeddings"]},  # rewired
    "train_ranking": {"code_hash": "91b2c3", "upstream": ["compute_features", "compute_embeddings"]},   # both
    "evaluate": {"code_hash": "2b8c44", "upstream": ["train_ranking", "train_retrieval"]},  # reordered only
    "register": {"code_hash": "ab12cd", "upstream": ["evaluate"]},                  # added
}                                                                                    # export_report removed


def expected_task_diff(old, new):
    both = set(old) & set(new)
    return {
        "added": set(new) - set(old),
        "removed": set(old) - set(new),
        "code_changed": {t for t in both if old[t]["code_hash"] != new[t]["code_hash"]},
        "dependencies_changed": {t for t in both if set(old[t]["upstream"]) != set(new[t]["upstream"])},
    }


def task_diff(ns, old, new):
    result = ns.diff_tasks(old, new)
    if not isinstance(result, dict):
        return {"type": type(result).__name__}
    out = {"type": "dict"}
    for key in ("added", "removed", "code_changed", "dependencies_changed"):
        value = result.get(key)
        out[key] = sorted(str(v) for v in value) if isinstance(value, (list, tuple, set, frozenset)) else None
    return out


def _task_result(sub, key, old=OLD_TASKS, new=NEW_TASKS):
    got = sub.run(task_diff, old, new)
    expect(got["type"] == "dict", f"diff_tasks should return a dict, not a {got['type']}")
    expect(got[key] is not None, f"the result of diff_tasks has no list under {key!r}")
    return set(got[key])


def _compare_names(got, want, what):
    for name in sorted(got - want):
        expect(False, f"`{name}` is listed as {what}, but it is not")
    for name in sorted(want - got):
        expect(False, f"`{name}` should be listed as {what}")


@graded("a", points=1, hint="Added: only in the new run; removed: only in the old run.")
def test_tasks_added_and_removed(sub):
    want = expected_task_diff(OLD_TASKS, NEW_TASKS)
    for key in ("added", "removed"):
        _compare_names(_task_result(sub, key), want[key], key)
    same = sub.run(task_diff, OLD_TASKS, OLD_TASKS)
    expect(not same.get("added") and not same.get("removed"), "comparing a run with itself reports added or removed tasks")


@graded("a", points=1, hint="Only tasks present in both runs can have changed code.")
def test_tasks_with_changed_code(sub):
    want = expected_task_diff(OLD_TASKS, NEW_TASKS)
    _compare_names(_task_result(sub, "code_changed"), want["code_changed"], "code_changed")


@graded("a", points=1, hint="Compare the sets of upstream tasks: their order does not matter.")
def test_tasks_with_changed_dependencies(sub):
    want = expected_task_diff(OLD_TASKS, NEW_TASKS)
    _compare_names(_task_result(sub, "dependencies_changed"), want["dependencies_changed"], "dependencies_changed")


# ---- (b) ------------------------------------------------------------------------------------------
FLAT_OLD = {"window_days": 7, "min_interactions": 5, "sample_rate": 0.1, "model_name": "ranker",
            "features": ["watch_time", "ctr"], "region": None}
FLAT_NEW = {"window_days": 14, "min_interactions": 5, "sample_rate": 0.1, "model_name": "ranker-v2",
            "features": ["watch_time", "ctr", "recency"], "gpu_count": 4}
NESTED_OLD = {
    "window_days": 7,
    "training": {"learning_rate": 0.05, "epochs": 10, "optimizer": {"name": "adam", "beta1": 0.9}},
    "retrieval": {"top_k": 100, "index": {"type": "hnsw", "ef": 64}},
    "legacy": {"enabled": True, "path": "/mnt/old"},
}
NESTED_NEW = {
    "window_days": 7,
    "training": {"learning_rate": 0.1, "epochs": 10, "optimizer": {"name": "adam", "beta1": 0.95}, "dropout": 0.2},
    "retrieval": {"top_k": 100, "index": {"type": "hnsw", "ef": 64}},
    "serving": {"replicas": 3, "autoscale": {"max": 10}},
}


def leaves(config, prefix=""):
    out = {}
    for key, value in config.items():
        if isinstance(value, dict) and value:
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def expected_config_diff(old, new):
    a, b = leaves(old), leaves(new)
    want = {}
    for key in a.keys() | b.keys():
        if key not in b:
            want[key] = ("removed", a[key], None)
        elif key not in a:
            want[key] = ("added", None, b[key])
        elif a[key] != b[key]:
            want[key] = ("changed", a[key], b[key])
    return want


def config_diff(ns, old, new):
    result = ns.diff_config(old, new)
    if not isinstance(result, (list, tuple)):
        return {"type": type(result).__name__}
    entries = []
    for entry in result:
        if not isinstance(entry, dict):
            return {"type": f"list holding a {type(entry).__name__}"}
        entries.append({k: entry.get(k) for k in ("key", "change", "old", "new")})
    return {"type": "list", "entries": entries}


def _check_config(sub, old, new):
    got = sub.run(config_diff, old, new)
    expect(got["type"] == "list", f"diff_config should return a list of dicts, not a {got['type']}")
    want = expected_config_diff(old, new)
    seen = {}
    for entry in got["entries"]:
        key = entry["key"]
        expect(isinstance(key, str), f"every change needs its dotted key as a string, got {key!r}")
        expect(key not in seen, f"the key {key!r} is reported twice")
        seen[key] = entry
    for key in sorted(seen):
        expect(key in want, f"{key!r} is reported as {seen[key]['change']!r}, but that leaf did not change"
               if key in leaves(old) and key in leaves(new) else f"{key!r} is not a leaf of either configuration")
    for key in sorted(want):
        change, a, b = want[key]
        expect(key in seen, f"the {change} leaf {key!r} is not reported")
        entry = seen[key]
        expect(entry["change"] == change, f"{key!r} is reported as {entry['change']!r}")
        if change != "added":
            expect(entry["old"] == a, f"the old value of {key!r} is reported as {entry['old']!r}")
        if change != "removed":
            expect(entry["new"] == b, f"the new value of {key!r} is reported as {entry['new']!r}")


@graded("b", points=1, hint="Report every key that was added, removed or changed, with its old and new value.")
def test_flat_configuration_changes(sub):
    _check_config(sub, FLAT_OLD, FLAT_NEW)


@graded("b", points=1, hint="Walk nested dicts down to their leaves and name each leaf by its dotted path.")
def test_nested_configuration_changes(sub):
    _check_config(sub, NESTED_OLD, NESTED_NEW)
    got = sub.run(config_diff, NESTED_OLD, NESTED_OLD)
    expect(got.get("entries") == [], "comparing a configuration with itself reports changes")


# ---- (c) fixtures: table pairs with known differences ---------------------------------------------
def exact(rng, counts):
    """A shuffled column holding each value exactly as often as `counts` says."""
    values = [v for v, n in counts.items() for _ in range(n)]
    rng.shuffle(values)
    return values


def interactions_pair():
    """More rows; ids became strings; shorter watches; a new event type; device and hour lose values;
    legacy_score dropped and position added; user_id and country unchanged in distribution."""
    rng = random.Random(2721)
    n_old, n_new = 400, 460
    events, devices, countries = ["view", "click", "like", "complete"], ["ios", "android", "web"], ["US", "GB", "DE", "IN"]
    old = {
        "user_id": [rng.randint(1, 500) for _ in range(n_old)],
        "item_id": [rng.randint(1, 300) for _ in range(n_old)],
        "watch_seconds": [None if rng.random() < 0.02 else round(rng.gauss(600, 150), 1) for _ in range(n_old)],
        "event": rng.choices(events, [0.6, 0.2, 0.1, 0.1], k=n_old),
        "device": rng.choices(devices, [0.4, 0.4, 0.2], k=n_old),
        "country": rng.choices(countries, [0.4, 0.2, 0.2, 0.2], k=n_old),
        "hour": [rng.randint(0, 23) for _ in range(n_old)],
        "legacy_score": [round(rng.gauss(0, 1), 3) for _ in range(n_old)],
    }
    new = {
        "user_id": [rng.randint(1, 500) for _ in range(n_new)],
        "item_id": [f"i{rng.randint(1, 300)}" for _ in range(n_new)],
        "watch_seconds": [None if rng.random() < 0.02 else round(rng.gauss(520, 150), 1) for _ in range(n_new)],
        "event": rng.choices(events + ["share"], [0.5, 0.17, 0.09, 0.09, 0.15], k=n_new),
        "device": [None if rng.random() < 0.10 else rng.choices(devices, [0.4, 0.4, 0.2])[0] for _ in range(n_new)],
        "country": rng.choices(countries, [0.4, 0.2, 0.2, 0.2], k=n_new),
        "hour": [None if rng.random() < 0.08 else rng.randint(0, 23) for _ in range(n_new)],
        "position": [rng.randint(1, 20) for _ in range(n_new)],
    }
    return {"old": old, "new": new, "dates": []}


def users_pair():
    """Same rows and columns; older users; more premium plans; is_active gains nulls (bool -> object);
    one country disappears without a drift; tenure unchanged."""
    rng = random.Random(1927)
    n = 300
    old = {
        "user_id": list(range(n)),
        "age": [rng.randint(18, 70) for _ in range(n)],
        "plan": exact(rng, {"free": 225, "premium": 75}),
        "is_active": [rng.random() < 0.8 for _ in range(n)],
        "country": exact(rng, {"US": 105, "GB": 60, "DE": 60, "IN": 66, "BR": 9}),
        "tenure_days": [rng.randint(0, 1500) for _ in range(n)],
    }
    new = {
        "user_id": list(range(n)),
        "age": [rng.randint(24, 76) for _ in range(n)],
        "plan": exact(rng, {"free": 180, "premium": 120}),
        "is_active": [None if rng.random() < 0.02 else rng.random() < 0.8 for _ in range(n)],
        "country": exact(rng, {"US": 108, "GB": 63, "DE": 60, "IN": 69}),
        "tenure_days": [rng.randint(0, 1500) for _ in range(n)],
    }
    return {"old": old, "new": new, "dates": []}


def small_pair():
    """Four rows, by hand: a numeric shift, a label gaining a value and losing its null, a date column."""
    old = {"x": [1.0, 2.0, 3.0, 4.0], "label": ["a", "a", "b", None],
           "day": ["2024-06-01", "2024-06-01", "2024-06-02", "2024-06-02"]}
    new = {"x": [2.0, 4.0, None, 6.0], "label": ["a", "b", "b", "c"],
           "day": ["2024-06-02", "2024-06-02", "2024-06-03", "2024-06-03"], "weight": [1, 1, 2, 2]}
    return {"old": old, "new": new, "dates": ["day"]}


PAIRS = {"interactions": interactions_pair(), "users": users_pair(), "small": small_pair()}


def _kind(values, is_date):
    present = [v for v in values if v is not None]
    if is_date:
        return "other"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "numeric"
    return "categorical"


def _shares(values):
    present = [v for v in values if v is not None]
    return {v: n / len(present) for v, n in Counter(present).items()}


def expected_table_diff(pair):
    old, new, dates = pair["old"], pair["new"], pair["dates"]
    frames = {}
    for side in ("old", "new"):
        frame = pd.DataFrame(pair[side])
        for column in dates:
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
        frames[side] = frame
    common = [c for c in old if c in new]
    numeric, categorical = {}, {}
    for c in common:
        a = [v for v in old[c] if v is not None]
        b = [v for v in new[c] if v is not None]
        null_old, null_new = 1 - len(a) / len(old[c]), 1 - len(b) / len(new[c])
        kinds = (_kind(old[c], c in dates), _kind(new[c], c in dates))
        if kinds == ("numeric", "numeric"):
            shift = (statistics.fmean(b) - statistics.fmean(a)) / statistics.stdev(a)
            numeric[c] = {"mean_old": statistics.fmean(a), "mean_new": statistics.fmean(b),
                          "std_old": statistics.stdev(a), "std_new": statistics.stdev(b),
                          "null_old": null_old, "null_new": null_new, "shift": shift,
                          "drifted": abs(shift) > SHIFT_LIMIT or abs(null_new - null_old) > NULL_LIMIT}
        elif kinds == ("categorical", "categorical"):
            p, q = _shares(old[c]), _shares(new[c])
            tvd = 0.5 * sum(abs(p.get(v, 0.0) - q.get(v, 0.0)) for v in set(p) | set(q))
            categorical[c] = {"null_old": null_old, "null_new": null_new, "tvd": tvd,
                              "unseen": len(set(q) - set(p)),
                              "drifted": tvd > TVD_LIMIT or abs(null_new - null_old) > NULL_LIMIT}
    return {
        "rows": {"old": len(next(iter(old.values()))), "new": len(next(iter(new.values())))},
        "added": {c for c in new if c not in old},
        "removed": {c for c in old if c not in new},
        "retyped": {c: [str(frames["old"][c].dtype), str(frames["new"][c].dtype)]
                    for c in common if frames["old"][c].dtype != frames["new"][c].dtype},
        "numeric": numeric,
        "categorical": categorical,
    }


def table_diff(ns, pair, what):
    import math

    import pandas as pd

    frames = []
    for side in ("old", "new"):
        frame = pd.DataFrame(pair[side])
        for column in pair["dates"]:
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
        frames.append(frame)
    result = ns.diff_table(*frames)
    if not isinstance(result, dict):
        return {"error": f"diff_table should return a dict, not a {type(result).__name__}"}
    if what not in result:
        return {"error": f"the dict returned by diff_table has no entry {what!r}"}
    value = result[what]

    def plain(v):
        if v is None or v is pd.NA or v is pd.NaT:
            return None
        if hasattr(v, "item") and not isinstance(v, (str, bytes, list, dict)):
            v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
        return v if isinstance(v, (bool, int, float, str)) else repr(v)

    if what == "rows":
        if not isinstance(value, dict):
            return {"error": f"'rows' should be a dict, not a {type(value).__name__}"}
        return {"value": {str(k): plain(v) for k, v in value.items()}}
    if what == "schema":
        if not isinstance(value, dict):
            return {"error": f"'schema' should be a dict, not a {type(value).__name__}"}
        out = {}
        for key in ("added", "removed"):
            names = value.get(key)
            out[key] = [str(n) for n in names] if isinstance(names, (list, tuple, set, pd.Index)) else None
        retyped = value.get("retyped")
        out["retyped"] = ({str(c): [str(d) for d in pair_] for c, pair_ in retyped.items()}
                          if isinstance(retyped, dict) else None)
        return {"value": out}
    if not isinstance(value, pd.DataFrame):
        return {"error": f"{what!r} should be a DataFrame, not a {type(value).__name__}"}
    if "column" in value.columns:
        value = value.set_index("column")
    return {"value": {"columns": [str(c) for c in value.columns],
                      "rows": {str(i): {str(c): plain(v) for c, v in row.items()} for i, row in value.iterrows()}}}


def _table_part(sub, name, what):
    got = sub.run(table_diff, PAIRS[name], what)
    expect("error" not in got, got.get("error", ""))
    return got["value"]


def _frame(sub, name, what, columns):
    got = _table_part(sub, name, what)
    missing = [c for c in columns if c not in got["columns"]]
    expect(not missing, f"the {what!r} DataFrame lacks the column(s) {', '.join(missing)}")
    want = expected_table_diff(PAIRS[name])[what]
    rows = got["rows"]
    for column in sorted(set(rows) - set(want)):
        expect(False, f"table pair {name!r}: column {column!r} should not be a row of the {what!r} DataFrame")
    for column in sorted(set(want) - set(rows)):
        expect(False, f"table pair {name!r}: column {column!r} is missing from the {what!r} DataFrame")
    return rows, want


@graded("c", points=1, hint="rows: the two row counts and new minus old.")
def test_row_counts(sub):
    for name in PAIRS:
        got = _table_part(sub, name, "rows")
        want = expected_table_diff(PAIRS[name])["rows"]
        for key in ("old", "new"):
            expect(got.get(key) == want[key], f"table pair {name!r}: rows[{key!r}] is {got.get(key)!r}")
        expect(got.get("change") == want["new"] - want["old"],
               f"table pair {name!r}: rows['change'] is {got.get('change')!r}")


@graded("c", points=1, hint="Columns only in new, only in old, and columns of both whose dtype differs (as str(dtype)).")
def test_schema_changes(sub):
    for name in PAIRS:
        got = _table_part(sub, name, "schema")
        want = expected_table_diff(PAIRS[name])
        for key in ("added", "removed"):
            expect(got[key] is not None, f"schema[{key!r}] should be a list of column names")
            _compare_names(set(got[key]), want[key], f"{key} in table pair {name!r}")
        expect(got["retyped"] is not None, "schema['retyped'] should be a dict")
        for column in sorted(set(got["retyped"]) - set(want["retyped"])):
            expect(False, f"table pair {name!r}: {column!r} is reported as retyped, but its dtype did not change")
        for column, dtypes in sorted(want["retyped"].items()):
            expect(column in got["retyped"], f"table pair {name!r}: the dtype change of {column!r} is not reported")
            expect(got["retyped"][column] == dtypes,
                   f"table pair {name!r}: the dtypes of {column!r} are reported as {got['retyped'][column]}; "
                   "write each as str(dtype), old first")


@graded("c", points=1, hint="Means and standard deviations over non-null values (std with n - 1), null shares over all rows.")
def test_numeric_statistics(sub):
    for name in PAIRS:
        rows, want = _frame(sub, name, "numeric", ["mean_old", "mean_new", "std_old", "std_new", "null_old", "null_new", "shift"])
        for column, stats in sorted(want.items()):
            for stat in ("mean_old", "mean_new", "std_old", "std_new", "null_old", "null_new", "shift"):
                value = rows[column].get(stat)
                expect(close(value, stats[stat]), f"table pair {name!r}: {stat} of {column!r} is {value!r}")


@graded("c", points=1, hint="Shares among non-null values; sum over every value seen on either side; halve the sum.")
def test_categorical_distribution(sub):
    for name in PAIRS:
        rows, want = _frame(sub, name, "categorical", ["null_old", "null_new", "tvd", "unseen"])
        for column, stats in sorted(want.items()):
            for stat in ("null_old", "null_new", "tvd", "unseen"):
                value = rows[column].get(stat)
                expect(close(value, stats[stat]), f"table pair {name!r}: {stat} of {column!r} is {value!r}")


@graded("c", points=1, hint="A column drifts by its shift (either direction) or its tvd, or by a move in its share of nulls.")
def test_drift_flags(sub):
    for name in PAIRS:
        for what in ("numeric", "categorical"):
            rows, want = _frame(sub, name, what, ["drifted"])
            for column, stats in sorted(want.items()):
                flag = rows[column].get("drifted")
                expect(isinstance(flag, bool), f"table pair {name!r}: 'drifted' of {column!r} should be True or False")
                expect(flag == stats["drifted"],
                       f"table pair {name!r}: {column!r} is {'' if flag else 'not '}flagged as drifted")


# ---- (d) ------------------------------------------------------------------------------------------
OLD_METRICS = [
    {"model": "retrieval", "metric": "recall_at_100", "value": 0.412},
    {"model": "retrieval", "metric": "ndcg_at_10", "value": 0.201},
    {"model": "retrieval", "metric": "latency_p99_ms", "value": 38.0},
    {"model": "ranking", "metric": "ndcg_at_10", "value": 0.312},
    {"model": "ranking", "metric": "auc", "value": 0.781},
    {"model": "ranking", "metric": "log_loss", "value": 0.452},
    {"model": "ranking", "metric": "coverage", "value": 0.35},
]
NEW_METRICS = [
    {"model": "ranking", "metric": "log_loss", "value": 0.441},
    {"model": "ranking", "metric": "auc", "value": 0.770},
    {"model": "ranking", "metric": "ndcg_at_10", "value": 0.3125},
    {"model": "ranking", "metric": "calibration_error", "value": 0.031},
    {"model": "retrieval", "metric": "latency_p99_ms", "value": 45.5},
    {"model": "retrieval", "metric": "ndcg_at_10", "value": 0.230},
    {"model": "retrieval", "metric": "recall_at_100", "value": 0.431},
]
METRIC_CASES = {
    "defaults": (["log_loss", "latency_p99_ms"], 1e-3),
    "loose tolerance": (["log_loss", "latency_p99_ms"], 0.02),
    "only latency lower-is-better": (["latency_p99_ms"], 1e-3),
}


def expected_metric_diff(lower_is_better, tolerance):
    old = {(r["model"], r["metric"]): r["value"] for r in OLD_METRICS}
    new = {(r["model"], r["metric"]): r["value"] for r in NEW_METRICS}
    want = {}
    for key in old.keys() | new.keys():
        a, b = old.get(key), new.get(key)
        if a is None:
            want[key] = (None, b, None, "added")
        elif b is None:
            want[key] = (a, None, None, "removed")
        else:
            change = b - a
            if abs(change) <= tolerance:
                status = "unchanged"
            else:
                status = "improved" if (change < 0) == (key[1] in lower_is_better) else "degraded"
            want[key] = (a, b, change, status)
    return want


def metric_diff(ns, old, new, lower_is_better, tolerance):
    import math

    import pandas as pd

    result = ns.diff_metrics(pd.DataFrame(old), pd.DataFrame(new), lower_is_better=lower_is_better, tolerance=tolerance)
    if not isinstance(result, pd.DataFrame):
        return {"error": f"diff_metrics should return a DataFrame, not a {type(result).__name__}"}
    result = result.reset_index()
    missing = [c for c in ("model", "metric", "old", "new", "change", "status") if c not in result.columns]
    if missing:
        return {"error": f"the DataFrame returned by diff_metrics lacks the column(s) {', '.join(missing)}"}

    def plain(v):
        if v is None or v is pd.NA:
            return None
        if hasattr(v, "item") and not isinstance(v, str):
            v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
        return v if isinstance(v, (bool, int, float, str)) else repr(v)

    return {"rows": [{c: plain(row[c]) for c in ("model", "metric", "old", "new", "change", "status")}
                     for _, row in result.iterrows()]}


def _metric_rows(sub, case):
    lower_is_better, tolerance = METRIC_CASES[case]
    got = sub.run(metric_diff, OLD_METRICS, NEW_METRICS, lower_is_better, tolerance)
    expect("error" not in got, got.get("error", ""))
    rows = {}
    for row in got["rows"]:
        key = (row["model"], row["metric"])
        expect(key not in rows, f"({key[0]}, {key[1]}) has more than one row")
        rows[key] = row
    want = expected_metric_diff(lower_is_better, tolerance)
    for key in sorted(set(want) - set(rows)):
        expect(False, f"there is no row for the {key[0]} model's {key[1]}")
    for key in sorted(set(rows) - set(want)):
        expect(False, f"the row ({key[0]}, {key[1]}) is not a metric of either run")
    return rows, want


@graded("d", points=1, hint="One row per (model, metric) of either run; NaN on the missing side; change = new - old.")
def test_metric_values_and_changes(sub):
    rows, want = _metric_rows(sub, "defaults")
    for key, (a, b, change, _) in sorted(want.items()):
        label = f"{key[0]} {key[1]}"
        row = rows[key]
        expect(close(row["old"], a), f"{label}: old is {row['old']!r}")
        expect(close(row["new"], b), f"{label}: new is {row['new']!r}")
        expect(close(row["change"], change), f"{label}: change is {row['change']!r}")


@graded("d", points=1, hint="For a metric in lower_is_better a decrease is an improvement; for the others an increase is.")
def test_metric_direction(sub):
    for case in ("defaults", "only latency lower-is-better"):
        rows, want = _metric_rows(sub, case)
        lower = ", ".join(METRIC_CASES[case][0])
        for key, (_, _, _, status) in sorted(want.items()):
            if status in ("improved", "degraded"):
                expect(rows[key]["status"] == status,
                       f"with lower_is_better = [{lower}]: {key[0]} {key[1]} has status {rows[key]['status']!r}")


@graded("d", points=1, hint="Within the tolerance a metric is 'unchanged'; a metric of one run only is 'added' or 'removed'.")
def test_metric_tolerance_and_presence(sub):
    for case in ("defaults", "loose tolerance"):
        rows, want = _metric_rows(sub, case)
        for key, (_, _, _, status) in sorted(want.items()):
            if status in ("unchanged", "added", "removed"):
                expect(rows[key]["status"] == status,
                       f"with tolerance {METRIC_CASES[case][1]:g}: {key[0]} {key[1]} has status {rows[key]['status']!r}")
