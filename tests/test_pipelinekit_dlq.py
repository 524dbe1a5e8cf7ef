"""Tests of pipelinekit.dlq: parking failed records, replaying them, saving the queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit import DeadLetter, DeadLetterQueue, process_with_dlq


class FakeClock:
    """A clock that reads 100, 101, 102, ... seconds, one tick per reading."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start - 1

    def __call__(self) -> float:
        self.now += 1
        return self.now


def parse_age(record: dict) -> int:
    return int(record["age"])


RECORDS = [{"age": "31"}, {"age": "n/a"}, {"age": "45"}, {"name": "no age"}, {"age": "27"}]


def test_failures_go_to_the_queue_and_the_batch_continues() -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    assert process_with_dlq(RECORDS, parse_age, dlq, source="profiles") == [31, 45, 27]
    assert [entry.record for entry in dlq] == [{"age": "n/a"}, {"name": "no age"}]


def test_a_dead_letter_keeps_the_error_source_attempts_and_time() -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    process_with_dlq(RECORDS[:2], parse_age, dlq, source="profiles")
    assert dlq.entries == [
        DeadLetter(
            record={"age": "n/a"},
            error_type="ValueError",
            error="invalid literal for int() with base 10: 'n/a'",
            source="profiles",
            attempts=1,
            first_failed_at=100.0,
            last_failed_at=100.0,
        )
    ]


def test_put_records_the_given_attempts() -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    entry = dlq.put({"id": 1}, TimeoutError("slow"), source="api", attempts=4)
    assert (entry.error_type, entry.error, entry.attempts) == ("TimeoutError", "slow", 4)
    assert len(dlq) == 1


def test_put_rejects_fewer_than_one_attempt() -> None:
    with pytest.raises(ValueError, match="attempts"):
        DeadLetterQueue().put({"id": 1}, ValueError("bad"), attempts=0)


def test_entries_is_a_copy() -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    dlq.put("r", ValueError("bad"))
    dlq.entries.clear()
    assert len(dlq) == 1


def test_pop_all_returns_everything_and_empties_the_queue() -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    dlq.put("r1", ValueError("bad"))
    dlq.put("r2", KeyError("k"))
    assert [entry.record for entry in dlq.pop_all()] == ["r1", "r2"]
    assert len(dlq) == 0


def test_replay_removes_successes_and_returns_their_results_in_order() -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    process_with_dlq([{"age": "x"}, {"age": "y"}, {"age": "z"}], parse_age, dlq)
    fixed = {"x": 1, "z": 3}
    assert dlq.replay(lambda record: fixed[record["age"]]) == [1, 3]
    assert [entry.record for entry in dlq] == [{"age": "y"}]


def test_replay_counts_attempts_and_updates_the_failures() -> None:
    clock = FakeClock()
    dlq = DeadLetterQueue(clock=clock)
    dlq.put({"age": "n/a"}, ValueError("first"))  # at 100
    dlq.replay(parse_age)  # fails again at 101
    dlq.replay(lambda record: {}["age"])  # fails a third time, differently, at 102
    (entry,) = dlq.entries
    assert (entry.attempts, entry.first_failed_at, entry.last_failed_at) == (3, 100.0, 102.0)
    assert entry.error_type == "KeyError"


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    process_with_dlq(RECORDS, parse_age, dlq, source="profiles")
    dlq.replay(parse_age)
    path = dlq.save(tmp_path / "dlq" / "profiles.jsonl")
    loaded = DeadLetterQueue.load(path)
    assert loaded.entries == dlq.entries
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2


def test_load_uses_the_given_clock_for_later_failures(tmp_path: Path) -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    dlq.put({"age": "n/a"}, ValueError("bad"))
    dlq.save(tmp_path / "q.jsonl")
    loaded = DeadLetterQueue.load(tmp_path / "q.jsonl", clock=lambda: 500.0)
    loaded.replay(parse_age)
    assert loaded.entries[0].last_failed_at == 500.0


def test_save_refuses_records_that_are_not_json_and_says_why(tmp_path: Path) -> None:
    dlq = DeadLetterQueue(clock=FakeClock())
    dlq.put({1, 2}, ValueError("bad"), source="sets")
    with pytest.raises(TypeError, match="JSON-serialisable") as caught:
        dlq.save(tmp_path / "q.jsonl")
    assert "set" in str(caught.value) and "'sets'" in str(caught.value)
    assert not (tmp_path / "q.jsonl").exists()


def test_load_names_the_line_that_is_not_a_dead_letter(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"record": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        DeadLetterQueue.load(path)
