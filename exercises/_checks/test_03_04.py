# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 3.4: they check that the flow and the training task exist as Prefect
objects with the pinned names, not what the flow returns or whether it trains concurrently."""
from autograder.testing import expect, graded


def prefect_objects(ns):
    import inspect

    import prefect

    flow = ns.train_and_select
    out = {"flow": type(flow).__name__, "is_flow": isinstance(flow, prefect.Flow)}
    if out["is_flow"]:
        out["parameters"] = list(inspect.signature(flow.fn).parameters)
    tasks = [value for value in (getattr(ns, name) for name in ns.names()) if isinstance(value, prefect.Task)]
    out["training_tasks"] = sorted(t.name for t in tasks if t.name.startswith("train_"))
    return out


@graded("b", points=0, hint="train_and_select is a Prefect flow with a `seed` parameter; a task named train_... "
                            "trains one model.")
def test_flow_and_training_task_exist(sub):
    got = sub.run(prefect_objects)
    expect(got["is_flow"], f"train_and_select is a {got['flow']}, not a Prefect flow (decorate it with @flow)")
    expect("seed" in got["parameters"], "train_and_select has no parameter `seed`")
    expect(got["training_tasks"], "your notebook defines no Prefect task whose name starts with train_")
