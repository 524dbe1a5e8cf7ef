"""Tests of pipelinekit.io: atomic, rerunnable writes and partition paths."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from pipelinekit import idempotent_write, partition_path


def test_write_creates_parent_folders_and_returns_the_path(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    assert idempotent_write(target, "hello") == target
    assert target.read_text(encoding="utf-8") == "hello"


def test_writing_twice_gives_the_same_content(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    idempotent_write(target, b"\x00\x01 payload")
    first = target.read_bytes()
    idempotent_write(target, b"\x00\x01 payload")
    assert target.read_bytes() == first == b"\x00\x01 payload"


def test_text_is_encoded_with_the_given_encoding(tmp_path: Path) -> None:
    target = idempotent_write(tmp_path / "out.txt", "café", encoding="latin-1")
    assert target.read_bytes() == "café".encode("latin-1")


def test_a_writer_gets_a_hidden_temporary_path_in_the_same_folder(tmp_path: Path) -> None:
    seen: list[Path] = []

    def writer(path: Path) -> None:
        seen.append(path)
        path.write_text("x", encoding="utf-8")

    idempotent_write(tmp_path / "out.txt", writer)
    (temporary,) = seen
    assert temporary.parent == tmp_path and temporary.name.startswith(".")
    assert temporary != tmp_path / "out.txt"


def test_a_writer_can_save_a_dataframe(tmp_path: Path) -> None:
    df = pd.DataFrame({"user_id": [1, 2], "clicks": [3, 4]})
    target = idempotent_write(tmp_path / "features.csv", lambda path: df.to_csv(path, index=False))
    pd.testing.assert_frame_equal(pd.read_csv(target), df)


def test_a_failing_writer_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = idempotent_write(tmp_path / "out.bin", b"previous version\n")
    before = target.read_bytes()

    def crashes_half_way(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.write(b"half of the new ver")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        idempotent_write(target, crashes_half_way)
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["out.bin"]


def test_a_writer_that_writes_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="did not create a file"):
        idempotent_write(tmp_path / "out.txt", lambda path: None)
    assert os.listdir(tmp_path) == []


def test_no_temporary_file_is_left_after_a_success(tmp_path: Path) -> None:
    idempotent_write(tmp_path / "out.txt", "one")
    idempotent_write(tmp_path / "out.txt", lambda path: path.write_text("two", encoding="utf-8"))
    assert os.listdir(tmp_path) == ["out.txt"]


def test_unsupported_data_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="dict"):
        idempotent_write(tmp_path / "out.txt", {"a": 1})  # type: ignore[arg-type]


def test_partition_path_is_hive_style(tmp_path: Path) -> None:
    assert partition_path(tmp_path, "interactions", "2024-06-01") == (
        tmp_path / "interactions" / "partition=2024-06-01" / "data.parquet"
    )


def test_partition_path_takes_a_file_name() -> None:
    assert partition_path("lake", "users", "US", "part-0.csv") == Path("lake/users/partition=US/part-0.csv")


@pytest.mark.parametrize("key", ["", "   ", "2024/06/01", "2024\\06", "..", "../../etc", "a..b"])
def test_partition_path_rejects_keys_that_could_escape_their_folder(key: str) -> None:
    with pytest.raises(ValueError, match="partition_key"):
        partition_path("lake", "interactions", key)
