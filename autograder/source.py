"""The single-source exercise format: parse ``notebook.py`` and render its variants.

One source yields the reference solution, the learner starter, the alternative solution and
every mutant; see ``solutions/README.md`` for the format.
"""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

CELL_RE = re.compile(r"^# %%(?:\s+\[(?P<kind>markdown|code)\])?(?P<attrs>.*)$")
ATTR_RE = re.compile(r'(\w[\w.-]*)=("(?:[^"\\]|\\.)*"|\S+)')
BEGIN_SOLUTION = re.compile(r"^(?P<indent>\s*)#{1,3} BEGIN SOLUTION(?:\s+(?P<name>[\w.-]+))?\s*$")
END_SOLUTION = re.compile(r"^\s*#{1,3} END SOLUTION\s*$")
BEGIN_STARTER = re.compile(r"^\s*#{1,3} BEGIN STARTER\s*$")
END_STARTER = re.compile(r"^\s*#{1,3} END STARTER\s*$")
REGION_RE = re.compile(r"^#{1,3} REGION\s+(?P<name>[\w.-]+)\s*$")

DEFAULT_CODE_STARTER = 'raise NotImplementedError("your code here")'
DEFAULT_ANSWER_STARTER = "*Write your answer here.*"


class SourceError(ValueError):
    """The exercise source does not follow the format."""


@dataclass
class Region:
    name: str
    indent: str
    solution: list[str]
    starter: list[str] | None  # None: the default starter


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    attrs: dict[str, str]
    # A cell's body is a list of pieces: plain lines (str) and solution regions (Region).
    pieces: list[str | Region] = field(default_factory=list)

    @property
    def regions(self) -> list[Region]:
        return [p for p in self.pieces if isinstance(p, Region)]


@dataclass
class ExerciseSource:
    path: Path
    cells: list[Cell]

    @property
    def regions(self) -> dict[str, Region]:
        found: dict[str, Region] = {}
        for cell in self.cells:
            for region in cell.regions:
                found[region.name] = region
        return found


def _parse_attrs(text: str) -> dict[str, str]:
    attrs = {}
    for key, value in ATTR_RE.findall(text):
        attrs[key] = json.loads(value) if value.startswith('"') else value
    return attrs


def parse(path: Path, text: str | None = None) -> ExerciseSource:
    """Parse a percent-format exercise source into cells with named solution regions."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    cells: list[Cell] = []
    current: Cell | None = None
    region: Region | None = None
    mode = "plain"  # plain | solution | after_solution | starter
    anonymous = 0

    def where(i: int) -> str:
        return f"{path}:{i + 1}"

    for i, raw in enumerate(lines):
        header = CELL_RE.match(raw)
        if header and mode in ("plain", "after_solution"):
            mode = "plain"
            current = Cell(header.group("kind") or "code", _parse_attrs(header.group("attrs")))
            cells.append(current)
            continue
        if current is None:
            if raw.strip():
                raise SourceError(f"{where(i)}: text before the first '# %%' cell marker")
            continue
        line = raw
        if current.kind == "markdown":
            if line.startswith("# "):
                line = line[2:]
            elif line.strip() == "#":
                line = ""
        if mode == "after_solution":
            if BEGIN_STARTER.match(line):
                mode = "starter"
                assert region is not None
                region.starter = []
                continue
            mode = "plain"
        begin = BEGIN_SOLUTION.match(line)
        if mode == "plain":
            if begin:
                anonymous += 1
                name = begin.group("name") or f"region{anonymous}"
                if name in {r.name for c in cells for r in c.regions}:
                    raise SourceError(f"{where(i)}: two solution regions are named {name!r}")
                region = Region(name, begin.group("indent"), [], None)
                current.pieces.append(region)
                mode = "solution"
            elif END_SOLUTION.match(line) or BEGIN_STARTER.match(line) or END_STARTER.match(line):
                raise SourceError(f"{where(i)}: {line.strip()!r} without its opening marker")
            else:
                current.pieces.append(line)
        elif mode == "solution":
            assert region is not None
            if END_SOLUTION.match(line):
                mode = "after_solution"
            elif begin or header:
                raise SourceError(f"{where(i)}: region {region.name!r} is not closed")
            else:
                region.solution.append(line)
        elif mode == "starter":
            assert region is not None
            if END_STARTER.match(line):
                mode = "plain"
            else:
                region.starter.append(line)  # type: ignore[union-attr]
    if mode in ("solution", "starter"):
        raise SourceError(f"{path}: a region is not closed at the end of the file")
    for cell in cells:
        while cell.pieces and isinstance(cell.pieces[-1], str) and not cell.pieces[-1].strip():
            cell.pieces.pop()
    return ExerciseSource(path, cells)


def _uncomment(lines: list[str], kind: str) -> list[str]:
    """Starter lines are stored commented out (``# code``) in code cells."""
    if kind != "code":
        return lines
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("# "):
            out.append(indent + stripped[2:])
        elif stripped == "#":
            out.append("")
        else:
            out.append(line)
    return out


def _reindent(code: str, indent: str) -> list[str]:
    body = textwrap.dedent(code).strip("\n").splitlines()
    return [indent + line if line.strip() else "" for line in body]


def render(source: ExerciseSource, variant: str, replacements: dict[str, str] | None = None) -> list[dict]:
    """Render the cells of one variant: "reference", "starter" or "alternative".

    ``replacements`` (region name -> code) is used by the alternative variant. Returns a list
    of ``{"kind", "attrs", "source"}`` dicts.
    """
    replacements = replacements or {}
    unknown = set(replacements) - set(source.regions)
    if unknown:
        raise SourceError(f"replacements for regions that do not exist: {sorted(unknown)}")
    out = []
    for cell in source.cells:
        lines: list[str] = []
        for piece in cell.pieces:
            if isinstance(piece, str):
                lines.append(piece)
            elif variant == "starter":
                if piece.starter is not None:
                    lines.extend(_uncomment(piece.starter, cell.kind))
                elif cell.kind == "markdown":
                    lines.append(DEFAULT_ANSWER_STARTER)
                else:
                    lines.append(piece.indent + DEFAULT_CODE_STARTER)
            elif variant == "alternative" and piece.name in replacements:
                lines.extend(_reindent(replacements[piece.name], piece.indent))
            else:
                lines.extend(piece.solution)
        out.append({"kind": cell.kind, "attrs": dict(cell.attrs), "source": "\n".join(lines)})
    return out


def parse_replacements(path: Path) -> dict[str, str]:
    """Read ``alternative.py``: blocks introduced by ``### REGION name``."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        match = REGION_RE.match(line)
        if match:
            current = blocks.setdefault(match.group("name"), [])
        elif current is not None:
            current.append(line)
        elif line.strip() and not line.startswith("#"):
            raise SourceError(f"{path}:{i + 1}: code before the first '### REGION name' line")
    return {name: "\n".join(body) for name, body in blocks.items()}


def apply_edits(cells: list[dict], edits: list[dict], label: str) -> list[dict]:
    """Apply a mutant's text edits to rendered cells; each ``old`` must occur exactly once."""
    cells = [dict(c) for c in cells]
    for edit in edits:
        old, new = edit["old"], edit["new"]
        hits = [(i, c["source"].count(old)) for i, c in enumerate(cells) if old in c["source"]]
        total = sum(n for _, n in hits)
        if total != 1:
            raise SourceError(f"{label}: the text to replace occurs {total} times (must be once): {old!r}")
        i = hits[0][0]
        cells[i]["source"] = cells[i]["source"].replace(old, new)
    return cells


def model_answers(source: ExerciseSource) -> dict[str, str]:
    """The model answer of each manual part (the solution of its answer cell)."""
    answers = {}
    for cell in source.cells:
        part = cell.attrs.get("answer")
        if part:
            answers[part] = "\n".join("\n".join(r.solution) for r in cell.regions).strip()
    return answers


# -- project files ---------------------------------------------------------------------------------
TEXT_SUFFIXES = {".py", ".toml", ".md", ".txt", ".yaml", ".yml", ".cfg", ".ini", ".json", ".csv", ""}
SKIP_PARTS = {"__pycache__", ".pytest_cache", ".venv", ".ipynb_checkpoints", ".git"}


def project_files(root: Path) -> list[Path]:
    """The files of a project folder, relative, in a stable order (caches and venvs skipped)."""
    return sorted(p.relative_to(root) for p in root.rglob("*")
                  if p.is_file() and not SKIP_PARTS.intersection(p.relative_to(root).parts))


def parse_project(root: Path) -> dict[str, ExerciseSource]:
    """Each text file of a project as a one-cell source, so files can hold solution regions."""
    parsed = {}
    for rel in project_files(root):
        if rel.suffix in TEXT_SUFFIXES:
            text = (root / rel).read_text(encoding="utf-8")
            parsed[str(rel)] = parse(root / rel, "# %%\n" + text)
    names = [r for src in parsed.values() for r in src.regions]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SourceError(f"{root}: region names used in several files: {sorted(duplicates)}")
    return parsed


def render_project(root: Path, variant: str, replacements: dict[str, str] | None = None) -> dict[str, str | bytes]:
    """Every file of a project in one variant: path -> text (binary files are copied as bytes)."""
    parsed = parse_project(root)
    replacements = replacements or {}
    known = {r for src in parsed.values() for r in src.regions}
    unknown = set(replacements) - known
    if unknown:
        raise SourceError(f"replacements for regions that do not exist: {sorted(unknown)}")
    files: dict[str, str | bytes] = {}
    for rel in project_files(root):
        key = str(rel)
        if key in parsed:
            mine = {k: v for k, v in replacements.items() if k in parsed[key].regions}
            text = render(parsed[key], variant, mine)[0]["source"]
            original = (root / rel).read_text(encoding="utf-8")
            files[key] = text + ("\n" if original.endswith("\n") and text else "")
        else:
            files[key] = (root / rel).read_bytes()
    return files


def apply_project_edits(files: dict[str, str | bytes], edits: list[dict], label: str) -> dict[str, str | bytes]:
    """A mutant's edits on project files; each edit names its ``file`` and its ``old`` occurs once there."""
    files = dict(files)
    for edit in edits:
        name = edit.get("file")
        if name not in files or not isinstance(files[name], str):
            raise SourceError(f"{label}: no text file {name!r} in the project")
        count = files[name].count(edit["old"])
        if count != 1:
            raise SourceError(f"{label}: the text to replace occurs {count} times in {name} (must be once): {edit['old']!r}")
        files[name] = files[name].replace(edit["old"], edit["new"])
    return files


def write_project(files: dict[str, str | bytes], target: Path) -> Path:
    for rel, content in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return target
