"""The bundled sample submissions, built from the single source on demand (never committed,
since two of them hold solution code): a reference one, the untouched starter, and one with
the typical mistakes (each exercise's mutants marked ``typical``)."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder import generate, notebooks, source
from autograder.catalog import Exercise


def typical(exercise: Exercise) -> list:
    """The mutants marked typical (the first mutant if none is)."""
    return [m for m in exercise.mutants if m.typical] or list(exercise.mutants[:1])


def _apply_typical(exercise: Exercise, value, apply):
    """Apply the typical mutants one after another, skipping one that no longer applies after an
    earlier one (two typical mistakes may touch the same lines)."""
    for mutant in typical(exercise):
        try:
            value = apply(value, list(mutant.edits))
        except source.SourceError:
            continue
    return value


def typical_mistakes(exercise: Exercise) -> dict:
    """The exercise's notebook with its typical mutants applied (those that apply together)."""
    cells = _apply_typical(exercise, generate.cells(exercise, "reference"),
                           lambda cells, edits: source.apply_edits(cells, edits, f"{exercise.id} typical"))
    return notebooks.build(exercise, cells, "mistakes")


def build_samples(out: Path, catalog: dict[str, Exercise]) -> dict[str, Path]:
    if out.exists():
        shutil.rmtree(out)
    folders = {name: out / name for name in ("reference", "starter", "mistakes")}
    for exercise in catalog.values():
        if not exercise.ready:
            continue
        generate.write_variant(exercise, "reference", folders["reference"])
        generate.write_variant(exercise, "starter", folders["starter"])
        folders["mistakes"].mkdir(parents=True, exist_ok=True)
        if exercise.deliverable == "project":
            files = _apply_typical(exercise, generate.project_files(exercise, "reference"),
                                   lambda f, edits: source.apply_project_edits(f, edits, f"{exercise.id} typical"))
            source.write_project(files, folders["mistakes"] / exercise.project_name)
            continue
        (folders["mistakes"] / exercise.notebook_name).write_text(
            notebooks.dumps(typical_mistakes(exercise)), encoding="utf-8")
    return folders
