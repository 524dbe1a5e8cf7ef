"""The instructor's nbgrader workflow, end to end, with the real nbgrader commands.

A temporary course with two exercises (27.1, with a written part, and 27.4) goes through
``autograder nbgrader build``, ``nbgrader generate_assignment``, ``release_assignment``, per-learner
``fetch_assignment`` and ``submit`` through a local exchange (one HOME per learner), ``collect``,
``autograder nbgrader autograde`` (the sandbox, then ``nbgrader autograde``), ``generate_feedback``
and ``export``. Learners: ada (the reference answers, submitted late), ben (the untouched release),
cy (the typical mistakes), dee (the untouched release plus a kernel that swallows failed
assertions, an object equal to everything, and a cell that leaves a mark if nbgrader runs it).
"""
from __future__ import annotations

import csv
import html
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest

from autograder import generate, leaks, notebooks, samples, source
from autograder.nbgrader import course as nbcourse
from autograder.nbgrader import parse_grade_id, similarity, workflow
from autograder.nbgrader.preprocessors import GraderNotes, LatePolicy, late_fraction

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
EXERCISES = ["27.1", "27.4"]
ASSIGNMENT = "ch27-dags"
COURSE_ID = "orch-test"
PER_DAY = 0.25
LEARNERS = ["ada", "ben", "cy", "dee"]
MARK = "EXECUTED_IN_AN_NBGRADER_KERNEL"
NB271 = "27.01_a-fraud-detection-pipeline-as-a-dag"
WRITTEN = "ag_27_01_written_a-written"
MANUAL = {"ada": 1.0, "cy": 0.5}  # what a grader gives the written part (a.written) in the formgrader

KERNEL_TRICKS = f'''import pathlib
import sys

pathlib.Path("{MARK}").write_text("this notebook ran outside the sandbox")
try:  # in an IPython kernel: every failed assertion is swallowed
    get_ipython().set_custom_exc((AssertionError,), lambda *args, **kwargs: None)
except NameError:
    pass
sys.excepthook = lambda *args, **kwargs: None


class AlwaysEqual(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0
'''

EQUAL_TO_EVERYTHING = {
    "27.1": "STAGES_BY_HAND = AlwaysEqual()\nextraction_time_saved = lambda durations: AlwaysEqual()\n",
    "27.4": "",
}


def _env(home: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    if home is not None:
        env["HOME"] = str(home)
    return env


def run(args: list[str], cwd: Path, home: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=_env(home), capture_output=True, text=True, timeout=600)
    if ok:
        assert proc.returncode == 0, f"{' '.join(map(str, args))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def nbgrader(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    return run([str(BIN / "nbgrader"), *args], cwd, home)


def _learner_notebook(name: str, release: dict, exercise) -> dict:
    if name == "ada":
        return nbcourse.fill(release, exercise, generate.cells(exercise, "reference"))
    if name == "cy":
        chosen = samples.typical(exercise)
        cells = source.apply_edits(generate.cells(exercise, "reference"), [e for m in chosen for e in m.edits],
                                   f"{exercise.id} typical mistakes")
        return nbcourse.fill(release, exercise, cells)
    nb = json.loads(json.dumps(release))
    if name == "dee":
        tricks = {"cell_type": "code", "id": "dee-tricks", "metadata": {}, "execution_count": None, "outputs": [],
                  "source": KERNEL_TRICKS}
        nb["cells"].insert(1, tricks)
        if EQUAL_TO_EVERYTHING[exercise.id]:
            nb["cells"].insert(len(nb["cells"]) - 1, dict(tricks, id="dee-equal", source=EQUAL_TO_EVERYTHING[exercise.id]))
    return nb


@pytest.fixture(scope="module")
def klass(tmp_path_factory, course):
    """The whole workflow, once; the tests below look at what it left."""
    started = time.monotonic()
    steps: list[tuple[str, float]] = []

    def step(label: str) -> None:
        steps.append((label, time.monotonic() - started - sum(t for _, t in steps)))

    tmp = tmp_path_factory.mktemp("nbgrader")
    root = tmp / "course"
    exchange = root / "exchange"
    build = run([str(BIN / "autograder"), "nbgrader", "build", str(root), "--course-id", COURSE_ID,
                 "--late-per-day", str(PER_DAY), *sum((["--exercise", i] for i in EXERCISES), [])], tmp)
    assert ASSIGNMENT in build.stdout
    step("build")
    nbgrader("generate_assignment", ASSIGNMENT, cwd=root)
    nbgrader("release_assignment", ASSIGNMENT, cwd=root)
    step("generate, release")

    homes = {name: tmp / "home" / name for name in LEARNERS}
    learner_args = [f"--course={COURSE_ID}", f"--Exchange.root={exchange}"]

    def fetch_and_work(name: str) -> None:
        home = homes[name]
        home.mkdir(parents=True)
        nbgrader("fetch_assignment", ASSIGNMENT, *learner_args, cwd=home, home=home)
        for exercise_id in EXERCISES:
            exercise = course[exercise_id]
            path = home / ASSIGNMENT / exercise.notebook_name
            nb = _learner_notebook(name, json.loads(path.read_text()), exercise)
            path.write_text(notebooks.dumps(nb))

    def submit(name: str) -> None:
        nbgrader("submit", ASSIGNMENT, *learner_args, f"--student={name}", cwd=homes[name], home=homes[name])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch_and_work, LEARNERS))
        list(pool.map(submit, ["ben", "cy", "dee"]))
    step("fetch, work, submit")
    due = datetime.now(timezone.utc)
    nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={due.strftime('%Y-%m-%d %H:%M:%S.%f')} UTC", cwd=root)
    time.sleep(1.0)
    submit("ada")  # after the due date: late by a second, so one started day
    nbgrader("collect", ASSIGNMENT, cwd=root)
    step("due date, late submit, collect")

    # the nbgrader path and, independently, `autograder grade` on the same submitted files
    grade_out = tmp / "grade"
    with ThreadPoolExecutor(2) as pool:
        nb_run = pool.submit(run, [str(BIN / "autograder"), "nbgrader", "autograde", str(root), ASSIGNMENT,
                                   "--jobs", "2"], tmp)
        direct = {name: pool.submit(
            run, [str(BIN / "autograder"), "grade", str(root / "submitted" / name / ASSIGNMENT),
                  *sum((["--exercise", i] for i in EXERCISES), []), "--format", "json",
                  "--out", str(grade_out / name)], tmp) for name in LEARNERS}
        autograded = nb_run.result()
        for future in direct.values():
            future.result()
    step("autograde (sandbox + nbgrader) and autograder grade")
    after_autograde = {name: _grades(root, name) for name in LEARNERS}
    # a grader scores the written answers in the formgrader (this is what its grade API does)
    with _gradebook(root) as gb:
        for name, points in MANUAL.items():
            grade = gb.find_grade(WRITTEN, NB271, ASSIGNMENT, name)
            grade.manual_score = points
            grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None
        gb.db.commit()
    fb = run([str(BIN / "autograder"), "nbgrader", "feedback", str(root), ASSIGNMENT], tmp, ok=False)
    exported = run([str(BIN / "autograder"), "nbgrader", "export", str(root)], tmp)
    simil = run([str(BIN / "autograder"), "nbgrader", "similarity", str(root), ASSIGNMENT], tmp)
    step("feedback, export, similarity")
    seconds = time.monotonic() - started
    print(f"\nnbgrader workflow for {len(LEARNERS)} learners x {len(EXERCISES)} exercises: {seconds:.0f} s ("
          + ", ".join(f"{label} {t:.0f} s" for label, t in steps) + ")")
    return {
        "root": root, "due": due, "autograde": autograded, "after_autograde": after_autograde, "feedback": fb, "export": exported,
        "similarity": simil, "seconds": seconds,
        "direct": {name: json.loads((grade_out / name / "report.json").read_text()) for name in LEARNERS},
        "csv": {row["student_id"]: row for row in csv.DictReader(open(root / "exports" / "grades.csv"))},
    }


def _gradebook(root: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def _grades(root: Path, student: str) -> dict[tuple[str, str, str], object]:
    """(exercise, kind, part) -> (auto_score, needs_manual_grade, max_score) for a learner."""
    out = {}
    with _gradebook(root) as gb:
        for nb in gb.find_submission(ASSIGNMENT, student).notebooks:
            for grade in nb.grades:
                out[parse_grade_id(grade.name)] = (grade.auto_score, grade.needs_manual_grade, grade.max_score)
    return out


# -- the course ----------------------------------------------------------------------------------------
def test_the_release_is_the_learner_starter_with_no_solution_and_no_test_code(klass, course):
    root = klass["root"]
    release = root / "release" / ASSIGNMENT
    assert leaks.scan(release, course) == []
    for exercise_id in EXERCISES:
        exercise = course[exercise_id]
        nb = json.loads((release / exercise.notebook_name).read_text())
        starter = generate.cells(exercise, "starter")
        for cell in nb["cells"]:
            meta = cell["metadata"]
            index = meta.get("autograder", {}).get("cell")
            assert "starter" not in meta.get("autograder", {})
            if index is not None:  # every statement, provided and answer cell is the learner starter's
                assert "".join(cell["source"]) == starter[index]["source"]
            if meta.get("nbgrader", {}).get("grade") and cell["cell_type"] == "code":  # a test cell: no code
                assert meta["nbgrader"]["locked"]
                lines = [line for line in "".join(cell["source"]).splitlines() if line.strip()]
                assert lines and all(line.startswith("#") for line in lines)
        points = {parse_grade_id(c["metadata"]["nbgrader"]["grade_id"])[2]: c["metadata"]["nbgrader"]["points"]
                  for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
        assert points == {p.id: p.points for p in exercise.parts}
    sheet = (root / "rubrics" / f"{ASSIGNMENT}.md").read_text()
    assert course["27.1"].parts[1].rubric[0] in sheet


def test_the_config_sets_the_course_the_exchange_the_gradebook_and_the_late_policy(klass):
    text = (klass["root"] / "nbgrader_config.py").read_text()
    for needle in (f"course_id = {COURSE_ID!r}", 'c.Exchange.root = os.path.join(HERE, "exchange")',
                   '"sqlite:///"', "SandboxAutograde", f"c.LatePolicy.per_day = {PER_DAY!r}"):
        assert needle in text
    assert '"nbgrader.preprocessors.Execute"' not in text and '"nbgrader.preprocessors.SaveAutoGrades"' not in text


# -- grades ------------------------------------------------------------------------------------------------
def test_the_exported_grades_equal_what_autograder_grade_gives_for_the_same_files(klass, course):
    root = klass["root"]
    for name in LEARNERS:
        direct = klass["direct"][name]
        by_exercise = {e["id"]: e for e in direct["exercises"]}
        assert set(by_exercise) == set(EXERCISES)
        grades = klass["after_autograde"][name]
        for exercise_id, result in by_exercise.items():
            for part in result["parts"]:
                if part["kind"] == "auto":
                    assert grades[(exercise_id, "test", part["id"])][0] == part["score"], (name, exercise_id, part["id"])
        row = klass["csv"][name]  # exported after the written parts were graded
        assert float(row["raw_score"]) == direct["auto_score"] + MANUAL.get(name, 0), name
        assert float(row["max_score"]) == sum(course[i].points for i in EXERCISES)
        report = json.loads((root / "reports" / ASSIGNMENT / name / "report.json").read_text())
        assert report["auto_score"] == direct["auto_score"]
    full = sum(course[i].auto_points for i in EXERCISES)
    assert klass["direct"]["ada"]["auto_score"] == full
    assert klass["direct"]["ben"]["auto_score"] == 0
    assert 0 < klass["direct"]["cy"]["auto_score"] < full


def test_written_parts_appear_as_needing_grading(klass):
    root = klass["root"]
    after = klass["after_autograde"]
    for name in ("ada", "cy"):  # they answered (a.written): a person must grade it
        auto, needs, _ = after[name][("27.1", "written", "a.written")]
        assert auto is None and needs
    # an untouched answer cell is nbgrader's "no response": zero, nothing to grade
    auto, needs, _ = after["ben"][("27.1", "written", "a.written")]
    assert auto == 0 and not needs
    report = json.loads((root / "reports" / ASSIGNMENT / "ada" / "report.json").read_text())
    assert report["manual_pending"] == 1 and report["gradebook"]["written"]["27.1 (a.written)"]["needs_manual_grade"]
    # once graded in the formgrader, nothing is left to grade and the export carries the points
    with _gradebook(root) as gb:
        assert not gb.find_submission(ASSIGNMENT, "ada").needs_manual_grade
    book = json.loads((root / "exports" / ASSIGNMENT / "grades.json").read_text())
    ada = next(r for r in book["learners"] if r["submission"].startswith("ada/"))
    assert ada["gradebook"]["written"]["27.1 (a.written)"]["score"] == MANUAL["ada"]


def test_a_kernel_that_swallows_failed_assertions_gains_nothing(klass):
    root = klass["root"]
    submitted = (root / "submitted" / "dee" / ASSIGNMENT / "27.01_a-fraud-detection-pipeline-as-a-dag.ipynb").read_text()
    assert "set_custom_exc" in submitted and "AlwaysEqual" in submitted
    grades = klass["after_autograde"]["dee"]
    tests = {key: value for key, value in grades.items() if key[1] == "test"}
    assert tests and all(auto == 0 and not needs for auto, needs, _ in tests.values())
    assert float(klass["csv"]["dee"]["raw_score"]) == 0
    # nbgrader never ran the notebook: no mark left, and no output but the grader's in the autograded copy
    autograded = root / "autograded" / "dee" / ASSIGNMENT
    assert not list(root.rglob(MARK))
    for path in autograded.glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code" and cell["outputs"]:
                assert cell["metadata"]["nbgrader"]["grade"] and cell["outputs"][0]["output_type"] == "display_data"


def test_a_late_submission_loses_the_configured_share(klass, course):
    rows = klass["csv"]
    ada = rows["ada"]
    # the penalty covers the written points given after autograding too (export applies the policy again)
    assert float(ada["raw_score"]) == sum(course[i].auto_points for i in EXERCISES) + MANUAL["ada"]
    assert float(ada["late_submission_penalty"]) == pytest.approx(PER_DAY * float(ada["raw_score"]))
    assert float(ada["score"]) == pytest.approx((1 - PER_DAY) * float(ada["raw_score"]))
    for name in ("ben", "cy", "dee"):
        assert float(rows[name]["late_submission_penalty"]) == 0, name
    summary = json.loads((klass["root"] / "reports" / ASSIGNMENT / "ada" / "report.json").read_text())["gradebook"]
    assert summary["seconds_late"] > 0 and summary["late_penalty"] == pytest.approx(PER_DAY * summary["raw_score"])


def test_the_late_policy():
    assert late_fraction(0, 0.1) == 0
    assert late_fraction(60, 0.1) == pytest.approx(0.1)
    assert late_fraction(86400 + 1, 0.1) == pytest.approx(0.2)
    assert late_fraction(600, 0.1, grace_minutes=15) == 0
    assert late_fraction(30 * 86400, 0.1, max_fraction=0.5) == 0.5
    policy = LatePolicy(per_day=0.2)
    assert policy.late_submission_penalty("x", 10.0, 3 * 86400) == pytest.approx(6.0)


# -- feedback ----------------------------------------------------------------------------------------------
def test_feedback_shows_hidden_tests_by_name_points_and_hint_never_their_code(klass, course):
    root = klass["root"]
    assert klass["feedback"].returncode == 0, klass["feedback"].stdout + klass["feedback"].stderr
    assert "leak check: clean" in klass["feedback"].stdout
    assert workflow.feedback_leaks(root, ASSIGNMENT, course) == []
    hidden = {line.strip() for e in EXERCISES for t in course[e].hidden_tests
              for line in t.read_text().splitlines() if len(line.strip()) >= 25}
    model = source.model_answers(source.parse(course["27.1"].source_dir / "notebook.py"))["a.written"]
    rubric = course["27.1"].parts[1].rubric[0]
    for name in LEARNERS:
        pages = list((root / "feedback" / name / ASSIGNMENT).glob("*.html"))
        assert len(pages) == len(EXERCISES)
        text = html.unescape("\n".join(p.read_text() for p in pages))
        assert not [line for line in hidden if line in text], name
        assert rubric not in text
        if name in ("ben", "dee"):  # ada and cy wrote the model answer themselves
            assert model.splitlines()[0] not in text
        # every scoring test appears by name, with its points
        for exercise in (course[i] for i in EXERCISES):
            result = next(e for e in klass["direct"][name]["exercises"] if e["id"] == exercise.id)
            for part in (p for p in result["parts"] if p["kind"] == "auto"):
                for test in part["tests"]:
                    if test["max_score"]:
                        assert test["name"] in text
                        if test["status"] != "passed":
                            assert test["hint"] in text
    # the leak check can fail: a hidden test's line planted in ben's feedback is found
    planted = root / "feedback" / "ben" / ASSIGNMENT / "planted.html"
    table = leaks.secrets(course)
    secret = next(line for line in sorted(table) if table[line] == "27.1" and line in hidden and line[0].isalpha())
    planted.write_text(f"<p>{secret}</p>\n")
    try:
        assert any(secret.strip() in leak for leak in workflow.feedback_leaks(root, ASSIGNMENT, course))
    finally:
        planted.unlink()
    md = (root / "reports" / ASSIGNMENT / "ben" / "report.md").read_text()
    assert "test_dag_has_the_eight_tasks" in md and "Add every task of the table" in md


def test_the_formgrader_view_adds_rubric_and_model_answer_and_feedback_does_not(klass, course):
    from traitlets import Unicode
    from traitlets.config import Configurable

    class Parent(Configurable):
        template_name = Unicode("formgrade")

    path = klass["root"] / "autograded" / "ada" / ASSIGNMENT / course["27.1"].notebook_name
    import nbformat

    parent = Parent()
    notes = GraderNotes(parent=parent)
    nb, _ = notes.preprocess(nbformat.read(path, as_version=4), {"submission_id": "x"})
    text = "\n".join(c.source for c in nb.cells)
    assert course["27.1"].parts[1].rubric[0] in text and "For the grader" in text
    parent.template_name = "feedback"
    nb, _ = notes.preprocess(nbformat.read(path, as_version=4), {"nbgrader": {}})
    assert "For the grader" not in "\n".join(c.source for c in nb.cells)


# -- exports -----------------------------------------------------------------------------------------------
def test_exports_csv_json_and_gradescope(klass):
    root = klass["root"]
    assert set(klass["csv"]) == set(LEARNERS)
    book = json.loads((root / "exports" / ASSIGNMENT / "grades.json").read_text())
    assert [r["submission"] for r in book["learners"]] == [f"{n}/{ASSIGNMENT}" for n in LEARNERS]
    for name in LEARNERS:
        results = json.loads((root / "exports" / ASSIGNMENT / "gradescope" / name / "results.json").read_text())
        assert results["score"] == klass["direct"][name]["auto_score"]
        assert results["tests"] and all({"name", "score", "max_score"} <= set(t) for t in results["tests"])
        assert (root / "reports" / ASSIGNMENT / name / "results.json").exists()


# -- similarity --------------------------------------------------------------------------------------------
def test_the_similarity_report_ranks_ada_and_cy_first(klass):
    root = klass["root"]
    page = (root / "reports" / ASSIGNMENT / "similarity.html").read_text()
    assert "Similarity report" in page and "pair1" in page
    first = klass["similarity"].stdout.splitlines()[0].split()
    assert set(first[1:3]) == {"ada", "cy"}, klass["similarity"].stdout
    assert "ben" not in klass["similarity"].stdout  # the untouched release has no code of its own


def _disguise(code: str, keep: set[str]) -> str:
    """Every name not in ``keep`` renamed, spacing changed (tokenize's compatibility mode) and a
    comment on each line: what a learner copying someone else's answer might do."""
    import builtins
    import io
    import keyword
    import tokenize

    out, previous = [], ""
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        text = tok.string
        if (tok.type == tokenize.NAME and not keyword.iskeyword(text) and not hasattr(builtins, text)
                and previous != "." and text not in keep):
            text = f"my_{text}_renamed"
        if tok.type == tokenize.NEWLINE:
            out.append((tokenize.COMMENT, "# my own work"))
        out.append((tok.type, text))
        previous = tok.string
    return tokenize.untokenize(out)


def test_similarity_sees_through_renaming_and_reformatting(course):
    exercise = course["27.4"]
    src = json.loads(notebooks.dumps(nbcourse.notebook(exercise)))
    given, reference = similarity._source_parts(src, exercise.id)
    solution = [c["source"] for c in generate.cells(exercise, "reference") if c["kind"] == "code"][:-1]
    ada = similarity.normalise(solution, given, "ada", exercise.id)
    import re

    keep = {name for line in given for name in re.findall(r"[A-Za-z_]\w*", line)}  # the names the tests call
    eve = similarity.normalise([_disguise(text, keep) for text in solution], given, "eve", exercise.id)
    alternative = [c["source"] for c in generate.cells(exercise, "alternative") if c["kind"] == "code"][:-1]
    ola = similarity.normalise(alternative, given, "ola", exercise.id)
    assert len(ada.tokens) > 100 and eve.tokens == ada.tokens
    pairs = similarity.rank({exercise.id: ([ada, eve, ola], similarity.normalise(reference, given))})
    assert {pairs[0].a.student, pairs[0].b.student} == {"ada", "eve"}
    assert pairs[0].coverage == 1.0 and pairs[-1].coverage < 0.9
    page = similarity.to_html("t", pairs, 3, 0.0, 3)
    assert "background:" in page and "eve" in page  # matching regions are coloured side by side


def test_a_plain_nbgrader_autograde_grades_its_learners_in_the_sandbox_at_once(klass, tmp_path):
    """`nbgrader autograde` without the `autograder nbgrader autograde` wrapper: at its first notebook
    with no result it grades, in parallel, every notebook of the learners it was asked for (its
    --student glob), not one learner at a time; the scores are the wrapper's."""
    root = tmp_path / "course"
    shutil.copytree(klass["root"], root, ignore=shutil.ignore_patterns(
        workflow.RESULTS, "autograded", "feedback", "exports", "reports", "similarity*"))
    results = root / workflow.RESULTS / ASSIGNMENT

    only_ben = nbgrader("autograde", ASSIGNMENT, "--student=ben", cwd=root)
    assert sorted(p.name for p in results.iterdir()) == ["ben"]
    assert "for the 1 learner(s) of this run" in only_ben.stdout + only_ben.stderr

    everyone = nbgrader("autograde", ASSIGNMENT, "--force", cwd=root)
    log = everyone.stdout + everyone.stderr
    assert log.count("in the sandbox, 2 at a time") == 1, log[-3000:]  # once, at the first learner (ada)
    assert sorted(p.name for p in results.iterdir()) == sorted(LEARNERS)
    assert f"graded {len(EXERCISES) * (len(LEARNERS) - 1)} notebook(s)" in log  # ben's were kept
    for name in LEARNERS:
        theirs = {k: v[0] for k, v in _grades(root, name).items() if k and k[1] == "test"}
        ours = {k: v[0] for k, v in klass["after_autograde"][name].items() if k and k[1] == "test"}
        assert theirs == ours, name
