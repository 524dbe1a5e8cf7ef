"""Bad input gets a graded zero for the parts it touches, with a reason; the rest is graded."""
from __future__ import annotations

import zipfile

from autograder.grading import grade_submission
from conftest import exercise_report, insert_cell, part, replace_in_cells, write_notebook


def grade(path, course, only=None):
    return grade_submission(path, course, only)


def other_ready(course):
    """Two other exercises, to show that one broken notebook does not stop the rest."""
    return [course["27.3"], course["3.1"]]


def test_reference_earns_full_marks_and_starter_zero(tmp_path, course, ex271):
    ref = grade(write_notebook(tmp_path / "ref", ex271, "reference"), course)
    start = grade(write_notebook(tmp_path / "start", ex271, "starter"), course)
    assert ref["auto_score"] == ref["auto_max"] == ex271.auto_points
    assert start["auto_score"] == 0 and start["auto_max"] == ex271.auto_points


def test_invalid_json_scores_zero_with_a_reason_and_other_exercises_are_graded(tmp_path, course, ex271):
    folder = tmp_path / "sub"
    broken = write_notebook(folder, ex271)
    broken.write_text(broken.read_text()[:-40])  # truncated: invalid JSON
    others = other_ready(course)
    for exercise in others:
        write_notebook(folder, exercise)
    report = grade(folder, course, only=["27.1", "27.3", "3.1"])
    bad = exercise_report(report, "27.1")
    assert bad["auto_score"] == 0
    assert any("not valid notebook JSON" in f for f in bad["feedback"])
    assert all(p["status"] in ("error", "manual") for p in bad["parts"])
    for exercise in others:
        good = exercise_report(report, exercise.id)
        assert good["auto_score"] == good["auto_max"], good["feedback"]


def test_missing_function_zeroes_only_its_part(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271, edit=replace_in_cells(
        "def extraction_time_saved(", "def time_saved_renamed("))
    report = grade(nb, course)
    assert part(report, "27.1", "c")["score"] == 0
    feedback = " ".join(t["feedback"] for t in part(report, "27.1", "c")["tests"])
    assert "does not define `extraction_time_saved`" in feedback
    assert part(report, "27.1", "a")["score"] == 2 and part(report, "27.1", "b")["score"] == 3


def test_exception_at_import_is_reported_and_later_cells_still_run(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271, edit=insert_cell(1, "import no_such_module_for_the_course"))
    report = grade(nb, course)
    ex = exercise_report(report, "27.1")
    assert any("ModuleNotFoundError" in f and "no_such_module_for_the_course" in f for f in ex["feedback"])
    assert ex["auto_score"] == ex["auto_max"]


def test_infinite_loop_in_a_cell_times_out_that_exercise_only(tmp_path, course, ex271, short_cells):
    folder = tmp_path / "sub"
    write_notebook(folder, ex271, edit=insert_cell(2, "while True:\n    pass"))
    others = other_ready(course)
    for exercise in others:
        write_notebook(folder, exercise)
    report = grade(folder, course, only=["27.1", "27.3", "3.1"])
    ex = exercise_report(report, "27.1")
    assert any("Timeout" in f for f in ex["feedback"])  # the cell was stopped, the rest ran
    assert ex["auto_score"] == ex["auto_max"]
    for exercise in others:
        assert exercise_report(report, exercise.id)["auto_score"] == exercise.auto_points


def test_endless_loop_that_ignores_the_alarm_is_killed_and_scores_zero(tmp_path, course, ex271, fast_limits):
    code = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"
    nb = write_notebook(tmp_path, ex271, edit=insert_cell(2, code))
    report = grade(nb, course)
    ex = exercise_report(report, "27.1")
    assert ex["auto_score"] == 0
    # warm lanes stop it at the cell limit (the zygote watches the cell markers); cold workers at the load limit
    assert any("ran for more than 2 s and was stopped" in f or "took longer than" in f for f in ex["feedback"])
    assert all(p["status"] in ("timeout", "manual") for p in ex["parts"])


def test_infinite_loop_in_a_function_times_out_only_its_tests(tmp_path, course, ex271, fast_limits):
    nb = write_notebook(tmp_path, ex271, edit=replace_in_cells(
        '    parallel = build_fraud_dag()\n', '    while durations:\n        pass\n    parallel = build_fraud_dag()\n'))
    report = grade(nb, course)
    c = part(report, "27.1", "c")
    assert c["score"] == 0 and c["status"] == "timeout"
    assert part(report, "27.1", "b")["score"] == 3


def test_exit_inside_a_function_is_an_error_for_that_test_and_grading_continues(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271, edit=replace_in_cells(
        '    parallel = build_fraud_dag()\n',
        '    if durations["extract_transactions"] != 45:\n        import os\n        os._exit(0)\n'
        '    parallel = build_fraud_dag()\n'))
    report = grade(nb, course)
    tests = {t["name"]: t for t in part(report, "27.1", "c")["tests"]}
    assert "ended the grading process" in tests["test_time_saved_for_other_durations"]["feedback"]
    assert tests["test_time_saved_for_other_durations"]["status"] == "error"
    assert tests["test_time_saved_for_todays_pipeline"]["status"] == "passed"  # a fresh worker took over
    assert part(report, "27.1", "a")["score"] == 2 and part(report, "27.1", "b")["score"] == 3


def test_exit_while_the_cells_run_zeroes_the_exercise_with_a_reason(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271, edit=insert_cell(2, "import os\nos._exit(3)"))
    ex = exercise_report(grade(nb, course), "27.1")
    assert ex["auto_score"] == 0
    assert any("stopped the grading process" in f and "status 3" in f for f in ex["feedback"])


def test_sys_exit_at_import_does_not_stop_the_other_cells(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271, edit=insert_cell(1, "import sys\nsys.exit(0)"))
    ex = exercise_report(grade(nb, course), "27.1")
    assert ex["auto_score"] == ex["auto_max"]
    assert any("SystemExit" in f for f in ex["feedback"])


def test_huge_output_is_drained_and_grading_completes(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271, edit=insert_cell(1, "for _ in range(2000):\n    print('x' * 50_000)"))
    ex = exercise_report(grade(nb, course), "27.1")
    assert ex["auto_score"] == ex["auto_max"]


def test_an_object_equal_to_everything_earns_nothing(tmp_path, course, ex271):
    cheat = ("class Anything(list):\n    def __eq__(self, other):\n        return True\n"
             "    def __len__(self):\n        return 6\n"
             "STAGES_BY_HAND = Anything()\n")
    nb = write_notebook(tmp_path, ex271, "starter", edit=insert_cell(3, cheat))
    assert part(grade(nb, course), "27.1", "a")["score"] == 0


def test_zip_with_a_path_outside_the_submission_is_refused_but_the_rest_graded(tmp_path, course, ex271):
    nb = write_notebook(tmp_path / "src", ex271)
    archive = tmp_path / "sub.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(nb, f"exercises/{nb.name}")
        zf.writestr("../../escaped.txt", "should not be written")
    report = grade(archive, course)
    assert exercise_report(report, "27.1")["auto_score"] == ex271.auto_points
    assert any("outside the submission" in p for p in report["problems"])
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_renamed_notebook_is_still_recognised_by_its_metadata(tmp_path, course, ex271):
    nb = write_notebook(tmp_path, ex271)
    renamed = nb.rename(tmp_path / "my homework (final).ipynb")
    report = grade(tmp_path, course, only=["27.1"])
    assert exercise_report(report, "27.1")["auto_score"] == ex271.auto_points
    assert exercise_report(report, "27.1")["notebook"] == renamed.name


def test_a_missing_notebook_scores_zero_with_a_reason(tmp_path, course):
    (tmp_path / "empty").mkdir()
    report = grade(tmp_path / "empty", course)
    ex = exercise_report(report, "27.1")
    assert ex["auto_score"] == 0 and "no notebook for exercise 27.1" in ex["feedback"][0]


def test_a_clean_reference_notebook_reports_no_cell_error(tmp_path, course, ex271):
    """The notebook's own check() cell and annotations run in the sandbox as in Jupyter."""
    code = "def typed(x: 'int') -> int:\n    return x\nassert typed.__annotations__['return'] is int"
    ex = exercise_report(grade_submission(write_notebook(tmp_path, ex271, edit=insert_cell(1, code)), course), "27.1")
    assert ex["feedback"] == [] and ex["auto_score"] == ex["auto_max"]
