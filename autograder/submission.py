"""Submission handles: what a test's ``sub`` fixture is.

``SandboxedSubmission`` runs the learner's cells in a worker process (grading); a worker that
crashes or hangs is killed and a fresh one is started for the next test. ``InProcessSubmission``
runs probes against a namespace in this process (``check()`` in a notebook, and the bare-pytest
baseline of the benchmarks). Both give tests the same plain, JSON-round-tripped values.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import json
import sys
import textwrap
import types
from functools import lru_cache
from typing import Any, Callable

from autograder import protocol
from autograder.sandbox import GRACE_SECONDS, Limits, WorkerProcess, describe_exit
from autograder.testing import LearnerError, LearnerTimeout
from autograder.worker import MissingName, Namespace, _plain, describe, run_cells


@lru_cache(maxsize=None)
def probe_source(fn: Callable) -> str:
    if fn.__qualname__ != fn.__name__:
        raise TypeError(f"probe {fn.__qualname__} must be a top-level function")
    return textwrap.dedent(inspect.getsource(fn))


def _call(ns, name, *args):
    return getattr(ns, name)(*args)


def _has(ns, name):
    return ns.has(name)


def explain(reply: dict, timeout: float) -> LearnerError:
    """Turn a worker's error reply into the exception a test sees, with a learner-readable text."""
    kind = reply.get("kind")
    if kind == "missing":
        return LearnerError(
            f"your notebook does not define `{reply['name']}` (check the spelling, and that the "
            "cell defining it runs without an error)"
        )
    if kind == "timeout":
        return LearnerTimeout(f"your code ran for more than {timeout:g} s and was stopped (an endless loop?)")
    if kind == "unserializable":
        return LearnerError(f"your code returned something the grader cannot read: {reply.get('message')}")
    if kind == "probe_error":
        raise RuntimeError(f"the test's probe is broken: {reply.get('type')}: {reply.get('message')}")
    where = f" ({reply['where']}, line {reply['line']})" if reply.get("where") else ""
    if reply.get("in_learner_code"):
        return LearnerError(f"your code raised {reply.get('type')}: {reply.get('message')}{where}")
    return LearnerError(
        f"what your code returned could not be checked ({reply.get('type')}: {reply.get('message')})"
    )


class SandboxedSubmission:
    """A learner notebook's code, run in a worker process that tests talk to through probes."""

    def __init__(self, cells: list[dict], limits: Limits | None = None, env: dict | None = None,
                 project: str | None = None, sandbox: dict | None = None,
                 factory: Callable[[], Any] | None = None):
        self.cells, self.limits, self.env, self.project = cells, limits or Limits(), env, project
        self.sandbox = dict(sandbox or {})
        if project:
            self.sandbox.setdefault("readable", []).append(project)
        # How a worker is made: a warm fork from the lane's zygote, or a cold process of its own.
        self.factory = factory or (lambda: WorkerProcess(self.limits, self.env, self.sandbox))
        self.worker: WorkerProcess | None = None
        self.cell_errors: list[dict] | None = None
        self.fatal: LearnerError | None = None
        self.workers_started = 0

    # -- lifecycle -------------------------------------------------------------------------
    def _ensure_worker(self) -> WorkerProcess:
        if self.fatal is not None:
            raise self.fatal
        if self.worker is not None and self.worker.alive():
            return self.worker
        worker = self.factory()
        worker.start()
        self.workers_started += 1
        request = {"op": "load", "cells": self.cells, "cell_timeout": self.limits.cell_seconds,
                   "project": self.project}
        try:
            reply = worker.request(request, timeout=self.limits.load_seconds + GRACE_SECONDS)
        except protocol.CellTimeout as exc:
            worker.kill()
            self.fatal = LearnerTimeout(
                f"cell {exc.cell} ran for more than {self.limits.cell_seconds:g} s and was stopped (an endless loop "
                "that the grader's alarm could not interrupt?), so no test could use your code"
            )
            raise self.fatal from None
        except protocol.ChannelTimeout:
            cell = worker.last_cell()
            worker.kill()
            self.fatal = LearnerTimeout(
                f"running your notebook's cells took longer than {self.limits.load_seconds:g} s"
                + (f" (cell {cell} was still running)" if cell is not None else "")
                + ", so no test could use your code"
            )
            raise self.fatal from None
        except protocol.ProtocolError:
            cell = worker.last_cell()
            how = describe_exit(worker.kill())
            self.fatal = LearnerError(
                "your notebook stopped the grading process while its cells ran"
                + (f" (in cell {cell})" if cell is not None else "") + f": {how}"
            )
            raise self.fatal from None
        if self.cell_errors is None:
            self.cell_errors = reply.get("cell_errors", [])
        self.worker = worker
        return worker

    def load_report(self) -> dict:
        """Cell errors and fatal load problems, for the exercise's feedback."""
        try:
            self._ensure_worker()
        except LearnerError:
            pass
        return {
            "cell_errors": self.cell_errors or [],
            "fatal": str(self.fatal) if self.fatal else None,
            "fatal_status": self.fatal.status if self.fatal else None,
        }

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    # -- what tests call ---------------------------------------------------------------------
    def run(self, probe: Callable, *args: Any, helpers: tuple = (), timeout: float | None = None) -> Any:
        timeout = timeout or self.limits.call_seconds
        request = {
            "op": "run",
            "name": probe.__name__,
            "source": probe_source(probe),
            "helpers": [probe_source(h) for h in helpers],
            "args": json.loads(json.dumps(list(args))),
            "timeout": timeout,
        }
        worker = self._ensure_worker()
        try:
            reply = worker.request(request, timeout=timeout + GRACE_SECONDS)
        except protocol.ChannelTimeout:
            worker.kill()
            self.worker = None
            raise LearnerTimeout(
                f"your code ran for more than {timeout:g} s and was stopped (an endless loop?)"
            ) from None
        except protocol.ProtocolError:
            how = describe_exit(worker.kill())
            self.worker = None
            raise LearnerError(f"your code ended the grading process: {how}") from None
        if reply.get("ok"):
            return reply.get("value")
        raise explain(reply, timeout)

    def call(self, name: str, *args: Any, timeout: float | None = None) -> Any:
        return self.run(_call, name, *args, timeout=timeout)

    def has(self, name: str) -> bool:
        return bool(self.run(_has, name))


class InProcessSubmission:
    """Probes run in this process against a namespace: no isolation, for trusted use only."""

    def __init__(self, namespace: dict | types.ModuleType):
        if isinstance(namespace, dict):
            module = types.ModuleType("submission")
            module.__dict__.update(namespace)
            self.module = module
            self._live = namespace
        else:
            self.module, self._live = namespace, namespace.__dict__
        self.cell_errors: list[dict] = []

    @classmethod
    def from_cells(cls, cells: list[dict]) -> "InProcessSubmission":
        module = types.ModuleType("submission")
        module.__dict__.update(display=lambda *a, **k: None)
        previous = sys.modules.get("submission")
        sys.modules["submission"] = module
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                errors = run_cells(module, cells, cell_timeout=0, announce=False)
        finally:
            if previous is not None:
                sys.modules["submission"] = previous
        handle = cls(module)
        handle.cell_errors = errors
        return handle

    def run(self, probe: Callable, *args: Any, helpers: tuple = (), timeout: float | None = None) -> Any:
        self.module.__dict__.update(self._live)  # a live notebook may have run more cells since
        args = json.loads(json.dumps(list(args)))
        try:
            value = probe(Namespace(self.module), *args)
        except MissingName as exc:
            raise explain({"kind": "missing", "name": exc.name}, 0) from None
        except Exception as exc:  # noqa: BLE001
            info = describe(exc)
            info["in_learner_code"] = True
            raise explain({"kind": "exception", **info}, 0) from None
        try:
            return json.loads(json.dumps(value, default=_plain, allow_nan=True))
        except (TypeError, ValueError) as exc:
            raise explain({"kind": "unserializable", "message": str(exc)}, 0) from None

    def call(self, name: str, *args: Any, timeout: float | None = None) -> Any:
        return self.run(_call, name, *args)

    def has(self, name: str) -> bool:
        return bool(self.run(_has, name))

    def load_report(self) -> dict:
        return {"cell_errors": self.cell_errors, "fatal": None, "fatal_status": None}

    def close(self) -> None:
        pass
