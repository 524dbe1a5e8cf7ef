"""The course as a whole: the catalogue, generated files, the CLI contract, and check()."""
from __future__ import annotations

import json
import subprocess
import sys

from autograder import catalog as cat
from autograder import generate, leaks, notebooks
from autograder.check import check
from autograder.submission import InProcessSubmission
from conftest import write_notebook

EXPECTED_IDS = [f"3.{i}" for i in range(1, 6)] + [f"27.{i}" for i in range(1, 31)]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True)


def test_the_catalogue_lists_all_35_exercises_in_course_order(course):
    assert list(course) == EXPECTED_IDS


def test_every_part_has_positive_points_and_a_known_kind(course):
    for exercise in course.values():
        assert exercise.parts, exercise.id
        for p in exercise.parts:
            assert p.points > 0 and p.kind in ("auto", "manual"), (exercise.id, p)
            if p.kind == "manual":
                assert p.rubric, f"{exercise.id} ({p.id}) has no rubric"


def test_autograder_list_prints_every_exercise():
    result = run_cli("list")
    assert result.returncode == 0
    for exercise_id in EXPECTED_IDS:
        assert any(line.split()[:1] == [exercise_id] for line in result.stdout.splitlines()), exercise_id
    assert "35 exercises" in result.stdout


def test_exercises_folder_is_a_fresh_generation_of_solutions():
    assert generate.check_fresh() == []


def test_public_catalogue_holds_no_mutant_and_no_rubric():
    text = cat.CATALOG_JSON.read_text()
    assert "mutants" not in text and "rubric" not in text
    assert len(json.loads(text)["exercises"]) == 35


def test_no_solution_line_or_hidden_test_line_reaches_exercises(course):
    assert leaks.scan(cat.EXERCISES, course) == []


def test_the_leak_check_catches_a_planted_solution_line(course, ex271, tmp_path):
    planted = 'dag.add_task("update_feature_store", depends_on=["compute_features"])'
    assert planted in (ex271.source_dir / "notebook.py").read_text()
    (tmp_path / "page.html").write_text(f"<pre><code>    {planted.replace(chr(34), '&quot;')}</code></pre>")
    (tmp_path / "notes.md").write_text("nothing to see\n")
    found = leaks.scan(tmp_path, course)
    assert len(found) == 1 and found[0].startswith("page.html: 27.1:")


def test_grade_exits_0_on_a_graded_submission_and_2_on_usage_errors(tmp_path, ex271):
    nb = write_notebook(tmp_path, ex271, "starter")
    assert run_cli("grade", str(nb)).returncode == 0
    assert run_cli("grade", str(tmp_path / "nope.ipynb")).returncode == 2
    assert run_cli("grade", str(nb), "--exercise", "99.1").returncode == 2
    assert run_cli("grade", str(nb), "--format", "pdf").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_grade_writes_json_markdown_and_gradescope_reports(tmp_path, ex271):
    nb = write_notebook(tmp_path, ex271, "reference")
    out = tmp_path / "out"
    result = run_cli("grade", str(nb), "--format", "json,markdown,gradescope", "--out", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["auto_score"] == ex271.auto_points
    gradescope = json.loads((out / "results.json").read_text())
    assert gradescope["score"] == ex271.auto_points and all("name" in t for t in gradescope["tests"])
    assert "27.1" in (out / "report.md").read_text()


def test_reports_never_show_test_code_or_expected_values(tmp_path, course, ex271):
    from autograder.grading import grade_submission
    from autograder.reports import to_markdown

    nb = write_notebook(tmp_path, ex271, "starter")
    text = to_markdown(grade_submission(nb, course))
    hidden = ex271.hidden_tests[0].read_text()
    for secret in ("def expected_saving", "READS = {", "expect(", "sub.run("):
        assert secret in hidden and secret not in text


def _namespace(exercise, variant):
    cells = notebooks.code_cells(notebooks.build(exercise, generate.cells(exercise, variant), variant))
    return InProcessSubmission.from_cells(cells).module.__dict__


def test_check_in_a_notebook_passes_the_reference_and_fails_the_starter(ex271):
    good = check("27.1", namespace=_namespace(ex271, "reference"))
    bad = check("27.1", namespace=_namespace(ex271, "starter"))
    assert good.tests and good.passed == len(good.tests)
    assert bad.passed == 0
    html = bad._repr_html_()
    assert "<table>" in html and "hint:" in html


def test_check_does_nothing_inside_the_grading_sandbox(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_WORKER", "1")
    assert check("27.1", namespace={}) is None


def test_cli_check_runs_the_visible_tests_on_a_saved_notebook(tmp_path, ex271):
    nb = write_notebook(tmp_path, ex271, "reference")
    result = run_cli("check", "27.1", str(nb))
    assert result.returncode == 0 and "3 of 3 visible tests pass" in result.stdout


def test_the_demo_samples_build_for_every_ready_exercise(course, tmp_path):
    from autograder.samples import build_samples

    built = build_samples(tmp_path / "samples", course)
    ready = [e for e in course.values() if e.ready and e.deliverable == "notebook"]
    for folder in built.values():
        assert len(list(folder.glob("*.ipynb"))) == len(ready)
