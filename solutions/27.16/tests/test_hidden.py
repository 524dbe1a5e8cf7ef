"""Hidden tests for exercise 27.16 (backfilling a week-long outage)."""
import math

from autograder.testing import expect, graded

# The seed's outage: March 8 to 14, 3.5 h per run, 4 of 12 A100s per run, at most 3 runs at once.
OUTAGE = (8, 14)
HOURS, GPUS_PER_RUN, GPUS_TOTAL, MAX_PARALLEL = 3.5, 4, 12, 3


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# ---- the trusted side's own model of the statement ---------------------------------------------
def sequential_hours(first, last, hours):
    return (last - first + 1) * hours


def parallel_hours(first, last, hours, max_parallel, gpus_per_run, gpus_total):
    """Simulate the pool: a run starts when a place and its GPUs are free, oldest day first."""
    slots = min(max_parallel, gpus_total // gpus_per_run)
    finish = [0.0] * slots          # when each place becomes free
    end = 0.0
    for _ in range(last - first + 1):
        place = min(range(slots), key=lambda i: finish[i])
        finish[place] += hours
        end = max(end, finish[place])
    return end


def spoiled_days(days, corrupt, lookback):
    """Days whose run reads the corrupt day's logs: the window d-lookback+1..d contains it."""
    return {d for d in days if any(d - k == corrupt for k in range(lookback))}


# ---- probes --------------------------------------------------------------------------------------
def sequential(ns, first, last, hours):
    return ns.sequential_backfill_hours(first, last, hours)


def parallel(ns, *args):
    return ns.parallel_backfill_hours(*args)


def plan(ns, days, done, corrupt, lookback, max_parallel):
    got = ns.plan_newest_first(list(days), list(done), corrupt, lookback, max_parallel)
    if not isinstance(got, dict):
        return {"type": type(got).__name__}

    def days_of(value):
        if not isinstance(value, (list, tuple, set, frozenset)):
            return None
        return [d if isinstance(d, int) and not isinstance(d, bool) else repr(d) for d in value]

    batches = got.get("batches")
    return {
        "type": "dict",
        "keys": sorted(str(k) for k in got),
        "skipped": days_of(got.get("skipped")),
        "batches": [days_of(b) for b in batches] if isinstance(batches, (list, tuple)) else None,
    }


# ---- (a) -----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Count the days from the first to the last, both included, and run them one after another.")
def test_sequential_backfill_hours(sub):
    for first, last, hours in [OUTAGE + (HOURS,), (1, 30, 2.0), (20, 21, 6.5), (5, 5, 3.0), (3, 12, 0.75)]:
        got = sub.run(sequential, first, last, hours)
        expect(_is_number(got), f"sequential_backfill_hours returned {type(got).__name__}, not a number of hours")
        expect(abs(got - sequential_hours(first, last, hours)) < 1e-9,
               f"for days {first} to {last} at {hours:g} h per run your function returns {got:g} hours")


# ---- (b) -----------------------------------------------------------------------------------------
@graded("b", points=1, hint="Three runs at once: how many rounds of runs do seven days need, and how long is each round?")
def test_parallel_backfill_for_the_outage(sub):
    args = OUTAGE + (HOURS, MAX_PARALLEL, GPUS_PER_RUN, GPUS_TOTAL)
    got = sub.run(parallel, *args)
    expect(_is_number(got), f"parallel_backfill_hours returned {type(got).__name__}, not a number of hours")
    split = abs(got / HOURS - round(got / HOURS)) > 1e-9
    expect(abs(got - parallel_hours(*args)) < 1e-9,
           f"for the March 8-14 outage your function returns {got:g} hours"
           + ("; that is not a whole number of 3.5-hour rounds, but a run cannot be split" if split else ""))


@graded("b", points=1, hint="The runs going together are limited by max_parallel AND by the GPUs they need.")
def test_parallel_backfill_for_other_limits(sub):
    cases = [
        (1, 10, 2.0, 3, 4, 12),    # max_parallel and GPUs agree
        (1, 10, 2.0, 5, 4, 12),    # the GPUs hold runs back
        (1, 10, 1.5, 4, 4, 10),    # 10 GPUs: only two runs of 4 fit
        (1, 6, 3.0, 4, 2, 16),     # max_parallel holds runs back
        (11, 11, 3.5, 3, 4, 12),   # a single day
        (1, 9, 1.0, 2, 1, 8),      # an exact number of rounds
    ]
    for args in cases:
        got = sub.run(parallel, *args)
        expect(_is_number(got), f"parallel_backfill_hours returned {type(got).__name__}, not a number of hours")
        first, last, hours, max_parallel, gpus_per_run, gpus_total = args
        expect(abs(got - parallel_hours(*args)) < 1e-9,
               f"days {first}-{last}, {hours:g} h per run, max_parallel={max_parallel}, {gpus_per_run} of "
               f"{gpus_total} GPUs per run: your function returns {got:g} hours")


# ---- (c) -----------------------------------------------------------------------------------------
SCENARIOS = [
    # days, done, corrupt, lookback, max_parallel
    (list(range(8, 15)), [14, 13, 12], 10, 3, 3),      # the statement's outage
    (list(range(1, 21)), [], 5, 2, 4),
    (list(range(1, 11)), [10, 9], 8, 1, 3),
    (list(range(1, 13)), [12, 11, 10, 9], 7, 4, 2),   # two finished runs read the corrupt day
    (list(range(3, 10)), [], 9, 5, 3),                # the corrupt day is the newest
    (list(range(8, 15)), [], 8, 7, 3),                # every run reads the corrupt day
    (list(range(1, 16)), [15, 14, 13], 2, 3, 5),
]


def _describe(days, done, corrupt, lookback, max_parallel):
    return (f"days {days[0]}-{days[-1]}, done {sorted(done) or 'none'}, corrupt {corrupt}, "
            f"lookback {lookback}, max_parallel {max_parallel}")


def _plan_or_fail(sub, scenario):
    got = sub.run(plan, *scenario)
    expect(got.get("type") == "dict", f"plan_newest_first should return a dict, not a {got.get('type')}")
    expect("skipped" in got["keys"] and "batches" in got["keys"],
           f"the dict should have the keys 'skipped' and 'batches'; yours has {got['keys']}")
    expect(got["skipped"] is not None, "'skipped' should be a list of day numbers")
    expect(got["batches"] is not None and all(b is not None for b in got["batches"]),
           "'batches' should be a list of lists of day numbers")
    for value in got["skipped"] + [d for b in got["batches"] for d in b]:
        expect(isinstance(value, int), f"{value} is not a day number (an int)")
    return got


@graded("c", points=1, hint="Skip the corrupt day and every day whose lookback window contains it, finished or not.")
def test_skipped_days_are_the_corrupt_day_and_its_readers(sub):
    for scenario in SCENARIOS:
        days, done, corrupt, lookback, _ = scenario
        got = _plan_or_fail(sub, scenario)
        want = spoiled_days(days, corrupt, lookback)
        skipped = set(got["skipped"])
        where = _describe(*scenario)
        expect(len(skipped) == len(got["skipped"]), f"{where}: a day is skipped twice")
        for day in sorted(skipped - want):
            expect(False, f"{where}: you skip day {day}, but its run does not read day {corrupt}'s logs")
        for day in sorted(want - skipped):
            if day in done:
                expect(False, f"{where}: day {day} already ran, but it read day {corrupt}'s logs: its output "
                              "has to be withdrawn, so it belongs in 'skipped'")
            expect(False, f"{where}: day {day} reads day {corrupt}'s logs, yet you do not skip it")


@graded("c", points=1, hint="Every day that is neither done nor skipped runs exactly once; nothing else runs.")
def test_every_remaining_day_runs_exactly_once(sub):
    for scenario in SCENARIOS:
        days, done, corrupt, lookback, _ = scenario
        got = _plan_or_fail(sub, scenario)
        ran = [d for batch in got["batches"] for d in batch]
        where = _describe(*scenario)
        expect(len(ran) == len(set(ran)), f"{where}: a day appears in more than one place in your batches")
        must_not = set(done) | spoiled_days(days, corrupt, lookback)
        for day in sorted(set(ran) & set(done)):
            expect(False, f"{where}: day {day} has already run, but your plan runs it again")
        for day in sorted(set(ran) & must_not):
            expect(False, f"{where}: your plan runs day {day}, whose run reads the corrupt day")
        for day in sorted(set(ran) - set(days)):
            expect(False, f"{where}: day {day} is not a day of the backfill")
        for day in sorted(set(days) - must_not - set(ran)):
            expect(False, f"{where}: day {day} is neither done nor spoiled, yet your plan never runs it")


@graded("c", points=1, hint="Newest first: each batch takes the max_parallel newest days still to run.")
def test_batches_go_newest_first_and_fill_every_place(sub):
    for scenario in SCENARIOS:
        *_, max_parallel = scenario
        got = _plan_or_fail(sub, scenario)
        batches = got["batches"]
        where = _describe(*scenario)
        expect(all(batch for batch in batches), f"{where}: your plan has an empty batch")
        for number, batch in enumerate(batches, start=1):
            expect(len(batch) <= max_parallel,
                   f"{where}: batch {number} runs {len(batch)} days at once, more than max_parallel")
            if number < len(batches):
                expect(len(batch) == max_parallel,
                       f"{where}: batch {number} leaves a place free although days are still waiting")
                expect(min(batch) > max(batches[number]),
                       f"{where}: batch {number + 1} holds a day newer than a day of batch {number}")
