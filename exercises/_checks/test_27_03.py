# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.3: they check the form of your answers, not their values."""
from autograder.testing import expect, graded
from pipelinekit.streamrec import streamrec_training_dag

TASK_NAMES = set(streamrec_training_dag())


def _is_names(value):
    return (isinstance(value, (list, tuple)) or type(value).__name__ == "deque") and all(isinstance(v, str) for v in value)


def form_of_initial_queue(ns):
    value = ns.INITIAL_QUEUE
    return {"type": type(value).__name__, "names": list(value) if _is_names(value) else None}


def form_of_trace(ns):
    value = ns.TRACE
    if not isinstance(value, (list, tuple)):
        return {"type": type(value).__name__}
    shapes = []
    for entry in value:
        ok = isinstance(entry, dict) and {"popped", "queue", "result"} <= set(entry)
        shapes.append({
            "dict": ok,
            "popped": entry["popped"] if ok and isinstance(entry["popped"], str) else None,
            "queue": list(entry["queue"]) if ok and _is_names(entry["queue"]) else None,
            "result": list(entry["result"]) if ok and _is_names(entry["result"]) else None,
        })
    return {"type": "list", "entries": shapes}


@graded("a", points=0, hint="INITIAL_QUEUE is a list of task names, front of the queue first.")
def test_initial_queue_is_a_list_of_task_names(sub):
    got = sub.run(form_of_initial_queue, helpers=[_is_names])
    expect(got["names"] is not None, f"INITIAL_QUEUE should be a list of task names (strings), not a {got['type']}")
    expect(got["names"], "INITIAL_QUEUE is empty: some tasks are in the queue before the first iteration")
    unknown = [n for n in got["names"] if n not in TASK_NAMES]
    expect(not unknown, f"`{unknown[0] if unknown else ''}` is not a task of the StreamRec training DAG")


@graded("b", points=0, hint="TRACE has one dict per iteration, each with \"popped\", \"queue\" and \"result\".")
def test_trace_has_one_well_formed_entry_per_iteration(sub):
    got = sub.run(form_of_trace, helpers=[_is_names])
    expect(got["type"] == "list", f"TRACE should be a list of dicts, not a {got['type']}")
    entries = got["entries"]
    expect(len(entries) == len(TASK_NAMES),
           f"TRACE has {len(entries)} entries; each iteration pops one task, so there are {len(TASK_NAMES)} iterations")
    for k, entry in enumerate(entries, start=1):
        expect(entry["dict"], f"the entry of iteration {k} should be a dict with the keys \"popped\", \"queue\" and \"result\"")
        expect(entry["popped"] is not None, f"in iteration {k}, \"popped\" should be a task name (a string)")
        expect(entry["queue"] is not None, f"in iteration {k}, \"queue\" should be a list of task names")
        expect(entry["result"] is not None, f"in iteration {k}, \"result\" should be a list of task names")
        for name in [entry["popped"], *entry["queue"], *entry["result"]]:
            expect(name in TASK_NAMES, f"iteration {k} names `{name}`, which is not a task of the StreamRec training DAG")
