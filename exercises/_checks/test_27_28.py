# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.28: they check the form of your results, not their values."""
from autograder.testing import expect, graded


def small_schedule(ns):
    from pipelinekit import PipelineDAG

    dag = PipelineDAG("tiny")
    dag.add_task("a")
    dag.add_task("b")
    dag.add_task("c", depends_on=["a"])
    result = ns.list_schedule(dag, {"a": 2, "b": 3, "c": 1}, 2)
    if not isinstance(result, dict):
        return {"type": type(result).__name__}
    return {"type": "dict", "keys": sorted(str(k) for k in result),
            "pairs": all(isinstance(v, (list, tuple)) and len(v) == 2 for v in result.values())}


@graded("c", points=0, hint="list_schedule returns {task: (start, slot)} for every task.")
def test_list_schedule_returns_a_start_and_slot_per_task(sub):
    got = sub.run(small_schedule)
    expect(got["type"] == "dict", f"list_schedule returned a {got['type']}")
    expect(got["keys"] == ["a", "b", "c"], "the schedule should hold every task of the DAG once")
    expect(got["pairs"], "each task maps to a pair (start, slot)")


def small_estimates(ns):
    history = [{"task": "t", "run_date": f"2024-06-0{i}", "state": "success", "minutes": 10.0 + i} for i in range(1, 6)]
    result = ns.estimate_durations(history)
    if not isinstance(result, dict):
        return {"type": type(result).__name__}
    return {"type": "dict", "keys": sorted(str(k) for k in result),
            "numbers": all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in result.values())}


@graded("d", points=0, hint="estimate_durations returns {task: minutes} for every task of the history.")
def test_estimate_durations_returns_a_number_per_task(sub):
    got = sub.run(small_estimates)
    expect(got["type"] == "dict", f"estimate_durations returned a {got['type']}")
    expect(got["keys"] == ["t"], "there should be one estimate per task of the history")
    expect(got["numbers"], "each estimate is a number of minutes")
