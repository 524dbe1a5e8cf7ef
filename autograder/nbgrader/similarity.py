"""``autograder nbgrader similarity``: pairs of submissions whose code for an exercise is
suspiciously alike, once names and formatting are set aside.

For each learner and exercise, the code they wrote is taken from their submitted notebook: the
solution cells and any code cell they added, without the lines the release gave everyone (the
starter and the provided code). It is tokenized with :mod:`tokenize`; comments, blank lines and
layout are dropped; each identifier becomes a positional placeholder (``V1``, ``V2``, ... in order
of first use), string and number literals become ``S`` and ``N``; keywords, operators, builtins and
attribute names stay. Two learners are compared on these token streams:

- *coverage*: the share of both streams inside common runs of at least ``min_run`` tokens
  (``difflib.SequenceMatcher``), which ranks the pairs;
- *fingerprints*: the Jaccard index of winnowed k-gram hashes (robust to reordered blocks).

Each learner's closeness to the reference solution is shown too: two answers that are both the
reference are alike for a reason an instructor should weigh differently. The HTML report shows the
ranked pairs, then each pair side by side with its matching regions in the same colour.
"""
from __future__ import annotations

import builtins
import hashlib
import html
import io
import json
import keyword
import re
import tokenize
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

from autograder import catalog as cat
from autograder import notebooks

BUILTINS = set(dir(builtins))
SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
        tokenize.ENCODING, tokenize.ENDMARKER}
COLOURS = ["#ffe08a", "#b5e3ff", "#c8f0c0", "#ffc9c9", "#e3d1ff", "#ffd8a8", "#c3fae8", "#f3d9fa"]
FALLBACK = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d+)?|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\S")


@dataclass
class Code:
    """One learner's code for one exercise, normalised."""

    student: str
    exercise: str
    lines: list[str] = field(default_factory=list)     # what is shown side by side
    given: set[int] = field(default_factory=set)        # indices of lines the release gave everyone
    tokens: list[str] = field(default_factory=list)     # normalised tokens
    where: list[int] = field(default_factory=list)      # the line of each token


def _cell_text(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _raw_tokens(code: str) -> list[tuple[int, str, str, bool]]:
    """(row from 0, kind, text, after a dot) for the code's significant tokens."""
    out = []
    try:
        previous = ""
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in SKIP:
                continue
            kind = {tokenize.NAME: "name", tokenize.STRING: "str", tokenize.NUMBER: "num"}.get(tok.type, "op")
            out.append((tok.start[0] - 1, kind, tok.string, previous == "."))
            previous = tok.string
        return out
    except (tokenize.TokenError, IndentationError, SyntaxError):
        out = []
        for row, line in enumerate(code.splitlines()):
            line = line.split("#", 1)[0]
            previous = ""
            for match in FALLBACK.finditer(line):
                text = match.group()
                kind = ("str" if text[0] in "\"'" else "num" if text[0].isdigit()
                        else "name" if text[0].isalpha() or text[0] == "_" else "op")
                out.append((row, kind, text, previous == "."))
                previous = text
        return out


def _squash(line: str) -> str:
    """A line without its spacing and its comment: given lines are recognised even after a
    formatter ran or a comment was added."""
    out, quote, escaped = [], None, False
    for ch in line:
        if quote:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch == "#":
            break
        elif not ch.isspace():
            out.append(ch)
    return "".join(out)


def normalise(cells: list[str], given_lines: set[str], student: str = "", exercise: str = "") -> Code:
    """Tokenize the learner's cells; lines in ``given_lines`` (stripped) count as given to everyone."""
    code = Code(student, exercise)
    given = {_squash(line) for line in given_lines}
    names: dict[str, str] = {}
    for number, text in enumerate(cells):
        python = notebooks.to_python(text)
        if python is None:
            continue
        if code.lines:
            code.lines.append("")
            code.given.add(len(code.lines) - 1)
        code.lines.append(f"# ---- cell {number + 1} ----")
        code.given.add(len(code.lines) - 1)
        offset = len(code.lines)
        lines = python.splitlines()
        code.lines.extend(lines)
        for row, line in enumerate(lines):
            if _squash(line) and _squash(line) in given:
                code.given.add(offset + row)
        for row, kind, text, after_dot in _raw_tokens(python):
            if offset + row in code.given:
                continue
            if kind == "name":
                if keyword.iskeyword(text) or text in BUILTINS or after_dot:
                    norm = text
                else:
                    norm = names.setdefault(text, f"V{len(names) + 1}")
            elif kind == "str":
                norm = "S"
            elif kind == "num":
                norm = "N"
            else:
                norm = text
            code.tokens.append(norm)
            code.where.append(offset + row)
    return code


def fingerprints(tokens: list[str], k: int = 5, window: int = 4) -> set[int]:
    """Winnowing (Schleimer, Wilkerson and Aiken): the smallest hash of each window of k-gram hashes."""
    if len(tokens) < k:
        return set()
    hashes = [int.from_bytes(hashlib.blake2b(" ".join(tokens[i:i + k]).encode(), digest_size=8).digest(), "big")
              for i in range(len(tokens) - k + 1)]
    if len(hashes) <= window:
        return {min(hashes)}
    return {min(hashes[i:i + window]) for i in range(len(hashes) - window + 1)}


@dataclass
class Pair:
    exercise: str
    a: Code
    b: Code
    coverage: float
    jaccard: float
    blocks: list[tuple[int, int, int]]  # (start in a, start in b, length) of common runs
    ref_a: float = 0.0
    ref_b: float = 0.0

    @property
    def matched(self) -> int:
        return sum(n for _, _, n in self.blocks)


def compare(a: Code, b: Code, min_run: int = 6) -> tuple[float, float, list[tuple[int, int, int]]]:
    if not a.tokens or not b.tokens:
        return 0.0, 0.0, []
    matcher = SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    blocks = [(i, j, n) for i, j, n in matcher.get_matching_blocks() if n >= min_run]
    coverage = 2 * sum(n for _, _, n in blocks) / (len(a.tokens) + len(b.tokens))
    fa, fb = fingerprints(a.tokens), fingerprints(b.tokens)
    jaccard = len(fa & fb) / len(fa | fb) if fa | fb else 0.0
    return coverage, jaccard, blocks


# -- reading a course ------------------------------------------------------------------------------
def _learner_cells(nb: dict, exercise_id: str) -> list[str]:
    """Every code cell of a submission but the check() cell. The submission's own metadata is not
    trusted to tell given cells from the learner's: lines equal to given code are set aside later."""
    check = f'check("{exercise_id}")'
    out = []
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = _cell_text(cell)
        if text.strip() and check not in text:
            out.append(text)
    return out


def _source_parts(source_nb: dict, exercise_id: str) -> tuple[set[str], list[str]]:
    """From the nbgrader source notebook: the lines everyone was given (starters, provided code)
    and the reference solution's cells."""
    given: set[str] = set()
    reference: list[str] = []
    for cell in source_nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {})
        text = _cell_text(cell)
        starter = meta.get("autograder", {}).get("starter")
        if meta.get("nbgrader", {}).get("solution"):
            reference.append(text)
            given |= {line.strip() for line in (starter or "").splitlines() if line.strip()}
        else:
            given |= {line.strip() for line in text.splitlines() if line.strip()}
    return given, reference


def _strip_markers(cells: list[str]) -> list[str]:
    return ["\n".join(line for line in c.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
            for c in cells]


def class_codes(root: Path, assignment: str, catalog: dict[str, cat.Exercise]) -> dict[str, tuple[list[Code], Code]]:
    """Exercise id -> (each learner's code, the reference's code), for an assignment."""
    from autograder.nbgrader.workflow import assignment_notebooks, students

    root = Path(root)
    out = {}
    learners = students(root, assignment)
    for notebook_id, exercise in assignment_notebooks(root, assignment, catalog).items():
        source_nb = json.loads((root / "source" / assignment / f"{notebook_id}.ipynb").read_text(encoding="utf-8"))
        given, reference = _source_parts(source_nb, exercise.id)
        codes = []
        for student in learners:
            path = root / "submitted" / student / assignment / f"{notebook_id}.ipynb"
            if not path.is_file():
                continue
            try:
                nb = notebooks.load(path)
            except notebooks.NotebookError:
                continue
            codes.append(normalise(_learner_cells(nb, exercise.id), given, student, exercise.id))
        out[exercise.id] = (codes, normalise(_strip_markers(reference), given, "reference", exercise.id))
    return out


def rank(groups: dict[str, tuple[list[Code], Code]], min_tokens: int = 20, min_run: int = 6) -> list[Pair]:
    pairs = []
    for exercise_id, (codes, reference) in groups.items():
        to_ref = {c.student: compare(c, reference, min_run)[0] for c in codes}
        for a, b in combinations(codes, 2):
            if len(a.tokens) < min_tokens or len(b.tokens) < min_tokens:
                continue
            coverage, jaccard, blocks = compare(a, b, min_run)
            pairs.append(Pair(exercise_id, a, b, coverage, jaccard, blocks, to_ref[a.student], to_ref[b.student]))
    pairs.sort(key=lambda p: (-p.coverage, -p.jaccard, p.exercise, p.a.student, p.b.student))
    return pairs


# -- the HTML report ---------------------------------------------------------------------------------
def _side(code: Code, blocks: list[tuple[int, int]]) -> str:
    """A learner's code with the lines of each matching block (start, length in tokens) coloured."""
    colour_of: dict[int, str] = {}
    for number, (start, length) in enumerate(blocks):
        for t in range(start, start + length):
            colour_of.setdefault(code.where[t], COLOURS[number % len(COLOURS)])
    rows = []
    for index, line in enumerate(code.lines):
        style = f" style='background:{colour_of[index]}'" if index in colour_of else (
            " class='given'" if index in code.given else "")
        rows.append(f"<span{style}>{html.escape(line) or ' '}</span>")
    return "<pre>" + "".join(rows) + "</pre>"


def to_html(assignment: str, pairs: list[Pair], learners: int, threshold: float, details: int) -> str:
    shown = [p for p in pairs if p.coverage >= threshold]
    rows = []
    for number, p in enumerate(shown, start=1):
        link = f"<a href='#pair{number}'>{number}</a>" if number <= details else str(number)
        rows.append(f"<tr><td>{link}</td><td>{html.escape(p.exercise)}</td><td>{html.escape(p.a.student)}</td>"
                    f"<td>{html.escape(p.b.student)}</td><td><b>{p.coverage:.0%}</b></td><td>{p.jaccard:.0%}</td>"
                    f"<td>{p.matched}</td><td>{p.ref_a:.0%} / {p.ref_b:.0%}</td></tr>")
    sections = []
    for number, p in enumerate(shown[:details], start=1):
        left = _side(p.a, [(i, n) for i, _, n in p.blocks])
        right = _side(p.b, [(j, n) for _, j, n in p.blocks])
        sections.append(
            f"<h3 id='pair{number}'>{number}. {html.escape(p.exercise)}: {html.escape(p.a.student)} and "
            f"{html.escape(p.b.student)}, {p.coverage:.0%} alike ({len(p.blocks)} matching regions)</h3>"
            f"<div class='pair'><div><h4>{html.escape(p.a.student)}</h4>{left}</div>"
            f"<div><h4>{html.escape(p.b.student)}</h4>{right}</div></div>")
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Similarity: {html.escape(assignment)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}.pair{{display:grid;grid-template-columns:1fr 1fr;gap:1em}}.pair>div{{min-width:0}}
pre{{background:#fafafa;border:1px solid #ddd;padding:.5em;overflow-x:auto;font-size:12px}}
pre span{{display:block}}.given{{color:#aaa}}</style></head><body>
<h1>Similarity report: {html.escape(assignment)}</h1>
<p>{learners} learners; {len(pairs)} pairs compared, {len(shown)} at {threshold:.0%} or more. Code is compared after
identifiers are renamed by position and comments, layout and literals are set aside; lines every learner was
given are greyed and not compared. <i>alike</i>: share of both learners' code inside common runs of tokens;
<i>fingerprints</i>: shared winnowed k-grams; <i>vs reference</i>: how close each is to the reference solution (two
answers equal to the reference are alike for a reason).</p>
<table><tr><th>#</th><th>exercise</th><th>learner</th><th>learner</th><th>alike</th><th>fingerprints</th>
<th>tokens matched</th><th>vs reference</th></tr>{''.join(rows)}</table>
{''.join(sections)}
</body></html>
"""


def report(root: Path, assignment: str, catalog: dict[str, cat.Exercise], out: Path | None = None,
           threshold: float = 0.5, details: int = 20, min_tokens: int = 20, min_run: int = 6) -> tuple[Path, list[Pair]]:
    groups = class_codes(root, assignment, catalog)
    pairs = rank(groups, min_tokens, min_run)
    from autograder.nbgrader.workflow import students

    out = Path(out) if out else Path(root) / "reports" / assignment / "similarity.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_html(assignment, pairs, len(students(root, assignment)), threshold, details), encoding="utf-8")
    return out, pairs
