# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.25: the form of your DAG, not the quality of its choices."""
from autograder.testing import expect, fail, graded

TASKS = ["extract_edc", "apply_criteria", "compute_propensity", "estimate_effect", "generate_report"]


def form(ns):
    from pipelinekit import PipelineDAG

    dag = ns.build_medicore_dag()
    if not isinstance(dag, PipelineDAG):
        return {"type": type(dag).__name__}
    return {
        "type": "PipelineDAG",
        "tasks": [str(name) for name in dag],
        "metadata_keys": {str(name): sorted(str(k) for k in task.metadata) for name, task in dag.tasks.items()},
    }


@graded("d", points=0, hint="build_medicore_dag() returns a PipelineDAG with the five tasks, each with the "
                            "four metadata entries.")
def test_build_medicore_dag_returns_the_five_tasks_with_their_metadata(sub):
    got = sub.run(form)
    if got["type"] != "PipelineDAG":
        fail(f"build_medicore_dag() returned a {got['type']}, not a PipelineDAG")
    missing = [name for name in TASKS if name not in got["tasks"]]
    expect(not missing, f"your DAG lacks {', '.join(missing)}")
    for name, keys in got["metadata_keys"].items():
        absent = [k for k in ("retry", "idempotency", "output", "contract") if k not in keys]
        expect(not absent, f"the metadata of `{name}` has no {', '.join(absent)}")
