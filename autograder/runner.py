"""The trusted test runner: one exercise's pytest files against one submission handle.

As a process (``python -m autograder.runner RESULT_FD`` with a JSON job on stdin) it grades in
the sandbox, streaming one JSON line per event to RESULT_FD, a pipe the learner's worker never
holds. ``run_tests`` is also called in-process by ``check()`` and by the benchmark baseline.
"""
from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from autograder.testing import Feedback, LearnerError

PR_SET_CHILD_SUBREAPER = 36


def classify(excinfo) -> tuple[str, str]:
    """A test's status and learner-visible feedback from the exception that ended it."""
    if excinfo is None:
        return "passed", ""
    exc = excinfo.value
    if isinstance(exc, Feedback):
        return "failed", str(exc)
    if isinstance(exc, LearnerError):
        return exc.status, str(exc)
    if isinstance(exc, AssertionError):
        return "failed", ""  # a bare assert's message may hold the expected value: never shown
    if isinstance(exc, RuntimeError) and "probe is broken" in str(exc):
        return "error", "the grader's test itself failed; please tell your instructor"
    if excinfo.typename in ("Skipped", "XFailed"):
        return "failed", "the test did not run"
    return "failed", f"your result did not have the expected form ({excinfo.typename})"


class GradingPlugin:
    """Provides the ``sub`` fixture and records every graded test's outcome as an event."""

    def __init__(self, handle, emit: Callable[[dict], None], visible_files: set[str], services: dict | None = None):
        self.handle, self.emit, self.visible_files = handle, emit, visible_files
        self.service_info = services or {}
        self.meta: dict[str, dict] = {}
        self.seen: set[str] = set()

    @pytest.fixture(scope="session")
    def sub(self):
        return self.handle

    @pytest.fixture(scope="session")
    def services(self):
        """Where the exercise's services are (e.g. ``services["s3_endpoint"]``), for trusted checks."""
        return self.service_info

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "graded(part, points, hint): a graded test")

    def pytest_collectreport(self, report):
        if report.failed:
            self.emit({"type": "collect_error", "where": report.nodeid, "detail": str(report.longrepr)[-3000:]})

    def pytest_collection_modifyitems(self, session, config, items):
        tests = []
        for item in items:
            marker = item.get_closest_marker("graded")
            meta = {
                "name": item.name,
                "function": getattr(item, "originalname", item.name),
                "file": Path(str(item.path)).name,
                "visible": str(item.path) in self.visible_files,
                "part": marker.kwargs.get("part") if marker else None,
                "points": int(marker.kwargs.get("points", 1)) if marker else 0,
                "hint": marker.kwargs.get("hint", "") if marker else "",
            }
            self.meta[item.nodeid] = meta
            tests.append(meta)
        self.emit({"type": "collected", "tests": tests})

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if item.nodeid in self.seen:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.seen.add(item.nodeid)
            status, feedback = classify(call.excinfo)
            self.emit({"type": "test", **self.meta[item.nodeid], "status": status,
                       "feedback": feedback, "duration": round(report.duration, 4)})


def run_tests(test_files: list[str], handle, emit: Callable[[dict], None],
              visible_files: set[str] = frozenset(), quiet: bool = True, capture: str = "fd",
              services: dict | None = None, select: list[str] | None = None) -> int:
    """Run pytest over ``test_files`` with ``handle`` as the ``sub`` fixture; return pytest's code."""
    with tempfile.TemporaryDirectory(prefix="autograder-run-") as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n")
        args = [
            *test_files, "-c", str(ini), "--rootdir", tmp, "--import-mode=importlib",
            "-p", "no:cacheprovider", "-p", "no:randomly", "-o", "addopts=",
            # its two full garbage collections at exit cost 40 ms a job and report nothing we grade
            "-p", "no:unraisableexception",
            "--no-header", "-q" if quiet else "-v", "-W", "ignore::DeprecationWarning", f"--capture={capture}",
        ]
        if select:  # only these test functions (all their cases): verify's mutant runs
            args += ["-k", " or ".join(sorted({name.split("[", 1)[0] for name in select}))]
        plugin = GradingPlugin(handle, emit, set(visible_files), services)
        # Installed packages register pytest plugins (anyio, hypothesis ...) that cost 0.6 s to
        # load and that graded tests do not need.
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        if not quiet:
            return int(pytest.main(args, plugins=[plugin]))
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return int(pytest.main(args, plugins=[plugin]))


def _become_subreaper() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _reap_orphans() -> None:
    """Kill and reap any process left behind whose parent is now this runner."""
    me = str(os.getpid())
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            try:
                os.kill(int(entry), signal.SIGKILL)
                os.waitpid(int(entry), 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def run_job(job: dict, emit: Callable[[dict], None], env: dict, info: dict, sandbox: dict,
            factory: Callable[[Any], Any] | None = None, project: str | None = None) -> None:
    """Grade one job (an exercise's tests against one submission) with services already running."""
    from autograder.sandbox import Limits
    from autograder.submission import SandboxedSubmission

    started = time.perf_counter()
    handle = SandboxedSubmission(job["cells"], Limits(**job.get("limits", {})), env,
                                 project or job.get("project"), sandbox)
    if factory is not None:
        handle.factory = lambda: factory(handle)
    try:
        code = run_tests(job["tests"], handle, emit, set(job.get("visible", [])),
                         quiet=not job.get("verbose"), services=info, select=job.get("select"))
        emit({"type": "load", **handle.load_report(), "workers": handle.workers_started,
              "warm": getattr(handle, "warm_workers", 0)})
        emit({"type": "done", "pytest_exit": code, "seconds": round(time.perf_counter() - started, 3)})
    finally:
        handle.close()


def main(argv: list[str]) -> int:
    from autograder.services import Services

    result_fd = int(argv[0])
    job = json.load(sys.stdin)
    _become_subreaper()
    out = os.fdopen(result_fd, "w", buffering=1)

    def emit(event: dict) -> None:
        out.write(json.dumps(event) + "\n")

    with tempfile.TemporaryDirectory(prefix="autograder-services-") as root:
        try:
            services = Services(job.get("services", []), Path(root)).__enter__()
        except Exception as exc:  # noqa: BLE001 - an infrastructure failure, reported as such
            emit({"type": "infra_error", "detail": f"{type(exc).__name__}: {exc}"[-2000:]})
            out.close()
            return 0
        try:
            run_job(job, emit, services.env, services.info, services.sandbox())
        finally:
            services.__exit__(None, None, None)
            _reap_orphans()
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
