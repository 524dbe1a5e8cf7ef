"""Wall time to grade the reference sample submission, beside the same hidden tests run
in-process with bare pytest (no sandbox, no separate processes). Prints figures; not a test.

    .venv/bin/python benchmarks/grade_vs_pytest.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import catalog as cat
from autograder import generate, notebooks
from autograder.grading import grade_notebook
from autograder.runner import run_tests
from autograder.submission import InProcessSubmission


def bare_pytest(exercise) -> float:
    """The exercise's hidden tests on the reference notebook's namespace, in this process."""
    nb = generate.notebook(exercise, "reference")
    started = time.perf_counter()
    handle = InProcessSubmission.from_cells(notebooks.code_cells(nb))
    events: list[dict] = []
    run_tests([str(p) for p in exercise.hidden_tests], handle, events.append, capture="sys")
    elapsed = time.perf_counter() - started
    failed = [e["name"] for e in events if e["type"] == "test" and e["status"] != "passed"]
    assert not failed, f"bare pytest run of {exercise.id} failed: {failed}"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    exercises = [e for e in cat.load_catalog().values()
                 if e.ready and e.deliverable == "notebook" and e.auto_points and not e.services]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reference"
        paths = {e.id: generate.write_variant(e, "reference", folder) for e in exercises}
        for exercise in exercises:
            graded = [grade_notebook(exercise, paths[exercise.id])["seconds"] for _ in range(args.repeat)]
            bare = [bare_pytest(exercise) for _ in range(args.repeat)]
            rows.append((exercise.id, statistics.median(graded), statistics.median(bare)))
        cli = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(folder), "--format", "json"],
                           check=True, capture_output=True)
            cli.append(time.perf_counter() - started)
    print(f"median of {args.repeat} runs, reference solutions, {len(exercises)} notebook exercises\n")
    print(f"{'exercise':<10} {'sandboxed grader':>17} {'bare pytest':>12} {'overhead':>10}")
    for exercise_id, graded, bare in rows:
        print(f"{exercise_id:<10} {graded:>15.2f} s {bare:>10.3f} s {graded - bare:>8.2f} s")
    total_g, total_b = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total':<10} {total_g:>15.2f} s {total_b:>10.3f} s {total_g - total_b:>8.2f} s")
    print(f"\n`autograder grade` on the whole reference submission (CLI, wall): {statistics.median(cli):.2f} s")


if __name__ == "__main__":
    main()
