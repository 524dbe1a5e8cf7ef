"""Hidden tests for exercise 27.3 (Kahn's algorithm traced on the StreamRec training DAG)."""

import pytest

from autograder.testing import expect, fail, graded
from pipelinekit.streamrec import streamrec_training_dag

DAG = streamrec_training_dag()


def kahn_trace(dag):
    """The algorithm as the statement pins it: the queue before the first iteration, and after
    each iteration the popped task, the queue (front first) and the result list."""
    in_degree = {name: len(dag.upstream(name)) for name in dag}
    queue = [name for name in dag if in_degree[name] == 0]
    initial = list(queue)
    result, steps = [], []
    while queue:
        popped = queue.pop(0)
        result.append(popped)
        for child in dag.downstream(popped):
            in_degree[child] -= 1
            if in_degree[child] == 0:
                queue.append(child)
        steps.append({"popped": popped, "queue": list(queue), "result": list(result)})
    return initial, steps


INITIAL, STEPS = kahn_trace(DAG)
# The trace must end where the chapter's own topological_sort() ends, one iteration per task.
assert len(STEPS) == len(DAG) and STEPS[-1]["result"] == DAG.topological_sort()


# ---- probes: run in the learner's worker, return plain data ------------------------------------
def _names(value):
    """A sequence of task names as plain data, or what the value is instead."""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "deque":
        return {"items": [item if isinstance(item, str) else {"type": type(item).__name__} for item in value]}
    return {"type": type(value).__name__}


def initial_queue(ns):
    return _names(ns.INITIAL_QUEUE)


def trace(ns):
    initial = _names(ns.INITIAL_QUEUE) if ns.has("INITIAL_QUEUE") else None
    value = ns.TRACE
    if not isinstance(value, (list, tuple)):
        return {"initial": initial, "type": type(value).__name__}
    entries = []
    for entry in value:
        if not isinstance(entry, dict):
            entries.append({"type": type(entry).__name__})
            continue
        popped = entry.get("popped")
        entries.append({
            "keys": [str(key) for key in entry],
            "popped": popped if isinstance(popped, str) else {"type": type(popped).__name__},
            "queue": _names(entry.get("queue")),
            "result": _names(entry.get("result")),
        })
    return {"initial": initial, "entries": entries}


# ---- reading what came back (plain data, but checked for its real form) ------------------------
def _kind(data) -> str:
    kind = data.get("type") if isinstance(data, dict) else None
    return str(kind)[:40] if kind is not None else "value the grader cannot read"


def task_names(data, what: str) -> list[str]:
    """The task names of a sequence read by `_names`, or Feedback saying what is wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        kind = _kind(data)
        if kind in ("set", "frozenset"):
            fail(f"{what} is a {kind}, which has no order; a queue has a front and a back: use a list")
        fail(f"{what} should be a list of task names, not a value of type {kind}")
    names = []
    for item in data["items"]:
        if not isinstance(item, str):
            fail(f"{what} holds a value of type {_kind(item)}; write each task as its name, a string")
        if item not in DAG:
            fail(f"{what} names `{item[:60]}`, which is not a task of the StreamRec training DAG")
        names.append(item)
    return names


def trace_entries(raw) -> list:
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        fail(f"TRACE should be a list with one dict per iteration, not a value of type {_kind(raw)}")
    return raw["entries"]


def read_entry(entry, k: int) -> dict:
    """The entry of iteration k as {"popped": str, "queue": [...], "result": [...]}, or Feedback."""
    if not isinstance(entry, dict) or not isinstance(entry.get("keys"), list):
        fail(f"the entry of iteration {k} should be a dict, not a value of type {_kind(entry)}")
    for key in ("popped", "queue", "result"):
        expect(key in entry["keys"], f"the entry of iteration {k} has no \"{key}\" key")
    popped = entry.get("popped")
    if not isinstance(popped, str):
        fail(f"in iteration {k}, \"popped\" should be a task name, not a value of type {_kind(popped)}")
    expect(popped in DAG, f"iteration {k} pops `{popped[:60]}`, which is not a task of the StreamRec training DAG")
    return {
        "popped": popped,
        "queue": task_names(entry.get("queue"), f"the queue after iteration {k}"),
        "result": task_names(entry.get("result"), f"the result after iteration {k}"),
    }


def state_before(raw, entries, k: int):
    """The (queue, result) the learner gave just before iteration k, or None where unreadable."""
    try:
        if k == 1:
            return task_names(raw.get("initial"), "INITIAL_QUEUE"), []
        previous = read_entry(entries[k - 2], k - 1)
        return previous["queue"], previous["result"]
    except AssertionError:  # Feedback: that earlier answer is malformed, and graded on its own
        return None, None


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Before the first iteration the queue holds every task with in-degree zero, "
                            "in the order the tasks were added to the DAG.")
def test_initial_queue(sub):
    got = task_names(sub.run(initial_queue, helpers=[_names]), "INITIAL_QUEUE")
    if got == INITIAL:
        return
    expect(got, "your initial queue is empty, but some tasks have in-degree zero before the first iteration")
    for name in got:
        parents = DAG.upstream(name)
        expect(not parents, f"`{name}` is in your initial queue, but it depends on {len(parents)} task(s), "
                            "so its in-degree is not zero")
    for name in got:
        expect(got.count(name) == 1, f"your initial queue holds `{name}` {got.count(name)} times")
    expect(set(got) == set(INITIAL),
           f"your initial queue holds {len(got)} task(s), but a task with in-degree zero is missing from it")
    fail("your initial queue holds the right tasks in the wrong order: they enter it in the order "
         "they were added to the DAG")


# ---- (b) ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", range(1, len(STEPS) + 1))
@graded("b", points=1, hint="Pop the task at the front of the queue and append it to the result; then visit "
                            "its downstream tasks in edge order, and append to the back of the queue each one "
                            "whose in-degree reaches zero.")
def test_trace_iteration(sub, k):
    raw = sub.run(trace, helpers=[_names])
    entries = trace_entries(raw)
    expect(len(entries) >= k, f"your TRACE has {len(entries)} entries, so none for iteration {k}")
    got, want = read_entry(entries[k - 1], k), STEPS[k - 1]
    if got == want:
        if k == len(STEPS):
            expect(len(entries) == k, f"your TRACE goes on after iteration {k}, which empties the queue; "
                                      "the algorithm stops when the queue is empty")
        return

    queue_before, result_before = state_before(raw, entries, k)
    before = "your INITIAL_QUEUE" if k == 1 else f"the queue you gave after iteration {k - 1}"
    popped = got["popped"]

    # which task this iteration pops
    if popped != want["popped"]:
        if queue_before is None:
            fail(f"iteration {k} pops `{popped}`, which is not the task at the front of the queue")
        if not queue_before:
            fail(f"iteration {k} pops `{popped}`, but {before} is empty")
        if popped not in queue_before:
            fail(f"iteration {k} pops `{popped}`, which is not in {before}")
        if popped != queue_before[0]:
            where = " but at its back: a queue is first in, first out" if popped == queue_before[-1] else ""
            fail(f"iteration {k} pops `{popped}`, which is not at the front of {before}{where}")
        fail(f"iteration {k} pops `{popped}`, the front of {before}, but that queue is not right: "
             "correct the earlier step first")

    # the result list after it
    result = got["result"]
    if result != want["result"]:
        expect(popped in result, f"your result after iteration {k} lacks `{popped}`, the task it pops")
        if result_before is not None and result != result_before + [popped]:
            fail(f"your result after iteration {k} is not the result before it with the popped task "
                 "appended at the end")
        fail(f"your result after iteration {k} carries a mistake from an earlier iteration")

    # the queue after it (the popped task and the result are right from here on)
    queue, done = got["queue"], set(result)
    expect(popped not in queue, f"`{popped}`, popped in iteration {k}, is still in your queue after it")
    for name in queue:
        expect(queue.count(name) == 1, f"your queue after iteration {k} holds `{name}` {queue.count(name)} times; "
                                       "a task joins the queue once, when its in-degree reaches zero")
        expect(name not in done, f"`{name}` is in your queue after iteration {k}, but it has already been popped")
        waiting = [parent for parent in DAG.upstream(name) if parent not in done]
        expect(not waiting, f"`{name}` is in your queue after iteration {k}, but its upstream task "
                            f"`{waiting[0] if waiting else ''}` has not been popped yet, so its in-degree is not zero")
    expect(set(queue) == set(want["queue"]),
           f"after iteration {k} your queue holds {len(queue)} task(s); check which tasks reached in-degree "
           "zero: a task that did, and has not been popped yet, is missing from it")
    fail(f"your queue after iteration {k} holds the right tasks in the wrong order: tasks leave from the "
         "front, join at the back, and the popped task's downstream tasks are visited in the order their "
         "edges were added")
