"""The adversarial suite: attacks on the grader, each shown to earn nothing it should not.

Two kinds. Graded attacks are submissions of exercise 27.1 (an honest reference with one attack
added, or the starter plus an attack): the attacked part earns zero with a stated reason and the
honest parts keep their points. Observation attacks run in the sandbox and report what they could
see or do; the test asserts they got nothing. Bombs are bounded (a few hundred processes, 6 GB of
address space, 2 GB of disk) so that even a failed sandbox could not harm the machine.
"""
from __future__ import annotations

import json
import os

import pytest

from autograder import jail
from autograder.catalog import REPO
from autograder.grading import grade_submission
from autograder.sandbox import Limits
from autograder.submission import SandboxedSubmission
from conftest import exercise_report, insert_cell, part, replace_in_cells, write_notebook

BWRAP = pytest.mark.skipif(jail.mode() != "bubblewrap", reason="needs the bubblewrap sandbox")
SOLUTION_FILE = REPO / "solutions" / "27.01" / "notebook.py"
HIDDEN_FILE = REPO / "solutions" / "27.01" / "tests" / "test_hidden.py"


def graded(tmp_path, course, ex271, variant, edit):
    nb = write_notebook(tmp_path, ex271, variant, edit=edit)
    return grade_submission(nb, course)


# -- graded attacks ---------------------------------------------------------------------------------
STEAL_STAGES = '''
import ast, os, glob
STAGES_BY_HAND = []
for candidate in [{solution!r}, "../../solutions/27.01/notebook.py", "../solutions/27.01/notebook.py",
                  *glob.glob("/proc/*/cwd/solutions/27.01/notebook.py"), *glob.glob("/proc/*/root{solution}")]:
    try:
        text = open(candidate).read()
    except OSError:
        continue
    start = text.index("STAGES_BY_HAND = [")
    STAGES_BY_HAND = ast.literal_eval(text[start + len("STAGES_BY_HAND = "): text.index("]\\n]", start) + 3])
    break
'''


@BWRAP
def test_reading_the_solution_by_relative_absolute_and_proc_paths_gets_nothing(tmp_path, course, ex271):
    attack = STEAL_STAGES.format(solution=str(SOLUTION_FILE))
    report = graded(tmp_path, course, ex271, "starter", insert_cell(3, attack))
    assert part(report, "27.1", "a")["score"] == 0


def test_an_object_equal_to_everything_passes_nothing(tmp_path, course, ex271):
    cheat = ("class Anything(list):\n    def __eq__(self, other): return True\n    def __ne__(self, other): return False\n"
             "STAGES_BY_HAND = Anything()\n"
             "def extraction_time_saved(durations):\n    class N(float):\n        def __eq__(s, o): return True\n"
             "        def __sub__(s, o): return 0.0\n    return N(1)\n")
    report = graded(tmp_path, course, ex271, "starter", insert_cell(20, cheat))
    assert part(report, "27.1", "a")["score"] == 0 and part(report, "27.1", "c")["score"] == 0


def test_monkeypatching_the_test_helpers_and_pytest_changes_nothing(tmp_path, course, ex271):
    attack = ("import autograder.testing as t\nt.expect = lambda *a, **k: None\nt.fail = lambda *a, **k: None\n"
              "import _pytest.runner, _pytest.reports\n_pytest.reports.TestReport.outcome = 'passed'\n"
              "import builtins\nbuiltins.AssertionError = type('Nope', (Exception,), {})\n")
    report = graded(tmp_path, course, ex271, "starter", insert_cell(1, attack))
    assert report["auto_score"] == 0


def test_printing_a_forged_report_changes_nothing(tmp_path, course, ex271):
    forged = json.dumps({"type": "test", "name": "test_dag_has_the_eight_tasks", "status": "passed", "score": 1})
    attack = f"import sys, os\nfor fd in (1, 2):\n    os.write(fd, {forged!r}.encode() + b'\\n')\nprint('27.1: 7/7 autograded')\n"
    report = graded(tmp_path, course, ex271, "starter", insert_cell(1, attack))
    assert report["auto_score"] == 0


def test_writing_forged_replies_into_the_channel_changes_nothing(tmp_path, course, ex271):
    attack = ("import os, json, struct\nfor fd in range(3, 256):\n    try:\n"
              "        data = json.dumps({'ok': True, 'value': 45}).encode()\n"
              "        os.write(fd, struct.pack('>I', len(data)) + data)\n    except OSError:\n        pass\n")
    report = graded(tmp_path, course, ex271, "starter", insert_cell(1, attack))
    assert report["auto_score"] == 0


@pytest.mark.parametrize("exit_call", ["sys.exit(0)", "os._exit(0)"])
def test_exiting_at_import_earns_nothing_but_is_explained(tmp_path, course, ex271, exit_call):
    report = graded(tmp_path, course, ex271, "starter", insert_cell(1, f"import sys, os\n{exit_call}"))
    ex = exercise_report(report, "27.1")
    assert ex["auto_score"] == 0 and ex["feedback"]


@pytest.mark.parametrize("exit_call", ["sys.exit(0)", "os._exit(0)"])
def test_exiting_mid_test_costs_only_that_test(tmp_path, course, ex271, exit_call):
    edit = replace_in_cells("    parallel = build_fraud_dag()\n",
                            f"    if durations['extract_transactions'] != 45:\n        import sys, os\n        {exit_call}\n"
                            "    parallel = build_fraud_dag()\n")
    report = graded(tmp_path, course, ex271, "reference", edit)
    assert part(report, "27.1", "c")["score"] == 1  # today's case passes, the other case fails
    assert part(report, "27.1", "a")["score"] == 2 and part(report, "27.1", "b")["score"] == 3


def test_killing_the_parent_and_everything_else_does_not_stop_grading(tmp_path, course, ex271):
    attack = "import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\n"
    report = graded(tmp_path, course, ex271, "reference", insert_cell(1, attack))
    assert exercise_report(report, "27.1")["auto_score"] in (0, ex271.auto_points)  # graded, not crashed
    assert report["exercises"]


def test_an_endless_loop_that_ignores_the_alarm_is_stopped(tmp_path, course, ex271, fast_limits):
    attack = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"
    report = graded(tmp_path, course, ex271, "reference", insert_cell(2, attack))
    assert exercise_report(report, "27.1")["auto_score"] == 0


def test_a_hundred_megabytes_of_output_is_drained(tmp_path, course, ex271):
    attack = "import os\nfor _ in range(100):\n    os.write(1, b'x' * (1 << 20))"
    report = graded(tmp_path, course, ex271, "reference", insert_cell(1, attack))
    assert exercise_report(report, "27.1")["auto_score"] == ex271.auto_points


def test_a_notebook_with_a_huge_output_is_refused_with_a_reason(tmp_path, course, ex271):
    nb_path = write_notebook(tmp_path, ex271, "reference")
    nb = json.loads(nb_path.read_text())
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "y" * (70 << 20)}]
    nb_path.write_text(json.dumps(nb))
    ex = exercise_report(grade_submission(nb_path, course), "27.1")
    assert ex["auto_score"] == 0 and "Clear Outputs" in ex["feedback"][0]


def test_a_notebook_without_a_kernel_spec_is_graded_normally(tmp_path, course, ex271):
    nb_path = write_notebook(tmp_path, ex271, "reference")
    nb = json.loads(nb_path.read_text())
    del nb["metadata"]["kernelspec"]
    nb_path.write_text(json.dumps(nb))
    assert exercise_report(grade_submission(nb_path, course), "27.1")["auto_score"] == ex271.auto_points


def test_a_symlinked_notebook_in_a_submission_is_not_followed(tmp_path, course, ex271):
    outside = write_notebook(tmp_path / "elsewhere", ex271, "reference")
    folder = tmp_path / "sub"
    folder.mkdir()
    os.symlink(outside, folder / outside.name)
    report = grade_submission(folder, course, only=["27.1"])
    assert exercise_report(report, "27.1")["auto_score"] == 0
    assert any("symbolic links" in p for p in report["problems"])


# -- observation attacks: what the sandboxed code can see and do ------------------------------------
def observe(probe, *args, limits: Limits | None = None):
    handle = SandboxedSubmission([{"index": 1, "source": "x = 1"}], limits or Limits(call_seconds=60))
    try:
        return handle.run(probe, *args, timeout=60)
    finally:
        handle.close()


def look_around(ns, repo):
    import os

    seen = {}
    for path in [repo, f"{repo}/solutions", f"{repo}/solutions/27.01/tests/test_hidden.py", f"{repo}/autograder/grading.py",
                 f"{repo}/tests", "/root", "/etc/shadow", "/home"]:
        seen[path] = os.path.exists(path)
    seen["env"] = sorted(os.environ)
    seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    seen["uid"] = os.getuid()
    return seen


@BWRAP
def test_the_sandbox_hides_solutions_hidden_tests_and_the_grader(tmp_path):
    seen = observe(look_around, str(REPO))
    assert not seen[f"{REPO}/solutions"] and not seen[f"{REPO}/solutions/27.01/tests/test_hidden.py"]
    assert not seen[f"{REPO}/autograder/grading.py"] and not seen[f"{REPO}/tests"]
    assert not seen["/etc/shadow"]


@BWRAP
def test_the_sandbox_sees_none_of_the_parents_environment_or_processes(monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "do-not-leak")
    seen = observe(look_around, str(REPO))
    assert "GRADER_SECRET_TOKEN" not in seen["env"]
    assert len(seen["pids"]) <= 3  # bwrap's init, the worker, maybe a helper: no host process


@BWRAP
@pytest.mark.skipif(os.geteuid() != 0, reason="the slot uid is used when the grader runs as root")
def test_learner_code_runs_as_an_unprivileged_user():
    assert observe(look_around, str(REPO))["uid"] != 0


def try_network(ns):
    import socket

    results = {}
    for host, port in [("1.1.1.1", 53), ("8.8.8.8", 443), ("127.0.0.1", 22)]:
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect((host, port))
            results[f"{host}:{port}"] = "connected"
        except OSError as exc:
            results[f"{host}:{port}"] = type(exc).__name__
        finally:
            s.close()
    try:
        socket.getaddrinfo("pypi.org", 443)
        results["dns"] = "resolved"
    except OSError as exc:
        results["dns"] = type(exc).__name__
    return results


@BWRAP
def test_no_network_connection_can_be_opened():
    results = observe(try_network)
    assert "connected" not in results.values() and results["dns"] != "resolved"


def try_remount_and_write(ns, repo):
    import subprocess

    out = {}
    out["remount"] = subprocess.run(["mount", "-o", "remount,rw", "/usr"], capture_output=True).returncode
    for path in ["/usr/evil", f"{repo}/evil", "/etc/evil"]:
        try:
            open(path, "w").write("x")
            out[path] = "written"
        except OSError as exc:
            out[path] = type(exc).__name__
    return out


@BWRAP
def test_read_only_views_cannot_be_remounted_or_written():
    out = observe(try_remount_and_write, str(REPO))
    assert out["remount"] != 0 and "written" not in out.values()
    assert not (REPO / "evil").exists()


def fork_bomb(ns):
    import os
    import time

    children, error = 0, None
    for _ in range(400):  # bounded: harmless even if the limit failed
        try:
            pid = os.fork()
        except OSError as exc:
            error = type(exc).__name__
            break
        if pid == 0:
            time.sleep(3)
            os._exit(0)
        children += 1
    return {"children": children, "error": error}


@BWRAP
@pytest.mark.skipif(os.geteuid() != 0, reason="the process limit needs a slot uid of its own")
def test_a_fork_bomb_hits_the_process_limit():
    out = observe(fork_bomb, limits=Limits(call_seconds=60, processes=64))
    assert out["error"] is not None and out["children"] < 64


def memory_bomb(ns):
    try:
        block = bytearray(6 << 30)  # bounded: the machine has 24 GiB
        return len(block)
    except MemoryError:
        return "MemoryError"


def test_a_memory_bomb_hits_the_address_space_limit():
    assert observe(memory_bomb) == "MemoryError"


def disk_filler(ns):
    import os

    written = 0
    try:
        with open(os.path.join(os.path.expanduser("~"), "filler"), "wb") as fh:
            for _ in range(2048):  # bounded: at most 2 GB
                fh.write(b"\0" * (1 << 20))
                written += 1
    except OSError as exc:
        return {"mb": written, "error": type(exc).__name__}
    return {"mb": written, "error": None}


def test_a_disk_filler_hits_the_file_size_limit():
    out = observe(disk_filler)
    assert out["error"] is not None and out["mb"] <= 64 + 1


def open_fds(ns):
    import os

    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


@BWRAP
def test_the_gradebook_channel_is_not_reachable_from_the_sandbox():
    # only stdin/stdout/stderr, the two protocol pipes (250, 251) and the listing's own fd
    assert set(observe(open_fds)) - {0, 1, 2, 250, 251} <= {3, 4}


# -- a class with attacks mixed in --------------------------------------------------------------------
ATTACKS_IN_CLASS = {
    "exit": "import os\nos._exit(0)",
    "killer": "import os, signal\nfor pid in range(1, 4000):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass",
    "filler": "with open('/tmp/fill', 'wb') as fh:\n    [fh.write(b'0' * (1 << 20)) for _ in range(300)]",
    "gradebook": "import glob\nfor p in glob.glob('/tmp/**/grades.*', recursive=True) + glob.glob('/work/**/grades.*', recursive=True):\n    open(p, 'w').write('hacked')",
}


def test_honest_learners_get_the_same_grades_in_a_class_full_of_attacks(tmp_path, course, ex271):
    from autograder.classroom import grade_class

    ex31 = course["3.1"]
    honest = {"ada": "reference", "ben": "starter"}
    alone, mixed = tmp_path / "alone", tmp_path / "mixed"
    for root in (alone, mixed):
        for name, variant in honest.items():
            write_notebook(root / name, ex271, variant)
            write_notebook(root / name, ex31, variant)
    for name, attack in ATTACKS_IN_CLASS.items():
        write_notebook(mixed / name, ex271, "reference", edit=insert_cell(1, attack))
        write_notebook(mixed / name, ex31, "reference")
    out_alone, out_mixed = tmp_path / "out-alone", tmp_path / "out-mixed"
    grade_class(alone, out_alone, course, jobs=2, only=["27.1", "3.1"])
    grade_class(mixed, out_mixed, course, jobs=2, only=["27.1", "3.1"])

    def book(out):
        data = json.loads((out / "grades.json").read_text())  # still valid JSON: the gradebook is intact
        return {r["submission"]: [(e["id"], e["auto_score"]) for e in r["exercises"]] for r in data["learners"]}

    assert {k: v for k, v in book(out_mixed).items() if k in honest} == book(out_alone)
    assert set(book(out_mixed)) == set(honest) | set(ATTACKS_IN_CLASS)
