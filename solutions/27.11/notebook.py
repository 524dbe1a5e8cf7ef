# %% [markdown]
# StreamRec computes **daily user engagement features** and writes them to a feature table, one
# partition per day. Each day's features summarise a **rolling window of the last 7 days** of a
# user's interactions: how much they watched, how often they clicked, on how many days they came
# back. Section 27.6 defined an idempotent task as one whose rerun, with the same inputs, leaves
# the same end state, and built `idempotent_write` and `partition_path` so that a rerun
# overwrites its own partition instead of adding to it.
#
# A window makes this harder than it looks: the inputs of one day's features are seven days of
# a table that keeps changing. Events arrive late (a phone that was offline uploads yesterday's
# plays this morning), and new days keep being appended.

# %%
import datetime as dt

import pandas as pd

from pipelinekit.streamrec import generate_interaction_range

# %% [markdown] answer="a"
# **(a)** Is the feature task, as described above, idempotent? Under which conditions could
# rerunning it for the same day produce different features? Name at least two.
#
### BEGIN SOLUTION
# Only conditionally. Written to a partition keyed by the day (overwritten on a rerun), its
# *write* is idempotent, but its *result* is a function of what the interactions table holds when
# it runs, so a rerun with the "same" logical date can see different inputs:
#
# - **late-arriving data**: events whose timestamps fall inside the 7-day window but that landed
#   after the first run (offline clients, a delayed upstream batch, a replayed Kafka partition);
# - **a window computed from the clock**: if the window is "the last 7 days before now" instead
#   of "the 7 days ending on the logical date", a rerun tomorrow slides the window, and a backfill
#   of last month computes this week's features;
# - **no upper bound on the read**: reading everything after the window start picks up the days
#   that were appended since the first run;
# - **upstream corrections**: deduplication, deletions (e.g. a GDPR erasure), or a fixed bug in an
#   upstream job rewrite rows inside the window;
# - **other mutable inputs**: joins with tables read "as of now" (user profiles, the item
#   catalogue), or code and library versions that changed between the runs;
# - **an appending write**: if the output is appended instead of overwritten, a rerun duplicates
#   the day's features even when they are equal.
#
# So the task is idempotent only if its window is derived from the logical date, its input is a
# fixed snapshot of the table, and its output overwrites the day's partition.
### END SOLUTION

# %% [markdown] part="b"
# **(b)** Make the computation a function of its inputs and nothing else. The interactions table
# is versioned, as a Delta Lake table is: every commit creates a new version, a snapshot that
# never changes afterwards. A later version can hold rows for *old* days (late arrivals) as well
# as rows for new days.
#
# Write `compute_engagement_features(interactions_by_version, version, logical_date, window_days=7)`:
#
# - `interactions_by_version` is a `dict` mapping a version number (`int`) to that snapshot, a
#   pandas `DataFrame` with the columns of `pipelinekit.streamrec.generate_interactions`:
#   `user_id`, `item_id`, `timestamp` (timezone-aware, UTC), `event`, `watch_seconds`, `clicked`
#   (1 if the user clicked, else 0);
# - read the snapshot `version` and only that one; if there is no such version, raise a
#   `KeyError` (never fall back to another version);
# - `logical_date` is a `datetime.date`; the window is the `window_days` UTC days that end with
#   the logical date, that day included: every row whose `timestamp` is at or after midnight at
#   the start of day `logical_date - (window_days - 1)` and strictly before midnight at the end
#   of `logical_date`;
# - return a `DataFrame` with one row per user who has at least one interaction in the window,
#   in any order, with these columns:
#
# | column | value |
# | --- | --- |
# | `user_id` | the user |
# | `n_interactions` | the number of the user's rows in the window |
# | `n_clicks` | the sum of `clicked` over those rows |
# | `click_rate` | `n_clicks / n_interactions` |
# | `watch_seconds` | the sum of `watch_seconds` |
# | `active_days` | the number of distinct UTC days on which the user has a row in the window |
# | `feature_date` | the logical date |
# | `input_version` | the version that was read |
#
# The function must not read the clock, and must not modify the snapshots it is given: another
# run, a retry or a backfill of another day may read the same snapshot afterwards.

# %% part="b"
FEATURE_COLUMNS = [
    "user_id", "n_interactions", "n_clicks", "click_rate", "watch_seconds", "active_days",
    "feature_date", "input_version",
]


def compute_engagement_features(
    interactions_by_version: dict[int, pd.DataFrame],
    version: int,
    logical_date: dt.date,
    window_days: int = 7,
) -> pd.DataFrame:
    """Per-user engagement over the window_days UTC days ending with logical_date, read from one pinned snapshot."""
    ### BEGIN SOLUTION features
    if version not in interactions_by_version:
        raise KeyError(f"no snapshot of the interactions table has version {version}; "
                       f"known versions: {sorted(interactions_by_version)}")
    end = pd.Timestamp(logical_date, tz="UTC") + pd.Timedelta(days=1)
    start = end - pd.Timedelta(days=window_days)
    snapshot = interactions_by_version[version]
    in_window = snapshot[(snapshot["timestamp"] >= start) & (snapshot["timestamp"] < end)]
    features = (
        in_window.assign(day=in_window["timestamp"].dt.floor("D"))
        .groupby("user_id")
        .agg(
            n_interactions=("item_id", "size"),
            n_clicks=("clicked", "sum"),
            watch_seconds=("watch_seconds", "sum"),
            active_days=("day", "nunique"),
        )
        .reset_index()
    )
    features["click_rate"] = features["n_clicks"] / features["n_interactions"]
    features["feature_date"] = logical_date
    features["input_version"] = version
    return features[FEATURE_COLUMNS]
    ### END SOLUTION


# %% [markdown] part="b"
# A small versioned table to try it on: StreamRec interactions from 1 to 12 June 2024.
#
# - version 1 was committed just after 10 June ended, but a fifth of the events of 8–10 June
#   had not arrived yet;
# - version 2 adds those late events;
# - version 3 adds the days 11 and 12 June.

# %% part="b"
days = generate_interaction_range("2024-06-01", "2024-06-12", n_interactions=400, n_users=60, n_items=80, seed=7)
day = days["timestamp"].dt.date
late = (day >= dt.date(2024, 6, 8)) & (day <= dt.date(2024, 6, 10)) & (days.index % 5 == 0)
up_to_june_10 = day <= dt.date(2024, 6, 10)
VERSIONS = {
    1: days[up_to_june_10 & ~late].reset_index(drop=True),
    2: pd.concat([days[up_to_june_10 & ~late], days[late]], ignore_index=True),
    3: pd.concat([days[up_to_june_10 & ~late], days[late], days[~up_to_june_10]], ignore_index=True),
}
for number, snapshot in VERSIONS.items():
    print(f"version {number}: {len(snapshot)} rows, last event {snapshot['timestamp'].max():%Y-%m-%d %H:%M}")

# %% part="b"
june_10 = dt.date(2024, 6, 10)
first = compute_engagement_features(VERSIONS, 1, june_10)
rerun = compute_engagement_features(VERSIONS, 1, june_10)
with_late_rows = compute_engagement_features(VERSIONS, 2, june_10)
after_new_days = compute_engagement_features(VERSIONS, 3, june_10)
print(first.sort_values("user_id").head().to_string(index=False))


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    key = ["user_id"]
    return a.sort_values(key).reset_index(drop=True).equals(b.sort_values(key).reset_index(drop=True))


print("a rerun on version 1 gives the same features:", same(first, rerun))
print("version 2, with the late events, changes them:", not same(first.drop(columns="input_version"),
                                                                  with_late_rows.drop(columns="input_version")))
print("version 3 only adds later days, so 10 June's features do not move:",
      same(with_late_rows.drop(columns="input_version"), after_new_days.drop(columns="input_version")))

# %% [markdown] answer="b.written"
# **(b, written)** Describe the strategy as you would to a colleague: how does the task pin its
# inputs, where does it write, and what happens to the features of 10 June when the late events
# of version 2 arrive after version 1 was used?
#
### BEGIN SOLUTION
# The output of a run is a pure function of (logical date, input version, code). The window's
# bounds come from the logical date, never from the clock. The input is a snapshot: on its first
# run for a day the task resolves "the latest version" once, records that number with the run
# (in the run's metadata and in the output's `input_version` column), and every retry or rerun of
# that day reads the recorded version through Delta time travel, not whatever is latest. The
# output goes to the day's partition, `partition_path(root, "engagement_features", "2024-06-10")`,
# written with `idempotent_write`, so a rerun replaces the file atomically instead of appending.
# A retry therefore reproduces its features bit for bit.
#
# Late events are not allowed to change features silently. Two measures handle them. First, a
# watermark: the daily run waits until most late data has landed (e.g. runs at 06:00 for the day
# before, or for the window ending two days ago), which keeps corrections rare. Second, a
# deliberate recomputation: when a later version adds rows inside a window that was already
# computed (detected by comparing row counts per day between versions, or by the upstream job
# announcing the days it touched), the affected days, up to window_days after each corrected
# day, are backfilled **with the new version number**. The new partition overwrites the old
# one, its `input_version` shows that it was recomputed and from what, and a model trained on the
# old features can be traced to the old version. Reruns thus differ only when someone chose a new
# version, and that choice is on record.
### END SOLUTION
