"""grade-class: parallel, resumable (same results after an interruption), with a gradebook."""
from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import time

from autograder.classroom import grade_class
from conftest import insert_cell, write_notebook

ONLY = ["27.1", "3.1"]


def make_class(root, course):
    ex271, ex31 = course["27.1"], course["3.1"]
    write_notebook(root / "ada", ex271, "reference")
    write_notebook(root / "ada", ex31, "reference")
    write_notebook(root / "ben", ex271, "starter")
    write_notebook(root / "ben", ex31, "starter")
    write_notebook(root / "cy", ex271, "reference", edit=insert_cell(1, "import os\nos._exit(1)"))
    write_notebook(root / "cy", ex31, "reference")
    (root / "dee").mkdir()
    (root / "dee" / "broken.ipynb").write_text("{ not json")
    return root


def grades(out):
    return json.loads((out / "grades.json").read_text())["learners"]


def comparable(book):
    return [(r["submission"], r["auto_score"], [(e["id"], e["auto_score"]) for e in r["exercises"]]) for r in book]


def test_a_class_is_graded_into_a_gradebook_feedback_and_a_summary(tmp_path, course):
    root = make_class(tmp_path / "class", course)
    summary = grade_class(root, tmp_path / "out", course, jobs=2, only=ONLY)
    assert summary["learners"] == 4 and summary["graded_now"] == 8
    rows = {r["learner"]: r for r in csv.DictReader(open(tmp_path / "out" / "grades.csv"))}
    full = course["27.1"].auto_points + course["3.1"].auto_points
    assert int(rows["ada"]["auto_score"]) == full and int(rows["ben"]["auto_score"]) == 0
    assert int(rows["cy"]["ex_27.1"]) == 0 and int(rows["cy"]["ex_3.1"]) == course["3.1"].auto_points
    assert int(rows["dee"]["auto_score"]) == 0
    assert (tmp_path / "out" / "feedback" / "cy" / "report.md").exists()
    page = (tmp_path / "out" / "summary.html").read_text()
    assert "Most-failed tests" in page and "data:image/png;base64," in page


def test_a_rerun_reuses_every_result_and_regrades_only_a_changed_submission(tmp_path, course):
    root = make_class(tmp_path / "class", course)
    out = tmp_path / "out"
    grade_class(root, out, course, jobs=2, only=ONLY)
    first = comparable(grades(out))
    assert grade_class(root, out, course, jobs=2, only=ONLY)["graded_now"] == 0
    assert comparable(grades(out)) == first
    write_notebook(root / "ben", course["27.1"], "reference")  # ben resubmits 27.1
    again = grade_class(root, out, course, jobs=2, only=ONLY)
    assert again["graded_now"] == 1
    ben = next(r for r in grades(out) if r["submission"] == "ben")
    assert dict((e["id"], e["auto_score"]) for e in ben["exercises"])["27.1"] == course["27.1"].auto_points


def test_a_run_killed_halfway_then_resumed_equals_an_uninterrupted_run(tmp_path, course):
    root = make_class(tmp_path / "class", course)
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    grade_class(root, whole, course, jobs=1, only=ONLY)
    cmd = [sys.executable, "-m", "autograder.cli", "grade-class", str(root), "--out", str(broken), "--jobs", "1",
           *sum((["--exercise", i] for i in ONLY), [])]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((broken / ".cache").rglob("*.json"))) < 3:
        time.sleep(0.05)
    import os

    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((broken / ".cache").rglob("*.json")))
    assert 0 < done_before < 8, "the run should have been killed halfway"
    resumed = grade_class(root, broken, course, jobs=2, only=ONLY)
    assert resumed["graded_now"] == 8 - done_before
    assert comparable(grades(broken)) == comparable(grades(whole))
    shutil.rmtree(broken)


def test_an_exercise_the_grader_could_not_run_is_graded_again_by_the_next_run(tmp_path, course, monkeypatch, capsys):
    """The grader's own side failed (its Airflow service cannot start: a broken cache folder), so
    nothing of the learner's ran: that zero is not kept, and the same command run again grades it."""
    root = tmp_path / "class"
    write_notebook(root / "eve", course["27.7"], "reference")  # needs the Airflow service
    write_notebook(root / "eve", course["27.1"], "reference")
    out = tmp_path / "out"
    (tmp_path / "not-a-folder").write_text("")
    with monkeypatch.context() as broken:
        broken.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
        broken.setenv("AUTOGRADER_WARM", "0")  # cold runners start in this broken environment
        grade_class(root, out, course, jobs=2, only=["27.7", "27.1"])
    scores = dict((e["id"], e["auto_score"]) for e in grades(out)[0]["exercises"])
    assert scores == {"27.7": 0, "27.1": course["27.1"].auto_points}
    assert "could not be graded because the grader's own side failed (eve 27.7)" in capsys.readouterr().err
    again = grade_class(root, out, course, jobs=2, only=["27.7", "27.1"])
    assert again["graded_now"] == 1  # 27.7 only: 27.1's result was kept
    scores = dict((e["id"], e["auto_score"]) for e in grades(out)[0]["exercises"])
    assert scores == {"27.7": course["27.7"].auto_points, "27.1": course["27.1"].auto_points}


def test_ctrl_c_stops_a_class_run_at_once_and_keeps_what_was_graded(tmp_path, course):
    """Ctrl-C: the run stops within seconds (not after the whole queue), says so, keeps the results
    it finished for the next run, and leaves no lane folder behind."""
    import os

    root = tmp_path / "class"
    for name in ("ada", "ben", "cy", "dee", "eve", "fay"):
        edit = insert_cell(1, "import time\ntime.sleep(20)") if name in ("cy", "dee") else None
        write_notebook(root / name, course["27.1"], "reference", edit=edit)
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    cmd = [sys.executable, "-m", "autograder.cli", "grade-class", str(root), "--out", str(out), "--jobs", "2",
           "--exercise", "27.1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / ".cache").rglob("*.json")):
        time.sleep(0.05)
    time.sleep(2)  # cy and dee are asleep in their cells, the others queued or done
    assert proc.poll() is None
    interrupted = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - interrupted < 15, "Ctrl-C must not wait for the queue or for a sleeping learner"
    assert proc.returncode == 1 and "interrupted" in err
    kept = sorted(p.parent.name for p in (out / ".cache").rglob("*.json"))
    assert kept and "cy" not in kept and "dee" not in kept and len(kept) < 6
    deadline = time.monotonic() + 20
    while list(tmp.glob("autograder-lane-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not list(tmp.glob("autograder-lane-*"))
