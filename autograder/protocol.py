"""Length-prefixed JSON messages over pipes, between the trusted runner and the worker.

JSON, never pickle: decoding what the learner's process sends must not run code in the
trusted process, and only plain data (dict, list, str, int, float, bool, None) comes back.
"""
from __future__ import annotations

import json
import os
import select
import struct
import time

HEADER = struct.Struct(">I")
MAX_MESSAGE = 8 * 1024 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message."""


class ChannelClosed(ProtocolError):
    """The other side closed its end (it exited or crashed)."""


class ChannelTimeout(ProtocolError):
    """No complete message arrived before the deadline."""


class CellTimeout(ChannelTimeout):
    """One notebook cell ran past its limit and its worker was stopped from outside."""

    def __init__(self, cell: int | None, seconds: float):
        super().__init__(f"cell {cell} ran for more than {seconds:g} s")
        self.cell, self.seconds = cell, seconds


def encode(obj: object) -> bytes:
    data = json.dumps(obj, allow_nan=True, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"message of {len(data)} bytes exceeds {MAX_MESSAGE}")
    return HEADER.pack(len(data)) + data


def send(fd: int, obj: object) -> None:
    view = memoryview(encode(obj))
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, remaining = [], n
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout("no answer before the deadline")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise ChannelTimeout("no answer before the deadline")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv(fd: int, timeout: float | None = None, max_bytes: int = MAX_MESSAGE) -> object:
    """Read one message; raise ChannelTimeout, ChannelClosed or ProtocolError."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (length,) = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if length > max_bytes:
        raise ProtocolError(f"message of {length} bytes exceeds the limit of {max_bytes}")
    try:
        return json.loads(_read_exact(fd, length, deadline).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"malformed message: {exc}") from None
