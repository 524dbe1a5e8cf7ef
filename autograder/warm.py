"""Warm grading lanes: imports and services paid once per lane, a fresh process per submission.

A *lane* is one long-lived trusted process (``python -m autograder.warm CTL_FD``) that grades jobs
one after another. It keeps, for as long as it lives:

- the services the exercises need (a moto server, a Prefect server; an Airflow home whose
  metadata DB is copied back from the template before every job, a Dagster home emptied before
  every job, moto's state reset before every job);
- pytest and the grader's modules, imported once: each job runs in a ``fork`` of the lane, a
  fresh process of its own that exits when the job is done;
- a *zygote* in the sandbox (see ``autograder.zygote``): pandas, Airflow, Dagster, Prefect
  imported once, and a fresh forked worker per learner, in a sandbox that is swept clean
  (processes, home, /tmp) between learners.

If a zygote cannot be used (it died, or a learner's process broke it), the job falls back to a
cold worker of its own, exactly as without lanes, and the lane starts a new zygote for the next
job. ``autograder.pool`` hands jobs to lanes from the grading process.
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from autograder import jail, protocol  # jail first: its SLOT_DIR must be the shared temp folder's
from autograder.sandbox import GRACE_SECONDS, Limits, WorkerProcess
from autograder.services import Services

BASE_IMPORTS = ["numpy", "pandas", "pipelinekit", "matplotlib.pyplot", "pipelinekit.plotting"]
# What a first run of each framework would import anyway (a DagBag and dag.test(), a flow run, a
# materialize): imported once in the zygote, these cost a forked worker nothing. Measured on this
# machine: a first dag.test() in a fresh worker 8.3 s with only airflow.sdk imported, 3.4 s with these.
SERVICE_IMPORTS = {
    "airflow": ["airflow.sdk", "airflow.models.dagbag", "airflow.models.dag", "airflow.models.dagrun",
                "airflow.models.taskinstance", "airflow.dag_processing.dagbag", "airflow.api_fastapi.execution_api.app",
                "airflow.sdk.execution_time.supervisor", "airflow.sdk.execution_time.task_runner",
                "airflow.serialization.serialized_objects", "airflow.models.serialized_dag", "airflow.jobs.job",
                "airflow.assets.manager", "a2wsgi"],
    "dagster": ["dagster", "dagster._core.execution.api", "dagster._core.instance", "dagster._daemon",
                "dagster._core.storage.runs.sqlite", "dagster._core.storage.event_log.sqlite",
                "dagster._core.storage.schedules.sqlite", "dagster._core.workspace.context", "alembic"],
    "prefect": ["prefect", "prefect.flow_engine", "prefect.task_engine", "prefect.client.orchestration",
                "prefect.runtime", "prefect.transactions", "prefect.flow_runs", "prefect.variables"],
    "moto": ["boto3", "botocore.client"],
}
# The trusted side's imports, paid once in the lane instead of in every job's fork: pytest's
# built-in plugins (loaded by each pytest.main), and what the hidden tests import at their top.
# pipelinekit.streamrec alone was 0.28 s of 27.3's 0.47 s job. Only modules that neither start a
# thread (the lane forks) nor read the services' settings at import (Prefect and Airflow freeze
# theirs when imported, so the tests import them in the job, where the job's settings hold).
TRUSTED_IMPORTS = ["numpy", "pandas", "pipelinekit", "pipelinekit.streamrec", "pipelinekit.contracts",
                   "autograder.testing", "autograder.submission"]
TRUSTED_SERVICE_IMPORTS = {"dagster": ["dagster"], "moto": ["boto3", "botocore.client"]}
ZYGOTE_START_SECONDS = 300.0


class ZygoteUnavailable(RuntimeError):
    """The lane's zygote cannot give a worker now; the caller uses a cold worker instead."""


# -- the zygote, seen from the trusted side ----------------------------------------------------
class Zygote:
    def __init__(self, limits: Limits, env: dict, sandbox: dict, imports: list[str]):
        self.process = WorkerProcess(limits, env, sandbox)
        self.imports = imports
        self.fd: int | None = None
        self.broken = False
        self.info: dict = {}
        self.owner = os.getpid()

    def start(self) -> None:
        from autograder import jail

        parent, child = socket.socketpair()
        child_fd = child.fileno()
        spec = {"imports": self.imports, "sweep": jail.mode() == "bubblewrap",
                "limits": self.process.limits.rlimits()}
        cmd, cwd, env = self.process._command(["-m", "autograder.worker", "--zygote", str(child_fd), json.dumps(spec)],
                                              (child_fd,))
        self.process._popen(cmd, cwd, env, (child_fd,))
        child.close()
        self.fd = parent.detach()
        try:
            ready = protocol.recv(self.fd, timeout=ZYGOTE_START_SECONDS)
        except protocol.ProtocolError as exc:
            self.close()
            raise ZygoteUnavailable(f"the zygote did not start: {exc}; {self.process.stderr.text()[-500:]}") from None
        if not isinstance(ready, dict) or ready.get("z") != "ready":
            self.close()
            raise ZygoteUnavailable("the zygote sent something unexpected at start")
        self.info = ready

    @property
    def uid(self) -> tuple[int, int] | None:
        jail = self.process.jail
        return (jail.slot.uid, jail.slot.gid) if jail is not None else None

    def alive(self) -> bool:
        if self.broken or self.fd is None or self.process.proc is None:
            return False
        if os.getpid() == self.owner:
            return self.process.alive()
        try:  # in a forked job: not our child, so ask the kernel rather than waitpid
            os.kill(self.process.proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def ping(self, timeout: float = 10.0) -> bool:
        if not self.alive():
            return False
        try:
            protocol.send(self.fd, {"op": "ping"})
            reply = protocol.recv(self.fd, timeout=timeout)
        except (OSError, protocol.ProtocolError):
            self.broken = True
            return False
        return isinstance(reply, dict) and reply.get("z") == "pong"

    def close(self) -> None:
        self.broken = True
        self.process.kill()
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


class WarmWorker:
    """One learner's worker, forked by the zygote; the same interface as ``WorkerProcess``."""

    def __init__(self, zygote: Zygote, limits: Limits, env: dict, unset: list[str] = ()):
        self.zygote, self.limits, self.env = zygote, limits, env
        self.unset = list(unset)  # variables the zygote was started with that this learner must not get
        self.code: int | None = None
        self.tail = ""
        self.exited = False
        self.stopped = True

    def start(self) -> None:
        from autograder import jail

        if not self.zygote.alive():
            raise ZygoteUnavailable("the zygote is gone")
        own_uid = jail.mode() == "bubblewrap" and os.geteuid() == 0
        try:
            protocol.send(self.zygote.fd, {"op": "spawn", "limits": self.limits.rlimits(own_uid), "env": self.env,
                                           "unset": self.unset,
                                           "cell_limit": self.limits.cell_seconds + GRACE_SECONDS})
            reply = protocol.recv(self.zygote.fd, timeout=30)
        except (OSError, protocol.ProtocolError) as exc:
            self.zygote.broken = True
            raise ZygoteUnavailable(f"the zygote did not fork: {exc}") from None
        if not isinstance(reply, dict) or reply.get("z") != "spawned":
            self.zygote.broken = True
            raise ZygoteUnavailable("the zygote answered a fork with something else")
        self.stopped = False

    def alive(self) -> bool:
        return not self.stopped and not self.exited

    def request(self, message: dict, timeout: float) -> dict:
        if self.exited or self.stopped:
            raise protocol.ChannelClosed("the worker is gone")
        try:
            protocol.send(self.zygote.fd, message)
        except OSError:
            raise protocol.ChannelClosed("the zygote is gone") from None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise protocol.ChannelTimeout("no answer before the deadline")
            reply = protocol.recv(self.zygote.fd, timeout=left)
            if not isinstance(reply, dict):
                raise protocol.ProtocolError("the zygote sent something that is not an object")
            if "w" in reply:
                if not isinstance(reply["w"], dict):
                    raise protocol.ProtocolError("the reply is not an object")
                return reply["w"]
            if reply.get("z") == "exited":
                self.exited, self.code = True, reply.get("code")
                raise protocol.ChannelClosed("the worker exited")
            if reply.get("z") == "cell_timeout":
                raise protocol.CellTimeout(reply.get("cell"), float(reply.get("seconds") or 0))
            if reply.get("z") == "garbage":
                raise protocol.ProtocolError("the worker sent a malformed message")

    def _stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        try:
            protocol.send(self.zygote.fd, {"op": "zygote_kill"})
            deadline = time.monotonic() + 15
            while True:
                reply = protocol.recv(self.zygote.fd, timeout=max(0.1, deadline - time.monotonic()))
                if isinstance(reply, dict) and reply.get("z") == "idle":
                    if not self.exited:
                        self.code = reply.get("code")
                    self.tail = str(reply.get("tail", ""))
                    return
        except (OSError, protocol.ProtocolError):
            self.zygote.close()  # it will not answer: the lane starts another

    def last_cell(self) -> int | None:
        self._stop()
        from autograder.worker import last_cell

        return last_cell(self.tail)

    def kill(self) -> int | None:
        self._stop()
        return self.code

    def close(self) -> None:
        self._stop()


# -- services kept for the lane's life -----------------------------------------------------------
class LaneServices(Services):
    """The services a lane has started (more as jobs ask for them), reset before every job."""

    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        super().__init__([], root)

    def give(self, owner: tuple[int, int] | None) -> None:
        """Hand the services' files to the sandbox user (as root every job's reset makes new ones)."""
        if owner is None or os.geteuid() != 0:
            return
        for dirpath, _, filenames in os.walk(self.root):
            os.chown(dirpath, *owner)
            for name in filenames:
                with contextlib.suppress(FileNotFoundError):
                    os.lchown(os.path.join(dirpath, name), *owner)

    def stop(self) -> None:
        self.__exit__()


# -- the lane process -----------------------------------------------------------------------------
def _pytest_plugins() -> tuple[str, ...]:
    from _pytest.config import default_plugins

    return default_plugins


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


OWNER_FILE = "owner"
STALE_SECONDS = 3600.0  # a lane folder without an owner file, older than this, was left by a crash


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_lanes(tmp: Path | None = None) -> int:
    """Remove the folders of lanes whose process is gone (a grading run killed with SIGKILL, a
    machine that lost power): each holds a copy of the services' state and a sandbox's files.
    Returns how many were removed."""
    tmp = Path(tmp or tempfile.gettempdir())
    removed = 0
    for folder in tmp.glob("autograder-lane-*"):
        try:
            owner = (folder / OWNER_FILE).read_text().strip()
            stale = not owner.isdigit() or not _pid_alive(int(owner))
        except FileNotFoundError:
            try:
                stale = time.time() - folder.stat().st_mtime > STALE_SECONDS
            except OSError:
                continue
        except OSError:
            continue
        if stale and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _copy_project(source: str, inbox: Path) -> str:
    target = inbox / "project"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True, ignore_dangling_symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", "__pycache__", ".git", "*.pyc", ".pytest_cache",
                                                  "node_modules"))
    for dirpath, dirnames, filenames in os.walk(target):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)
    return str(target)


class Lane:
    def __init__(self, ctl: socket.socket):
        self.ctl = ctl
        with contextlib.suppress(Exception):
            sweep_stale_lanes()
        self.root = Path(tempfile.mkdtemp(prefix="autograder-lane-"))
        os.chmod(self.root, 0o755)
        (self.root / OWNER_FILE).write_text(str(os.getpid()))
        # Everything else this lane makes (its sandboxes' jails and work folders, the Prefect
        # server's DB) goes under its folder, so that one folder holds all a lane leaves behind.
        # jail.SLOT_DIR, the uid slots every lane shares, was fixed when jail was imported above.
        scratch = self.root / "tmp"
        scratch.mkdir(mode=0o755)
        tempfile.tempdir = str(scratch)
        self.inbox = self.root / "inbox"
        self.inbox.mkdir(mode=0o755)
        self.services = LaneServices(self.root / "services")
        self.zygote: Zygote | None = None
        self.key: tuple | None = None
        self.zygote_failures = 0
        self.trusted_imported: set[str] = set()
        self.stopping = False
        self.current: int | None = None  # the job's process (group) while one runs
        self._import_trusted(["_pytest." + name for name in _pytest_plugins()] + TRUSTED_IMPORTS)

    def _import_trusted(self, names: list[str]) -> None:
        import importlib
        import threading

        for name in names:
            if name in self.trusted_imported:
                continue
            self.trusted_imported.add(name)
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - the job imports it itself, as without the lane
                print(f"lane: could not pre-import {name}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        gc.freeze()  # what is imported now lives as long as the lane: no job's collection walks it again
        if threading.active_count() > 1:
            print(f"lane: warning: {threading.active_count()} threads after pre-imports", file=sys.stderr, flush=True)

    def _zygote_for(self, limits: Limits) -> Zygote | None:
        imports = BASE_IMPORTS + [m for name in sorted(self.services.running) for m in SERVICE_IMPORTS.get(name, [])]
        key = (tuple(sorted(self.services.running)), tuple(imports), limits.disk_bytes)
        if self.zygote is not None and self.zygote.alive() and key == self.key:
            return self.zygote
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        if self.zygote_failures >= 3 or os.environ.get("AUTOGRADER_ZYGOTE") == "0":
            return None  # this machine cannot keep one: cold workers, as without lanes
        sandbox = {**self.services.sandbox(), "readable": [str(self.inbox)]}
        zygote = Zygote(Limits(disk_bytes=limits.disk_bytes), dict(self.services.env), sandbox, imports)
        try:
            zygote.start()
        except ZygoteUnavailable:
            self.zygote_failures += 1
            return None
        self.zygote, self.key = zygote, key
        return zygote

    def job(self, job: dict, result_fd: int) -> dict:
        limits = Limits(**job.get("limits", {}))
        out = os.fdopen(result_fd, "w", buffering=1)
        try:
            self.services.ensure(job.get("services", []))
            self.services.reset()
            self._import_trusted([m for name in sorted(self.services.running)
                                  for m in TRUSTED_SERVICE_IMPORTS.get(name, [])])
        except Exception as exc:  # noqa: BLE001 - an infrastructure failure, reported as such
            out.write(json.dumps({"type": "infra_error", "detail": f"{type(exc).__name__}: {exc}"[-2000:]}) + "\n")
            out.close()
            return {"pid": None}
        zygote = self._zygote_for(limits)
        self.services.give(zygote.uid if zygote else None)
        project = _copy_project(job["project"], self.inbox) if job.get("project") and zygote else None
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.setsid()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _die_with_parent()
                self.ctl.close()
                self._child(job, out, zygote, project)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                with contextlib.suppress(Exception):
                    out.close()
                os._exit(code)
        out.close()
        return {"pid": pid}

    def _child(self, job: dict, out, zygote: Zygote | None, project: str | None) -> None:
        from autograder import runner

        runner._become_subreaper()
        wanted = job.get("services", [])
        services = self.services.only(wanted)  # not the services the lane started for other exercises
        foreign = self.services.foreign_env(wanted)

        def emit(event: dict) -> None:
            out.write(json.dumps(event) + "\n")

        cold_sandbox = services.sandbox()

        def cold(handle):
            sandbox = {**cold_sandbox, "readable": [p for p in (job.get("project"), project) if p]}
            return WorkerProcess(handle.limits, dict(services.env), sandbox)

        def factory(handle):  # warm while the zygote lives, cold when it cannot fork
            if zygote is not None and zygote.alive():
                return _Fallback(WarmWorker(zygote, handle.limits, dict(services.env), unset=foreign),
                                 lambda: cold(handle), handle)
            return cold(handle)

        try:
            runner.run_job(job, emit, services.env, services.info, cold_sandbox, factory=factory,
                           project=project if zygote is not None else job.get("project"))
        finally:
            runner._reap_orphans()

    def serve(self) -> None:
        while True:
            try:
                _, fds, _, _ = socket.recv_fds(self.ctl, 1, 1)
            except OSError:
                return
            if not fds or self.stopping:
                return
            try:
                job = protocol.recv(self.ctl.fileno())
                started = self.job(job, fds[0])
                self.current = started["pid"]
                protocol.send(self.ctl.fileno(), started)
                status = None
                if started["pid"] is not None:
                    status = self._wait_for_job(started["pid"])
                    self.current = None
                    if status is None:
                        return  # the grading process is gone: the job was ended
                    if self.zygote is not None and (status != 0 or not self.zygote.ping()):
                        self.zygote.close()
                        self.zygote = None
                protocol.send(self.ctl.fileno(), {"done": started["pid"], "status": status,
                                                  "services": sorted(self.services.running)})
            except (OSError, protocol.ProtocolError):
                return  # the grading process is gone

    def _wait_for_job(self, pid: int) -> int | None:
        """The job's exit code; or None when the grading process closed its side first (it died
        or was interrupted), after ending the job. Watched on the socket, not with a parent-death
        signal: that one fires when the *thread* that started the lane ends, and grading threads
        come and go."""
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # no pidfd here: just wait
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        try:
            while True:
                ready, _, _ = select.select([pidfd, self.ctl], [], [])
                if pidfd in ready:
                    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                try:
                    closed = self.ctl.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
                except BlockingIOError:
                    closed = False
                except OSError:
                    closed = True
                if closed:
                    self.stop()
                    os.waitpid(pid, 0)
                    return None
        finally:
            os.close(pidfd)

    def stop(self, signum=None, frame=None) -> None:
        """End the running job and the serve loop, so that close() runs: on SIGTERM (an interrupt),
        or when the grading process has closed its side."""
        self.stopping = True
        if self.current is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.current, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.ctl.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self.current is not None:  # the grading process went away while a job was starting
            with contextlib.suppress(OSError):
                os.killpg(self.current, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.current, 0)
            self.current = None
        if self.zygote is not None:
            self.zygote.close()
        self.services.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class _Fallback:
    """A warm worker that turns into a cold one when the zygote cannot fork."""

    def __init__(self, warm: WarmWorker, cold, handle):
        self.inner, self.cold, self.handle = warm, cold, handle

    def start(self) -> None:
        try:
            self.inner.start()
            self.handle.warm_workers = getattr(self.handle, "warm_workers", 0) + 1
        except ZygoteUnavailable:
            self.inner = self.cold()
            self.inner.start()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def main(argv: list[str]) -> int:
    ctl = socket.socket(fileno=int(argv[0]))
    # The grading process gone (its socket closed: a kill, an exit) or asking us to stop now
    # (SIGTERM: an interrupt): end the job, stop the services and zygote, and remove this lane's
    # folder. (A lane killed outright leaves its folder to the next lane's sweep.)
    lane = Lane(ctl)
    signal.signal(signal.SIGTERM, lane.stop)
    try:
        lane.serve()  # until the grading process closes its socket, or is gone
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        lane.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
