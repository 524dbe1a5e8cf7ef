# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.15: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def shapes(ns):
    from pipelinekit import DeadLetterQueue

    queue = ns.ReprocessingDLQ(retry_delay_minutes=15, clock=lambda: 0.0)

    def fn(record):
        if record < 0:
            raise ValueError("negative")
        return record * 2

    out = queue.process([1, -1, 2], fn)
    return {
        "subclass": isinstance(queue, DeadLetterQueue),
        "returned": type(out).__name__,
        "queued": len(queue.entries),
        "permanent": type(queue.permanent_failures).__name__,
        "reprocess": type(queue.reprocess_due(fn)).__name__,
    }


@graded("a", points=0, hint="ReprocessingDLQ(retry_delay_minutes, clock=...) extends DeadLetterQueue; process() returns a list.")
def test_reprocessing_dlq_has_its_methods(sub):
    got = sub.run(shapes)
    expect(got["subclass"], "ReprocessingDLQ should be a subclass of pipelinekit's DeadLetterQueue")
    expect(got["returned"] == "list", f"process() should return a list, got a {got['returned']}")
    expect(got["permanent"] == "list", f"permanent_failures should be a list, got a {got['permanent']}")
    expect(got["reprocess"] == "list", f"reprocess_due() should return a list, got a {got['reprocess']}")
