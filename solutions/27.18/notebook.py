# %% [markdown]
# Section 27.8 replayed missed days as independent runs, several at a time. That is only safe when
# a day's run reads nothing that another run of the same backfill writes. StreamRec's feature
# computation breaks that assumption: its features are **rolling 7-day windows**.
#
# The pipeline was down from March 8 to March 14 and those seven days are being backfilled. March
# 8's features only need March 1 to 7, days the pipeline had processed correctly before it went
# down. March 12's features need March 5 to 11, and four of those days, March 8 to 11, are among
# the days being backfilled.
#
# **The dependency model.** Use exactly this model in the whole exercise.
#
# - Days are integers (here the day of March: `8` is March 8).
# - The daily run of day `d` writes day `d`'s partition (its daily data and its features). With a
#   window of `w` days it reads the partitions of the `w` days before `d`, that is days `d - w` to
#   `d - 1`. StreamRec has `w = 7`. `w = 0` stands for a computation with no window, which reads no
#   other day.
# - A day that is not being backfilled already holds correct data.
# - A **plan** is a list of batches, each a list of days. The days of a batch run at the same time;
#   a batch starts only when the previous batch has finished. A plan is **correct** when every
#   backfilled day is in exactly one batch, and every backfilled day in the window of a day `d` is in
#   a batch **before** the batch of `d`. Days whose windows do not involve each other may share a
#   batch.
#
# Orchestrators can enforce such a model for you. In Airflow 3, `depends_on_past=True` makes a
# run's task wait for the same task of the previous run (and `airflow backfill create
# --run-backwards` refuses such a DAG). In Dagster 1.13, an asset partitioned by day can depend on
# its own earlier partitions through `TimeWindowPartitionMapping(start_offset=-7, end_offset=-1)`,
# and an asset backfill then launches a partition only once the partitions it reads exist.

# %% [markdown] answer="a"
# **(a)** Explain why backfilling March 8 to 14 as seven parallel runs would produce incorrect
# features. Which days are affected, what do their runs actually read, and would anyone notice?
#
### BEGIN SOLUTION
# Every day from March 9 to 14 has backfilled days in its window: March 9 reads March 2 to 8, so it
# needs March 8's partition; March 12 reads March 5 to 11, four of which (8, 9, 10, 11) are being
# backfilled; March 14 reads March 7 to 13, six of them backfilled. Only March 8 reads nothing but
# days that were already correct.
#
# If the seven runs start together, each reads its window at the start, before the other runs have
# written anything. For the backfilled days in its window it finds whatever the outage left there:
# no partition at all, an empty or partial one, or a stale one from an earlier failed attempt. The
# 7-day windows are then computed over fewer days or over wrong values (a click rate over three
# real days divided by seven, say), and the partitions written are wrong. Which stale data a run
# sees even depends on the timing of the others, so the result is not reproducible.
#
# Nothing fails: every run reads something and writes a well-formed partition, so the backfill
# reports success. The error shows up later and indirectly, as shifted feature distributions and a
# model trained or scored on them, which is why it is dangerous.
### END SOLUTION

# %% [markdown] part="b"
# **(b)** Design the backfill. Write `plan_backfill(days, window)`: given the days to backfill (in
# increasing order; they need not be consecutive, for instance when only some partitions were
# flagged as broken) and the window `w`, return a correct plan with the **fewest batches
# possible**. Any such plan earns full marks: the tests check your plan against the model above
# and count its batches; they do not compare it with one particular answer.
#
# `PipelineDAG` and its `get_parallel_stages()` from section 27.2 can do part of the work, if you
# give them the right edges; you may also write the planner from scratch. Then look at the plan for
# March 8 to 14: it is the execution order, and its length is the minimum number of sequential
# batches.

# %% part="b"
from pipelinekit import PipelineDAG


def plan_backfill(days: list[int], window: int) -> list[list[int]]:
    """A correct plan for backfilling `days` with a rolling window of `window` days, in as few
    batches as possible."""
    ### BEGIN SOLUTION plan
    # One task per day, an edge from every backfilled day in a day's window to that day; the
    # stages of section 27.2 put each day right after the longest chain of days it waits for.
    dag = PipelineDAG("backfill")
    for day in days:
        reads = [str(other) for other in days if day - window <= other <= day - 1]
        dag.add_task(str(day), depends_on=reads)
    return [[int(day) for day in stage] for stage in dag.get_parallel_stages()]
    ### END SOLUTION


# %% part="b"
march_plan = plan_backfill(list(range(8, 15)), 7)
for number, batch in enumerate(march_plan, start=1):
    print(f"batch {number}: March {', '.join(str(d) for d in batch)}")
print(f"{len(march_plan)} sequential batches")
print("only some days flagged, w = 5:", plan_backfill([1, 2, 3, 10, 11], 5))

# %% [markdown] part="c"
# **(c)** Generalize. For a rolling window of `w` days (`w >= 0`) and a backfill of `n` consecutive
# days (`n >= 1`), write
#
# - `min_sequential_batches(w, n)`: the minimum number of sequential batches of a correct plan;
# - `max_parallelism(w, n)`: the maximum parallelism per batch, that is, the largest number of days
#   that one batch holds in a correct plan with that minimum number of batches.
#
# Both return an `int` and must hold for every `w` and `n`: the tests check them on many pairs.
# Work the answer out before you write code; a formula is expected, though a function that calls
# your planner is accepted too.

# %% part="c"
def min_sequential_batches(w: int, n: int) -> int:
    """Fewest sequential batches for backfilling n consecutive days with a w-day window."""
    ### BEGIN SOLUTION batches
    # Every day reads the day before it as soon as w >= 1, so the n days form one chain.
    return n if w >= 1 else 1
    ### END SOLUTION


def max_parallelism(w: int, n: int) -> int:
    """The largest number of days in one batch of a plan with the fewest batches."""
    ### BEGIN SOLUTION parallelism
    return 1 if w >= 1 else n
    ### END SOLUTION


# %% part="c"
print("  w    n   batches  parallelism")
for w in (0, 1, 3, 7, 14):
    for n in (1, 7, 30):
        print(f"{w:>3}  {n:>3}   {min_sequential_batches(w, n):>7}  {max_parallelism(w, n):>11}")
