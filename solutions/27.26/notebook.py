# %% [markdown]
# Section 27.5 compared Airflow, Dagster and Prefect feature by feature. This exercise is what
# happens after such a comparison ends in a decision: a team runs **15 Airflow DAGs, 180 tasks in
# all**, and has decided to move to Dagster. Nobody can rewrite fifteen DAGs in a weekend and
# switch over on Monday: the migration takes months, during which both orchestrators run, some
# pipelines in one and some in the other, and the outputs must not change.
#
# Design the migration plan. It has four parts:
#
# | part | the question | answered by |
# | --- | --- | --- |
# | (a) | which DAGs move first: scoring criteria, and the order they give | a written answer |
# | (b) | how Airflow and Dagster run side by side during the transition | a written answer |
# | (c) | how to check that the Dagster version of a pipeline produces **the same outputs** as the Airflow version for the same data interval | a function, graded by tests |
# | (d) | what to do when a DAG depends on another DAG that has already moved to the other framework (or the reverse) | a written answer |
#
# Where the plan names framework features, use today's versions: Airflow 3 (`airflow.sdk`,
# `schedule=`, `logical_date`, data intervals, Assets for data-aware scheduling, the REST API
# under `/api/v2`) and Dagster 1.13 (assets, partitions, sensors, and `dagster-airlift`, Dagster's
# toolkit for observing Airflow DAGs as assets and moving them task by task).

# %% [markdown] answer="a"
# **(a) Which DAGs first?** Propose scoring criteria for ranking the 15 DAGs, with the reason for
# each, and say how the scores turn into an order: what moves first, and why.
#
### BEGIN SOLUTION
# Each DAG gets a score from 1 to 5 on five criteria; the first three say how *risky* a migration
# is, the last two how much it *pays*:
#
# | criterion | 5 means | why it matters |
# | --- | --- | --- |
# | business criticality (inverted) | nothing customer-facing breaks if it is late for a day | early migrations are where the team learns; they should fail cheaply |
# | complexity (inverted) | few tasks, standard operators, no custom plugins, no dynamic task mapping | a small DAG is migrated and verified in days, and sets the patterns (IO managers, resources, partitions) the others reuse |
# | cross-DAG dependencies (inverted) | no other DAG waits on it and it waits on none | every dependency crossing the two frameworks needs a bridge (part (d)); a leaf DAG needs none |
# | test coverage and determinism | good tests, deterministic outputs | the equivalence check of part (c) is only conclusive when the same inputs give the same outputs |
# | expected benefit | the DAG suffers from what Dagster fixes (asset lineage, partitions and backfills, local testing) | a visible win early keeps the migration funded |
#
# Score = weighted sum, with risk weighted more than benefit at the start (e.g. 0.25 × criticality
# + 0.2 × complexity + 0.25 × dependencies + 0.15 × tests + 0.15 × benefit). The order is not a
# plain sort, though: the dependency graph of the 15 DAGs constrains it. Sort by score, then, among
# DAGs that depend on each other, move whole connected groups (or upstream before downstream) so
# that the number of bridges alive at any time stays small.
#
# What moves first: a **pilot**, the top-scoring DAG, a non-critical leaf with good tests (for
# StreamRec, say, the nightly report DAG), migrated alone to establish the project layout, the CI,
# the shadow-run procedure of (b) and the comparison of (c). Then the low-risk leaves in batches of
# two or three, then the groups of connected DAGs, and the business-critical training and serving
# DAGs last, when the team and the tooling are proven. Scores are revisited after each batch: what
# was learned changes the complexity estimates.
### END SOLUTION

# %% [markdown] answer="b"
# **(b) Both at once.** How do Airflow and Dagster run in parallel during the transition, for one
# DAG being migrated and for the platform as a whole? Say which one is authoritative, where each
# writes, and when and how a DAG is cut over, and rolled back if needed.
#
### BEGIN SOLUTION
# For each DAG there is, at any moment, **exactly one authoritative framework**: its outputs are
# the ones downstream consumers read, its alerts page people, its side effects (model registration,
# e-mails, pushes to the feature store) happen. A DAG goes through four states:
#
# 1. **Airflow only.**
# 2. **Shadow**: the Dagster version runs on the same schedule, with partitions aligned to the
#    Airflow data intervals (a `DailyPartitionsDefinition` with the DAG's start date and time zone,
#    partition key = the interval's start), but it writes to an **isolated location** (a `shadow_`
#    schema, a separate bucket prefix, set through its IO manager or resources) and its side effects
#    are switched off by configuration. After every interval, the comparison of part (c) runs on the
#    two outputs and its report is kept. (`dagster-airlift` can first *observe* the Airflow DAG as
#    Dagster assets, so lineage is visible before anything moves.)
# 3. **Cut-over**, once a criterion is met: for example 14 consecutive intervals with an empty
#    comparison report (or only differences explained and accepted), including one backfill and one
#    failure-and-retry. Dagster switches to the production location and its side effects are turned
#    on; the Airflow DAG is **paused, not deleted**.
# 4. **Airflow retired**, after a rollback window (e.g. one month) with no rollback.
#
# **Rollback**: un-pause the Airflow DAG and point Dagster back to the shadow location; because
# both write whole partitions idempotently, re-running the affected intervals in Airflow repairs
# anything Dagster wrote. Because each DAG has its own state, a rollback concerns one DAG, not the
# migration.
#
# For the platform: both schedulers and their metadata databases run for the whole transition, with
# capacity for the shadow runs (they roughly double the compute of the DAGs in shadow, which is
# another reason to shadow few at a time). A single table, kept in the repository, lists each DAG's
# state, owner and cut-over date; dashboards show both frameworks' runs side by side.
### END SOLUTION

# %% [markdown] part="c"
# **(c) Same interval, same outputs?** During the shadow period, every data interval produces two
# versions of each output table: Airflow's and Dagster's. Write the function that compares them:
#
# ```python
# compare_outputs(airflow, dagster, key, *, rtol=1e-9, atol=1e-12) -> list[dict]
# ```
#
# `airflow` and `dagster` are the two pandas DataFrames for one data interval; `key` is the name of
# the key column, or a list of names when the key has several columns (for instance
# `["user_id", "date"]`); a row is identified by the values of its key columns. The function returns
# **every difference**, as a list of plain dicts, in any order, one per difference:
#
# | `"kind"` | other entries | one record for |
# | --- | --- | --- |
# | `"missing_column"` | `"column"` | each column of the Airflow output that the Dagster output lacks |
# | `"extra_column"` | `"column"` | each column of the Dagster output that the Airflow output lacks |
# | `"dtype"` | `"column"`, `"airflow"`, `"dagster"` | each column of both whose dtype differs; the two dtypes written as `str(dtype)`, e.g. `"int64"`, `"float64"`, `"str"`, `"object"` |
# | `"missing_row"` | `"key"` | each key present in the Airflow output only |
# | `"extra_row"` | `"key"` | each key present in the Dagster output only |
# | `"duplicate_key"` | `"key"`, `"side"` | each key that appears on more than one row of one output; `"side"` is `"airflow"` or `"dagster"` |
# | `"value"` | `"key"`, `"column"`, `"airflow"`, `"dagster"` | each row present in both and each non-key column of both where the two values differ |
#
# - A `"key"` is a dict from key column to value: `{"user_id": 17}`, or
#   `{"user_id": 17, "date": "2024-06-07"}`. Values in records are plain Python values (`int`,
#   `float`, `str`, `bool`), and a null is `None`.
# - The order of the rows, the order of the columns and the index do not matter.
# - Key columns are compared by value: a key of `3` and a key of `3.0` are the same key. A key column
#   whose dtype differs gets a `"dtype"` record like any other column.
# - Two values are equal when both are null (`None`, `NaN`, `pd.NA` ...); a null and a non-null
#   value differ. When both are numbers and at least one is a float, they are equal within the
#   tolerance, as `math.isclose(a, b, rel_tol=rtol, abs_tol=atol)` decides (summing floats in
#   another order changes the last digits; that is not a difference). Any other values are equal
#   when `==` says so: an integer column that became a float column with the same numbers gives a
#   `"dtype"` record and no `"value"` record.
# - A key that is duplicated on either side gets its `"duplicate_key"` record(s) (one per side
#   where it is duplicated, however many copies) and nothing else: its rows are neither missing,
#   extra, nor compared.
#
# You may assume that the key columns exist in both outputs.

# %% part="c"
import math

import numpy as np
import pandas as pd


def compare_outputs(airflow: pd.DataFrame, dagster: pd.DataFrame, key, *, rtol: float = 1e-9,
                    atol: float = 1e-12) -> list[dict]:
    """Every difference between two pipelines' outputs for one data interval, as plain records."""
    ### BEGIN SOLUTION compare_outputs
    keys = [key] if isinstance(key, str) else list(key)

    def plain(value):
        if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
            return None
        return value.item() if isinstance(value, np.generic) else value

    def same(a, b) -> bool:
        a, b = plain(a), plain(b)
        if a is None or b is None:
            return a is None and b is None
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        if numbers and (isinstance(a, float) or isinstance(b, float)):
            return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
        return bool(a == b)

    records = []
    records += [{"kind": "missing_column", "column": c} for c in airflow.columns if c not in dagster.columns]
    records += [{"kind": "extra_column", "column": c} for c in dagster.columns if c not in airflow.columns]
    common = [c for c in airflow.columns if c in dagster.columns]
    records += [{"kind": "dtype", "column": c, "airflow": str(airflow[c].dtype), "dagster": str(dagster[c].dtype)}
                for c in common if str(airflow[c].dtype) != str(dagster[c].dtype)]

    def rows_by_key(frame: pd.DataFrame) -> dict:
        found: dict = {}
        for row in frame.to_dict("records"):
            found.setdefault(tuple(plain(row[k]) for k in keys), []).append(row)
        return found

    sides = {"airflow": rows_by_key(airflow), "dagster": rows_by_key(dagster)}
    duplicated = set()
    for side, rows in sides.items():
        for k, copies in rows.items():
            if len(copies) > 1:
                duplicated.add(k)
                records.append({"kind": "duplicate_key", "key": dict(zip(keys, k)), "side": side})
    ours, theirs = sides["airflow"], sides["dagster"]
    records += [{"kind": "missing_row", "key": dict(zip(keys, k))}
                for k in ours if k not in theirs and k not in duplicated]
    records += [{"kind": "extra_row", "key": dict(zip(keys, k))}
                for k in theirs if k not in ours and k not in duplicated]
    compared = [c for c in common if c not in keys]
    for k, rows in ours.items():
        if k in duplicated or k not in theirs:
            continue
        row, other = rows[0], theirs[k][0]
        for c in compared:
            if not same(row[c], other[c]):
                records.append({"kind": "value", "key": dict(zip(keys, k)), "column": c,
                                "airflow": plain(row[c]), "dagster": plain(other[c])})
    return records
    ### END SOLUTION


# %% [markdown] part="c"
# A shadow run of StreamRec's daily user-feature DAG: the Airflow output and the Dagster output for
# the data interval of 2024-06-07. The Dagster version was written by someone else, and it shows.

# %% part="c"
airflow_output = pd.DataFrame({
    "user_id": [101, 102, 103, 104, 105],
    "date": ["2024-06-07"] * 5,
    "n_events": [12, 3, 40, 7, 1],
    "click_rate": [0.25, 1 / 3, 0.1, 0.0, float("nan")],
    "top_category": ["drama", "news", "sports", "kids", "music"],
})
dagster_output = pd.DataFrame({
    "user_id": [105, 104, 103, 102, 106],                    # other order; 101 lost, 106 new
    "date": ["2024-06-07"] * 5,
    "n_events": [1.0, 7.0, 41.0, 3.0, 2.0],                  # counts became floats; one changed
    "click_rate": [float("nan"), 0.0, 0.1 + 1e-15, 0.3333333333333333, 0.5],
    "model_version": ["v2"] * 5,                             # a column Airflow never wrote
})
for record in compare_outputs(airflow_output, dagster_output, ["user_id", "date"]):
    print(record)

# %% [markdown] part="c"
# In the plan, this report decides the cut-over of (b): a DAG leaves shadow mode after enough
# intervals with an empty report (or with only differences that were explained and accepted).

# %% [markdown] answer="d"
# **(d) Dependencies across the two frameworks.** Some DAGs depend on others (a training DAG reads
# what a feature DAG wrote). During the transition the upstream DAG may already run in Dagster while
# the downstream one still runs in Airflow, or the reverse. How does each side wait for the other,
# how do data intervals stay aligned across the boundary, and how does the migration order deal with
# these dependencies?
#
### BEGIN SOLUTION
# **Dagster waits for Airflow.** A Dagster sensor polls the Airflow 3 REST API
# (`GET /api/v2/dags/{dag_id}/dagRuns?state=success&logical_date_gte=...`) and, for each successful
# Airflow run, requests a run of the downstream Dagster job for the partition of that run's data
# interval. With `dagster-airlift`, the Airflow DAG is *observed* as Dagster assets (each successful
# DAG run becomes a materialization), and the downstream Dagster assets simply depend on them and
# are scheduled by declarative automation. A sensor on the data itself (the partition's `_SUCCESS`
# marker or the Delta table's new version) is the fallback when the API is not reachable.
#
# **Airflow waits for Dagster.** Airflow 3's data-aware scheduling: the downstream DAG is scheduled
# on an `Asset` (e.g. `Asset("s3://lake/user_features")`), and when the Dagster asset materializes,
# a Dagster sensor (or a hook at the end of the run) posts an asset event to Airflow's REST API
# (`POST /api/v2/assets/events`, with the partition date in its `extra`). The downstream DAG reads
# the date from the triggering event rather than from its own clock. The other option, a sensor
# task in Airflow polling Dagster's GraphQL API for the materialization of the partition, works
# too but keeps a worker slot busy.
#
# **Aligned intervals.** Both sides use the same calendar: Airflow's data interval start (in UTC) is
# the Dagster partition key, in the same time zone and with the same partition boundaries. A bridge
# passes the interval explicitly (run tags, asset-event extras) and never lets a downstream job
# infer it from "now"; backfills on one side are mirrored by backfills of the same partitions on
# the other. Each bridge has a test that a run for interval X triggers exactly the downstream run
# for interval X.
#
# **Order and clean-up.** The dependency graph of the 15 DAGs is part of the ordering of (a):
# migrating upstream DAGs before their consumers, or a connected group together, keeps the number of
# bridges small, and a bridge is listed in the migration table with the DAG state. Every bridge is
# temporary: when both its ends run in Dagster it is replaced by an ordinary asset dependency and
# deleted, and when the last Airflow DAG is retired, no bridge is left.
### END SOLUTION
