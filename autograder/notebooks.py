"""Notebooks in and out: build exercise notebooks, and read submitted ones defensively.

Reading never trusts the file: invalid JSON, a missing kernel spec, IPython magics, huge outputs
and lost metadata are all expected, and each problem becomes a sentence for the learner.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
FILENAME_ID = re.compile(r"(?<!\d)(\d{1,2})[._-](\d{1,2})(?!\d)")
PASS_THROUGH_CELL_MAGICS = {"time", "timeit", "capture", "prun"}


class NotebookError(ValueError):
    """The file cannot be read as a notebook; the message tells the learner why and what to do."""


def _cell_id(exercise_key: str, index: int, kind: str) -> str:
    return hashlib.sha1(f"{exercise_key}:{index}:{kind}".encode()).hexdigest()[:12]


def build(exercise, cells: list[dict], variant: str) -> dict:
    """A notebook (nbformat 4.5, as a dict) from rendered source cells."""
    out = []
    for index, cell in enumerate(cells):
        meta: dict = {"autograder": {"exercise": exercise.id}}
        for key in ("answer", "part"):
            if key in cell["attrs"]:
                meta["autograder"][key] = cell["attrs"][key]
        nb_cell = {
            "cell_type": cell["kind"],
            "id": _cell_id(exercise.key, index, cell["kind"]),
            "metadata": meta,
            "source": cell["source"].splitlines(keepends=True),
        }
        if cell["kind"] == "code":
            nb_cell.update(execution_count=None, outputs=[])
        out.append(nb_cell)
    return {
        "cells": out,
        "metadata": {
            "autograder": {"exercise": exercise.id, "variant": variant},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dumps(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def load(path: Path) -> dict:
    """Parse a notebook file, or raise NotebookError with a reason a learner understands."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookError(f"the file could not be read ({exc.strerror})") from None
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(
            f"the notebook is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES >> 20} MB limit; "
            "clear its outputs (Edit > Clear Outputs of All Cells), save, and submit again"
        )
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotebookError("the file is not text (is it really a .ipynb notebook?)") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"the file is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may have been damaged by a merge or a text editor. Open it in JupyterLab, or start "
            "again from a fresh copy of the exercise and paste your code back in"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("the file is JSON but not a notebook (it has no list of cells)")
    if data.get("nbformat", 4) < 4:
        raise NotebookError("the notebook uses an old format (nbformat 3); open and save it in JupyterLab")
    return data


def exercise_id(notebook: dict | None, filename: str) -> str | None:
    """Which exercise a notebook answers: its metadata first, then its file name."""
    if notebook is not None:
        meta = notebook.get("metadata")
        value = meta.get("autograder", {}).get("exercise") if isinstance(meta, dict) else None
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}\.\d{1,2}", value):
            return value
    match = FILENAME_ID.search(filename)
    if match:
        return f"{int(match.group(1))}.{int(match.group(2))}"
    return None


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def to_python(source: str) -> str | None:
    """Make a code cell's text plain Python: line magics and shell escapes become `pass`.

    Returns None for cells that are not Python at all (``%%bash``, ``%%writefile`` ...).
    """
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split()[0] if lines[0].lstrip()[2:].split() else ""
        if magic not in PASS_THROUGH_CELL_MAGICS:
            return None
        lines = lines[1:]
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}pass  # removed by the grader: {stripped[:60]}")
        else:
            out.append(line)
    return "\n".join(out)


def code_cells(notebook: dict) -> list[dict]:
    """The notebook's code cells as ``{"index", "source"}`` (index counts all cells, from 1)."""
    cells = []
    for index, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = to_python(_text(cell.get("source", "")))
        if source is not None and source.strip():
            cells.append({"index": index, "source": source})
    return cells


def answers(notebook: dict) -> dict[str, str]:
    """The text of each answer cell, keyed by the manual part it answers."""
    found: dict[str, str] = {}
    for cell in notebook["cells"]:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata")
        part = meta.get("autograder", {}).get("answer") if isinstance(meta, dict) else None
        if isinstance(part, str):
            found[part] = (found.get(part, "") + "\n" + _text(cell.get("source", ""))).strip()
    return found
