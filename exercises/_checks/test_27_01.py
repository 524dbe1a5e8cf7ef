# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.1: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def shapes(ns):
    stages = ns.STAGES_BY_HAND
    dag = ns.build_fraud_dag()
    return {
        "stages_is_list": isinstance(stages, (list, tuple)),
        "stage_lengths": [len(s) for s in stages],
        "dag_type": type(dag).__name__,
        "n_tasks": len(list(dag)),
    }


@graded("a", points=0, hint="STAGES_BY_HAND is a list of lists of task names.")
def test_stages_by_hand_is_a_list_of_stages(sub):
    got = sub.run(shapes)
    expect(got["stages_is_list"], "STAGES_BY_HAND should be a list of stages")
    expect(got["stage_lengths"] and all(n > 0 for n in got["stage_lengths"]), "every stage should name at least one task")


@graded("b", points=0, hint="build_fraud_dag() returns a PipelineDAG holding the eight tasks.")
def test_build_fraud_dag_returns_a_pipeline_dag_of_eight_tasks(sub):
    got = sub.run(shapes)
    expect(got["dag_type"] == "PipelineDAG", f"build_fraud_dag() returned a {got['dag_type']}")
    expect(got["n_tasks"] == 8, f"your DAG has {got['n_tasks']} tasks; the pipeline has 8")


def saving(ns):
    return ns.extraction_time_saved(ns.DURATIONS)


@graded("c", points=0, hint="extraction_time_saved returns a number of minutes.")
def test_extraction_time_saved_returns_a_number(sub):
    got = sub.run(saving)
    expect(isinstance(got, (int, float)) and not isinstance(got, bool), "return a number of minutes")
