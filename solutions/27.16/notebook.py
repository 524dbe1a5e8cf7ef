# %% [markdown]
# Section 27.8 showed how an orchestrator replays the runs a pipeline missed (a **backfill**),
# how many of those runs may go at once, and in which order. This exercise puts numbers on one
# backfill and then plans around a day whose data turns out to be unusable.
#
# **The outage.** The StreamRec daily pipeline did not run from March 8 to March 14: seven days,
# both ends included. Its daily run takes 3.5 hours on average and needs 4 A100 GPUs for the whole
# of that time. The team has 12 A100 GPUs in all. Days are written here as plain day numbers of
# March (`8` is March 8), so a range of days is a pair of integers, both ends included.
#
# **The same thing in Airflow 3.** Airflow 3 runs backfills in the scheduler; you create one with
# `airflow backfill create --dag-id streamrec_daily --from-date ... --to-date ...` (the Airflow 2
# command `airflow dags backfill`, which ran the backfill in your terminal, is gone). Its option
# `--max-active-runs 3` caps how many runs of the backfill go at once, and `--run-backwards` starts
# from the newest day. The GPU limit is a pool: a pool `a100` of 12 slots, with the training task
# declared `pool="a100", pool_slots=4`, never lets more than three runs train together, whatever
# `--max-active-runs` says.

# %%
import math

OUTAGE_FIRST_DAY, OUTAGE_LAST_DAY = 8, 14   # March 8 to March 14, both included
HOURS_PER_RUN = 3.5                          # average duration of one daily run
GPUS_PER_RUN = 4                             # A100s one run needs
GPUS_TOTAL = 12                              # A100s the team has
MAX_PARALLEL = 3                             # runs the backfill may start at once

# %% [markdown] part="a"
# **(a)** How long does the backfill take if the missed days run one after another?
#
# Write `sequential_backfill_hours(first_day, last_day, hours_per_run)`: the hours from the start
# of the first run to the end of the last, when every day from `first_day` to `last_day` (both
# included) runs alone, one after the other, each taking `hours_per_run` hours. The tests also call
# it with other days and durations.

# %% part="a"
def sequential_backfill_hours(first_day: int, last_day: int, hours_per_run: float) -> float:
    """Wall-clock hours of a backfill that runs the days first_day..last_day one at a time."""
    ### BEGIN SOLUTION sequential
    days = last_day - first_day + 1
    return days * hours_per_run
    ### END SOLUTION


# %% part="a"
print(f"sequential backfill: {sequential_backfill_hours(OUTAGE_FIRST_DAY, OUTAGE_LAST_DAY, HOURS_PER_RUN):g} hours")

# %% [markdown] part="b"
# **(b)** How long does it take with `max_parallel=3`, that is, with up to three runs at once?
#
# Write `parallel_backfill_hours(first_day, last_day, hours_per_run, max_parallel, gpus_per_run,
# gpus_total)`. Runs start as soon as a place is free, oldest day first, and at any moment:
#
# - at most `max_parallel` runs are going, and
# - the runs going together need at most `gpus_total` GPUs, `gpus_per_run` each (a run cannot
#   start with part of its GPUs).
#
# Every run takes exactly `hours_per_run` hours. Return the hours from the start of the first run to
# the end of the last. You may assume `gpus_per_run <= gpus_total`. The tests call it with other
# limits too, including some where the GPUs, not `max_parallel`, are what holds runs back.

# %% part="b"
def parallel_backfill_hours(first_day: int, last_day: int, hours_per_run: float,
                            max_parallel: int, gpus_per_run: int, gpus_total: int) -> float:
    """Wall-clock hours of the backfill with at most max_parallel runs, and the GPUs, at once."""
    ### BEGIN SOLUTION parallel
    days = last_day - first_day + 1
    at_once = min(max_parallel, gpus_total // gpus_per_run)
    waves = math.ceil(days / at_once)
    return waves * hours_per_run
    ### END SOLUTION


# %% part="b"
hours = parallel_backfill_hours(OUTAGE_FIRST_DAY, OUTAGE_LAST_DAY, HOURS_PER_RUN, MAX_PARALLEL, GPUS_PER_RUN, GPUS_TOTAL)
print(f"parallel backfill, max_parallel={MAX_PARALLEL}: {hours:g} hours")

# %% [markdown] part="c"
# **(c)** The team picks a prioritized strategy: **newest first**, three runs at a time. The first
# batch, March 14, 13 and 12, has finished when someone finds that the raw data of **March 10** is
# corrupted and cannot be processed.
#
# To decide what else that day spoils you need to know what a run reads. In this exercise the model
# is the following (exercise 27.18 looks at runs that read each other's outputs instead):
#
# - The run for day `d` trains on the **raw interaction logs** of the `lookback` days ending at `d`,
#   that is days `d - lookback + 1` to `d`. StreamRec uses `lookback = 3`: the run for March 12
#   reads the logs of March 10, 11 and 12. The logs kept arriving during the outage; only the
#   pipeline was down.
# - A run never reads another run's output. This is why the days can be replayed in any order, and
#   why newest first is allowed at all.
# - A run whose `lookback` days include the corrupt day cannot produce a correct output. If it has
#   already run, its output is wrong too and has to be withdrawn.
#
# Write `plan_newest_first(days, done, corrupt, lookback, max_parallel)`, where `days` lists every
# day of the backfill (oldest first), `done` the days whose runs have already finished, and
# `corrupt` the day with unusable data. It returns a dict with two keys:
#
# - `"skipped"`: every day of `days` that cannot be produced correctly until the corrupt data is
#   repaired: the corrupt day and every day whose run reads it, **including days in `done`** (their
#   outputs must be withdrawn). Any order.
# - `"batches"`: the plan for the rest, a list of batches, each a list of days that run together.
#   Every day that is neither done nor skipped appears exactly once; done days and skipped days do
#   not appear. Newest first: each batch takes the `max_parallel` newest days not planned yet (the
#   last batch may hold fewer), so every day of a batch is newer than every day of the next one.
#   The order inside a batch is free. No day left means an empty list of batches.
#
# The tests check your plan against these rules on other outages as well.

# %% part="c"
def plan_newest_first(days: list[int], done: list[int], corrupt: int, lookback: int,
                      max_parallel: int) -> dict:
    """Newest-first batches for the days still to run, and the days the corrupt day spoils."""
    ### BEGIN SOLUTION plan
    spoiled = [d for d in days if d - lookback + 1 <= corrupt <= d]
    remaining = sorted((d for d in days if d not in done and d not in spoiled), reverse=True)
    batches = [remaining[i:i + max_parallel] for i in range(0, len(remaining), max_parallel)]
    return {"skipped": spoiled, "batches": batches}
    ### END SOLUTION
    ### BEGIN STARTER
    # skipped = ...   # the corrupt day and the days whose runs read it
    # batches = ...   # newest first, at most max_parallel days per batch
    # return {"skipped": skipped, "batches": batches}
    ### END STARTER


# %% part="c"
outage = list(range(OUTAGE_FIRST_DAY, OUTAGE_LAST_DAY + 1))
plan = plan_newest_first(outage, done=[14, 13, 12], corrupt=10, lookback=3, max_parallel=MAX_PARALLEL)
print("skipped until March 10 is repaired:", sorted(plan["skipped"]))
for number, batch in enumerate(plan["batches"], start=2):
    print(f"batch {number}: March {', '.join(str(d) for d in batch)}")

# %% [markdown] answer="c.written"
# How should the team handle March 10? Say what they do now, what becomes of the runs already
# finished, and how the gap is recorded, communicated and closed once the data is repaired.
#
### BEGIN SOLUTION
# They do not stop the whole backfill, and they do not run March 10 on the bad data. They mark
# March 10 as skipped (in Airflow, that day's run is marked failed or its tasks skipped, with the
# reason), and with it every day whose run reads March 10's logs: March 11 and March 12. March 12
# already ran in the first batch, so its output is wrong: it is withdrawn (its partition deleted or
# flagged, and anything that consumed it, such as a model registered from it, held back). The
# other days, March 9 and 8, do not touch March 10 and are finished as planned, newest first.
#
# The gap is written down where everyone looks: an incident ticket listing the skipped days and
# why, a note to the teams that read StreamRec's daily outputs that March 10 to 12 are missing or
# withdrawn, and a data-quality flag on those partitions so that nothing trains on them silently.
# The data owners are asked to repair or re-export March 10's raw logs. Once they are repaired and
# pass the data contract, a second, small backfill reruns March 10, 11 and 12 (their order does not
# matter, since runs only read raw logs), their outputs are compared with the neighbouring days,
# and the ticket is closed.
### END SOLUTION
