"""``autograder grade-class``: a whole class, graded in parallel, resumable, with a summary.

The unit of work is one (learner, exercise) pair, graded in a fresh sandboxed worker of its own.
Results are cached under a key made of the content hash of the learner's files for that exercise,
of the exercise's tests and metadata, and of the grader's own code: a rerun after an interruption
grades only what is missing or changed, and its results equal an uninterrupted run's.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import sys
import time
from concurrent.futures import as_completed
from pathlib import Path

from autograder import pool as lanes
from autograder import reports, source
from autograder.catalog import Exercise
from autograder.grading import Submission, SubmissionError, grade_exercise, grader_failure


def _hash_paths(paths: list[Path], base: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.is_dir():
            for rel in source.project_files(path):
                digest.update(str(rel).encode() + b"\0" + (path / rel).read_bytes() + b"\0")
        elif path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def grader_fingerprint() -> str:
    package = Path(__file__).parent
    return _hash_paths(sorted(package.glob("*.py")))


def cache_key(exercise: Exercise, found: Path | None, grader: str) -> str:
    tests = [*exercise.hidden_tests, *exercise.visible_tests, exercise.source_dir / "exercise.toml"]
    submitted = _hash_paths([found]) if found else "missing"
    return hashlib.sha256(f"{exercise.id}|{submitted}|{_hash_paths(tests)}|{grader}".encode()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    from pipelinekit import idempotent_write  # the course's own idempotent write

    idempotent_write(path, text)


class Progress:
    """A one-line progress bar with an estimate of the time left, on standard error."""

    def __init__(self, total: int):
        self.total, self.done, self.started = total, 0, time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0
        width = 30
        filled = int(width * self.done / max(1, self.total))
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if self.done == self.total or not sys.stderr.isatty() else "\r"
        print(f"[{bar}] {self.done}/{self.total} · {elapsed:5.0f} s elapsed · ~{left:4.0f} s left · {label[:40]:<40}",
              end=end, file=sys.stderr, flush=True)


def grade_class(root: Path, out: Path, catalog: dict[str, Exercise], jobs: int = 2,
                only: list[str] | None = None) -> dict:
    """Grade every submission under ``root`` (one per sub-folder, zip or notebook) into ``out``."""
    learners = sorted(p for p in root.iterdir()
                      if not p.name.startswith(".") and (p.is_dir() or p.suffix in (".zip", ".ipynb")))
    exercises = [catalog[i] for i in only] if only else [e for e in catalog.values() if e.ready]
    cache = out / ".cache"
    grader = grader_fingerprint()
    submissions: dict[str, Submission] = {}
    problems: dict[str, list[str]] = {}
    units = []
    for learner in learners:
        try:
            sub = Submission(learner)
        except SubmissionError as exc:
            problems[learner.stem] = [str(exc)]
            continue
        submissions[learner.stem], problems[learner.stem] = sub, list(sub.problems)
        for exercise in exercises:
            found = (sub.projects if exercise.deliverable == "project" else sub.notebooks).get(exercise.id)
            units.append((learner.stem, exercise, found, cache_key(exercise, found, grader)))

    results: dict[tuple[str, str], dict] = {}
    todo = []
    for learner, exercise, found, key in units:
        cached = cache / learner / f"{exercise.key}.json"
        if cached.exists():
            record = json.loads(cached.read_text())
            if record.get("key") == key:
                results[(learner, exercise.id)] = record["result"]
                continue
        todo.append((learner, exercise, found, key))
    reused = len(units) - len(todo)
    if reused:
        print(f"{reused} of {len(units)} results reused from an earlier run (same files, same tests)", file=sys.stderr)
    progress = Progress(len(todo))
    retry: list[str] = []
    started = time.monotonic()
    with lanes.threads(jobs) as pool:
        futures = {pool.submit(grade_exercise, exercise, found): (learner, exercise, key)
                   for learner, exercise, found, key in todo}
        for future in as_completed(futures):
            learner, exercise, key = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - one learner's failure never stops the class
                result = grader_failure(exercise, exc)
            results[(learner, exercise.id)] = result
            if result.get("infrastructure_failure"):  # not the learner's doing: not kept, so a rerun retries it
                retry.append(f"{learner} {exercise.id}")
            else:
                _write_atomic(cache / learner / f"{exercise.key}.json", json.dumps({"key": key, "result": result}))
            progress.step(f"{learner} {exercise.id}")
    if retry:
        print(f"{len(retry)} exercise(s) could not be graded because the grader's own side failed "
              f"({', '.join(retry[:5])}{' ...' if len(retry) > 5 else ''}); run the same command again to grade "
              "just those", file=sys.stderr)
    for sub in submissions.values():
        sub.close()
    return write_outputs(out, learners, exercises, results, problems, time.monotonic() - started, len(todo))


def write_outputs(out: Path, learners: list[Path], exercises: list[Exercise], results: dict,
                  problems: dict, seconds: float, graded_now: int) -> dict:
    rows, book = [], []
    for learner_path in learners:
        learner = learner_path.stem
        mine = [results[(learner, e.id)] for e in exercises if (learner, e.id) in results]
        report = {
            "submission": learner, "problems": problems.get(learner, []), "exercises": mine,
            "score": sum(r["score"] for r in mine), "max_score": sum(r["max_score"] for r in mine),
            "auto_score": sum(r["auto_score"] for r in mine), "auto_max": sum(r["auto_max"] for r in mine),
            "manual_pending": sum(r["manual_pending"] for r in mine), "seconds": sum(r.get("seconds") or 0 for r in mine),
        }
        feedback = out / "feedback" / learner
        _write_atomic(feedback / "report.md", reports.to_markdown(report))
        _write_atomic(feedback / "report.json", reports.to_json(report))
        _write_atomic(feedback / "results.json", reports.to_gradescope(report))
        row = {"learner": learner, "auto_score": report["auto_score"], "auto_max": report["auto_max"],
               "manual_pending": report["manual_pending"]}
        row.update({f"ex_{r['id']}": r["auto_score"] for r in mine})
        rows.append(row)
        book.append(report)
    fields = ["learner", "auto_score", "auto_max", "manual_pending"] + [f"ex_{e.id}" for e in exercises]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    _write_atomic(out / "grades.csv", buffer.getvalue())
    _write_atomic(out / "grades.json", json.dumps({"learners": book}, indent=1, ensure_ascii=False))
    summary = summary_page(book, exercises, seconds)
    _write_atomic(out / "summary.html", summary)
    return {"learners": len(rows), "graded_now": graded_now, "seconds": round(seconds, 2), "out": str(out)}


def _figure_png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def summary_page(book: list[dict], exercises: list[Exercise], seconds: float) -> str:
    """An HTML page: score distribution per exercise, most-failed tests with hints, grading time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = [e.id for e in exercises if e.auto_points]
    scores = {i: [] for i in ids}
    times = {i: 0.0 for i in ids}
    failures: dict[tuple[str, str], dict] = {}
    for report in book:
        for ex in report["exercises"]:
            if ex["id"] not in scores:
                continue
            scores[ex["id"]].append(ex["auto_score"] / ex["auto_max"] * 100 if ex["auto_max"] else 0)
            times[ex["id"]] += ex.get("seconds") or 0
            for part in ex["parts"]:
                for test in part.get("tests", []):
                    if test["max_score"] and test["status"] != "passed":
                        entry = failures.setdefault((ex["id"], test["name"]), {"count": 0, "hint": test["hint"]})
                        entry["count"] += 1
    fig, ax = plt.subplots(figsize=(max(6, len(ids) * 0.6), 3.5))
    if ids:
        ax.boxplot([scores[i] or [0] for i in ids], tick_labels=ids)
    ax.set_ylabel("autograded score (%)")
    ax.set_title("Score distribution per exercise")
    ax.tick_params(axis="x", rotation=60)
    distribution = _figure_png(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(max(6, len(ids) * 0.6), 3))
    ax.bar(ids, [times[i] for i in ids], color="#5c6bc0")
    ax.set_ylabel("seconds (all learners)")
    ax.set_title("Time spent grading per exercise")
    ax.tick_params(axis="x", rotation=60)
    timing = _figure_png(fig)
    plt.close(fig)
    worst = sorted(failures.items(), key=lambda kv: -kv[1]["count"])[:15]
    rows = "".join(
        f"<tr><td>{html.escape(k[0])}</td><td><code>{html.escape(k[1])}</code></td><td>{v['count']}</td>"
        f"<td>{html.escape(v['hint'])}</td></tr>" for k, v in worst)
    learners = len(book)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Class summary</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}</style></head><body>
<h1>Class summary</h1>
<p>{learners} learners · {len(ids)} autograded exercises · graded in {seconds:.0f} s this run</p>
<h2>Score distribution per exercise</h2><img alt="score distribution" src="{distribution}">
<h2>Most-failed tests</h2><table><tr><th>exercise</th><th>test</th><th>learners failing</th><th>hint</th></tr>{rows}</table>
<h2>Grading time per exercise</h2><img alt="grading time" src="{timing}">
</body></html>"""
