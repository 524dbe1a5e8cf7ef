"""The instructor's side of the nbgrader course: autograde through the sandbox, export, feedback.

Layout of a course folder (``COURSE``), besides nbgrader's own ``source/ release/ submitted/
autograded/ feedback/ exchange/ gradebook.db``:

- ``sandbox_results/<assignment>/<student>/<notebook>.json``: the sandboxed grader's result for one
  submitted notebook, with the key it was computed under (content of the file, of the exercise's
  tests and of the grader): reused while that key holds, recomputed otherwise;
- ``reports/<assignment>/<student>/``: the grader's report of the submission as JSON, Markdown and
  HTML (hidden tests by name, points and hint), and Gradescope's ``results.json``;
- ``exports/``: ``grades.csv`` from ``nbgrader export``, and per assignment ``grades.json`` (the
  grader's reports with the gradebook's totals, late penalties and written-part scores) and
  ``gradescope/<student>/results.json``.
"""
from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from autograder import catalog as cat
from autograder import pool as lanes
from autograder import leaks, notebooks, reports
from autograder.classroom import cache_key, grader_fingerprint
from autograder.grading import grade_exercise, grader_failure

RESULTS = "sandbox_results"
REPORTS = "reports"
EXPORTS = "exports"


class WorkflowError(RuntimeError):
    """A step of the nbgrader workflow failed; the message says which and why."""


# -- nbgrader, as a subprocess ---------------------------------------------------------------------
def nbgrader(root: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` for the course at ``root`` (its nbgrader_config.py applies)."""
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={Path(root).resolve()}"]
    env = dict(os.environ if env is None else env)
    # nbgrader runs `alembic` (the gradebook's migrations) from PATH: use this environment's
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise WorkflowError(f"`nbgrader {' '.join(args)}` failed (exit {proc.returncode}):\n{tail}")
    return proc


# -- what is in the course -------------------------------------------------------------------------
def assignment_notebooks(root: Path, assignment: str, catalog: dict[str, cat.Exercise]) -> dict[str, cat.Exercise]:
    """Notebook id -> exercise, for the assignment's source notebooks."""
    from autograder.nbgrader.preprocessors import exercise_for_notebook

    folder = Path(root) / "source" / assignment
    if not folder.is_dir():
        raise WorkflowError(f"there is no assignment {assignment!r} in {root}/source (run `autograder nbgrader build`)")
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        exercise = exercise_for_notebook(path.stem, catalog)
        if exercise is not None and exercise.ready:
            found[path.stem] = exercise
    return found


def students(root: Path, assignment: str) -> list[str]:
    base = Path(root) / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir() and not p.name.startswith("."))


def submitted_path(root: Path, assignment: str, student: str, notebook_id: str) -> Path:
    return Path(root) / "submitted" / student / assignment / f"{notebook_id}.ipynb"


# -- sandboxed results, cached by content --------------------------------------------------------
def result_path(root: Path, assignment: str, student: str, notebook_id: str) -> Path:
    return Path(root) / RESULTS / assignment / student / f"{notebook_id}.json"


def _key(exercise: cat.Exercise, submitted: Path) -> str:
    return cache_key(exercise, submitted if submitted.is_file() else None, grader_fingerprint())


def cached_result(root: Path, assignment: str, student: str, exercise: cat.Exercise, submitted: Path) -> dict | None:
    path = result_path(root, assignment, student, submitted.stem)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record["result"] if record.get("key") == _key(exercise, submitted) else None


def _store(root: Path, assignment: str, student: str, exercise: cat.Exercise, submitted: Path, result: dict) -> None:
    if result.get("infrastructure_failure"):
        return  # the grader's own side failed: not kept, so the next autograde grades it again
    path = result_path(root, assignment, student, submitted.stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": _key(exercise, submitted), "exercise": exercise.id,
                               "submitted": str(submitted), "result": result}, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _grade(exercise: cat.Exercise, submitted: Path) -> dict:
    try:
        return grade_exercise(exercise, submitted if submitted.is_file() else None)
    except Exception as exc:  # noqa: BLE001 - one notebook's failure never stops the class
        return grader_failure(exercise, exc)


def sandbox_result(root: Path, assignment: str, student: str, exercise: cat.Exercise, submitted: Path,
                   log=None) -> dict:
    """The sandboxed grader's result for one submitted notebook (reused when nothing changed)."""
    result = cached_result(root, assignment, student, exercise, submitted)
    if result is None:
        if log is not None:
            log.info("grading %s's %s in the sandbox", student, submitted.name)
        result = _grade(exercise, submitted)
        _store(root, assignment, student, exercise, submitted, result)
    return result


def pregrade(root: Path, assignment: str, catalog: dict[str, cat.Exercise], only_students: list[str] | None = None,
             jobs: int = 2, progress=None) -> int:
    """Grade every submitted notebook of the assignment in the sandbox (in parallel); return how
    many gradings ran now (the others were reused)."""
    books = assignment_notebooks(root, assignment, catalog)
    todo = []
    for student in only_students or students(root, assignment):
        for notebook_id, exercise in books.items():
            submitted = submitted_path(root, assignment, student, notebook_id)
            if submitted.is_file() and cached_result(root, assignment, student, exercise, submitted) is None:
                todo.append((student, exercise, submitted))

    def one(unit):
        student, exercise, submitted = unit
        result = _grade(exercise, submitted)
        _store(root, assignment, student, exercise, submitted, result)
        if progress:
            progress(f"{student} {exercise.id}: {result['auto_score']:g}/{result['auto_max']:g}")

    with lanes.threads(jobs) as pool:
        list(pool.map(one, todo))
    return len(todo)


# -- reports -----------------------------------------------------------------------------------------
def report(root: Path, assignment: str, student: str, catalog: dict[str, cat.Exercise]) -> dict:
    """The grader's report of one learner's submission of an assignment (the same shape as
    ``autograder grade``'s), from the sandboxed results."""
    books = assignment_notebooks(root, assignment, catalog)
    folder = Path(root) / "submitted" / student / assignment
    problems = []
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        if path.stem not in books:
            problems.append(f"{path.name}: not a notebook of {assignment}; ignored")
    exercises = []
    for notebook_id, exercise in books.items():
        submitted = submitted_path(root, assignment, student, notebook_id)
        exercises.append(sandbox_result(root, assignment, student, exercise, submitted))
    return {
        "submission": f"{student}/{assignment}",
        "score": sum(e["score"] for e in exercises),
        "max_score": sum(e["max_score"] for e in exercises),
        "auto_score": sum(e["auto_score"] for e in exercises),
        "auto_max": sum(e["auto_max"] for e in exercises),
        "manual_pending": sum(e["manual_pending"] for e in exercises),
        "problems": problems,
        "exercises": exercises,
        "seconds": round(sum(e.get("seconds") or 0 for e in exercises), 3),
    }


def to_html(report: dict) -> str:
    """The grader's report as a page a learner can read: hidden tests by name, points and hint."""
    out = [f"<h1>Grading report: {html.escape(report['submission'])}</h1>",
           f"<p><b>Autograded: {report['auto_score']:g} / {report['auto_max']:g}</b>"
           + (f" · written parts awaiting a grader: {report['manual_pending']:g} points" if report["manual_pending"] else "")
           + "</p>"]
    late = report.get("gradebook", {})
    if late.get("late_penalty"):
        out.append(f"<p>Late by {late['seconds_late'] / 3600:.1f} h: {late['late_penalty']:g} points deducted.</p>")
    out += [f"<p>⚠️ {html.escape(p)}</p>" for p in report.get("problems", [])]
    for ex in report["exercises"]:
        out.append(f"<h2>{html.escape(ex['id'])} {html.escape(ex['title'])}: {ex['auto_score']:g} / {ex['auto_max']:g} autograded</h2>")
        out += [f"<p>⚠️ {html.escape(note)}</p>" for note in ex["feedback"]]
        out.append("<table><tr><th>part</th><th>test</th><th>points</th><th>status</th><th>feedback</th></tr>")
        for part in ex["parts"]:
            if part["kind"] == "manual":
                out.append(f"<tr><td>({html.escape(part['id'])})</td><td>written answer</td><td>– / {part['max_score']:g}</td>"
                           f"<td>📝 manual</td><td>{html.escape(part['feedback'])}</td></tr>")
                continue
            for test in part["tests"]:
                if test["max_score"] == 0 and test["status"] == "passed":
                    continue
                text = test["feedback"] or ""
                if test["hint"]:
                    text = f"{text} — hint: {test['hint']}" if text else f"hint: {test['hint']}"
                out.append(f"<tr><td>({html.escape(part['id'])})</td><td><code>{html.escape(test['name'])}</code></td>"
                           f"<td>{test['score']:g} / {test['max_score']:g}</td><td>{html.escape(test['status'])}</td>"
                           f"<td>{html.escape(text)}</td></tr>")
            if not part["tests"]:
                out.append(f"<tr><td>({html.escape(part['id'])})</td><td>–</td><td>{part['score']:g} / {part['max_score']:g}</td>"
                           f"<td>{html.escape(part['status'])}</td><td>{html.escape(part['feedback'])}</td></tr>")
        out.append("</table>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Grading report</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style></head><body>"
            + "\n".join(out) + "</body></html>\n")


def gradebook_summary(root: Path, assignment: str, student: str) -> dict:
    """What nbgrader's gradebook holds for one submission: totals, late penalty, written parts."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.nbgrader import parse_grade_id

    db_url = "sqlite:///" + str(Path(root).resolve() / "gradebook.db")
    with Gradebook(db_url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return {}
        written, auto = {}, {}
        for nb in sub.notebooks:
            for grade in nb.grades:
                parsed = parse_grade_id(grade.name)
                if parsed is None:
                    continue
                entry = {"score": grade.score, "max_score": grade.max_score,
                         "needs_manual_grade": bool(grade.needs_manual_grade)}
                (written if parsed[1] == "written" else auto)[f"{parsed[0]} ({parsed[2]})"] = entry
        return {
            "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
            "seconds_late": sub.total_seconds_late,
            "raw_score": sub.score, "late_penalty": sub.late_submission_penalty or 0.0,
            "score": sub.score - (sub.late_submission_penalty or 0.0), "max_score": sub.max_score,
            "needs_manual_grade": bool(sub.needs_manual_grade),
            "autograded": auto, "written": written,
        }


def write_reports(root: Path, assignment: str, student: str, rep: dict) -> Path:
    out = Path(root) / REPORTS / assignment / student
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(reports.to_json(rep), encoding="utf-8")
    (out / "report.md").write_text(reports.to_markdown(rep), encoding="utf-8")
    (out / "report.html").write_text(to_html(rep), encoding="utf-8")
    (out / "results.json").write_text(reports.to_gradescope(rep), encoding="utf-8")
    return out


# -- the commands ------------------------------------------------------------------------------------
def autograde(root: Path, assignment: str, catalog: dict[str, cat.Exercise], only_students: list[str] | None = None,
              jobs: int = 2, progress=None) -> list[dict]:
    """Grade each submitted notebook in the sandbox, then run ``nbgrader autograde`` (which takes
    the scores from those results and applies the late policy), then write each learner's reports."""
    root = Path(root).resolve()
    learners = only_students or students(root, assignment)
    if not learners:
        raise WorkflowError(f"nothing submitted for {assignment} under {root}/submitted/ (run `nbgrader collect {assignment}`)")
    started = time.monotonic()
    ran = pregrade(root, assignment, catalog, learners, jobs, progress)
    runs = ([["autograde", assignment, "--force", f"--student={s}"] for s in learners] if only_students
            else [["autograde", assignment, "--force"]])
    for args in runs:
        proc = nbgrader(root, *args, check=False)
        if proc.returncode != 0 and progress:  # e.g. a notebook nbgrader cannot read: the others are graded
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
            progress(f"`nbgrader {' '.join(args)}` reported a failure (exit {proc.returncode}):\n{tail}")
    rows = []
    for student in learners:
        rep = report(root, assignment, student, catalog)
        rep["gradebook"] = gradebook_summary(root, assignment, student)
        write_reports(root, assignment, student, rep)
        rows.append({"student": student, "auto_score": rep["auto_score"], "auto_max": rep["auto_max"],
                     "late_penalty": rep["gradebook"].get("late_penalty", 0.0),
                     "manual_pending": rep["manual_pending"]})
    if progress:
        progress(f"{ran} sandbox gradings run now, {time.monotonic() - started:.1f} s in all")
    return rows


def late_plugin(root: Path):
    """The late-submission plugin the course's nbgrader_config.py names, configured by it."""
    from nbgrader.plugins import LateSubmissionPlugin
    from traitlets.config.loader import PyFileConfigLoader
    from traitlets.utils.importstring import import_item

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cls = config.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    cls = import_item(cls) if isinstance(cls, str) else cls
    return cls(config=config)


def refresh_late_penalties(root: Path, assignments: list[str]) -> None:
    """Apply the configured late policy again, to each notebook's score as it is now.

    nbgrader computes a late penalty when it autogrades, before any written part is graded; run
    before an export, this makes the penalty cover the points given in the formgrader since.
    """
    from nbgrader.api import Gradebook, MissingEntry

    plugin = late_plugin(root)
    with Gradebook("sqlite:///" + str(Path(root).resolve() / "gradebook.db")) as gb:
        for name in assignments:
            try:
                assignment = gb.find_assignment(name)
            except MissingEntry:
                continue
            for submission in assignment.submissions:
                late = submission.total_seconds_late
                for nb in submission.notebooks:
                    penalty = None
                    if late > 0:
                        penalty = plugin.late_submission_penalty(submission.student.id, nb.score, late)
                        if penalty is not None:
                            penalty = min(max(penalty, 0.0), nb.score)
                    nb.late_submission_penalty = penalty
        gb.db.commit()


def export(root: Path, catalog: dict[str, cat.Exercise], assignments: list[str] | None = None) -> list[Path]:
    """nbgrader's CSV, the grader's JSON per assignment, and a Gradescope results.json per submission."""
    root = Path(root).resolve()
    names = assignments or sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    refresh_late_penalties(root, names)
    out = root / EXPORTS
    out.mkdir(parents=True, exist_ok=True)
    args = ["export", f"--to={out / 'grades.csv'}"]
    if assignments:
        args.append("--assignment=[" + ",".join(repr(a) for a in assignments) + "]")
    nbgrader(root, *args)
    written = [out / "grades.csv"]
    for assignment in names:
        learners = []
        for student in students(root, assignment):
            rep = report(root, assignment, student, catalog)
            rep["gradebook"] = gradebook_summary(root, assignment, student)
            learners.append(rep)
            target = out / assignment / "gradescope" / student / "results.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(reports.to_gradescope(rep), encoding="utf-8")
            written.append(target)
        path = out / assignment / "grades.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"assignment": assignment, "learners": learners}, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


def _own_lines(root: Path, assignment: str, student: str) -> set[str]:
    """Every line a learner wrote or received (their submitted notebooks), as the leak check sees lines."""
    lines: set[str] = set()
    for path in (Path(root) / "submitted" / student / assignment).glob("*.ipynb"):
        try:
            nb = notebooks.load(path)
        except notebooks.NotebookError:
            continue
        for cell in nb["cells"]:
            text = cell.get("source", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            lines |= {line.strip().lstrip("#").strip() for line in text.splitlines()}
    return lines


def feedback_leaks(root: Path, assignment: str, catalog: dict[str, cat.Exercise]) -> list[str]:
    """Secret lines (reference solutions, hidden tests, mutants, model answers) found in the feedback
    or the reports of a learner, other than lines that learner submitted."""
    found = []
    root = Path(root).resolve()
    table = leaks.secrets(catalog)
    for student in students(root, assignment):
        own = _own_lines(root, assignment, student)
        for folder in (root / "feedback" / student / assignment, root / REPORTS / assignment / student):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if not path.is_file() or path.suffix not in leaks.TEXT_SUFFIXES:
                    continue
                try:
                    lines = leaks._normalise(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, OSError):
                    continue
                for line in sorted((lines & set(table)) - own):
                    found.append(f"{path.relative_to(root)}: {table[line]}: {line}")
    return found


def feedback(root: Path, assignment: str, catalog: dict[str, cat.Exercise], only_students: list[str] | None = None) -> list[str]:
    """``nbgrader generate_feedback`` and a leak check of what learners will receive; returns the leaks."""
    root = Path(root).resolve()
    if only_students:
        for student in only_students:
            nbgrader(root, "generate_feedback", assignment, "--force", f"--student={student}")
    else:
        nbgrader(root, "generate_feedback", assignment, "--force")
    return feedback_leaks(root, assignment, catalog)
