"""The grading process's side of warm lanes (see ``autograder.warm``): hand each job to a free lane.

``run(job, budget)`` returns the job's events exactly as a cold runner process would. Lanes are
started on demand (one per concurrent job, up to ``MAX_LANES``) and kept until the process
exits. A lane that stops answering is killed and replaced; the job it was running reports a
timeout or an infrastructure error, never a lost grade. ``AUTOGRADER_WARM=0`` turns lanes off.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading

from autograder import protocol

MAX_LANES = 8
PREPARE_SECONDS = 420.0  # services and a zygote started for the first job of a lane


class LaneDied(RuntimeError):
    pass


class Interrupted(RuntimeError):
    """The pool was closed (Ctrl-C): no new job starts."""


class LaneHandle:
    def __init__(self):
        self.sock, child = socket.socketpair()
        # The lane's own errors (never a learner's output) go to a log, quoted if the lane dies.
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.warm", str(child.fileno())],
                                     pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, start_new_session=True)
        child.close()
        self.services: set[str] = set()
        if os.environ.get("AUTOGRADER_LANE_DEBUG"):
            print(f"[pool] lane {self.proc.pid} started", file=sys.stderr, flush=True)

    def log_tail(self) -> str:
        try:
            self.log.seek(0, os.SEEK_END)
            size = self.log.tell()
            self.log.seek(max(0, size - 3000))
            return self.log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def run(self, job: dict, budget: float) -> list[dict]:
        read_fd, write_fd = os.pipe()
        try:
            socket.send_fds(self.sock, [b"J"], [write_fd])
            protocol.send(self.sock.fileno(), job)
        except OSError:
            os.close(read_fd)
            raise LaneDied("the lane is gone") from None
        finally:
            os.close(write_fd)
        try:
            started = protocol.recv(self.sock.fileno(), timeout=PREPARE_SECONDS)
        except protocol.ProtocolError:
            os.close(read_fd)
            raise LaneDied("the lane did not start the job") from None
        from autograder.grading import read_events

        pid = started.get("pid")
        events = read_events(read_fd, budget)
        if pid and events and events[-1].get("type") == "runner_timeout":
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            done = protocol.recv(self.sock.fileno(), timeout=60)
            self.services = set(done.get("services", []))
        except protocol.ProtocolError:
            self.close()
            raise LaneDied("the lane did not finish the job") from None
        return events

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, interrupt: bool = False) -> None:
        """Stop the lane: when it is idle it stops as its socket closes; ``interrupt`` also ends the
        job it is running (SIGTERM: the lane kills the job, then stops its services and zygote and
        removes its folder), and the thread waiting for that job gets an error at once."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # not close(): another thread may still read it
        except OSError:
            pass
        if interrupt and self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if not interrupt:  # an interrupt leaves the socket to the thread still waiting on it
            with contextlib.suppress(OSError):
                self.sock.close()


class Pool:
    def __init__(self, max_lanes: int = MAX_LANES):
        self.max_lanes = max_lanes
        self.lanes: list[LaneHandle] = []
        self.free: list[LaneHandle] = []
        self.cond = threading.Condition()
        self.closed = False

    def _acquire(self, services: set[str]) -> LaneHandle:
        with self.cond:
            while True:
                if self.closed:
                    raise Interrupted()
                self.free = [lane for lane in self.free if lane.alive()]
                if self.free:  # best: a lane that already runs the services this job needs
                    lane = max(self.free, key=lambda l: (services <= l.services, -len(l.services - services)))
                    self.free.remove(lane)
                    return lane
                self.lanes = [lane for lane in self.lanes if lane.alive()]
                if len(self.lanes) < self.max_lanes:
                    lane = LaneHandle()
                    self.lanes.append(lane)
                    return lane
                self.cond.wait()

    def _release(self, lane: LaneHandle) -> None:
        with self.cond:
            if lane.alive():
                self.free.append(lane)
            self.cond.notify()

    def run(self, job: dict, budget: float) -> list[dict]:
        for attempt in range(2):
            try:
                lane = self._acquire(set(job.get("services", [])))
            except Interrupted:
                return [{"type": "infra_error", "detail": "grading was interrupted"}]
            try:
                return lane.run(job, budget)
            except LaneDied as exc:
                if self.closed:
                    return [{"type": "infra_error", "detail": "grading was interrupted"}]
                detail = f"{exc}: {lane.log_tail()[-1500:]}"
                if os.environ.get("AUTOGRADER_LANE_DEBUG"):
                    print(f"[pool] lane {lane.proc.pid} died: {detail}", file=sys.stderr, flush=True)
                lane.close()
                if attempt:
                    return [{"type": "infra_error", "detail": detail}]
            finally:
                self._release(lane)
        return [{"type": "infra_error", "detail": "no lane could run the job"}]

    def close(self, interrupt: bool = False) -> None:
        with self.cond:
            self.closed = True
            lanes, self.lanes, self.free = self.lanes, [], []
            self.cond.notify_all()
        for lane in lanes:
            lane.close(interrupt)


_default: Pool | None = None
_lock = threading.Lock()


def enabled() -> bool:
    return os.environ.get("AUTOGRADER_WARM", "1") != "0"


def default() -> Pool | None:
    """The process's pool of warm lanes, started on first use and closed at exit."""
    global _default
    if not enabled():
        return None
    with _lock:
        if _default is None:
            _default = Pool()
            atexit.register(_default.close)
        return _default


def interrupt() -> None:
    """Ctrl-C in a parallel run: end the jobs the lanes are running now (their threads get an
    "interrupted" result at once) and start no other."""
    global _default
    with _lock:
        pool, _default = _default, None  # a later grading in this process starts new lanes
    if pool is not None:
        pool.close(interrupt=True)


@contextlib.contextmanager
def threads(jobs: int):
    """A thread pool for parallel grading that an interrupt stops at once: the jobs not started
    are cancelled and the running ones ended (``concurrent.futures`` would otherwise finish every
    queued job before letting the interrupt through)."""
    from concurrent.futures import ThreadPoolExecutor

    executor = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        interrupt()
        raise
    executor.shutdown(wait=True)
