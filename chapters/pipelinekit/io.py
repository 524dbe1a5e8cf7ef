"""Writing pipeline outputs so that a crash or a rerun never leaves a half-written file.

A task that writes with idempotent_write can be retried or rerun for the same partition
any number of times: readers see either the old complete file or the new complete file.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

__all__ = ["idempotent_write", "partition_path"]

Writer = Callable[[Path], None]


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself (POSIX); silently skipped where directories cannot be opened."""
    flag = getattr(os, "O_DIRECTORY", None)
    if flag is None:
        return
    try:
        fd = os.open(directory, os.O_RDONLY | flag)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def idempotent_write(
    path: str | os.PathLike[str], data: bytes | str | Writer, *, encoding: str = "utf-8"
) -> Path:
    """Atomically replace `path` with `data` (bytes, text, or a writer called with a temp path).

    The content goes to a hidden temporary file in the same directory, is fsynced, then renamed
    over `path`; on any error the temporary file is removed and the previous file is untouched.
    """
    final = Path(path)
    if final.name in ("", ".", ".."):
        raise ValueError(f"idempotent_write needs a file path, got the directory-like path {str(path)!r}")
    if not (callable(data) or isinstance(data, (bytes, bytearray, memoryview, str))):
        raise TypeError(
            f"idempotent_write writes bytes, str, or a callable that writes to the path it is given "
            f"(e.g. lambda p: df.to_parquet(p)); got {type(data).__name__}"
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{secrets.token_hex(8)}.tmp")
    try:
        if callable(data):
            data(temporary)
            if not temporary.is_file():
                raise FileNotFoundError(
                    f"the writer given to idempotent_write did not create a file at {str(temporary)!r}: "
                    f"it must write to the path it is called with, not to {str(final)!r}"
                )
            _fsync_file(temporary)
        else:
            payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
            # O_EXCL: never clobber anything; mode 0o666 lets the umask decide, as open() would.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, final)
    except BaseException:
        _remove(temporary)
        raise
    _fsync_directory(final.parent)
    return final


def partition_path(
    root: str | os.PathLike[str], dataset: str, partition_key: str, filename: str = "data.parquet"
) -> Path:
    """The file of one partition, root/dataset/partition=<key>/filename (Hive-style).

    One deterministic path per key is what makes a rerun overwrite instead of duplicate.
    """
    if not isinstance(partition_key, str):
        raise TypeError(
            f"partition_key must be a string such as '2024-06-01', got {type(partition_key).__name__} "
            f"{partition_key!r} (for a date, pass date.isoformat())"
        )
    if not partition_key.strip():
        raise ValueError(f"partition_key must not be empty, got {partition_key!r} (dataset {dataset!r})")
    for bad in ("/", "\\", ".."):
        if bad in partition_key:
            raise ValueError(
                f"partition_key {partition_key!r} of dataset {dataset!r} contains {bad!r}: a key names "
                f"one folder and must not be able to point outside it"
            )
    if not dataset:
        raise ValueError("dataset must be a non-empty name")
    if not filename or filename in (".", "..") or "/" in filename or "\\" in filename:
        raise ValueError(f"filename must be a plain file name such as 'data.parquet', got {filename!r}")
    return Path(root) / dataset / f"partition={partition_key}" / filename
