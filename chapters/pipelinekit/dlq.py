"""A dead-letter queue: park the records that failed so the rest of a batch can go on.

Failures are kept with what went wrong and when, can be replayed once the cause is fixed,
and can be saved to JSON Lines for a later run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .io import idempotent_write

__all__ = ["DeadLetter", "DeadLetterQueue", "process_with_dlq"]

Clock = Callable[[], float]


@dataclass
class DeadLetter:
    """One failed record with its latest error, its source, and how often and when it failed."""

    record: Any
    error_type: str
    error: str
    source: str
    attempts: int
    first_failed_at: float
    last_failed_at: float


_FIELDS = [f.name for f in dataclasses.fields(DeadLetter)]


class DeadLetterQueue:
    """Failed records held aside, in arrival order; `clock` stamps failures (inject it in tests)."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._entries: list[DeadLetter] = []

    def put(self, record: Any, error: BaseException, source: str = "", attempts: int = 1) -> DeadLetter:
        """Park `record`, which failed with `error` after `attempts` tries; return the entry."""
        if not isinstance(error, BaseException):
            raise TypeError(f"put() needs the exception the record failed with, got {type(error).__name__}")
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"attempts counts the tries that failed, so it must be an integer >= 1, got {attempts!r}")
        now = self._clock()
        entry = DeadLetter(record, type(error).__name__, str(error), source, attempts, now, now)
        self._entries.append(entry)
        return entry

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[DeadLetter]:
        return iter(list(self._entries))

    def __repr__(self) -> str:
        return f"DeadLetterQueue({len(self._entries)} entries)"

    @property
    def entries(self) -> list[DeadLetter]:
        """A copy of the list of entries, oldest first."""
        return list(self._entries)

    def pop_all(self) -> list[DeadLetter]:
        """Remove and return every entry, oldest first."""
        entries, self._entries = self._entries, []
        return entries

    def replay(self, fn: Callable[[Any], Any]) -> list:
        """Retry fn(record) for every entry: successes leave the queue and their results are
        returned in order; failures stay with attempts + 1 and the new error and time."""
        results: list = []
        kept: list[DeadLetter] = []
        snapshot = list(self._entries)
        done = 0
        try:
            for entry in snapshot:
                try:
                    results.append(fn(entry.record))
                except Exception as exc:
                    kept.append(
                        dataclasses.replace(
                            entry,
                            error_type=type(exc).__name__,
                            error=str(exc),
                            attempts=entry.attempts + 1,
                            last_failed_at=self._clock(),
                        )
                    )
                done += 1
        finally:
            # Even if replay is interrupted, entries not reached yet stay queued.
            self._entries = kept + snapshot[done:]
        return results

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write every entry as one JSON object per line (JSON Lines), atomically."""
        lines = []
        for index, entry in enumerate(self._entries):
            try:
                lines.append(json.dumps(dataclasses.asdict(entry), ensure_ascii=False))
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"cannot save dead letter #{index} (source {entry.source!r}, {entry.error_type}): its record "
                    f"of type {type(entry.record).__name__} is not JSON-serialisable ({exc}); the queue is saved "
                    f"as JSON Lines, so records must be made of dicts, lists, strings, numbers, booleans and None"
                ) from exc
        return idempotent_write(path, "".join(line + "\n" for line in lines))

    @classmethod
    def load(cls, path: str | os.PathLike[str], clock: Clock = time.time) -> DeadLetterQueue:
        """Read a queue written by save(); tuples in records come back as lists (JSON has no tuple)."""
        queue = cls(clock=clock)
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"line {number} of {str(path)!r} is not valid JSON: {exc}") from exc
                if not isinstance(data, dict) or set(data) != set(_FIELDS):
                    keys = sorted(data) if isinstance(data, dict) else type(data).__name__
                    raise ValueError(
                        f"line {number} of {str(path)!r} is not a dead letter: expected the keys {_FIELDS}, got {keys}"
                    )
                queue._entries.append(DeadLetter(**data))
        return queue


def process_with_dlq(
    records: Iterable[Any], fn: Callable[[Any], Any], dlq: DeadLetterQueue, source: str = ""
) -> list:
    """Apply fn to each record; a record that raises goes to `dlq` and the batch continues.

    Returns the results of the records that succeeded, in input order.
    """
    results = []
    for record in records:
        try:
            results.append(fn(record))
        except Exception as exc:
            dlq.put(record, exc, source=source)
    return results
