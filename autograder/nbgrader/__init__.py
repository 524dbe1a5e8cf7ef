"""The nbgrader bridge: the course as an nbgrader course, graded through the sandbox.

``autograder nbgrader build`` writes an nbgrader course from the single source (``source/`` notebooks
with nbgrader cell metadata, and an ``nbgrader_config.py``); the ordinary nbgrader commands then
release, collect, autograde, show the formgrader, generate feedback and export. Learner code is
never executed by nbgrader: the configuration replaces nbgrader's ``Execute`` and ``SaveAutoGrades``
steps by :class:`~autograder.nbgrader.preprocessors.SandboxAutograde`, which takes each autograded
part's points from the sandboxed grader's result for the submitted file. The "test" cells of the
notebooks carry the points of a part and nothing to run, so a kernel that swallows failed
assertions, or an object equal to everything, has nothing to subvert.

Modules: ``course`` (build), ``preprocessors`` (what nbgrader loads from the configuration),
``workflow`` (autograde, export, feedback), ``similarity`` (the class similarity report) and
``cli`` (the ``autograder nbgrader`` sub-commands).
"""
from __future__ import annotations

import re

from autograder import catalog as cat

# Assignments: ready notebook exercises grouped by the chapter section they build on.
# (name, chapter, first section, last section, title)
GROUPS: tuple[tuple[str, int, int, int, str], ...] = (
    ("ch03", 3, 0, 99, "Chapter 3: pipeline automation"),
    ("ch27-dags", 27, 1, 2, "Chapter 27, sections 27.1-27.2: why orchestration, DAGs"),
    ("ch27-frameworks", 27, 3, 5, "Chapter 27, sections 27.3-27.5: Airflow, Dagster, Prefect"),
    ("ch27-reliability", 27, 6, 8, "Chapter 27, sections 27.6-27.8: idempotency, failures, backfills"),
    ("ch27-versioning-testing", 27, 9, 10, "Chapter 27, sections 27.9-27.10: versioning and testing"),
    ("ch27-case-studies", 27, 11, 99, "Chapter 27, section 27.11: case studies"),
)
PROJECT_GROUP = "m11"  # project deliverables (M11): graded with `autograder grade`, not through nbgrader

GRADE_ID = re.compile(r"^ag_(?P<chapter>\d{2})_(?P<number>\d{2})_(?P<kind>test|written)_(?P<part>[A-Za-z0-9-]+)$")
PART_ID = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")


def assignment_of(exercise: cat.Exercise) -> str:
    """The nbgrader assignment an exercise belongs to."""
    if exercise.deliverable == "project":
        return PROJECT_GROUP
    chapter, _, section = exercise.section.partition(".")
    number = int(section) if section.isdigit() else 0
    for name, group_chapter, first, last, _title in GROUPS:
        if int(chapter) == group_chapter and first <= number <= last:
            return name
    return f"ch{int(chapter):02d}"


def _key(exercise: cat.Exercise) -> str:
    return exercise.key.replace(".", "_")


def _part(part_id: str) -> str:
    if not PART_ID.match(part_id):
        raise ValueError(f"part id {part_id!r} cannot be written into an nbgrader grade id")
    return part_id.replace(".", "-")


def test_grade_id(exercise: cat.Exercise, part_id: str) -> str:
    """The grade id of the cell that carries an autograded part's points."""
    return f"ag_{_key(exercise)}_test_{_part(part_id)}"


def written_grade_id(exercise: cat.Exercise, part_id: str) -> str:
    """The grade id of a manually graded answer cell."""
    return f"ag_{_key(exercise)}_written_{_part(part_id)}"


def cell_grade_id(exercise: cat.Exercise, index: int) -> str:
    """The id of a solution cell or a read-only cell (nbgrader needs one on each)."""
    return f"ag_{_key(exercise)}_cell{index:02d}"


def parse_grade_id(grade_id: str) -> tuple[str, str, str] | None:
    """``ag_27_01_test_a-written`` -> ("27.1", "test", "a.written"); None for other ids."""
    match = GRADE_ID.match(grade_id or "")
    if not match:
        return None
    exercise_id = f"{int(match['chapter'])}.{int(match['number'])}"
    return exercise_id, match["kind"], match["part"].replace("-", ".")
