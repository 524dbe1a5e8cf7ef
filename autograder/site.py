"""The docs site: hand-written pages from site/, chapter notebooks executed and rendered with their
outputs, one page per exercise from its public metadata and starter (never a solution, hidden
test, mutant or model answer), and the catalogue as a table. Built with mkdocs-material into
build/site and leak-checked.

Chapter executions are cached by content hash in build/executed/, shared with the CI test that
runs every chapter, so CI executes each notebook once.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import catalog as cat
from autograder import generate, leaks

BUILD = cat.REPO / "build"
EXECUTED = BUILD / "executed"
DOCS = BUILD / "docs"
CHAPTER_TIMEOUT = 300


def execute_chapter(path: Path, workdir: Path | None = None):
    """The chapter notebook executed (nbformat node), from the cache when its source is unchanged."""
    import nbformat
    from nbclient import NotebookClient

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cached = EXECUTED / f"{path.stem}.{digest}.ipynb"
    if cached.exists():
        return nbformat.read(cached, as_version=4)
    nb = nbformat.read(path, as_version=4)
    import tempfile

    from nbclient.exceptions import CellExecutionError

    with tempfile.TemporaryDirectory(prefix="chapter-") as tmp:
        try:
            NotebookClient(nb, timeout=CHAPTER_TIMEOUT, kernel_name="python3",
                           resources={"metadata": {"path": str(workdir or tmp)}}).execute()
        except CellExecutionError as exc:
            lines = [line for line in str(exc).splitlines() if line.strip()]
            raise RuntimeError(f"chapter {path.name} failed: {lines[-1] if lines else exc}") from None
    EXECUTED.mkdir(parents=True, exist_ok=True)
    for stale in EXECUTED.glob(f"{path.stem}.*.ipynb"):
        stale.unlink()
    nbformat.write(nb, cached)
    return nb


def _stars(n: int) -> str:
    return "★" * n


def exercise_page(exercise: cat.Exercise) -> str:
    parts = "\n".join(
        f"| ({p.id}) | {p.title} | {p.points} | {'autograded' if p.kind == 'auto' else 'rubric'} |" for p in exercise.parts)
    head = (f"# {exercise.id} {exercise.title}\n\n"
            f"**{_stars(exercise.stars)}** · {exercise.points} points · builds on "
            f"[section {exercise.section}](../chapters/index.md) · {exercise.topic}\n\n"
            f"| part | what | points | graded by |\n| --- | --- | --- | --- |\n{parts}\n\n")
    if not exercise.ready:
        return head + "!!! note \"Coming soon\"\n    The statement of this exercise is being written.\n"
    if exercise.deliverable == "project":
        files = generate.project_files(exercise, "starter")
        readme = files.get("README.md", "")
        return head + (readme if isinstance(readme, str) else "") + "\n"
    body = []
    for cell in generate.cells(exercise, "starter")[1:-1]:  # the header is above; the check cell is for notebooks
        if cell["kind"] == "markdown":
            body.append(cell["source"])
        else:
            body.append("```python\n" + cell["source"] + "\n```")
    return head + "## Statement\n\n" + "\n\n".join(body) + "\n"


def catalogue_page(catalog: dict[str, cat.Exercise]) -> str:
    rows = "\n".join(
        f"| [{e.id}]({e.key}.md) | {e.title} | {_stars(e.stars)} | {e.points} | "
        f"{sum(p.points for p in e.parts if p.kind == 'auto')} | {e.section} | {'ready' if e.ready else 'coming'} |"
        for e in catalog.values())
    return ("# Exercise catalogue\n\n| id | exercise | stars | points | autograded | builds on | status |\n"
            "| --- | --- | --- | --- | --- | --- | --- |\n" + rows + "\n")


EXERCISE_LINK = re.compile(r"(\.\./)?exercises/(\d\d\.\d\d)_[^)\s#]*?(\.ipynb|/)?(?=[)#\s])")
CHAPTER_LINK = re.compile(r"(?<=\()((?:\.\./chapters/)?[\w.-]+)\.ipynb(?=[)#])")


def site_links(text: str) -> str:
    """Links between notebooks become links between site pages."""
    text = EXERCISE_LINK.sub(lambda m: f"{m.group(1) or ''}exercises/{m.group(2)}.md", text)
    return CHAPTER_LINK.sub(lambda m: f"{m.group(1)}.md", text)


def chapter_markdown(path: Path, out_dir: Path) -> str:
    from nbconvert import MarkdownExporter

    nb = execute_chapter(path)
    body, resources = MarkdownExporter().from_notebook_node(nb, resources={"output_files_dir": f"{path.stem}_files"})
    for name, data in resources.get("outputs", {}).items():
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return site_links(body)


def build(jobs: int = 2, strict: bool = True) -> Path:
    """Assemble build/docs from site/ and generated pages, then build the site into build/site."""
    catalog = cat.load_catalog()
    if DOCS.exists():
        shutil.rmtree(DOCS)
    shutil.copytree(cat.REPO / "site", DOCS)
    (DOCS / "exercises").mkdir(exist_ok=True)
    for exercise in catalog.values():
        (DOCS / "exercises" / f"{exercise.key}.md").write_text(exercise_page(exercise))
    (DOCS / "exercises" / "index.md").write_text(catalogue_page(catalog))
    chapters = sorted((cat.REPO / "chapters").glob("*.ipynb"))
    (DOCS / "chapters").mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        rendered = dict(zip(chapters, pool.map(lambda p: chapter_markdown(p, DOCS / "chapters"), chapters)))
    for path, text in rendered.items():
        (DOCS / "chapters" / f"{path.stem}.md").write_text(text)
    index = ["# Chapters", ""] + [f"- [{p.stem.replace('_', ' ', 1).replace('_', ' ')}]({p.stem}.md)" for p in chapters]
    (DOCS / "chapters" / "index.md").write_text("\n".join(index) + "\n")
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(cat.REPO / "mkdocs.yml")] + (["--strict"] if strict else [])
    result = subprocess.run(command, cwd=cat.REPO, capture_output=True, text=True,
                            env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return BUILD / "site"


def leak_check(site: Path) -> list[str]:
    return leaks.scan(site, cat.load_catalog())
