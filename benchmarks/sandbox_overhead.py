"""Grading time per exercise with the bubblewrap sandbox and with process isolation only, side
by side (the same reference notebooks, the same hidden tests). Prints figures; not a test.

    .venv/bin/python benchmarks/sandbox_overhead.py [--repeat 3] [--exercise 27.1 ...]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import catalog as cat
from autograder import generate

DEFAULT = ["27.1", "27.3", "27.4", "27.12", "27.13", "3.1", "3.5"]


def grade_seconds(path: Path, mode: str) -> float:
    env = {**os.environ, "AUTOGRADER_SANDBOX": mode}
    out = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(path), "--format", "json"],
                         env=env, capture_output=True, text=True, check=True)
    report = json.loads(out.stdout)
    assert report["auto_score"] == report["auto_max"], f"{path.name} did not earn full marks under {mode}"
    return report["exercises"][0]["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exercise", action="append")
    args = parser.parse_args()
    catalog = cat.load_catalog()
    ids = args.exercise or [i for i in DEFAULT if catalog[i].ready]
    print(f"median of {args.repeat} gradings of each reference notebook\n")
    print(f"{'exercise':<9} {'bubblewrap':>11} {'process only':>13} {'overhead':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for exercise_id in ids:
            path = generate.write_variant(catalog[exercise_id], "reference", Path(tmp))
            jail = statistics.median(grade_seconds(path, "bubblewrap") for _ in range(args.repeat))
            bare = statistics.median(grade_seconds(path, "process") for _ in range(args.repeat))
            print(f"{exercise_id:<9} {jail:>9.2f} s {bare:>11.2f} s {jail - bare:>7.2f} s")


if __name__ == "__main__":
    main()
