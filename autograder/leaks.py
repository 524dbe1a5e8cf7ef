"""The leak check: does any line of a reference solution, an alternative solution, a mutant, a hidden
test or a model answer appear in what learners or readers get (exercises/, the bundle, the site)?

Lines that are public anyway (any exercise's starter or visible tests), short lines and lines of
pure punctuation are ignored: they say nothing about a solution.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from autograder import generate, source
from autograder.catalog import Exercise

MIN_LENGTH = 25
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".html", ".json", ".txt", ".toml", ".yml", ".yaml", ".js", ".csv", ""}


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


IMPORT = re.compile(r"^(from\s+\S+\s+)?import\s")
ALLOWLIST = "leak-allowlist.txt"


def _baseline(catalog: dict[str, Exercise]) -> set[str]:
    """Lines public by design: the companion package, the grader package, starters, visible tests."""
    from autograder.catalog import REPO

    public: set[str] = set()
    for folder in (REPO / "chapters" / "pipelinekit", REPO / "autograder"):
        for path in folder.glob("*.py"):
            public |= _lines(path.read_text())
    for exercise in (e for e in catalog.values() if e.ready):
        if exercise.deliverable == "project":
            files = generate.project_files(exercise, "starter")
            public |= set().union(*(_lines(t) for t in files.values() if isinstance(t, str)))
        else:
            public |= set().union(*(_lines(c["source"]) for c in generate.cells(exercise, "starter")))
        for visible in exercise.visible_tests:
            if visible.exists():
                public |= _lines(visible.read_text())
    # A scan reads lines with their comment marks stripped: a starter's commented-out skeleton
    # ("# def train():") is as public as the same line without the mark.
    return public | {line.lstrip("#").strip() for line in public}


def _solution_lines(exercise: Exercise) -> set[str]:
    """What a learner must not see: solution and alternative regions, mutants' new text, hidden
    tests and model answers."""
    lines: set[str] = set()
    if exercise.deliverable == "project":
        parsed = source.parse_project(exercise.source_dir / "project").values()
    else:
        parsed = [source.parse(exercise.source_dir / "notebook.py")]
    for src in parsed:
        for region in src.regions.values():
            lines |= {line.strip() for line in region.solution}
    alternative = exercise.source_dir / "alternative.py"
    if alternative.exists():
        for code in source.parse_replacements(alternative).values():
            lines |= _lines(code)
    for mutant in exercise.mutants:
        for edit in mutant.edits:
            lines |= _lines(edit["new"])
    for test_file in exercise.hidden_tests:
        lines |= _lines(test_file.read_text())
    return lines


def allowlisted() -> set[str]:
    """Reviewed overlaps (``solutions/leak-allowlist.txt``: one line each, then ``  # why``)."""
    from autograder.catalog import SOLUTIONS

    path = SOLUTIONS / ALLOWLIST
    if not path.exists():
        return set()
    return {line.split("  # ", 1)[0].strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def secrets(catalog: dict[str, Exercise]) -> dict[str, str]:
    """Secret line -> the exercise it belongs to."""
    public = _baseline(catalog) | allowlisted()
    found: dict[str, str] = {}
    for exercise in (e for e in catalog.values() if e.ready):
        for line in _solution_lines(exercise):
            text = line.lstrip("#").strip()
            if (len(text) >= MIN_LENGTH and any(ch.isalnum() for ch in text) and not IMPORT.match(text)
                    and line not in public and text not in public):
                found.setdefault(text, exercise.id)
    return found


def _normalise(text: str) -> set[str]:
    """Lines of a file as a reader sees them: HTML tags dropped and entities decoded."""
    if "<" in text and ">" in text:
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    out = set()
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line.startswith('"') and line.endswith(('",', '"')):  # a line of notebook JSON
            line = line.strip(",").strip('"').encode().decode("unicode_escape", errors="ignore").strip()
            line = line.lstrip("#").strip()
        out.add(line)
    return out


def scan(root: Path, catalog: dict[str, Exercise]) -> list[str]:
    """Every secret line found in the text files under ``root``, as 'path: exercise: line'."""
    table = secrets(catalog)
    leaks = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        try:
            lines = _normalise(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            continue
        for line in lines & set(table):
            leaks.append(f"{path.relative_to(root)}: {table[line]}: {line}")
    return leaks
