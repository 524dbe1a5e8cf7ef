# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.18: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def plan_form(ns):
    got = ns.plan_backfill(list(range(8, 15)), 7)
    return {
        "type": type(got).__name__,
        "batches_are_lists": isinstance(got, (list, tuple)) and all(isinstance(b, (list, tuple)) for b in got),
        "days_are_ints": isinstance(got, (list, tuple)) and all(
            isinstance(d, int) for b in got if isinstance(b, (list, tuple)) for d in b),
    }


def formula_types(ns):
    return [type(ns.min_sequential_batches(7, 7)).__name__, type(ns.max_parallelism(7, 7)).__name__]


@graded("b", points=0, hint="plan_backfill returns a list of batches, each a list of day numbers.")
def test_plan_backfill_returns_a_list_of_batches(sub):
    got = sub.run(plan_form)
    expect(got["batches_are_lists"], f"plan_backfill should return a list of lists, not a {got['type']}")
    expect(got["days_are_ints"], "the days in your batches should be ints, like the days you are given")


@graded("c", points=0, hint="min_sequential_batches and max_parallelism return ints.")
def test_formulas_return_ints(sub):
    batches, parallelism = sub.run(formula_types)
    expect(batches == "int", f"min_sequential_batches returned a {batches}, not an int")
    expect(parallelism == "int", f"max_parallelism returned a {parallelism}, not an int")
