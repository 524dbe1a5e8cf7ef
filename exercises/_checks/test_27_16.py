# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.16: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def _is_number(value):
    """A number of hours: an int or a float, but not a bool."""
    return not isinstance(value, bool) and isinstance(value, (int, float))


def hours(ns):
    return {
        "sequential": ns.sequential_backfill_hours(8, 14, 3.5),
        "parallel": ns.parallel_backfill_hours(8, 14, 3.5, 3, 4, 12),
    }


def plan_shape(ns):
    got = ns.plan_newest_first(list(range(8, 15)), [14, 13, 12], 10, 3, 3)
    if not isinstance(got, dict):
        return {"type": type(got).__name__}
    return {
        "type": "dict",
        "keys": sorted(str(k) for k in got),
        "batches_are_lists": isinstance(got.get("batches"), (list, tuple))
        and all(isinstance(b, (list, tuple)) for b in got["batches"]),
        "skipped_is_list": isinstance(got.get("skipped"), (list, tuple, set)),
    }


@graded("a", points=0, hint="sequential_backfill_hours returns a number of hours.")
def test_sequential_backfill_hours_returns_a_number(sub):
    got = sub.run(hours)["sequential"]
    expect(_is_number(got), f"sequential_backfill_hours returned {type(got).__name__}, not a number")


@graded("b", points=0, hint="parallel_backfill_hours returns a number of hours.")
def test_parallel_backfill_hours_returns_a_number(sub):
    got = sub.run(hours)["parallel"]
    expect(_is_number(got), f"parallel_backfill_hours returned {type(got).__name__}, not a number")


@graded("c", points=0, hint="plan_newest_first returns {'skipped': [...], 'batches': [[...], ...]}.")
def test_plan_newest_first_returns_skipped_and_batches(sub):
    got = sub.run(plan_shape)
    expect(got["type"] == "dict", f"plan_newest_first returned a {got['type']}, not a dict")
    expect(set(got["keys"]) == {"skipped", "batches"}, f"the dict should have exactly the keys 'skipped' and 'batches', not {got['keys']}")
    expect(got["skipped_is_list"], "'skipped' should be a list of day numbers")
    expect(got["batches_are_lists"], "'batches' should be a list of lists of day numbers")
