"""Grade a submission: find its notebooks, run each exercise's tests in the sandbox, score parts.

A submission is an exercises/ folder, one notebook, or a zip of either. Nothing a notebook does
stops the other exercises from being graded: every failure becomes a zero for the parts it
touches, with a reason.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from autograder import notebooks
from autograder.catalog import Exercise
from autograder.sandbox import Limits

MAX_ZIP_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
RUNNER_MARGIN_SECONDS = 30.0


class SubmissionError(ValueError):
    """The path cannot be graded at all (it does not exist, or is not a notebook/folder/zip)."""


# -- finding the notebooks of a submission ----------------------------------------------------
def _safe_extract(archive: Path, target: Path, problems: list[str]) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{archive.name} is not a readable zip file ({exc})") from None
    total = 0
    with zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise SubmissionError(f"{archive.name} holds {len(members)} files; the limit is {MAX_ZIP_MEMBERS}")
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir():
                continue
            if name.is_absolute() or ".." in name.parts or ":" in info.filename:
                problems.append(f"skipped {info.filename!r} in the zip: it points outside the submission")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(f"skipped {info.filename!r} in the zip: symbolic links are not accepted")
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive.name} unpacks to more than {MAX_ZIP_BYTES >> 20} MB")
            dest = target.joinpath(*name.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst)


def project_exercise_id(folder: Path) -> str | None:
    """The exercise a project folder answers: ``[tool.autograder] exercise`` in its pyproject.toml."""
    import tomllib

    try:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
        value = data["tool"]["autograder"]["exercise"]
        return notebooks.exercise_id(None, str(value))
    except (OSError, ValueError, KeyError, TypeError):
        return notebooks.exercise_id(None, folder.name) if (folder / "pyproject.toml").exists() else None


def _walk_projects(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("__pycache__", "node_modules"))
        if "pyproject.toml" in filenames:
            exercise_id = project_exercise_id(Path(dirpath))
            if exercise_id:
                found.setdefault(exercise_id, Path(dirpath))
                dirnames[:] = []  # a project's own sub-folders are not other submissions
    return found


def _walk_notebooks(root: Path, problems: list[str], skip: set[Path] = frozenset()) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__"
                             and Path(dirpath, d) not in skip)
        for name in sorted(filenames):
            if not name.endswith(".ipynb"):
                continue
            path = Path(dirpath) / name
            if path.is_symlink():
                problems.append(f"skipped {path.relative_to(root)}: symbolic links are not accepted")
                continue
            found.append(path)
    return found


class Submission:
    """The notebooks of one submission, keyed by exercise id, with the problems met finding them."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.problems: list[str] = []
        self.notebooks: dict[str, Path] = {}
        self.projects: dict[str, Path] = {}
        self._tmp: tempfile.TemporaryDirectory | None = None
        if not self.path.exists():
            raise SubmissionError(f"{self.path} does not exist")
        if self.path.is_dir():
            self.projects = _walk_projects(self.path)
            candidates = _walk_notebooks(self.path, self.problems, set(self.projects.values()))
        elif self.path.suffix == ".zip":
            self._tmp = tempfile.TemporaryDirectory(prefix="autograder-zip-")
            _safe_extract(self.path, Path(self._tmp.name), self.problems)
            self.projects = _walk_projects(Path(self._tmp.name))
            candidates = _walk_notebooks(Path(self._tmp.name), self.problems, set(self.projects.values()))
        elif self.path.suffix == ".ipynb":
            candidates = [self.path]
        else:
            raise SubmissionError(f"{self.path.name}: give a notebook (.ipynb), a folder or a .zip")
        for nb_path in candidates:
            try:
                exercise_id = notebooks.exercise_id(notebooks.load(nb_path), nb_path.name)
            except notebooks.NotebookError:
                exercise_id = notebooks.exercise_id(None, nb_path.name)
            if exercise_id is None:
                self.problems.append(f"{nb_path.name}: could not tell which exercise it answers; ignored")
                continue
            if exercise_id in self.notebooks:
                older, newer = sorted([self.notebooks[exercise_id], nb_path], key=lambda p: p.stat().st_mtime)
                self.problems.append(
                    f"two notebooks answer {exercise_id} ({older.name}, {newer.name}); graded the newer, {newer.name}"
                )
                nb_path = newer
            self.notebooks[exercise_id] = nb_path

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# -- running the tests ---------------------------------------------------------------------------
def run_runner(tests: list[Path], cells: list[dict], limits: Limits, visible: list[Path],
               budget: float, verbose: bool = False, services: tuple[str, ...] = (),
               project: Path | None = None, only_tests: list[str] | None = None) -> list[dict]:
    """Start the trusted runner process for one exercise; return its events (kept even if killed)."""
    job = {
        "tests": [str(t) for t in tests], "visible": [str(v) for v in visible], "cells": cells,
        "limits": asdict(limits), "verbose": verbose, "services": list(services),
        "project": str(project) if project else None, "select": only_tests,
    }
    from autograder import pool

    lanes = None if verbose else pool.default()
    if lanes is not None:  # a warm lane: services, imports and the sandbox paid once per lane
        return lanes.run(job, budget)
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder.runner", str(write_fd)], stdin=subprocess.PIPE,
        stdout=None if verbose else subprocess.DEVNULL, stderr=None if verbose else subprocess.DEVNULL,
        pass_fds=(write_fd,), start_new_session=True,
    )
    os.close(write_fd)
    proc.stdin.write(json.dumps(job).encode())
    proc.stdin.close()
    events = read_events(read_fd, budget)
    if proc.poll() is None:
        try:
            proc.wait(timeout=0.5 if events and events[-1].get("type") != "runner_timeout" else 0)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        os.killpg(proc.pid, 9)
    proc.wait()
    return events


def read_events(read_fd: int, budget: float) -> list[dict]:
    """A runner's JSON-lines events until it closes the pipe, or ``runner_timeout`` at the deadline."""
    events, buffer = [], b""
    deadline = time.monotonic() + budget
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                events.append({"type": "runner_timeout"})
                break
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = pipe.read(65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    try:
                        events.append(json.loads(line))
                    except ValueError:  # a runner killed mid-line
                        pass
    return events


# -- scoring ---------------------------------------------------------------------------------------
def cell_error_text(err: dict) -> str:
    """'the cell that starts `x = f()` (cell 12) raised KeyError: ...' for a learner to find it."""
    where = f"the cell that starts `{err['first_line']}`" if err.get("first_line") else "a cell"
    line = f", line {err['line']}" if err.get("line") else ""
    return (f"{where} (cell {err['cell']}{line}) raised {err['type']}: {err['message']}; "
            "what it should have defined may be missing")


def _part_status(tests: list[dict]) -> str:
    statuses = {t["status"] for t in tests}
    if statuses == {"passed"}:
        return "passed"
    for status in ("timeout", "error"):
        if status in statuses and "passed" not in statuses:
            return status
    return "failed"


def score(exercise: Exercise, events: list[dict], answers: dict[str, str], fatal: str | None = None,
          fatal_status: str = "error") -> dict:
    """Per-part and per-test scores from the runner's events; manual parts await a person."""
    collected = next((e["tests"] for e in events if e["type"] == "collected"), [])
    ran = {(e["file"], e["name"]): e for e in events if e["type"] == "test"}
    load = next((e for e in events if e["type"] == "load"), {})
    feedback: list[str] = []
    if fatal is None and load.get("fatal"):
        feedback.append(load["fatal"])
    for err in load.get("cell_errors", []):
        feedback.append(cell_error_text(err))
    infra = next((e for e in events if e["type"] == "infra_error"), None)
    if infra is not None:
        fatal = fatal or ("the grader's own services failed to start, so nothing of yours was run; "
                          "this is not your fault: your instructor will regrade")
    if any(e["type"] == "collect_error" for e in events):
        fatal = fatal or "the grader's tests for this exercise could not be loaded; please tell your instructor"
    timed_out = any(e["type"] == "runner_timeout" for e in events)
    if fatal:
        feedback.insert(0, fatal)

    parts = []
    for part in exercise.parts:
        if part.kind == "manual":
            parts.append({
                "id": part.id, "title": part.title, "kind": "manual", "score": 0, "max_score": part.points,
                "status": "manual", "feedback": "graded by your instructor with a rubric",
                "answer": answers.get(part.id, ""), "tests": [],
            })
            continue
        tests = []
        for meta in (t for t in collected if t["part"] == part.id):
            result = ran.get((meta["file"], meta["name"]))
            if fatal:
                status, text = fatal_status, fatal
            elif result is None:
                status = "timeout" if timed_out else "error"
                text = "the grading of this exercise ran out of time before this test" if timed_out else "this test did not run"
            else:
                status, text = result["status"], result["feedback"]
            tests.append({
                "name": meta["name"], "score": meta["points"] if status == "passed" else 0,
                "max_score": meta["points"], "status": status, "feedback": text,
                "hint": "" if status == "passed" else meta["hint"], "visible": meta["visible"],
                "duration": result.get("duration") if result else None,
            })
        earned = min(sum(t["score"] for t in tests), part.points)
        status = _part_status(tests) if tests else fatal_status if fatal else "error"
        if not tests and not fatal:
            feedback.append(f"part ({part.id}) has no tests; please tell your instructor")
        parts.append({
            "id": part.id, "title": part.title, "kind": "auto", "score": earned, "max_score": part.points,
            "status": status, "feedback": "" if tests else (fatal or ""), "tests": tests,
        })
    done = next((e for e in events if e["type"] == "done"), {})
    return {
        "id": exercise.id, "title": exercise.title,
        "score": sum(p["score"] for p in parts), "max_score": exercise.points,
        "auto_score": sum(p["score"] for p in parts if p["kind"] == "auto"),
        "auto_max": exercise.auto_points,
        "manual_pending": sum(p["max_score"] for p in parts if p["kind"] == "manual"),
        "feedback": feedback, "parts": parts,
        "seconds": done.get("seconds"),
        # the grader's own side failed (its services did not start, no lane could run the job):
        # nothing of the learner's ran, so a regrade later may give another result
        **({"infrastructure_failure": True} if infra is not None else {}),
    }


def grade_notebook(exercise: Exercise, nb_path: Path | None, *, hidden: bool = True,
                   verbose: bool = False, only_tests: list[str] | None = None) -> dict:
    """Grade one exercise's notebook (None: not submitted)."""
    started = time.perf_counter()
    if nb_path is None:
        result = score(exercise, [], {}, fatal=f"no notebook for exercise {exercise.id} was found in the submission",
                       fatal_status="failed")
        result["seconds"] = 0.0
        return result
    try:
        nb = notebooks.load(nb_path)
    except notebooks.NotebookError as exc:
        result = score(exercise, [], {}, fatal=f"{nb_path.name}: {exc}")
        result["seconds"] = round(time.perf_counter() - started, 3)
        return result
    if exercise.auto_points == 0:  # graded by rubric only: nothing to run
        result = score(exercise, [], notebooks.answers(nb))
        result.update(notebook=nb_path.name, seconds=round(time.perf_counter() - started, 3))
        return result
    limits = Limits.for_exercise(exercise.limits)
    tests = (exercise.hidden_tests if hidden else []) + [p for p in exercise.visible_tests if p.exists()]
    if not tests:
        raise RuntimeError(f"exercise {exercise.id} has no tests to run")
    budget = limits.load_seconds + limits.total_seconds + RUNNER_MARGIN_SECONDS
    events = run_runner(tests, notebooks.code_cells(nb), limits, exercise.visible_tests, budget, verbose,
                        exercise.services, only_tests=only_tests)
    result = score(exercise, events, notebooks.answers(nb))
    result["notebook"] = nb_path.name
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def project_answers(exercise: Exercise, folder: Path) -> dict[str, str]:
    """Written parts of a project live in files the exercise names (``answer_files``)."""
    answers = {}
    for part_id, rel in exercise.answer_files.items():
        path = folder / rel
        if path.is_file() and not path.is_symlink():
            answers[part_id] = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    return answers


def grade_project(exercise: Exercise, folder: Path | None, *, hidden: bool = True, verbose: bool = False,
                  only_tests: list[str] | None = None) -> dict:
    """Grade a project deliverable: the worker imports the learner's own package."""
    started = time.perf_counter()
    if folder is None:
        result = score(exercise, [], {}, fatal=f"no project folder for exercise {exercise.id} was found "
                       "(its pyproject.toml must keep the [tool.autograder] table)", fatal_status="failed")
        result["seconds"] = 0.0
        return result
    limits = Limits.for_exercise(exercise.limits)
    tests = (exercise.hidden_tests if hidden else []) + [p for p in exercise.visible_tests if p.exists()]
    budget = limits.load_seconds + limits.total_seconds + RUNNER_MARGIN_SECONDS
    events = run_runner(tests, [], limits, exercise.visible_tests, budget, verbose, exercise.services, folder,
                        only_tests=only_tests)
    result = score(exercise, events, project_answers(exercise, folder))
    result["notebook"] = folder.name
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def grader_failure(exercise: Exercise, exc: BaseException) -> dict:
    """An exercise's result when the grader itself raised: a zero that is not the learner's doing,
    marked so that it is not kept and the next run grades it again."""
    return {"id": exercise.id, "title": exercise.title, "score": 0, "max_score": exercise.points,
            "auto_score": 0, "auto_max": exercise.auto_points, "manual_pending": 0,
            "feedback": [f"the grader failed on this exercise ({type(exc).__name__}); your instructor has been told"],
            "parts": [], "seconds": 0, "infrastructure_failure": True}


def grade_exercise(exercise: Exercise, path: Path | None, **kwargs) -> dict:
    if exercise.deliverable == "project":
        return grade_project(exercise, path, **kwargs)
    return grade_notebook(exercise, path, **kwargs)


def grade_submission(path: Path, catalog: dict[str, Exercise], only: list[str] | None = None,
                     hidden: bool = True, verbose: bool = False, progress=None) -> dict:
    """Grade every ready exercise a submission answers (or the ones in ``only``)."""
    started = time.perf_counter()
    with Submission(path) as sub:
        if only:
            wanted = [catalog[i] for i in only]
        elif Path(path).suffix == ".ipynb":  # one notebook: just the exercise it answers
            wanted = [catalog[i] for i in sub.notebooks if i in catalog]
        else:
            wanted = [e for e in catalog.values() if e.ready]
        problems = list(sub.problems)
        for exercise_id, found in {**sub.notebooks, **sub.projects}.items():
            if exercise_id not in catalog:
                problems.append(f"{found.name}: there is no exercise {exercise_id}; ignored")
            elif not catalog[exercise_id].ready and not only:
                problems.append(f"{exercise_id} is not gradable yet; ignored")
        exercises = []
        for exercise in wanted:
            if progress:
                progress(exercise)
            if not exercise.ready:
                problems.append(f"{exercise.id} is not gradable yet")
                continue
            found = (sub.projects if exercise.deliverable == "project" else sub.notebooks).get(exercise.id)
            exercises.append(grade_exercise(exercise, found, hidden=hidden, verbose=verbose))
    return {
        "submission": str(path),
        "score": sum(e["score"] for e in exercises),
        "max_score": sum(e["max_score"] for e in exercises),
        "auto_score": sum(e["auto_score"] for e in exercises),
        "auto_max": sum(e["auto_max"] for e in exercises),
        "manual_pending": sum(e["manual_pending"] for e in exercises),
        "problems": problems,
        "exercises": exercises,
        "seconds": round(time.perf_counter() - started, 3),
    }
