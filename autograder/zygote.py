"""A warm worker factory inside the sandbox: pay the imports once, fork a fresh worker per use.

Started as ``python -I -m autograder.worker --zygote CTL_FD SPEC_JSON`` (inside bubblewrap when
it is available). Before any learner code runs it imports the heavy modules an exercise needs
(pandas, Airflow, Dagster, Prefect ...), makes itself non-dumpable (so a learner's process of
the same uid can neither ptrace it nor read its memory), and then, for each ``spawn`` request,
forks a child that applies the resource limits and serves one learner's cells and probes, in a
fresh working directory and session of its own.

While a child lives the zygote relays messages between the trusted side and the child: every
message of the child's goes back wrapped as ``{"w": ...}``, and the zygote's own notices as
``{"z": ...}``, so learner code cannot forge a notice. On ``zygote_kill`` (or when the child
ends) the zygote kills the child's process group, kills every other process in the sandbox's
pid namespace except itself and its relay process, wipes the home and temporary folders, and
answers ``{"z": "idle"}``: the next learner starts from the same clean state as the first.
"""
from __future__ import annotations

import ctypes
import importlib
import json
import os
import select
import signal
import stat
import sys
import tempfile
import time

from autograder import protocol, worker

PR_SET_DUMPABLE = 4
OUTPUT_CAP = 256 * 1024


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _wipe(folder: str) -> None:
    """Remove everything inside ``folder`` (not the folder), even what a learner made unreadable,
    without crossing into mounts: the sandbox's read-only binds (the interpreter, the venv, a
    project) may sit below /tmp when the repository does, and are not ours to walk or remove."""
    try:
        device = os.lstat(folder).st_dev
        stack = [(os.path.join(folder, name), False) for name in os.listdir(folder)]
    except OSError:
        return
    while stack:  # iterative post-order: a learner's 100 000 nested folders cannot exhaust the stack
        path, expanded = stack.pop()
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if info.st_dev != device:
            continue  # a mount point
        if not stat.S_ISDIR(info.st_mode):
            try:
                os.unlink(path)
            except OSError:
                pass
            continue
        if expanded:
            try:
                os.rmdir(path)
            except OSError:
                pass  # a folder the sandbox made for a mount: it stays, empty of learner files
            continue
        try:
            os.chmod(path, stat.S_IRWXU)
        except OSError:
            pass
        stack.append((path, True))
        try:
            stack.extend((os.path.join(path, name), False) for name in os.listdir(path))
        except OSError:
            pass


class Zygote:
    def __init__(self, ctl: int, spec: dict):
        self.ctl, self.spec = ctl, spec
        self.sweep = bool(spec.get("sweep"))  # alone in a pid namespace: kill every stray process
        self.home = os.getcwd()
        self.folders = [self.home] + (["/tmp"] if self.sweep else [])
        self.protected = {os.getpid(), 1}
        self.child: int | None = None

    # -- start -----------------------------------------------------------------------------
    def prepare(self) -> dict:
        relays = os.environ.pop("AUTOGRADER_RELAYS", "")
        if relays:  # the relays' threads live in a process of their own, so forks stay single-threaded
            pid = os.fork()
            if pid == 0:
                os.close(self.ctl)
                worker.start_relays(relays)
                while True:
                    signal.pause()
            self.protected.add(pid)
        imported, failed = [], []
        for name in self.spec.get("imports", []):
            try:
                importlib.import_module(name)
                imported.append(name)
            except BaseException as exc:  # noqa: BLE001 - a module that cannot load stays cold
                failed.append(f"{name}: {type(exc).__name__}")
        import gc
        import threading

        gc.freeze()  # the imports outlive every learner: their collections skip them, and no page is copied for it
        _prctl(PR_SET_DUMPABLE, 0)
        return {"z": "ready", "imported": imported, "failed": failed, "threads": threading.active_count(),
                "vm_size": _vm_size()}

    # -- one learner --------------------------------------------------------------------------
    def spawn(self, request: dict) -> None:
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        base = _vm_size()
        pid = os.fork()
        if pid == 0:  # the learner's worker
            try:
                os.setsid()
                os.close(self.ctl)
                for fd in (req_w, rep_r, out_r):
                    os.close(fd)
                os.dup2(out_w, 1)
                os.dup2(out_w, 2)
                os.close(out_w)
                in_fd, out_fd = os.dup2(req_r, 250), os.dup2(rep_w, 251)
                os.close(req_r)
                os.close(rep_w)
                os.chdir(tempfile.mkdtemp(prefix="work-", dir=self.home))
                for key in request.get("unset") or []:  # a service this learner's exercise did not ask for
                    os.environ.pop(key, None)
                os.environ.update(request.get("env") or {})
                limits = dict(request.get("limits") or {})
                if limits.get("memory_bytes"):  # on top of what the zygote's imports already hold
                    limits["memory_bytes"] = int(limits["memory_bytes"]) + base
                worker.apply_limits(limits)
                import random

                random.seed()
                if "numpy" in sys.modules:
                    sys.modules["numpy"].random.seed()
                code = worker.serve(in_fd, out_fd)
            except BaseException:  # noqa: BLE001
                code = 70
            os._exit(code)
        for fd in (req_r, rep_w, out_w):
            os.close(fd)
        self.child = pid
        self.cell_limit = float(request.get("cell_limit") or 0)
        protocol.send(self.ctl, {"z": "spawned"})
        code, tail = self.relay(req_w, rep_r, out_r)
        self.clean()
        protocol.send(self.ctl, {"z": "idle", "code": code, "tail": tail[-8000:]})

    def relay(self, req_w: int, rep_r: int, out_r: int) -> tuple[int | None, str]:
        """Pass messages both ways until the trusted side ends this worker; return (code, output tail)."""
        tail = bytearray()
        pending = b""
        reader = bytearray()
        exited: int | None = None
        open_out, open_rep = True, True
        code: int | None = None
        cell: tuple[int | None, float] | None = None  # the cell running now, and since when
        while True:
            if cell is not None and exited is None and self.cell_limit and time.monotonic() - cell[1] > self.cell_limit:
                # A cell that ignores the worker's own alarm (signal handlers replaced, a C loop):
                # stopped from here, at the cell limit rather than at the whole notebook's.
                self._kill()
                self._send({"z": "cell_timeout", "cell": cell[0], "seconds": self.cell_limit})
                cell = None
            readers = [self.ctl] + ([rep_r] if open_rep else []) + ([out_r] if open_out else [])
            writers = [req_w] if pending and exited is None else []
            try:
                ready_r, ready_w, _ = select.select(readers, writers, [], 1.0 if exited is None else 0.2)
            except InterruptedError:
                continue
            if out_r in ready_r:
                chunk = os.read(out_r, 65536)
                if chunk:
                    tail += chunk
                    if len(tail) > OUTPUT_CAP:
                        del tail[: len(tail) - OUTPUT_CAP]
                    if worker.CELL_MARKER.encode() in chunk:
                        cell = (worker.last_cell(chunk.decode("utf-8", "replace")), time.monotonic())
                else:
                    open_out = False
            if req_w in ready_w:
                try:
                    written = os.write(req_w, pending[:65536])
                    pending = pending[written:]
                except OSError:
                    pending = b""
            if rep_r in ready_r:
                chunk = os.read(rep_r, 1 << 20)
                if chunk:
                    reader += chunk
                    while len(reader) >= protocol.HEADER.size:
                        (length,) = protocol.HEADER.unpack(reader[: protocol.HEADER.size])
                        if length > protocol.MAX_MESSAGE:
                            self._send({"z": "garbage"})
                            self._kill()
                            open_rep = False
                            break
                        end = protocol.HEADER.size + length
                        if len(reader) < end:
                            break
                        body = bytes(reader[protocol.HEADER.size:end])
                        del reader[:end]
                        try:
                            message = json.loads(body.decode("utf-8"))
                        except (UnicodeDecodeError, json.JSONDecodeError):
                            self._send({"z": "garbage"})
                            self._kill()
                            open_rep = False
                            break
                        self._send({"w": message})
                        cell = None  # a reply: no cell of the load is running any more
                else:
                    open_rep = False
            if not open_rep and exited is None:
                exited = self._reap(block=True)
                code = exited
                self._send({"z": "exited", "code": code})
            if self.ctl in ready_r:
                try:
                    request = protocol.recv(self.ctl)
                except protocol.ChannelClosed:
                    self._kill()
                    self.clean()
                    os._exit(0)
                op = request.get("op")
                if op == "zygote_kill":
                    if exited is None:
                        code = self._kill()
                    os.close(req_w)
                    os.close(rep_r)
                    if open_out:
                        os.close(out_r)
                    return code, tail.decode("utf-8", "replace")
                if exited is None:
                    pending += protocol.encode(request)

    def _send(self, message: dict) -> None:
        protocol.send(self.ctl, message)

    def _reap(self, block: bool) -> int | None:
        if self.child is None:
            return None
        try:
            pid, status = os.waitpid(self.child, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.child = None
            return None
        if pid == 0:
            return None
        self.child = None
        return os.waitstatus_to_exitcode(status)

    def _kill(self) -> int | None:
        """Kill the worker's group; None when we killed it, else the code it had already exited with."""
        if self.child is None:
            return None
        code = self._reap(block=False)
        if self.child is None:
            return code
        try:
            os.killpg(self.child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.kill(self.child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._reap(block=True)
        return None

    def clean(self) -> None:
        """Back to the state before the first learner: no stray process, empty home and /tmp."""
        if self.sweep:
            for _ in range(3):
                strays = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in self.protected]
                if not strays:
                    break
                for pid in strays:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                for pid in strays:
                    try:
                        os.waitpid(pid, 0)
                    except ChildProcessError:
                        pass
        for folder in self.folders:
            _wipe(folder)
        os.chdir(self.home)

    def loop(self) -> int:
        protocol.send(self.ctl, self.prepare())
        while True:
            try:
                request = protocol.recv(self.ctl)
            except protocol.ChannelClosed:
                return 0
            op = request.get("op")
            if op == "spawn":
                self.spawn(request)
            elif op == "ping":
                self.clean()
                protocol.send(self.ctl, {"z": "pong"})
            elif op == "bye":
                return 0
            else:  # a kill with nothing to kill, or an unknown op: say we are idle
                protocol.send(self.ctl, {"z": "idle", "code": None, "tail": ""})


def main(argv: list[str]) -> int:
    ctl = os.dup2(int(argv[0]), 252)
    if int(argv[0]) != ctl:
        os.close(int(argv[0]))
    spec = json.loads(argv[1]) if len(argv) > 1 else {}
    worker.apply_limits({k: v for k, v in (spec.get("limits") or {}).items() if k in ("open_files", "file_size_bytes")})
    return Zygote(ctl, spec).loop()
