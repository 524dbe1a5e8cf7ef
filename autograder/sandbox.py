"""Run a learner's notebook in a separate, limited process and talk to it over private pipes.

This module is the process-isolation layer: resource limits (address space, CPU time, file size,
open files), wall-time deadlines enforced by the trusted side, a fresh working directory, a
scrubbed environment, output drained and capped, and the whole process group killed on timeout.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass

from autograder import protocol

GRACE_SECONDS = 2.0
OUTPUT_CAP = 256 * 1024


@dataclass
class Limits:
    """Per-exercise limits; an exercise.toml may override any of them in a [limits] table."""

    load_seconds: float = 60.0  # all of the notebook's cells
    cell_seconds: float = 30.0  # one cell
    call_seconds: float = 10.0  # one probe, unless the test asks for more
    total_seconds: float = 240.0  # all of one exercise's tests, after loading
    cpu_seconds: int = 300
    memory_bytes: int = 4 << 30
    file_size_bytes: int = 64 << 20
    open_files: int = 512
    disk_bytes: int = 512 << 20  # the sandbox's writable home and /tmp (each a capped tmpfs)
    processes: int = 256  # per sandbox user (enforced where each slot has its own uid)

    @classmethod
    def for_exercise(cls, overrides: dict | None) -> "Limits":
        limits = cls()
        for key, value in (overrides or {}).items():
            if not hasattr(limits, key):
                raise ValueError(f"unknown limit {key!r}")
            setattr(limits, key, value)
        return limits

    def rlimits(self, own_uid: bool = False) -> dict:
        data = asdict(self)
        keys = ["cpu_seconds", "memory_bytes", "file_size_bytes", "open_files"]
        if own_uid:  # RLIMIT_NPROC counts every process of the uid: only safe for a slot uid
            keys.append("processes")
        return {k: data[k] for k in keys}


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def describe_exit(code: int | None) -> str:
    """Why a worker ended, in words a learner understands."""
    if code is None:
        return "it was stopped by the grader"
    if code >= 0:
        return f"it exited with status {code} (sys.exit or os._exit in your code?)"
    name = _signal_name(code)
    reasons = {
        "SIGXCPU": "it used up its CPU time limit",
        "SIGXFSZ": "it wrote a file larger than the limit",
        "SIGSEGV": "it crashed (segmentation fault)",
        "SIGKILL": "it was killed (out of memory, or the time limit)",
        "SIGABRT": "it aborted",
    }
    return reasons.get(name, f"it was ended by {name}")


class _Drain(threading.Thread):
    """Read a pipe to its end, keeping only the last OUTPUT_CAP bytes."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream, self.tail, self.total = stream, bytearray(), 0

    def run(self):
        for chunk in iter(lambda: self.stream.read1(65536), b""):
            self.total += len(chunk)
            self.tail += chunk
            if len(self.tail) > OUTPUT_CAP:
                del self.tail[: len(self.tail) - OUTPUT_CAP]

    def text(self) -> str:
        return self.tail.decode("utf-8", "replace")


class WorkerProcess:
    """One learner worker: started fresh, spoken to by request/reply, killed as a group."""

    def __init__(self, limits: Limits, env: dict[str, str] | None = None, sandbox: dict | None = None):
        self.limits, self.extra_env = limits, env or {}
        self.sandbox = sandbox or {}  # writable/readable paths and TCP relays, for the jail
        self.proc: subprocess.Popen | None = None
        self.req_w: int | None = None
        self.rep_r: int | None = None
        self.workdir: str | None = None
        self.jail = None

    def _command(self, args: list[str], pass_fds: tuple[int, ...]) -> tuple[list[str], str, dict]:
        """The command, working directory and environment that run ``python -I args`` isolated."""
        from autograder import jail

        self.workdir = tempfile.mkdtemp(prefix="autograder-work-")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.workdir,
            "TMPDIR": self.workdir,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "AUTOGRADER_WORKER": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "NO_COLOR": "1",
            "GIT_CONFIG_NOSYSTEM": "1",  # the sandbox has no /etc/gitconfig to read
            **self.extra_env,
        }
        if jail.mode() == "bubblewrap":
            self.jail = jail.Jail(self.limits.disk_bytes, self.sandbox.get("writable", []),
                                  self.sandbox.get("relays", {}), self.sandbox.get("readable", []))
            env.pop("HOME"), env.pop("TMPDIR")
            env["PATH"] = f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin"  # nothing of the host's PATH
            if self.jail.relays:
                env["AUTOGRADER_RELAYS"] = ",".join(f"{name}={port}" for name, (_, port) in self.sandbox["relays"].items())
            return self.jail.command([sys.executable, "-I", *args], env, pass_fds), self.workdir, {"PATH": env["PATH"]}
        return [sys.executable, "-I", *args], self.workdir, env

    def _popen(self, cmd: list[str], cwd: str, env: dict, pass_fds: tuple[int, ...]) -> None:
        self.proc = subprocess.Popen(
            cmd, pass_fds=pass_fds, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        self.stdout, self.stderr = _Drain(self.proc.stdout), _Drain(self.proc.stderr)
        self.stdout.start()
        self.stderr.start()

    def start(self) -> None:
        from autograder import jail

        req_r, self.req_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        own_uid = jail.mode() == "bubblewrap" and os.geteuid() == 0
        args = ["-m", "autograder.worker", str(req_r), str(rep_w), json.dumps(self.limits.rlimits(own_uid))]
        cmd, cwd, env = self._command(args, (req_r, rep_w))
        self._popen(cmd, cwd, env, (req_r, rep_w))
        os.close(req_r)
        os.close(rep_w)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def request(self, message: dict, timeout: float) -> dict:
        try:
            protocol.send(self.req_w, message)
        except (BrokenPipeError, OSError):
            raise protocol.ChannelClosed("the worker is gone") from None
        reply = protocol.recv(self.rep_r, timeout=timeout)
        if not isinstance(reply, dict):
            raise protocol.ProtocolError("the reply is not an object")
        return reply

    def last_cell(self) -> int | None:
        """The cell the worker announced last on its stderr (where it was when it stopped)."""
        self.stderr.join(timeout=1.0)
        from autograder.worker import last_cell

        return last_cell(self.stderr.text())

    def kill(self) -> int | None:
        """Kill the whole process group; return the worker's exit code (None if we killed it)."""
        code = None
        if self.proc is not None:
            code = self.proc.poll()
            if code is None:
                try:
                    self.proc.wait(timeout=0.2)
                    code = self.proc.returncode
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            for fd in (self.req_w, self.rep_r):
                if fd is None:
                    continue
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.stdout.join(timeout=1.0)
            self.stderr.join(timeout=1.0)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self.jail is not None:
            self.jail.close()
            self.jail = None
        return code

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                protocol.send(self.req_w, {"op": "bye"})
                self.proc.wait(timeout=1.0)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
