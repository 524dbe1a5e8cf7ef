# %% [markdown]
# Every run of a scheduled pipeline carries dates, and two kinds are easily confused: the dates
# that say **which data the run is responsible for**, and the moments that say **when the run
# happens**. Section 27.3 introduced both in Airflow's vocabulary. In this exercise you pin them
# down for four runs.
#
# Airflow 3 stores these values on every DAG run (and hands them to tasks in their context):
#
# | name | meaning |
# | --- | --- |
# | `data_interval_start`, `data_interval_end` | the window of data the run is responsible for, **half-open**: it contains `data_interval_start` and stops just before `data_interval_end` (a whole day D is D 00:00 to D+1 00:00) |
# | `logical_date` | the instant that names the run and its data: by Airflow's convention, equal to `data_interval_start` |
# | `run_after` | the earliest moment the run may start |
# | `start_date` | the moment the run actually started |
#
# A word on names. Airflow 1 and 2 called the logical date `execution_date`, although it is not
# when anything executes; Airflow 2.2 renamed it `logical_date`, and Airflow 3 removed
# `execution_date` altogether. "When did it execute?" is answered by `run_after` and `start_date`.
#
# The conventions of this exercise:
#
# - The year is **2025** (17 March 2025 is a Monday). Every time is in **UTC**, and every window
#   of data is made of whole UTC days, starting at midnight.
# - A scheduled run's `run_after` is its scheduled time, and it starts exactly then (no queueing).
# - Airflow 3 creates a backfilled run just as the timetable would have scheduled it, with the
#   same `logical_date`, data interval and `run_after`; only its `start_date` is later.
# - A run started by an event has that event's moment as its `run_after`, and starts at once.
#
# *What changed in Airflow 3:* a cron string such as `schedule="0 2 * * *"` now means
# `CronTriggerTimetable`, which dates a run at the moment it fires (its logical date *is* its
# run time, and its data interval has zero length). The Airflow 2 behaviour, where each run
# covers the interval that just ended, is `CronDataIntervalTimetable` (or the setting
# `[scheduler] create_cron_data_intervals = True`). A pipeline whose windows are whole days but
# which runs a couple of hours after midnight, like the daily DAG below, uses a custom
# timetable (a subclass of `Timetable` whose `next_dagrun_info` returns the window and the
# `run_after` separately), or reads the previous day from its own dates.

# %%
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
FIELDS = ["logical_date", "data_interval_start", "data_interval_end", "run_after", "start_date"]

# %% [markdown] answer="a"
# **(a)** In a few sentences: what is the difference between a run's logical date (with its data
# interval) and the moment the run executes? Why does a pipeline that processes data by day need
# the first rather than the second?
#
### BEGIN SOLUTION
# The data interval is the slice of data a run is responsible for, and the logical date names
# that slice (it is the interval's start). The moment of execution, `run_after` for the earliest
# allowed start and `start_date` for the actual one, is when the scheduler gets round to the
# work; it normally comes after the interval has ended, because the data must exist first, and it
# can come much later (a backfill, a retry, a run held up by a sensor). A task that computes "its"
# day from the wall clock reads the wrong data whenever it runs late or is rerun; one that reads
# its data interval processes the same slice whether it runs on time, tomorrow or next month, and
# writes it to the same partition, which is what makes reruns and backfills idempotent.
### END SOLUTION

# %% [markdown]
# **(b)–(e)** Fill in `RUN_DATES`: for each of the four runs below, a dict with the five keys of
# `FIELDS`, each a **timezone-aware** `datetime` (`datetime(2025, 3, 14, tzinfo=UTC)`; a
# pendulum `DateTime` is fine too, and so is any time zone, as long as the instant is right).
#
# - **(b) `"daily"`**: a DAG scheduled every day at 02:00 UTC processes the previous day's data.
#   Today is 15 March: today's scheduled run.
# - **(c) `"weekly"`**: a DAG scheduled every Monday at 06:00 UTC processes the previous week,
#   Monday to Sunday (the whole Sunday included). This Monday is 17 March: this Monday's run.
# - **(d) `"backfill"`**: on 20 March at 09:30 UTC you launch a backfill of the daily DAG of (b)
#   to reprocess the data of 10 March; its run starts at once.
# - **(e) `"file_arrival"`**: a pipeline is started at 11:47 UTC on 15 March, when an upstream
#   file arrives; the file holds the data of the previous day, 14 March. Give the values that
#   date this run by the data it processes. (How Airflow 3 itself records such a run is the
#   question of (e, written).)

# %%
### BEGIN SOLUTION run_dates
RUN_DATES = {
    "daily": {
        "logical_date": datetime(2025, 3, 14, tzinfo=UTC),
        "data_interval_start": datetime(2025, 3, 14, tzinfo=UTC),
        "data_interval_end": datetime(2025, 3, 15, tzinfo=UTC),
        "run_after": datetime(2025, 3, 15, 2, 0, tzinfo=UTC),
        "start_date": datetime(2025, 3, 15, 2, 0, tzinfo=UTC),
    },
    "weekly": {
        "logical_date": datetime(2025, 3, 10, tzinfo=UTC),
        "data_interval_start": datetime(2025, 3, 10, tzinfo=UTC),
        "data_interval_end": datetime(2025, 3, 17, tzinfo=UTC),
        "run_after": datetime(2025, 3, 17, 6, 0, tzinfo=UTC),
        "start_date": datetime(2025, 3, 17, 6, 0, tzinfo=UTC),
    },
    "backfill": {
        "logical_date": datetime(2025, 3, 10, tzinfo=UTC),
        "data_interval_start": datetime(2025, 3, 10, tzinfo=UTC),
        "data_interval_end": datetime(2025, 3, 11, tzinfo=UTC),
        "run_after": datetime(2025, 3, 11, 2, 0, tzinfo=UTC),
        "start_date": datetime(2025, 3, 20, 9, 30, tzinfo=UTC),
    },
    "file_arrival": {
        "logical_date": datetime(2025, 3, 14, tzinfo=UTC),
        "data_interval_start": datetime(2025, 3, 14, tzinfo=UTC),
        "data_interval_end": datetime(2025, 3, 15, tzinfo=UTC),
        "run_after": datetime(2025, 3, 15, 11, 47, tzinfo=UTC),
        "start_date": datetime(2025, 3, 15, 11, 47, tzinfo=UTC),
    },
}
### END SOLUTION
### BEGIN STARTER
# RUN_DATES = {
#     "daily": {
#         "logical_date": None,          # datetime(2025, 3, ..., tzinfo=UTC)
#         "data_interval_start": None,
#         "data_interval_end": None,
#         "run_after": None,
#         "start_date": None,
#     },
#     "weekly": {},
#     "backfill": {},
#     "file_arrival": {},
# }
### END STARTER

# %% [markdown]
# Your four runs side by side (in UTC), with two checks that hold for every run whatever its
# dates: the logical date is where the data interval starts, and no run may start before it is
# allowed to.

# %%
def show(value):
    return value.astimezone(UTC).strftime("%a %d %b %H:%M") if isinstance(value, datetime) else repr(value)


print(f"{'':13}" + "".join(f"{field:>20}" for field in FIELDS))
for name, run in RUN_DATES.items():
    print(f"{name:13}" + "".join(f"{show(run.get(field)):>20}" for field in FIELDS))
    if all(isinstance(run.get(field), datetime) for field in FIELDS):
        if run["logical_date"] != run["data_interval_start"]:
            print(f"   {name}: the logical date is not the start of the data interval")
        if run["start_date"] < run["run_after"]:
            print(f"   {name}: the run starts before it is allowed to")

# %% [markdown] answer="e.written"
# **(e, written)** In Airflow 3, how would the pipeline of (e) be started by the file's arrival,
# and what dates would Airflow itself record for that run? Where does the pipeline learn that
# the file holds 14 March, and why must it use that date rather than the moment it was started?
#
### BEGIN SOLUTION
# Two designs are common. (1) Data-aware scheduling: the DAG is scheduled on an asset,
# `schedule=[Asset("s3://landing/events/")]`; the event comes from the upstream DAG's task that
# writes the file (`outlets=[asset]`) or from an `AssetWatcher` listening to a queue. Airflow 3
# then creates an asset-triggered run whose `run_after` is the moment the event was handled
# (about 11:47 on 15 March) and whose `logical_date` and data interval are **empty** (`None`):
# Airflow knows that something happened, not which data it concerns. The day must come with the
# event (its `extra`, e.g. `{"data_date": "2025-03-14"}`, read from `triggering_asset_events`),
# or from the file's name or content. (2) A sensor inside a scheduled DAG: a daily run for
# 14 March is created on schedule, its first task (a deferrable `S3KeySensor` or `FileSensor`)
# waits until 11:47, and the run keeps the schedule's logical date and interval; only the
# processing tasks start at 11:47. Either way the output must be keyed by 14 March, the day the
# data describes: keyed by the trigger time, a late file or a second delivery would land in
# another partition, and a rerun would not overwrite the first run's output.
### END SOLUTION
