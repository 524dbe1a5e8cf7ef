"""``autograder nbgrader build``: an nbgrader course written from the single source.

For every ready notebook exercise, ``source/<assignment>/<notebook>.ipynb`` holds:

- the statement and provided code as read-only cells;
- each cell with a solution region as an nbgrader "autograded answer" cell, its regions between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``; ``generate_assignment`` puts the exercise's own
  starter in their place (the starter travels in the cell's ``autograder.starter`` metadata and
  :class:`~autograder.nbgrader.preprocessors.StarterSolutions` swaps it in);
- each written part as a "manually graded answer" cell with its points, whose solution region holds
  the model answer and the rubric (stripped from the release, shown to graders in the formgrader);
- after each autograded part, a locked "test" cell carrying the part's points. It holds no test
  code: its score is set from the sandboxed grader's result (see ``preprocessors``).

It also writes ``nbgrader_config.py`` (kept when it exists, unless asked) and, for graders,
``rubrics/<assignment>.md``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder import catalog as cat
from autograder import generate, notebooks, source
from autograder.nbgrader import (GROUPS, assignment_of, cell_grade_id, test_grade_id, written_grade_id)

SCHEMA = 3
CONFIG_NAME = "nbgrader_config.py"
MANIFEST = "autograder_course.json"


@dataclass
class LatePolicy:
    """The late-submission policy written into the configuration."""

    per_day: float = 0.10       # fraction of the notebook's score lost per started day late
    grace_minutes: float = 0.0  # no penalty within this many minutes of the due date
    max_fraction: float = 1.0   # the most a late notebook can lose (1.0: all of it)


@dataclass
class BuildResult:
    root: Path
    assignments: dict[str, list[str]] = field(default_factory=dict)  # assignment -> exercise ids
    skipped: list[str] = field(default_factory=list)
    config_written: bool = False


def _nbgrader_meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
                   points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _marked(cell: source.Cell, extra: list[str] | None = None) -> str:
    """A source cell with each solution region between nbgrader's markers (the last region gets
    ``extra`` lines, the rubric of a written part, inside it)."""
    lines: list[str] = []
    regions = cell.regions
    for piece in cell.pieces:
        if isinstance(piece, str):
            lines.append(piece)
            continue
        lines.append(f"{piece.indent}### BEGIN SOLUTION")
        lines.extend(piece.solution)
        if extra and piece is regions[-1]:
            lines.extend(extra)
        lines.append(f"{piece.indent}### END SOLUTION")
    return "\n".join(lines)


def _rubric_lines(part: cat.Part) -> list[str]:
    if not part.rubric:
        return []
    return ["", f"**Rubric ({part.points} point{'s' if part.points != 1 else ''}), for graders:**", "",
            *(f"- {line}" for line in part.rubric)]


def _header(exercise: cat.Exercise) -> str:
    text = generate.header_cell(exercise)["source"]
    return text + ("\n\nThe autograded parts are graded by the course's sandboxed grader from the notebook "
                   "you submit; the cells marked *autograded* only hold their points. Written parts are "
                   "graded by a person with a rubric.")


def _test_source(exercise: cat.Exercise, part: cat.Part) -> str:
    return (f"# Part ({part.id}), {part.points} point{'s' if part.points != 1 else ''}: autograded.\n"
            "# The course's sandboxed grader scores this part from the notebook you submit; nothing in\n"
            "# this cell is run to decide it. Your result (each test by name, points and hint) appears\n"
            f"# here in your feedback. To try the visible tests now, run check(\"{exercise.id}\").")


def notebook(exercise: cat.Exercise) -> dict:
    """The nbgrader source notebook of one exercise (a dict in nbformat 4.5)."""
    src = source.parse(exercise.source_dir / "notebook.py")
    starter = source.render(src, "starter")
    parts = {p.id: p for p in exercise.parts}
    # rendered cells are: header, one per source cell, the check() cell
    rendered: list[dict] = [{"kind": "markdown", "attrs": {}, "source": _header(exercise), "role": "header"}]
    seen_answers: set[str] = set()
    for index, (cell, start) in enumerate(zip(src.cells, starter), start=1):
        entry = {"kind": cell.kind, "attrs": dict(cell.attrs), "index": index}
        answer = cell.attrs.get("answer")
        if cell.kind == "markdown" and answer in parts and parts[answer].kind == "manual":
            seen_answers.add(answer)
            part = parts[answer]
            if cell.regions:
                text = _marked(cell, _rubric_lines(part))
            else:  # no model answer in the source: the rubric is the solution region
                text = _marked(cell) + "\n### BEGIN SOLUTION\n" + "\n".join(_rubric_lines(part)) + "\n### END SOLUTION"
            entry.update(source=text, role="written", part=answer, starter=start["source"])
        elif cell.regions:
            entry.update(source=_marked(cell), role="solution", starter=start["source"])
        else:
            entry.update(source=start["source"], role="readonly")
        rendered.append(entry)
    # written parts with no answer cell of their own get one before the check() cell
    for part in exercise.parts:
        if part.kind == "manual" and part.id not in seen_answers:
            prompt = f"**({part.id})** {part.title}: write your answer here."
            rendered.append({"kind": "markdown", "attrs": {"answer": part.id}, "role": "written", "part": part.id,
                             "source": prompt + "\n### BEGIN SOLUTION\n" + "\n".join(_rubric_lines(part)) +
                             "\n### END SOLUTION", "starter": prompt + "\n\n" + source.DEFAULT_ANSWER_STARTER,
                             "index": len(rendered)})
    # one test cell per autograded part, after the last cell of that part
    last_of: dict[str, int] = {}
    for position, entry in enumerate(rendered):
        part_id = entry["attrs"].get("part")
        if part_id in parts:
            last_of[part_id] = position
    inserts: dict[int, list[cat.Part]] = {}
    for part in exercise.parts:
        if part.kind == "auto":
            inserts.setdefault(last_of.get(part.id, len(rendered) - 1), []).append(part)
    cells: list[dict] = []
    for position, entry in enumerate(rendered):
        cells.append(entry)
        for part in inserts.get(position, []):
            cells.append({"kind": "code", "attrs": {"part": part.id}, "role": "test", "part": part.id,
                          "source": _test_source(exercise, part), "index": None})
    check = generate.check_cell(exercise)
    cells.append({"kind": "code", "attrs": {}, "source": check["source"], "role": "check", "index": None})

    out = []
    for number, entry in enumerate(cells):
        meta: dict = {"autograder": {"exercise": exercise.id}}
        for key in ("answer", "part"):
            if key in entry["attrs"]:
                meta["autograder"][key] = entry["attrs"][key]
        role = entry["role"]
        if entry.get("index") is not None:
            meta["autograder"]["cell"] = entry["index"]
        if role == "header":
            meta["nbgrader"] = _nbgrader_meta(cell_grade_id(exercise, 0), locked=True)
        elif role == "readonly":
            meta["nbgrader"] = _nbgrader_meta(cell_grade_id(exercise, entry["index"]), locked=True)
        elif role == "solution":
            meta["nbgrader"] = _nbgrader_meta(cell_grade_id(exercise, entry["index"]), solution=True)
            meta["autograder"]["starter"] = entry["starter"]
        elif role == "written":
            part = parts[entry["part"]]
            meta["nbgrader"] = _nbgrader_meta(written_grade_id(exercise, part.id), grade=True, solution=True,
                                              points=part.points)
            meta["autograder"]["starter"] = entry["starter"]
        elif role == "test":
            part = parts[entry["part"]]
            meta["nbgrader"] = _nbgrader_meta(test_grade_id(exercise, part.id), grade=True, locked=True,
                                              points=part.points)
            meta["autograder"]["test"] = part.id
        nb_cell = {"cell_type": entry["kind"], "id": f"{exercise.key.replace('.', '-')}-{number:03d}",
                   "metadata": meta, "source": entry["source"].splitlines(keepends=True)}
        if entry["kind"] == "code":
            nb_cell.update(execution_count=None, outputs=[])
        out.append(nb_cell)
    return {
        "cells": out,
        "metadata": {
            "autograder": {"exercise": exercise.id, "variant": "nbgrader"},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def fill(release: dict, exercise: cat.Exercise, cells: list[dict]) -> dict:
    """A learner's notebook: the release with its answer cells replaced by ``cells`` (as rendered by
    ``generate.cells``: header, source cells, check), matched by the ``autograder.cell`` index.

    Used to make the sample learners of the tests and the guide (reference, typical mistakes).
    """
    out = json.loads(json.dumps(release))
    for cell in out["cells"]:
        meta = cell.get("metadata", {})
        index = meta.get("autograder", {}).get("cell")
        if index is not None and meta.get("nbgrader", {}).get("solution"):
            cell["source"] = cells[index]["source"].splitlines(keepends=True)
    return out


def rubric_sheet(assignment: str, exercises: list[cat.Exercise]) -> str:
    """The graders' sheet of an assignment: each written part's rubric and model answer."""
    lines = [f"# Grader's sheet: {assignment}", "",
             "For graders only: the rubric and model answer of every written part, in formgrader order.", ""]
    for exercise in exercises:
        written = [p for p in exercise.parts if p.kind == "manual"]
        if not written:
            continue
        answers = source.model_answers(source.parse(exercise.source_dir / "notebook.py"))
        lines += [f"## {exercise.id} {exercise.title} (`{Path(exercise.notebook_name).stem}`)", ""]
        for part in written:
            lines += [f"### ({part.id}) {part.title}: {part.points} point{'s' if part.points != 1 else ''}", "",
                      "Rubric:", "", *(f"- {line}" for line in part.rubric), "", "Model answer:", "",
                      *(f"> {line}" if line else ">" for line in answers.get(part.id, "(none)").splitlines()), ""]
    return "\n".join(lines) + "\n"


CONFIG_TEMPLATE = '''"""nbgrader configuration of the course, written by `autograder nbgrader build`.

Run nbgrader from this folder (or pass --CourseDirectory.root=THIS_FOLDER). Learner code is never
executed by nbgrader here: `autograde` takes the autograded points from the course's sandboxed
grader (autograder.nbgrader.preprocessors.SandboxAutograde) instead of running the notebooks.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")
c.Exchange.root = os.path.join(HERE, "exchange")
# learners' submissions are collected from the exchange by name; ownership is not checked
# (one shared account on a single machine); set True on a multi-user server.
c.ExchangeCollect.check_owner = False

# generate_assignment: each solution region becomes the exercise's own starter
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.LockCells",
    "autograder.nbgrader.preprocessors.StarterSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# autograde: no Execute, no SaveAutoGrades. The points of each autograded part come from the
# sandboxed grader's result for the submitted file; written parts are left for the formgrader.
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader.preprocessors.SandboxAutograde",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.SandboxAutograde.jobs = {jobs!r}  # exercises graded at once when nbgrader asks for a fresh grading

# the late-submission policy: per started day late, this fraction of the notebook's score is lost
# (after a grace period), up to max_fraction. Set per_day = 0 for no penalty.
c.AssignLatePenalties.plugin_class = "autograder.nbgrader.preprocessors.LatePolicy"
c.LatePolicy.per_day = {per_day!r}
c.LatePolicy.grace_minutes = {grace_minutes!r}
c.LatePolicy.max_fraction = {max_fraction!r}

# the formgrader shows graders each written part's rubric and model answer (never the feedback)
c.HTMLExporter.preprocessors = ["autograder.nbgrader.preprocessors.GraderNotes"]
'''


def config_text(course_id: str, policy: LatePolicy, jobs: int = 2) -> str:
    return CONFIG_TEMPLATE.format(course_id=course_id, per_day=float(policy.per_day),
                                  grace_minutes=float(policy.grace_minutes),
                                  max_fraction=float(policy.max_fraction), jobs=jobs)


def build(root: Path, catalog: dict[str, cat.Exercise], *, only: list[str] | None = None,
          assignments: list[str] | None = None, course_id: str = "orchestration",
          policy: LatePolicy | None = None, write_config: bool | None = None) -> BuildResult:
    """Write (or refresh) the nbgrader course under ``root``.

    ``only``: exercise ids; ``assignments``: assignment names; ``write_config``: None writes
    nbgrader_config.py only when it does not exist yet, True always, False never.
    """
    root = Path(root).resolve()
    result = BuildResult(root)
    chosen = [catalog[i] for i in only] if only else list(catalog.values())
    by_assignment: dict[str, list[cat.Exercise]] = {}
    for exercise in chosen:
        if not exercise.ready:
            result.skipped.append(f"{exercise.id}: not ready yet")
            continue
        if exercise.deliverable != "notebook":
            result.skipped.append(f"{exercise.id}: a project folder, not a notebook; grade it with `autograder grade`")
            continue
        name = assignment_of(exercise)
        if assignments and name not in assignments:
            continue
        by_assignment.setdefault(name, []).append(exercise)
    order = [g[0] for g in GROUPS]
    for name in sorted(by_assignment, key=lambda n: (order.index(n) if n in order else len(order), n)):
        folder = root / "source" / name
        built: list[cat.Exercise] = []
        notebooks_now: set[str] = set()
        for exercise in by_assignment[name]:
            try:
                nb = notebook(exercise)
            except (source.SourceError, OSError, ValueError) as exc:
                result.skipped.append(f"{exercise.id}: its source cannot be built ({exc})")
                continue
            folder.mkdir(parents=True, exist_ok=True)
            (folder / exercise.notebook_name).write_text(notebooks.dumps(nb), encoding="utf-8")
            notebooks_now.add(exercise.notebook_name)
            built.append(exercise)
        if folder.is_dir():  # notebooks of exercises that moved away or were dropped
            for stale in folder.glob("*.ipynb"):
                if stale.name not in notebooks_now and not only:
                    stale.unlink()
        if built:
            result.assignments[name] = [e.id for e in built]
            sheets = root / "rubrics"
            sheets.mkdir(parents=True, exist_ok=True)
            (sheets / f"{name}.md").write_text(rubric_sheet(name, built), encoding="utf-8")
    manifest_path = root / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"assignments": {}}
    for name, ids in result.assignments.items():
        manifest["assignments"][name] = {
            "exercises": ids,
            "notebooks": {Path(catalog[i].notebook_name).stem: i for i in ids},
        }
    manifest["course_id"] = course_id
    root.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    config = root / CONFIG_NAME
    if write_config or (write_config is None and not config.exists()):
        config.write_text(config_text(course_id, policy or LatePolicy()), encoding="utf-8")
        result.config_written = True
    (root / "exchange").mkdir(exist_ok=True)
    return result
