"""What hidden and visible tests use: the ``graded`` marker, learner-safe feedback, and errors.

Tests never import learner code. They receive a ``sub`` fixture (a submission handle) and send it
probes; see ``solutions/README.md``.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

import pytest


class Feedback(AssertionError):
    """A failed check whose message the learner may read (it must not reveal expected values)."""


class LearnerError(Exception):
    """The learner's code raised, is missing, or could not be run; the message is for the learner."""

    status = "error"


class LearnerTimeout(LearnerError):
    status = "timeout"


def expect(condition: object, message: str) -> None:
    """Fail the test with ``message`` (shown to the learner) unless ``condition`` holds."""
    if not condition:
        raise Feedback(message)


def fail(message: str) -> None:
    raise Feedback(message)


def graded(part: str, points: int = 1, hint: str = "") -> Callable:
    """Mark a test as graded: the part it belongs to, its points, and a hint shown on failure."""
    return pytest.mark.graded(part=part, points=points, hint=hint)


class Submission(Protocol):
    """The handle a test receives as ``sub``: sandboxed in grading, in-process in ``check()``."""

    def run(self, probe: Callable, *args: Any, helpers: tuple = (), timeout: float | None = None) -> Any: ...

    def call(self, name: str, *args: Any, timeout: float | None = None) -> Any: ...

    def has(self, name: str) -> bool: ...
