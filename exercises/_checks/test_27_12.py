# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.12: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def kind_of(ns, name, args):
    value = getattr(ns, name)(*args)
    return type(value).__name__


def check_kind(sub, name, args):
    kind = sub.run(kind_of, name, args)
    expect(kind in ("float", "int", "float64"), f"{name} returned a {kind}, not a number")


@graded("a", points=0, hint="task_success_probability(failure_probability, max_retries) returns a float.")
def test_task_success_probability_returns_a_number(sub):
    check_kind(sub, "task_success_probability", [0.1, 2])


@graded("b", points=0, hint="run_success_probability(n_tasks, failure_probability, max_retries) returns a float.")
def test_run_success_probability_returns_a_number(sub):
    check_kind(sub, "run_success_probability", [5, 0.1, 2])


@graded("c", points=0, hint="run_failure_probability and expected_failed_days return floats.")
def test_year_functions_return_numbers(sub):
    check_kind(sub, "run_failure_probability", [5, 0.1, 2])
    check_kind(sub, "expected_failed_days", [365, 5, 0.1, 2])
