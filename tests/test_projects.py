"""Project deliverables (M11): regions in project files, generation, discovery and grading."""
from __future__ import annotations

import textwrap

import pytest

from autograder import catalog as cat
from autograder import generate
from autograder.grading import grade_submission
from autograder.verify import verify_exercise

FILES = {
    "exercise.toml": '''
        id = "99.1"
        title = "A tiny project"
        stars = 1
        chapter = 99
        section = "99.1"
        status = "ready"
        deliverable = "project"
        answer_files = { "b" = "NOTES.md" }

        [[parts]]
        id = "a"
        title = "add"
        kind = "auto"
        points = 2

        [[parts]]
        id = "b"
        title = "notes"
        kind = "manual"
        points = 1
        rubric = ["1: says why"]

        [[mutants]]
        name = "subtracts"
        kills = ["test_add"]
        [[mutants.edits]]
        file = "src/tinypkg/core.py"
        old = "return a + b"
        new = "return a - b"

        [[mutants]]
        name = "off_by_one"
        kills = ["test_add"]
        [[mutants.edits]]
        file = "src/tinypkg/core.py"
        old = "return a + b"
        new = "return a + b + 1"
    ''',
    "project/pyproject.toml": '''
        [project]
        name = "tinypkg"
        version = "0.1.0"

        [tool.autograder]
        exercise = "99.1"
    ''',
    "project/src/tinypkg/__init__.py": "",
    "project/src/tinypkg/core.py": '''
        def add(a, b):
            ### BEGIN SOLUTION add
            return a + b
            ### END SOLUTION
    ''',
    "project/NOTES.md": '''
        ### BEGIN SOLUTION
        Because addition is what the pipeline needs.
        ### END SOLUTION
    ''',
    "alternative.py": '''
        ### REGION add
        return sum((a, b))
    ''',
    "tests/test_hidden.py": '''
        from autograder.testing import expect, graded


        def add_probe(ns, a, b):
            from tinypkg.core import add
            return add(a, b)


        @graded("a", points=2, hint="Add the two numbers.")
        def test_add(sub):
            expect(sub.run(add_probe, 2, 3) == 5, "2 + 3 is not what your add returns")
    ''',
}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    root = tmp_path / "solutions"
    for rel, text in FILES.items():
        path = root / "99.01" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    monkeypatch.setattr(cat, "SOLUTIONS", root)
    return cat.load_catalog(root)


def test_a_project_exercise_verifies(tiny):
    ok, lines = verify_exercise(tiny["99.1"], jobs=2)
    assert ok, "\n".join(lines)


def test_generation_writes_the_starter_project(tiny, tmp_path):
    generate.generate(tmp_path / "exercises", tiny)
    folder = tmp_path / "exercises" / tiny["99.1"].project_name
    core = (folder / "src/tinypkg/core.py").read_text()
    assert "raise NotImplementedError" in core and "a + b" not in core
    assert "[tool.autograder]" in (folder / "pyproject.toml").read_text()


def test_a_project_inside_a_submission_folder_is_found_and_graded(tiny, tmp_path):
    submission = tmp_path / "learner"
    generate.write_variant(tiny["99.1"], "reference", submission / "work")
    report = grade_submission(submission, tiny)
    ex = report["exercises"][0]
    assert ex["id"] == "99.1" and ex["auto_score"] == 2
    assert "addition" in next(p for p in ex["parts"] if p["id"] == "b")["answer"]
