"""Shared fixtures: notebooks of real exercises, with the variations a test needs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder import catalog as cat
from autograder import generate, notebooks


@pytest.fixture(scope="session")
def course():
    return cat.load_catalog()


@pytest.fixture(scope="session")
def ex271(course):
    return course["27.1"]


def write_notebook(folder: Path, exercise, variant: str = "reference", edit=None) -> Path:
    """Write an exercise notebook; ``edit(cells)`` may change the code cells' sources first."""
    cells = generate.cells(exercise, variant)
    if edit is not None:
        cells = edit(cells)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / exercise.notebook_name
    path.write_text(notebooks.dumps(notebooks.build(exercise, cells, variant)))
    return path


def replace_in_cells(old: str, new: str):
    def edit(cells):
        hits = [c for c in cells if old in c["source"]]
        assert len(hits) == 1, f"{old!r} found in {len(hits)} cells"
        hits[0]["source"] = hits[0]["source"].replace(old, new)
        return cells
    return edit


def insert_cell(position: int, code: str):
    def edit(cells):
        cells.insert(position, {"kind": "code", "attrs": {}, "source": code})
        return cells
    return edit


@pytest.fixture
def fast_limits(monkeypatch):
    """Short time limits, so that timeout tests take seconds (for tests grading 27.1 alone)."""
    from autograder.sandbox import Limits

    monkeypatch.setattr(Limits, "for_exercise", classmethod(
        lambda cls, overrides: cls(load_seconds=8, cell_seconds=2, call_seconds=2)))


@pytest.fixture
def short_cells(monkeypatch):
    """Each exercise keeps its own limits, but a single cell may run only 2 s."""
    from autograder.sandbox import Limits

    original = Limits.for_exercise.__func__

    def shorter(cls, overrides):
        limits = original(cls, overrides)
        limits.cell_seconds = 2
        return limits

    monkeypatch.setattr(Limits, "for_exercise", classmethod(shorter))


def part(report: dict, exercise_id: str, part_id: str) -> dict:
    ex = next(e for e in report["exercises"] if e["id"] == exercise_id)
    return next(p for p in ex["parts"] if p["id"] == part_id)


def exercise_report(report: dict, exercise_id: str) -> dict:
    return next(e for e in report["exercises"] if e["id"] == exercise_id)


def dump(obj) -> str:
    return json.dumps(obj, indent=1)
