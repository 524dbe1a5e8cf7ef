"""Hidden tests for exercise 27.18 (backfilling through a rolling window).

The planner is graded by a dependency checker of the statement's model and by the length of the
longest chain of dependent days, never against one particular plan.
"""
from autograder.testing import expect, graded

MARCH = (list(range(8, 15)), 7)
CASES = [
    MARCH,
    (list(range(1, 11)), 3),
    (list(range(1, 6)), 0),              # no window: nothing waits
    ([1, 2, 3, 10, 11], 7),              # the window bridges the gap
    ([1, 2, 3, 10, 11], 5),              # it does not: day 10 is free
    ([1, 3, 5, 7, 9], 1),                # every other day, a one-day window
    ([1, 3, 5, 7, 9], 2),                # a two-day window reaches the previous backfilled day
    ([2, 4, 5, 6, 12, 13, 20], 6),
    ([4, 8, 12, 13, 14, 30], 4),         # windows that end exactly on the previous day of the list
    (list(range(1, 5)), 30),             # a window longer than the backfill
    ([5], 7),
]


# ---- the trusted side's own model of the statement ---------------------------------------------
def window_of(day, days, w):
    """The backfilled days that `day` reads: d - w .. d - 1."""
    return [other for other in days if day - w <= other <= day - 1]


def longest_chain(days, w):
    """The fewest batches any correct plan can have: the longest chain of days that read each other."""
    depth = {}
    for day in sorted(days):
        depth[day] = 1 + max((depth[o] for o in window_of(day, days, w)), default=0)
    return max(depth.values(), default=0)


# ---- probes --------------------------------------------------------------------------------------
def plan(ns, days, w):
    plan_got = ns.plan_backfill(list(days), w)
    if not isinstance(plan_got, (list, tuple)):
        return {"type": type(plan_got).__name__}
    batches = []
    for batch in plan_got:
        if not isinstance(batch, (list, tuple, set, frozenset)):
            return {"type": "list", "bad_batch": type(batch).__name__}
        batches.append([d if isinstance(d, int) and not isinstance(d, bool) else repr(d) for d in batch])
    return {"type": "list", "batches": batches}


def formulas(ns, pairs):
    out = []
    for w, n in pairs:
        b, p = ns.min_sequential_batches(w, n), ns.max_parallelism(w, n)
        out.append([b if isinstance(b, int) and not isinstance(b, bool) else repr(b),
                    p if isinstance(p, int) and not isinstance(p, bool) else repr(p)])
    return out


# ---- the checker ---------------------------------------------------------------------------------
def _batches(sub, days, w):
    got = sub.run(plan, days, w)
    expect(got["type"] == "list", f"plan_backfill should return a list of batches, not a {got['type']}")
    expect("bad_batch" not in got, f"each batch should be a list of days, not a {got.get('bad_batch')}")
    for value in (d for batch in got["batches"] for d in batch):
        expect(isinstance(value, int), f"{value} is not a day (an int)")
    return got["batches"]


def _where(days, w):
    return f"days {days} with w = {w}"


def check_every_day_once(batches, days, w):
    where = _where(days, w)
    expect(all(batches), f"{where}: your plan has an empty batch")
    planned = [d for batch in batches for d in batch]
    for day in sorted(set(planned) - set(days)):
        expect(False, f"{where}: your plan runs day {day}, which is not being backfilled")
    for day in sorted(set(days) - set(planned)):
        expect(False, f"{where}: day {day} is never run")
    expect(len(planned) == len(set(planned)), f"{where}: a day runs in more than one batch, or twice in one")


def check_windows(batches, days, w):
    where = _where(days, w)
    batch_of = {}
    for number, batch in enumerate(batches, start=1):
        for day in batch:
            batch_of.setdefault(day, number)
    for day in sorted(batch_of):
        for other in window_of(day, days, w):
            if other in batch_of and batch_of[other] >= batch_of[day]:
                when = "in the same batch as" if batch_of[other] == batch_of[day] else "after"
                expect(False, f"{where}: day {other} runs {when} day {day}, "
                              f"but day {day} reads day {other}'s partition")


# ---- (b) -----------------------------------------------------------------------------------------
@graded("b", points=1, hint="March 8 reads only correct days; every later day reads the backfilled days before it.")
def test_plan_for_march_8_to_14(sub):
    days, w = MARCH
    batches = _batches(sub, days, w)
    check_every_day_once(batches, days, w)
    check_windows(batches, days, w)
    expect(len(batches) == longest_chain(days, w),
           f"your plan for March 8 to 14 is correct but takes {len(batches)} batches; fewer are possible")


@graded("b", points=1, hint="Every day to backfill appears in exactly one batch, and no other day appears.")
def test_every_day_is_planned_exactly_once(sub):
    for days, w in CASES:
        check_every_day_once(_batches(sub, days, w), days, w)


@graded("b", points=2, hint="A day runs only after every backfilled day of its window d-w..d-1 has finished.")
def test_no_day_runs_before_the_days_it_reads(sub):
    for days, w in CASES:
        batches = _batches(sub, days, w)
        expect(batches or not days, f"{_where(days, w)}: your plan is empty")
        check_windows(batches, days, w)


@graded("b", points=1, hint="Put each day in the earliest batch its window allows; days that do not read each other share a batch.")
def test_plan_uses_the_fewest_batches(sub):
    for days, w in CASES:
        batches = _batches(sub, days, w)
        check_every_day_once(batches, days, w)
        check_windows(batches, days, w)
        fewest = longest_chain(days, w)
        expect(len(batches) <= fewest,
               f"{_where(days, w)}: your plan is correct but takes {len(batches)} batches; fewer are possible")


# ---- (c) -----------------------------------------------------------------------------------------
PAIRS = [(w, n) for w in range(0, 11) for n in range(1, 16)] + [(7, 7), (30, 3), (1, 100), (0, 60), (365, 365)]


def _expected_batches(w, n):
    return longest_chain(list(range(1, n + 1)), w)


def _expected_parallelism(w, n):
    # For consecutive days the plan with the fewest batches is unique: each day sits at its chain
    # depth. The parallelism is the number of days at the most crowded depth.
    days = list(range(1, n + 1))
    depth = {}
    for day in days:
        depth[day] = 1 + max((depth[o] for o in window_of(day, days, w)), default=0)
    return max(list(depth.values()).count(level) for level in set(depth.values()))


@graded("c", points=2, hint="Which day does each day read? Follow the chain from the first backfilled day.")
def test_min_sequential_batches_for_many_w_and_n(sub):
    got = sub.run(formulas, PAIRS)
    for (w, n), (batches, _) in zip(PAIRS, got):
        expect(isinstance(batches, int), f"min_sequential_batches({w}, {n}) returned {batches}, not an int")
        expect(batches == _expected_batches(w, n), f"min_sequential_batches({w}, {n}) returns {batches}")


@graded("c", points=2, hint="In a plan with the fewest batches, how many consecutive days can share one batch?")
def test_max_parallelism_for_many_w_and_n(sub):
    got = sub.run(formulas, PAIRS)
    for (w, n), (_, parallelism) in zip(PAIRS, got):
        expect(isinstance(parallelism, int), f"max_parallelism({w}, {n}) returned {parallelism}, not an int")
        expect(parallelism == _expected_parallelism(w, n), f"max_parallelism({w}, {n}) returns {parallelism}")
