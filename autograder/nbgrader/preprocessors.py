"""What nbgrader loads from the course's ``nbgrader_config.py``.

- :class:`StarterSolutions` (``generate_assignment``): each solution cell gets the exercise's own
  starter, the same the learner bundle has, instead of nbgrader's generic stub.
- :class:`SandboxAutograde` (``autograde``): replaces nbgrader's ``Execute`` and ``SaveAutoGrades``.
  It takes the sandboxed grader's result for the *submitted* file (graded now, or reused when the
  file, the tests and the grader are unchanged), writes each autograded part's score into the
  gradebook, leaves written parts to the formgrader, and shows each part's tests (name, points,
  status, feedback sentence, hint) as the output of that part's test cell. Nothing of the
  learner's is executed by nbgrader, so nothing in the notebook can influence its score.
- :class:`LatePolicy` (``AssignLatePenalties``): the course's late-submission policy.
- :class:`GraderNotes` (the formgrader's HTML view only): each written answer followed by its
  rubric and model answer, for the grader; never added to feedback.
"""
from __future__ import annotations

import html
import math
import time
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
from traitlets import Bool, Float, Integer

from autograder import catalog as cat
from autograder.nbgrader import parse_grade_id

ICONS = {"passed": "✅", "failed": "❌", "error": "⚠️", "timeout": "⏱️", "manual": "📝"}
TD = "style='border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top'"


# -- generate_assignment ---------------------------------------------------------------------------
class StarterSolutions(ClearSolutions):
    """ClearSolutions that puts the exercise's starter (``autograder.starter`` metadata) in place
    of a cell's solution regions; cells without it get nbgrader's usual stubs."""

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("autograder", {})
        starter = meta.pop("starter", None) if hasattr(meta, "pop") else None
        if starter is None:
            return super().preprocess_cell(cell, resources, cell_index)
        if not utils.is_solution(cell):
            raise RuntimeError(f"cell {cell_index} has a starter but is not an nbgrader solution cell")
        cell.source = starter
        return cell, resources


# -- autograde -------------------------------------------------------------------------------------
def _coursedir(pre: Preprocessor):
    """The converter's CourseDirectory (the preprocessor's parent is the exporter, whose parent is
    the converter); a fresh one from the configuration otherwise."""
    node = pre
    while node is not None:
        if getattr(node, "coursedir", None) is not None:
            return node.coursedir
        node = getattr(node, "parent", None)
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=pre.config)


def exercise_for_notebook(notebook_id: str, catalog: dict[str, cat.Exercise]) -> cat.Exercise | None:
    """The exercise an nbgrader notebook answers, from its name (which the course build chose)."""
    for exercise in catalog.values():
        if exercise.deliverable == "notebook" and Path(exercise.notebook_name).stem == notebook_id:
            return exercise
    return None


def part_html(exercise_id: str, part: dict, notes: list[str]) -> str:
    """A part's result as HTML: tests by name, points, status, feedback and hint; no test code."""
    rows = []
    for test in part["tests"]:
        if test["max_score"] == 0 and test["status"] == "passed":
            continue
        text = test["feedback"] or ""
        if test["hint"]:
            text = f"{text} — hint: {test['hint']}" if text else f"hint: {test['hint']}"
        rows.append(
            f"<tr><td {TD}><code>{html.escape(test['name'])}</code></td>"
            f"<td {TD}>{test['score']:g}&nbsp;/&nbsp;{test['max_score']:g}</td>"
            f"<td {TD}>{ICONS.get(test['status'], '')}&nbsp;{html.escape(test['status'])}</td>"
            f"<td {TD}>{html.escape(text)}</td></tr>")
    notes_html = "".join(f"<p>⚠️ {html.escape(n)}</p>" for n in notes)
    if not rows and part.get("feedback"):
        rows.append(f"<tr><td {TD}>–</td><td {TD}>{part['score']:g}&nbsp;/&nbsp;{part['max_score']:g}</td>"
                    f"<td {TD}>{ICONS.get(part['status'], '')}&nbsp;{html.escape(part['status'])}</td>"
                    f"<td {TD}>{html.escape(part['feedback'])}</td></tr>")
    return (f"<div class='autograder-result'><p><b>{html.escape(exercise_id)} part ({html.escape(part['id'])}): "
            f"{part['score']:g} / {part['max_score']:g}</b>, graded by the course's sandboxed grader</p>{notes_html}"
            f"<table style='border-collapse:collapse'><tr><th {TD}>test</th><th {TD}>points</th>"
            f"<th {TD}>status</th><th {TD}>feedback</th></tr>"
            + "".join(rows) + "</table></div>")


def part_text(exercise_id: str, part: dict, notes: list[str]) -> str:
    lines = [f"{exercise_id} part ({part['id']}): {part['score']:g} / {part['max_score']:g} "
             "(graded by the course's sandboxed grader)"]
    lines += [f"! {n}" for n in notes]
    for test in part["tests"]:
        if test["max_score"] == 0 and test["status"] == "passed":
            continue
        line = f"- {test['name']}: {test['score']:g}/{test['max_score']:g} {test['status']}"
        if test["feedback"]:
            line += f": {test['feedback']}"
        if test["hint"]:
            line += f" (hint: {test['hint']})"
        lines.append(line)
    return "\n".join(lines)


def _learners_of_this_run(coursedir, root: Path, assignment_id: str, student_id: str) -> list[str]:
    """The learners ``nbgrader autograde`` was asked to grade (its --student glob and exclusions),
    this one first; others only when they have submitted this assignment."""
    from fnmatch import fnmatchcase

    from autograder.nbgrader import workflow

    pattern = getattr(coursedir, "student_id", "*") or "*"
    excluded = {s.strip() for s in (getattr(coursedir, "student_id_exclude", "") or "").split(",") if s.strip()}
    others = [s for s in workflow.students(root, assignment_id)
              if s != student_id and fnmatchcase(s, pattern) and s not in excluded]
    return [student_id, *others]


class SandboxAutograde(NbGraderPreprocessor):
    """The autograde step: scores from the sandboxed grader, not from running the notebook."""

    jobs = Integer(2, help="Exercises graded at once when results must be computed now.").tag(config=True)

    def preprocess(self, nb, resources):
        from autograder.nbgrader import workflow

        info = resources["nbgrader"]
        notebook_id, assignment_id, student_id = info["notebook"], info["assignment"], info["student"]
        coursedir = _coursedir(self)
        root = Path(coursedir.root).resolve()
        catalog = cat.load_catalog()
        exercise = exercise_for_notebook(notebook_id, catalog)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, student_id, assignment_id)) / f"{notebook_id}.ipynb"
        if not submitted.is_absolute():
            submitted = root / submitted
        result = None
        if exercise is None or not exercise.ready:
            self.log.error("%s is not a notebook of a gradable exercise: its autograded cells are left to a person",
                           notebook_id)
        else:
            if workflow.cached_result(root, assignment_id, student_id, exercise, submitted) is None:
                # Not graded yet: grade now, in parallel, every notebook of this assignment that this
                # nbgrader run will ask for (nbgrader itself goes one notebook after another); the
                # learners after this one then find their results ready.
                learners = _learners_of_this_run(coursedir, root, assignment_id, student_id)
                self.log.info("grading %s in the sandbox, %d at a time, for the %d learner(s) of this run",
                              assignment_id, self.jobs, len(learners))
                started = time.monotonic()
                count = workflow.pregrade(root, assignment_id, catalog, learners, jobs=self.jobs,
                                          progress=lambda line: self.log.info("graded %s", line))
                self.log.info("graded %d notebook(s) of %s in the sandbox in %.1f s", count, assignment_id,
                              time.monotonic() - started)
            result = workflow.sandbox_result(root, assignment_id, student_id, exercise, submitted, log=self.log)
            self.log.info("%s %s: %s/%s autograded by the sandbox", student_id, notebook_id,
                          result["auto_score"], result["auto_max"])
        parts = {p["id"]: p for p in (result or {}).get("parts", [])}
        cells = {c.metadata.nbgrader["grade_id"]: c for c in nb.cells
                 if "nbgrader" in c.metadata and c.metadata.nbgrader.get("grade_id")}
        with Gradebook(info["db_url"]) as gb:
            submission = gb.find_submission_notebook(notebook_id, assignment_id, student_id)
            for grade in submission.grades:
                parsed = parse_grade_id(grade.name)
                cell = cells.get(grade.name)
                if parsed and parsed[1] == "test" and exercise is not None and parsed[0] == exercise.id \
                        and parsed[2] in parts and parts[parsed[2]]["kind"] == "auto":
                    grade.auto_score = float(parts[parsed[2]]["score"])
                elif cell is not None and utils.is_solution(cell):  # a written answer: nbgrader's own rule
                    grade.auto_score, _ = utils.determine_grade(cell, self.log)
                else:  # not ours, or its cell is gone: a person decides
                    grade.auto_score = None
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            for cell in nb.cells:
                if utils.is_solution(cell) or utils.is_task(cell):
                    try:
                        comment = gb.find_comment(cell.metadata.nbgrader["grade_id"], notebook_id,
                                                  assignment_id, student_id)
                    except MissingEntry:
                        continue
                    unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
                    comment.auto_comment = "No response." if unchanged and not utils.is_task(cell) else None
            gb.db.commit()
        if result is not None:
            notes = list(result.get("feedback", []))
            for cell in nb.cells:
                parsed = parse_grade_id(cell.metadata.get("nbgrader", {}).get("grade_id", ""))
                if cell.cell_type != "code" or not parsed or parsed[1] != "test" or parsed[2] not in parts:
                    continue
                part = parts[parsed[2]]
                cell.outputs = [new_output("display_data", data={
                    "text/html": part_html(result["id"], part, notes),
                    "text/plain": part_text(result["id"], part, notes)})]
                cell.execution_count = None
                notes = []  # the exercise's notes go with its first test cell only
        resources.setdefault("autograder", {})[notebook_id] = result
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):  # pragma: no cover - preprocess does it all
        return cell, resources


# -- late submissions ------------------------------------------------------------------------------
def late_fraction(seconds_late: float, per_day: float, grace_minutes: float = 0.0, max_fraction: float = 1.0) -> float:
    """The fraction of the score a submission this late loses: ``per_day`` per started day late,
    nothing within the grace period, at most ``max_fraction``."""
    if seconds_late <= 0 or seconds_late <= grace_minutes * 60 or per_day <= 0:
        return 0.0
    days = math.ceil(seconds_late / 86400)
    return min(max(max_fraction, 0.0), per_day * days)


class LatePolicy(LateSubmissionPlugin):
    """Per started day late, ``per_day`` of the notebook's score is lost, after ``grace_minutes``,
    up to ``max_fraction`` of it (set in nbgrader_config.py)."""

    per_day = Float(0.0, help="Fraction of the score lost per started day late.").tag(config=True)
    grace_minutes = Float(0.0, help="Minutes after the due date with no penalty.").tag(config=True)
    max_fraction = Float(1.0, help="Largest fraction of the score a late notebook can lose.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        fraction = late_fraction(total_seconds_late, self.per_day, self.grace_minutes, self.max_fraction)
        penalty = round((score or 0) * fraction, 4)
        self.log.info("late policy: %s is %.0f s late, loses %.0f%% of %s (= %s)", student_id,
                      total_seconds_late, fraction * 100, score, penalty)
        return penalty


# -- formgrader ------------------------------------------------------------------------------------
_NOTES_CACHE: dict[str, dict[str, tuple[cat.Part, str]]] = {}


def grader_notes(exercise_id: str) -> dict[str, tuple[cat.Part, str]]:
    """Written part id -> (part, model answer), read from solutions/ (instructor's copy)."""
    if exercise_id not in _NOTES_CACHE:
        from autograder import source

        exercise = cat.get(exercise_id)
        answers = source.model_answers(source.parse(exercise.source_dir / "notebook.py"))
        _NOTES_CACHE[exercise_id] = {p.id: (p, answers.get(p.id, "")) for p in exercise.parts if p.kind == "manual"}
    return _NOTES_CACHE[exercise_id]


class GraderNotes(Preprocessor):
    """In the formgrader's view only (template ``formgrade``), add each written part's rubric and
    model answer under the learner's answer. Feedback is rendered with another template and
    carries ``nbgrader`` resources: there this does nothing."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        template = getattr(self.parent, "template_name", None)
        if template != "formgrade" or "nbgrader" in resources:
            return nb, resources
        for cell in nb.cells:
            parsed = parse_grade_id(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
            if cell.cell_type != "markdown" or not parsed or parsed[1] != "written":
                continue
            try:
                part, answer = grader_notes(parsed[0])[parsed[2]]
            except Exception:  # noqa: BLE001 - no notes is better than a broken formgrader page
                continue
            block = ["", "", "---", f"**For the grader: ({part.id}) {part.title}, {part.points} point(s).**", "",
                     "Rubric:", "", *(f"- {line}" for line in part.rubric), "", "Model answer:", "",
                     *(f"> {line}" if line else ">" for line in answer.splitlines())]
            cell.source = cell.source + "\n".join(block)
        return nb, resources
