"""Write ``exercises/`` (what learners get) from ``solutions/`` (the single source).

Also renders the other variants of an exercise (reference, alternative, mutants) for
``verify`` and the sample submissions. ``check_fresh`` is the CI check that the committed
``exercises/`` equals a fresh generation.
"""
from __future__ import annotations

import filecmp
import shutil
import json
import tempfile
from pathlib import Path

from autograder import catalog as cat
from autograder import notebooks, source
from autograder.catalog import Exercise

GENERATED_NOTE = "# Generated from solutions/ by `autograder generate`: do not edit.\n"


def _stars(n: int) -> str:
    return "★" * n


def header_cell(exercise: Exercise) -> dict:
    rows = "\n".join(
        f"| ({p.id}) | {p.title} | {p.points} | {'autograded' if p.kind == 'auto' else 'rubric'} |"
        for p in exercise.parts
    )
    text = (
        f"# Exercise {exercise.id} {_stars(exercise.stars)}: {exercise.title}\n\n"
        f"Builds on section {exercise.section}. {exercise.points} points.\n\n"
        f"| part | what | points | graded by |\n| --- | --- | --- | --- |\n{rows}\n\n"
        f"Run `check(\"{exercise.id}\")` (last cell) to try the visible tests; the grader also runs "
        "hidden ones."
    )
    return {"kind": "markdown", "attrs": {}, "source": text}


def check_cell(exercise: Exercise) -> dict:
    return {"kind": "code", "attrs": {}, "source": f'from autograder import check\n\ncheck("{exercise.id}")'}


def cells(exercise: Exercise, variant: str, mutant: cat.Mutant | None = None) -> list[dict]:
    """Rendered cells of a variant: "starter", "reference", "alternative" or "mutant"."""
    src = source.parse(exercise.source_dir / "notebook.py")
    if variant == "alternative":
        body = source.render(src, "alternative", source.parse_replacements(exercise.source_dir / "alternative.py"))
    elif variant == "mutant":
        assert mutant is not None
        body = source.apply_edits(source.render(src, "reference"), list(mutant.edits),
                                  f"{exercise.id} mutant {mutant.name}")
    else:
        body = source.render(src, variant)
    return [header_cell(exercise), *body, check_cell(exercise)]


def notebook(exercise: Exercise, variant: str, mutant: cat.Mutant | None = None) -> dict:
    return notebooks.build(exercise, cells(exercise, variant, mutant), variant)


def project_files(exercise: Exercise, variant: str, mutant: cat.Mutant | None = None) -> dict[str, str | bytes]:
    """A project deliverable's files in one variant (solutions/<key>/project/ is the source)."""
    root = exercise.source_dir / "project"
    if variant == "alternative":
        return source.render_project(root, "alternative", source.parse_replacements(exercise.source_dir / "alternative.py"))
    if variant == "mutant":
        assert mutant is not None
        return source.apply_project_edits(source.render_project(root, "reference"), list(mutant.edits),
                                          f"{exercise.id} mutant {mutant.name}")
    return source.render_project(root, variant)


def write_variant(exercise: Exercise, variant: str, folder: Path, mutant: cat.Mutant | None = None) -> Path:
    if exercise.deliverable == "project":
        return source.write_project(project_files(exercise, variant, mutant), folder / exercise.project_name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / exercise.notebook_name
    path.write_text(notebooks.dumps(notebook(exercise, variant, mutant)), encoding="utf-8")
    return path


def _readme(catalog: dict[str, Exercise]) -> str:
    lines = [
        "# Exercises",
        "",
        "Generated from `solutions/` by `autograder generate`: do not edit these files by hand.",
        "Open a notebook in JupyterLab, fill in the marked cells, and run its last cell,",
        "`check(\"ID\")`, to try the visible tests. `autograder list` shows the whole catalogue.",
        "",
        "| id | exercise | stars | points | builds on | status |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for e in catalog.values():
        link = e.notebook_name if e.deliverable == "notebook" else f"{e.project_name}/"
        name = f"[{e.title}]({link})" if e.ready else e.title
        status = "ready" if e.ready else "coming"
        lines.append(f"| {e.id} | {name} | {_stars(e.stars)} | {e.points} | {e.section} | {status} |")
    return "\n".join(lines) + "\n"


def generate(out: Path | None = None, catalog: dict[str, Exercise] | None = None) -> list[Path]:
    """Write every learner file into ``out`` (default: exercises/); return the paths written."""
    out = cat.EXERCISES if out is None else out
    catalog = cat.load_catalog() if catalog is None else catalog
    written: list[Path] = []
    checks = out / "_checks"
    if out.exists():
        for stale in [*out.glob("*.ipynb"), *checks.glob("test_*.py")]:
            stale.unlink()
        for e in catalog.values():
            if e.deliverable == "project" and (out / e.project_name).is_dir():
                shutil.rmtree(out / e.project_name)
    checks.mkdir(parents=True, exist_ok=True)
    for exercise in catalog.values():
        if not exercise.ready:
            continue
        if exercise.deliverable == "project":
            target = write_variant(exercise, "starter", out)
            written += [p for p in target.rglob("*") if p.is_file()]
        else:
            written.append(write_variant(exercise, "starter", out))
        visible = exercise.source_dir / "tests" / "test_visible.py"
        if visible.exists():
            target = checks / f"test_{exercise.key.replace('.', '_')}.py"
            target.write_text(GENERATED_NOTE + visible.read_text(encoding="utf-8"), encoding="utf-8")
            written.append(target)
    public = {"exercises": [e.public() for e in catalog.values()]}
    (out / "catalog.json").write_text(json.dumps(public, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(catalog), encoding="utf-8")
    written += [out / "catalog.json", out / "README.md"]
    return written


def check_fresh() -> list[str]:
    """Differences between the committed exercises/ and a fresh generation (empty: up to date)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "exercises"
        generate(fresh)
        problems = []
        committed = cat.EXERCISES
        fresh_files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        old_files = {p.relative_to(committed) for p in committed.rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}
        for rel in sorted(fresh_files - old_files):
            problems.append(f"missing: exercises/{rel}")
        for rel in sorted(old_files - fresh_files):
            problems.append(f"not generated (stale or hand-made): exercises/{rel}")
        for rel in sorted(fresh_files & old_files):
            if not filecmp.cmp(fresh / rel, committed / rel, shallow=False):
                problems.append(f"differs from a fresh generation: exercises/{rel}")
        return problems

