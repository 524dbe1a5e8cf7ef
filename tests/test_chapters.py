"""Chapter notebooks: stored without outputs, and each runs top to bottom on a real kernel."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder import site

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
BUDGET_SECONDS = 180  # per notebook on the 2-core CI machine


def test_there_are_chapter_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_opens_with_objectives_and_ends_with_exercises(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown and "able to" in markdown[0], f"{path.name}: open with what the reader will be able to do"
    assert "xercise" in markdown[-1], f"{path.name}: end with the exercises that build on the section"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    """Executed once per content hash (shared with the site build, which `./course test` runs first)."""
    nb = site.execute_chapter(path)  # raises, naming the chapter and the error, on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and not any(o.get("output_type") == "error" for o in outputs)
