# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.4: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def class_shapes(ns):
    import dataclasses

    from pipelinekit import PipelineDAG, PipelineTask

    task_cls, dag_cls = ns.ConditionalTask, ns.ConditionalPipelineDAG
    fields = [f.name for f in dataclasses.fields(task_cls)] if dataclasses.is_dataclass(task_cls) else []
    return {
        "task_subclass": isinstance(task_cls, type) and issubclass(task_cls, PipelineTask),
        "condition_field": "condition" in fields,
        "dag_subclass": isinstance(dag_cls, type) and issubclass(dag_cls, PipelineDAG),
    }


@graded("a", points=0, hint="ConditionalTask subclasses PipelineTask and has a `condition` field; "
                            "ConditionalPipelineDAG subclasses PipelineDAG.")
def test_the_two_classes_exist_with_a_condition_field(sub):
    got = sub.run(class_shapes)
    expect(got["task_subclass"], "ConditionalTask should be a subclass of PipelineTask")
    expect(got["condition_field"], "ConditionalTask should be a dataclass with a field named `condition`")
    expect(got["dag_subclass"], "ConditionalPipelineDAG should be a subclass of PipelineDAG")


def small_run(ns):
    dag = ns.ConditionalPipelineDAG("form")
    dag.add_task("first")
    dag.add_task("second", depends_on=["first"], condition=lambda upstream: True)
    stages = dag.get_parallel_stages({"first": 1})
    skipped = dag.skipped_tasks({"first": 1})
    return {
        "stages_is_list": isinstance(stages, (list, tuple)),
        "stage_kinds": [type(stage).__name__ for stage in stages] if isinstance(stages, (list, tuple)) else [],
        "skipped_kind": type(skipped).__name__,
    }


@graded("b", points=0, hint="get_parallel_stages(results) returns a list of stages (lists or sets of names); "
                            "skipped_tasks(results) returns a set.")
def test_stages_and_skipped_tasks_have_the_right_form(sub):
    got = sub.run(small_run)
    expect(got["stages_is_list"], "get_parallel_stages(results) should return a list of stages")
    expect(all(kind in ("list", "tuple", "set", "frozenset") for kind in got["stage_kinds"]),
           "each stage should be a list (or set) of task names")
    expect(got["skipped_kind"] in ("set", "frozenset", "list", "tuple"),
           f"skipped_tasks returned a {got['skipped_kind']}, not a set of task names")


def training_shape(ns):
    dag = ns.build_training_dag()
    return {"type": type(dag).__name__, "n_tasks": len(list(dag))}


@graded("c", points=0, hint="build_training_dag() returns a ConditionalPipelineDAG holding the eight tasks.")
def test_build_training_dag_returns_a_dag_of_eight_tasks(sub):
    got = sub.run(training_shape)
    expect(got["type"] == "ConditionalPipelineDAG", f"build_training_dag() returned a {got['type']}")
    expect(got["n_tasks"] == 8, f"your DAG has {got['n_tasks']} tasks; the table has 8")
