"""Hidden tests for exercise 27.12 (retries and the odds of a clean run).

The expected values are computed here from the probability model of the statement: an attempt
fails with probability p, independently; a task gets 1 + r attempts; a run needs all n tasks;
days are independent. The learner's functions are called with the statement's numbers and with
others, so a typed-in answer cannot pass the second test of each part.
"""
import math

from autograder.testing import expect, graded

STATEMENT = {"failure_probability": 0.10, "max_retries": 2, "n_tasks": 5, "days": 365}
# (failure_probability, max_retries, n_tasks, days): no retries, certain failure and success,
# a flaky task with many retries, a long pipeline.
OTHERS = [
    (0.10, 0, 5, 365),
    (0.25, 1, 3, 30),
    (0.50, 4, 8, 365),
    (0.02, 3, 12, 366),
    (0.0, 2, 5, 365),
    (1.0, 2, 5, 365),
    (0.30, 2, 1, 100),
]


def expected_task_success(p, r):
    all_fail = 1.0
    for _ in range(r + 1):
        all_fail *= p
    return 1.0 - all_fail


def expected_run_success(n, p, r):
    return math.prod(expected_task_success(p, r) for _ in range(n))


def expected_run_failure(n, p, r):
    return 1.0 - expected_run_success(n, p, r)


def close(got, want):
    return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ---- probes: run in the learner's worker, return plain data ------------------------------------
def call_many(ns, name, calls):
    out = []
    for args in calls:
        value = getattr(ns, name)(*args)
        if hasattr(value, "item") and not isinstance(value, (int, float)):
            value = value.item()  # a numpy scalar
        out.append(value if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)[:80])
    return out


def check_numbers(got, want, describe):
    for value, expected, args in zip(got, want, describe):
        expect(is_number(value), f"{args}: your function returned {value}, not a number")
        expect(close(value, expected), f"{args}: your function returns {value:.10g}, which is not the probability model's value")


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="The task fails only if every one of its attempts fails.")
def test_task_success_for_the_statement(sub):
    p, r = STATEMENT["failure_probability"], STATEMENT["max_retries"]
    got = sub.run(call_many, "task_success_probability", [[p, r]])
    check_numbers(got, [expected_task_success(p, r)],
                  [f"task_success_probability({p}, {r}) (3 attempts)"])


@graded("a", points=1, hint="Count the attempts: the first one plus max_retries retries.")
def test_task_success_for_other_policies(sub):
    calls = [[p, r] for p, r, _, _ in OTHERS]
    got = sub.run(call_many, "task_success_probability", calls)
    check_numbers(got, [expected_task_success(p, r) for p, r in calls],
                  [f"task_success_probability({p}, {r})" for p, r in calls])


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="The run succeeds only if every task succeeds, each with its own retries.")
def test_run_success_for_the_statement(sub):
    p, r, n = STATEMENT["failure_probability"], STATEMENT["max_retries"], STATEMENT["n_tasks"]
    got = sub.run(call_many, "run_success_probability", [[n, p, r]])
    check_numbers(got, [expected_run_success(n, p, r)], [f"run_success_probability({n}, {p}, {r})"])


@graded("b", points=1, hint="Independent tasks: multiply their probabilities of success, whatever the numbers.")
def test_run_success_for_other_pipelines(sub):
    calls = [[n, p, r] for p, r, n, _ in OTHERS]
    got = sub.run(call_many, "run_success_probability", calls)
    check_numbers(got, [expected_run_success(n, p, r) for n, p, r in calls],
                  [f"run_success_probability({n}, {p}, {r})" for n, p, r in calls])


# ---- (c) ----------------------------------------------------------------------------------------
@graded("c", points=1, hint="A run fails when at least one of its tasks runs out of attempts.")
def test_run_failure_probability(sub):
    calls = [[STATEMENT["n_tasks"], STATEMENT["failure_probability"], STATEMENT["max_retries"]]]
    calls += [[n, p, r] for p, r, n, _ in OTHERS]
    got = sub.run(call_many, "run_failure_probability", calls)
    check_numbers(got, [expected_run_failure(n, p, r) for n, p, r in calls],
                  [f"run_failure_probability({n}, {p}, {r})" for n, p, r in calls])


@graded("c", points=1, hint="Each day's run fails with the same probability; add up the expectation over the days.")
def test_expected_failed_days_this_year(sub):
    s = STATEMENT
    got = sub.run(call_many, "expected_failed_days", [[s["days"], s["n_tasks"], s["failure_probability"], s["max_retries"]]])
    want = s["days"] * expected_run_failure(s["n_tasks"], s["failure_probability"], s["max_retries"])
    check_numbers(got, [want], [f"expected_failed_days({s['days']}, {s['n_tasks']}, {s['failure_probability']}, {s['max_retries']})"])


@graded("c", points=1, hint="Your function must use its parameters: other years, pipelines and policies.")
def test_expected_failed_days_other_pipelines(sub):
    calls = [[d, n, p, r] for p, r, n, d in OTHERS]
    got = sub.run(call_many, "expected_failed_days", calls)
    check_numbers(got, [d * expected_run_failure(n, p, r) for d, n, p, r in calls],
                  [f"expected_failed_days({d}, {n}, {p}, {r})" for d, n, p, r in calls])
