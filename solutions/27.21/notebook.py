# %% [markdown]
# Yesterday's StreamRec training run produced a good model; today's, from the same pipeline,
# produced a worse one. What changed? Section 27.9 records, for every run, the code of each task,
# the configuration, the data it read and the metrics it produced. With two such records a
# **pipeline diff** answers the question mechanically, the way `git diff` does for code:
#
# 1. **tasks**: which tasks are new, which were removed, which run different code or depend on
#    different tasks;
# 2. **configuration**: which parameters changed;
# 3. **input data**: for each input table, how its row count, its schema and the distribution of
#    its values changed;
# 4. **metrics**: which output metrics moved, and whether for the better.
#
# You implement the four comparisons; the data and metric comparisons use pandas. The cell after
# the statement combines them into `diff_runs`, which prints one report for a pair of runs.
#
# **The run record.** A run is described by a dict:
#
# ```python
# run = {
#     "run_id": "2024-06-02",
#     "tasks": {                    # task name -> what the run executed
#         "extract_interactions": {"code_hash": "9c1e04", "upstream": []},
#         "compute_features": {"code_hash": "51aa7b", "upstream": ["extract_interactions", "extract_users"]},
#         ...
#     },
#     "config": {"window_days": 7, "training": {"learning_rate": 0.05, "epochs": 10}},   # may nest
#     "inputs": {"interactions": <DataFrame>, "users": <DataFrame>},                      # table name -> data read
#     "metrics": <DataFrame with columns model, metric, value>,
# }
# ```
#
# A task's `code_hash` is a hash of its source code: equal hashes mean the task ran the same code.

# %%
import math

import pandas as pd
from pandas.api import types as pdtypes

SHIFT_LIMIT = 0.25      # a numeric column drifts when its mean moves by more than 0.25 old standard deviations,
NULL_LIMIT = 0.05       # or when its share of nulls moves by more than 5 percentage points;
TVD_LIMIT = 0.10        # a categorical column drifts when its total variation distance exceeds 0.10 (or by nulls)
LOWER_IS_BETTER = ("log_loss", "latency_p99_ms")   # metrics for which a decrease is an improvement


def column_kind(series: pd.Series) -> str:
    """'numeric' (numbers, not booleans), 'categorical' (text, booleans, categories) or 'other' (dates...)."""
    dtype = series.dtype
    if (pdtypes.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)
            or pdtypes.is_string_dtype(dtype) or pdtypes.is_object_dtype(dtype)):
        return "categorical"
    if pdtypes.is_numeric_dtype(dtype):
        return "numeric"
    return "other"

# %% [markdown] part="a"
# **(a) Tasks.** Write `diff_tasks(old_tasks, new_tasks)`. Its arguments are the `"tasks"` entries
# of two runs (the older run first). It returns a dict with four lists of task names, in any
# order:
#
# - `"added"`: tasks of the new run that the old run did not have;
# - `"removed"`: tasks of the old run that the new run does not have;
# - `"code_changed"`: tasks of both runs whose `code_hash` differs;
# - `"dependencies_changed"`: tasks of both runs whose set of upstream tasks differs. The order
#   in which upstream tasks are listed carries no meaning: `["a", "b"]` and `["b", "a"]` are the
#   same dependencies.

# %% part="a"
def diff_tasks(old_tasks: dict, new_tasks: dict) -> dict[str, list[str]]:
    """Tasks added, removed, running changed code, or wired to changed upstream tasks."""
    ### BEGIN SOLUTION diff_tasks
    old_names, new_names = set(old_tasks), set(new_tasks)
    both = old_names & new_names
    return {
        "added": sorted(new_names - old_names),
        "removed": sorted(old_names - new_names),
        "code_changed": sorted(
            name for name in both if old_tasks[name]["code_hash"] != new_tasks[name]["code_hash"]
        ),
        "dependencies_changed": sorted(
            name for name in both if set(old_tasks[name]["upstream"]) != set(new_tasks[name]["upstream"])
        ),
    }
    ### END SOLUTION

# %% [markdown] part="b"
# **(b) Configuration.** Write `diff_config(old_config, new_config)`. A configuration is a dict
# whose values may themselves be dicts, to any depth. Compare the two **leaf by leaf**: a leaf
# is any value that is not a dict (numbers, strings, lists, `None` ...), named by the path of
# keys leading to it joined with dots (`"training.learning_rate"`). A dict present on one side
# only is reported leaf by leaf too. Two leaves are the same when they are equal (`==`).
#
# Return a list with one dict per differing leaf, in any order:
#
# ```python
# {"key": "training.learning_rate", "change": "changed", "old": 0.05, "new": 0.1}
# {"key": "training.dropout",       "change": "added",   "old": None, "new": 0.2}
# {"key": "window_days",            "change": "removed", "old": 7,    "new": None}
# ```
#
# Leaves equal on both sides are not reported.

# %% part="b"
def diff_config(old_config: dict, new_config: dict) -> list[dict]:
    """Every configuration leaf that was added, removed or changed, named by its dotted path."""
    ### BEGIN SOLUTION diff_config
    def leaves(config: dict, prefix: str = "") -> dict:
        found = {}
        for key, value in config.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict) and value:
                found.update(leaves(value, path + "."))
            else:
                found[path] = value
        return found

    old, new = leaves(old_config), leaves(new_config)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            changes.append({"key": key, "change": "removed", "old": old[key], "new": None})
        elif key not in old:
            changes.append({"key": key, "change": "added", "old": None, "new": new[key]})
        elif old[key] != new[key]:
            changes.append({"key": key, "change": "changed", "old": old[key], "new": new[key]})
    return changes
    ### END SOLUTION

# %% [markdown] part="c"
# **(c) Input data.** Write `diff_table(old, new)`, comparing the old and the new version of one
# input table (two DataFrames). It returns a dict with four entries:
#
# - `"rows"`: `{"old": <rows of old>, "new": <rows of new>, "change": <new minus old>}`;
# - `"schema"`: `{"added": [...], "removed": [...], "retyped": {column: [old dtype, new dtype]}}`:
#   the columns only in `new`, the columns only in `old`, and the columns of both whose dtype
#   differs, each with its two dtypes written as `str(dtype)` (for instance `["int64", "float64"]`);
# - `"numeric"`: a DataFrame with **one row per column that `column_kind` calls `"numeric"` in
#   both tables**, indexed by the column's name, with the columns
#   `mean_old, mean_new, std_old, std_new, null_old, null_new, shift, drifted`;
# - `"categorical"`: a DataFrame with **one row per column that `column_kind` calls
#   `"categorical"` in both tables**, indexed by the column's name, with the columns
#   `null_old, null_new, tvd, unseen, drifted`.
#
# A column whose kind differs between the two tables (ids that became strings, say) appears in
# `"retyped"` but in neither DataFrame; columns of kind `"other"` are left out too. The statistics:
#
# - `null_old`, `null_new`: the share of the table's rows where the column is null (0 to 1);
# - `mean_*`, `std_*`: over the non-null values, with pandas' defaults (`std` divides by n - 1);
# - `shift = (mean_new - mean_old) / std_old`, the move of the mean in old standard deviations
#   (you may assume `std_old > 0`);
# - `tvd`, the **total variation distance** between the two distributions of values: with
#   p(v) the share of value v among the column's non-null values,
#   tvd = ½ Σ |p_old(v) − p_new(v)|, the sum running over every value seen on either side
#   (a value absent from one side has share 0 there);
# - `unseen`: how many distinct non-null values of the new column never occur in the old one;
# - `drifted`: `True` for a numeric column when |shift| > `SHIFT_LIMIT` or
#   |null_new − null_old| > `NULL_LIMIT`; for a categorical column when tvd > `TVD_LIMIT` or
#   |null_new − null_old| > `NULL_LIMIT`; `False` otherwise.

# %% part="c"
NUMERIC_COLUMNS = ["mean_old", "mean_new", "std_old", "std_new", "null_old", "null_new", "shift", "drifted"]
CATEGORICAL_COLUMNS = ["null_old", "null_new", "tvd", "unseen", "drifted"]


def diff_table(old: pd.DataFrame, new: pd.DataFrame) -> dict:
    """Row count, schema and distribution changes between two versions of a table."""
    ### BEGIN SOLUTION diff_table
    added = [c for c in new.columns if c not in old.columns]
    removed = [c for c in old.columns if c not in new.columns]
    common = [c for c in old.columns if c in new.columns]
    retyped = {c: [str(old[c].dtype), str(new[c].dtype)] for c in common if old[c].dtype != new[c].dtype}

    numeric, categorical = {}, {}
    for c in common:
        kinds = (column_kind(old[c]), column_kind(new[c]))
        null_old, null_new = float(old[c].isna().mean()), float(new[c].isna().mean())
        nulls_moved = abs(null_new - null_old) > NULL_LIMIT
        if kinds == ("numeric", "numeric"):
            mean_old, mean_new = float(old[c].mean()), float(new[c].mean())
            std_old, std_new = float(old[c].std()), float(new[c].std())
            shift = (mean_new - mean_old) / std_old
            numeric[c] = [mean_old, mean_new, std_old, std_new, null_old, null_new, shift,
                          bool(abs(shift) > SHIFT_LIMIT or nulls_moved)]
        elif kinds == ("categorical", "categorical"):
            shares = pd.concat(
                [old[c].value_counts(normalize=True), new[c].value_counts(normalize=True)],
                axis=1, keys=["old", "new"],
            ).fillna(0.0)
            tvd = 0.5 * float((shares["old"] - shares["new"]).abs().sum())
            unseen = int(((shares["old"] == 0) & (shares["new"] > 0)).sum())
            categorical[c] = [null_old, null_new, tvd, unseen, bool(tvd > TVD_LIMIT or nulls_moved)]

    return {
        "rows": {"old": len(old), "new": len(new), "change": len(new) - len(old)},
        "schema": {"added": added, "removed": removed, "retyped": retyped},
        "numeric": pd.DataFrame.from_dict(numeric, orient="index", columns=NUMERIC_COLUMNS),
        "categorical": pd.DataFrame.from_dict(categorical, orient="index", columns=CATEGORICAL_COLUMNS),
    }
    ### END SOLUTION

# %% [markdown] part="d"
# **(d) Metrics.** Write `diff_metrics(old, new, lower_is_better=LOWER_IS_BETTER, tolerance=1e-3)`.
# `old` and `new` are the runs' metric tables (columns `model`, `metric`, `value`; one row per
# model and metric). A metric is identified by its `(model, metric)` pair: the retrieval model's
# `ndcg_at_10` is not the ranking model's. Return a DataFrame with one row per pair found in
# either run and the columns `model, metric, old, new, change, status`, where
#
# - `old`, `new`: the two values, NaN on the side where the pair is missing;
# - `change = new − old` (NaN when a side is missing);
# - `status`: `"added"` (only in the new run), `"removed"` (only in the old run),
#   `"unchanged"` when |change| ≤ `tolerance`, else `"improved"` or `"degraded"`. A metric named
#   in `lower_is_better` improves when it decreases; every other metric improves when it increases.

# %% part="d"
def diff_metrics(old: pd.DataFrame, new: pd.DataFrame, lower_is_better=LOWER_IS_BETTER,
                 tolerance: float = 1e-3) -> pd.DataFrame:
    """One row per (model, metric): both values, the change, and whether it is for the better."""
    ### BEGIN SOLUTION diff_metrics
    merged = old.merge(new, on=["model", "metric"], how="outer", suffixes=("_old", "_new"), indicator=True)
    merged = merged.rename(columns={"value_old": "old", "value_new": "new"})
    merged["change"] = merged["new"] - merged["old"]

    def status(row) -> str:
        if row["_merge"] == "right_only":
            return "added"
        if row["_merge"] == "left_only":
            return "removed"
        if abs(row["change"]) <= tolerance:
            return "unchanged"
        better = row["change"] < 0 if row["metric"] in lower_is_better else row["change"] > 0
        return "improved" if better else "degraded"

    merged["status"] = [status(row) for _, row in merged.iterrows()]
    return merged[["model", "metric", "old", "new", "change", "status"]].reset_index(drop=True)
    ### END SOLUTION

# %% [markdown]
# **The whole report.** `diff_runs` (given) puts your four functions together. The two StreamRec
# runs below differ on purpose: the feature code was edited and a `compute_embeddings` task was
# added before training, the learning rate was raised, and today's extraction reports
# `watch_seconds` in milliseconds, a bug that no single-run check would call an error.

# %%
from pipelinekit.streamrec import generate_interactions, generate_users


def diff_runs(old_run: dict, new_run: dict) -> dict:
    """The four comparisons of two run records, and the input tables added or removed."""
    old_inputs, new_inputs = old_run["inputs"], new_run["inputs"]
    return {
        "tasks": diff_tasks(old_run["tasks"], new_run["tasks"]),
        "config": diff_config(old_run["config"], new_run["config"]),
        "tables_added": sorted(set(new_inputs) - set(old_inputs)),
        "tables_removed": sorted(set(old_inputs) - set(new_inputs)),
        "inputs": {name: diff_table(old_inputs[name], new_inputs[name])
                   for name in old_inputs if name in new_inputs},
        "metrics": diff_metrics(old_run["metrics"], new_run["metrics"]),
    }


def print_report(report: dict) -> None:
    print("tasks:", {k: v for k, v in report["tasks"].items() if v})
    for change in report["config"]:
        print(f"config {change['change']:>8}: {change['key']}  {change['old']!r} -> {change['new']!r}")
    print("tables added:", report["tables_added"], " removed:", report["tables_removed"])
    for name, table in report["inputs"].items():
        print(f"\ninput {name}: rows {table['rows']}, schema {table['schema']}")
        drifted = [c for c, flag in table["numeric"]["drifted"].items() if flag]
        drifted += [c for c, flag in table["categorical"]["drifted"].items() if flag]
        print("  drifted columns:", drifted)
    print()
    print(report["metrics"].to_string(index=False))


TASKS_YESTERDAY = {
    "extract_interactions": {"code_hash": "9c1e04", "upstream": []},
    "extract_users": {"code_hash": "77d0a2", "upstream": []},
    "compute_features": {"code_hash": "51aa7b", "upstream": ["extract_interactions", "extract_users"]},
    "train_ranker": {"code_hash": "e03f19", "upstream": ["compute_features"]},
    "evaluate_ranker": {"code_hash": "2b8c44", "upstream": ["train_ranker"]},
}
TASKS_TODAY = dict(
    TASKS_YESTERDAY,
    compute_features={"code_hash": "a4f210", "upstream": ["extract_users", "extract_interactions"]},
    compute_embeddings={"code_hash": "0d93be", "upstream": ["extract_interactions"]},
    train_ranker={"code_hash": "e03f19", "upstream": ["compute_features", "compute_embeddings"]},
)
interactions_today = generate_interactions("2024-06-02", n_interactions=5400)
interactions_today["watch_seconds"] = interactions_today["watch_seconds"] * 1000
yesterday = {
    "run_id": "2024-06-01", "tasks": TASKS_YESTERDAY,
    "config": {"window_days": 7, "training": {"learning_rate": 0.05, "epochs": 10}},
    "inputs": {"interactions": generate_interactions("2024-06-01"), "users": generate_users()},
    "metrics": pd.DataFrame({"model": ["ranking"] * 3, "metric": ["ndcg_at_10", "auc", "log_loss"],
                             "value": [0.312, 0.781, 0.452]}),
}
today = {
    "run_id": "2024-06-02", "tasks": TASKS_TODAY,
    "config": {"window_days": 7, "training": {"learning_rate": 0.2, "epochs": 10}},
    "inputs": {"interactions": interactions_today, "users": generate_users()},
    "metrics": pd.DataFrame({"model": ["ranking"] * 3, "metric": ["ndcg_at_10", "auc", "log_loss"],
                             "value": [0.287, 0.772, 0.468]}),
}
print_report(diff_runs(yesterday, today))
