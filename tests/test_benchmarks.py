"""The class benchmark runs: benchmarks/class_vs_nbgrader.py in --quick mode (4 learners, 27.1,
nbgrader on 2 of them) prints every figure it promises and exits 0. No timing is asserted: the
figures depend on the machine; the benchmark is for reading, not for CI to judge."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from autograder.catalog import REPO

BENCHMARK = REPO / "benchmarks" / "class_vs_nbgrader.py"
NUMBER = r"-?[\d.]+"


@pytest.mark.slow
def test_the_class_benchmark_in_quick_mode_prints_its_figures():
    proc = subprocess.run([sys.executable, str(BENCHMARK), "--quick"], cwd=REPO, capture_output=True, text=True,
                          timeout=900)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-3000:]
    assert re.search(r"^class: 4 learners x 1 notebook exercises \(27\.1\) = 4 notebooks: .*1 attack", out, re.M)
    # side by side: submissions per minute of grade-class and of both nbgrader courses, and the ratio
    assert re.search(rf"^autograder grade-class --jobs 2 +4 +{NUMBER} s +{NUMBER} +{NUMBER}", out, re.M)
    for label in ("stock: a fresh kernel per notebook", "the course's config: SandboxAutograde"):
        assert re.search(rf"^nbgrader autograde \({label}\) +4\* +{NUMBER} s +{NUMBER} +{NUMBER} +{NUMBER} x slower",
                         out, re.M), label
    assert out.count("EXTRAPOLATED linearly to 4 learners from 2 learners") == 2
    assert re.search(r"kernel: autograded points equal to grade-class's on \d+ of 2 notebooks", out)
    # per-exercise overhead, with --jobs 2 and --jobs 1
    assert re.search(rf"^27\.1 +\d+ +{NUMBER} s +{NUMBER} s +{NUMBER} ms +{NUMBER} s +{NUMBER} ms", out, re.M)
    # growth from 2 to 4 learners, at 1 and 2 jobs
    for size in (2, 4):
        assert re.search(rf"^ +{size} +{size} +\d+ +{NUMBER} s \( *{NUMBER}/min\) +{NUMBER} s \( *{NUMBER}/min\) +{NUMBER}x",
                         out, re.M), size
    # where nbgrader's time goes, the summary and the exact command
    assert out.count("start-up ") == 2 and "a bare kernel started and one cell run" in out
    assert re.search(rf"grade-class {NUMBER}x faster", out)
    assert re.search(rf"per-exercise overhead, --jobs 2 \(median of exercises\) +{NUMBER} ms", out)
    assert re.search(r"^command: .*class_vs_nbgrader\.py --quick$", out, re.M)
    assert re.search(r"^grade-class: .*autograder grade-class \$WORK/class --jobs 2 --out \S+ --exercise 27\.1$", out, re.M)


def test_the_nbgrader_log_is_read_into_where_its_time_goes():
    sys.path.insert(0, str(BENCHMARK.parent))
    import class_vs_nbgrader as bench

    log = "\n".join([
        "10:00:02.000 [AutogradeApp | INFO] Creating/updating student with ID 'a': {}",
        "10:00:02.500 [AutogradeApp | INFO] Autograding /c/autograded/a/x/n.ipynb",
        "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
        "10:00:05.500 [AutogradeApp | INFO] Writing 100 bytes to /c/autograded/a/x/n.ipynb",
        "10:00:05.600 [AutogradeApp | INFO] Setting destination file permissions to 444",
    ])
    start = bench.datetime(2026, 1, 1, 10, 0, 0).timestamp()
    b = bench.log_breakdown([{"begin": start, "end": start + 6.0, "log": log}])
    assert b["notebooks"] == 1 and b["invocations"] == 1
    assert b["startup"] == pytest.approx(2.0) and b["steps"] == pytest.approx(3.0)
    assert b["bookkeeping"] == pytest.approx(0.6) and b["exit"] == pytest.approx(0.4)
    catalog = bench.cat.load_catalog()
    plan = bench.plan_class(8, [catalog["27.1"], catalog["27.4"]], attacks=2, seed=1)
    kinds = [v for learner in plan.values() for v in learner.values()]
    assert sorted(v for v in kinds if v.startswith("attack")) == ["attack:exit", "attack:output"]
    assert all(any(plan[l][e] == "reference" for l in plan) for e in ("27.1", "27.4"))
