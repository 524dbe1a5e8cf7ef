"""A whole class graded by `autograder grade-class` and by `nbgrader autograde`, side by side in
the same run, on the same notebooks. Prints figures; not a timed test.

    .venv/bin/python benchmarks/class_vs_nbgrader.py [--learners 100] [--jobs 2] [--exercise 27.1 ...]
        [--sizes 10,50,100] [--job-counts 1,2] [--nbgrader-sample K] [--nbgrader-mode both] [--quick]

The class: N learners, one notebook per chosen exercise each, in nbgrader's format (the release of
an nbgrader course built by `autograder nbgrader build` + `nbgrader generate_assignment`, filled
the way tests/test_nbgrader.py fills it): the reference answers, the untouched release, one typical
mistake (a mutant marked ``typical``), and a few attacks from tests/test_sandbox_attacks.py (an
endless loop that ignores SIGALRM, sys.exit at import, 100 MB of output), each in a cell of its
own. Every notebook but an untouched release carries its learner's name in a comment, so no two
learners hand in the same file. The same files go to ``CLASS/<learner>/<assignment>/`` for
grade-class and to ``submitted/<learner>/<assignment>/`` of the nbgrader courses.

nbgrader is timed in two courses (``--nbgrader-mode``):

- ``kernel``: stock nbgrader, what instructors switch from. Its own autograde steps (Execute:
  every notebook run top to bottom in a fresh kernel, then SaveAutoGrades); each test cell of the
  source holds, between ``### BEGIN/END HIDDEN TESTS``, the same hidden and visible tests the
  grader runs, for that part, run in the kernel against the notebook's names (the in-process
  runner the grade_vs_pytest baseline uses), its value the part's partial credit. The test cells
  sit at the end of the notebook, so that every test sees all the learner's cells, as in the
  grader. The class is written from this course's release.
- ``sandbox``: the course exactly as ``autograder nbgrader build`` writes it (nbgrader_config.py's
  SandboxAutograde: nbgrader runs nothing, each notebook's points come from the sandboxed grader).

The headline ratio is against ``kernel``. nbgrader on a large class can be long: with
``--nbgrader-sample K`` nbgrader grades K learners spread across the class and its time is
extrapolated linearly to N; by default it first grades a few learners and grades the whole class
when that is estimated under ``--nbgrader-budget`` minutes (30; stock nbgrader took 13 to 17 min
for 100 learners on the 2-core machine), else as many as fit and extrapolates (said so in the
output).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_vs_pytest import bare_pytest  # noqa: E402 - the in-process baseline, as that benchmark measures it

from autograder import catalog as cat  # noqa: E402
from autograder import generate, notebooks, samples  # noqa: E402
from autograder.nbgrader import assignment_of, parse_grade_id  # noqa: E402
from autograder.nbgrader import course as nbcourse  # noqa: E402
from autograder.runner import run_tests  # noqa: E402
from autograder.submission import InProcessSubmission  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_EXERCISES = ["27.1", "27.3", "27.4", "27.12", "27.13"]
MODES = ("kernel", "sandbox")
MODE_LABEL = {"kernel": "nbgrader autograde (stock: a fresh kernel per notebook)",
              "sandbox": "nbgrader autograde (the course's config: SandboxAutograde)"}
MIX = {"reference": 45, "mistake": 35, "starter": 20}  # weights of the honest variants
# The attacks of tests/test_sandbox_attacks.py, each in a cell of its own after the header.
ATTACKS = {
    "exit": "import sys, os\nsys.exit(0)",  # test_exiting_at_import_earns_nothing_but_is_explained
    "output": "import os\nfor _ in range(100):\n    os.write(1, b'x' * (1 << 20))",  # ..._output_is_drained
    "loop": "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",  # ..._is_stopped
}
PILOT = 5  # learners nbgrader grades first, to estimate the whole class's time
NBGRADER_LOG_FORMAT = "%(asctime)s.%(msecs)03d [%(name)s | %(levelname)s] %(message)s"
HIDDEN_CELL = '''
### BEGIN HIDDEN TESTS
# part ({part}): the grader's tests of this part, run in this kernel against the notebook's names
import warnings as _ag_warnings
_ag_warnings.simplefilter("ignore")
from autograder.runner import run_tests as _ag_run_tests
from autograder.submission import InProcessSubmission as _ag_Submission
_ag_events = []
_ag_run_tests({files!r}, _ag_Submission(globals()), _ag_events.append, capture="sys", select={select!r})
min({points}, sum(e["points"] for e in _ag_events
              if e["type"] == "test" and e["part"] == {part!r} and e["status"] == "passed"))
### END HIDDEN TESTS'''


# -- helpers -------------------------------------------------------------------------------------
def spread(n: int, k: int) -> list[int]:
    """k indices evenly spread over range(n)."""
    k = max(0, min(k, n))
    return sorted({int((i + 0.5) * n / k) for i in range(k)})


def env() -> dict:
    out = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    out["PATH"] = os.pathsep.join([str(BIN), out.get("PATH", "")])  # nbgrader runs alembic from PATH
    return out


def run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"`{shlex.join(map(str, args))}` failed (exit {proc.returncode}):\n"
                           + "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:]))
    return proc


def nbgrader_cmd(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}"]


def rate(count: float, seconds: float) -> float:
    return count / seconds * 60 if seconds > 0 else float("nan")


def say(text: str) -> None:
    print(f"  · {text}", file=sys.stderr, flush=True)


# -- the class -----------------------------------------------------------------------------------
def plan_class(n: int, exercises: list[cat.Exercise], attacks: int, seed: int) -> dict[str, dict[str, str]]:
    """learner -> exercise id -> "reference", "starter", "mistake:<mutant>" or "attack:<kind>"."""
    rng = random.Random(seed)
    learners = [f"learner{i:03d}" for i in range(1, n + 1)]
    plan: dict[str, dict[str, str]] = {}
    for name in learners:
        plan[name] = {}
        for exercise in exercises:
            kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
            if kind == "mistake":
                typical = samples.typical(exercise)
                kind = f"mistake:{rng.choice(typical).name}" if typical else "reference"
            plan[name][exercise.id] = kind
    kinds = list(ATTACKS)
    for j, index in enumerate(spread(n, attacks)):
        plan[learners[index]][exercises[j % len(exercises)].id] = f"attack:{kinds[j % len(kinds)]}"
    for exercise in exercises:  # the per-exercise overhead is measured on reference notebooks: at least one
        if not any(v[exercise.id] == "reference" for v in plan.values()):
            honest = [l for l in learners if not plan[l][exercise.id].startswith("attack")]
            if honest:
                plan[honest[0]][exercise.id] = "reference"
    return plan


def learner_notebook(release: dict, exercise: cat.Exercise, variant: str, learner: str) -> dict:
    kind, _, detail = variant.partition(":")
    if kind == "starter":
        return json.loads(json.dumps(release))  # the untouched release
    if kind == "mistake":
        mutant = next(m for m in exercise.mutants if m.name == detail)
        cells = generate.cells(exercise, "mutant", mutant)
    else:
        cells = generate.cells(exercise, "reference")
    nb = nbcourse.fill(release, exercise, cells)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution"))
    text = first["source"] if isinstance(first["source"], str) else "".join(first["source"])
    first["source"] = f"# {learner}'s answers\n{text}".splitlines(keepends=True)
    if kind == "attack":
        nb["cells"].insert(1, {"cell_type": "code", "id": f"{learner}-attack", "metadata": {}, "execution_count": None,
                               "outputs": [], "source": ATTACKS[detail]})
    return nb


# -- the nbgrader courses ------------------------------------------------------------------------
def collected_tests(exercise: cat.Exercise) -> list[dict]:
    """The graded tests of an exercise (name, function, part, file), as the runner collects them."""
    events: list[dict] = []
    run_tests([str(p) for p in graded_test_files(exercise)], InProcessSubmission({}), events.append, capture="sys")
    return next(e["tests"] for e in events if e["type"] == "collected")


def graded_test_files(exercise: cat.Exercise) -> list[Path]:
    return [*exercise.hidden_tests, *(p for p in exercise.visible_tests if p.exists())]


def add_hidden_tests(root: Path, exercises: list[cat.Exercise]) -> None:
    """Stock nbgrader: each source test cell gets the tests of its part as hidden test code, and
    moves to the end of the notebook. (A kernel runs cells in order, and a part's test may need
    code from a later cell: 27.4's part (a) tests ``add_task``, written in the cell of part (b).
    The sandboxed grader runs every test after all the cells: so do these.)"""
    for exercise in exercises:
        tests = collected_tests(exercise)
        files = [str(p) for p in graded_test_files(exercise)]
        path = root / "source" / assignment_of(exercise) / exercise.notebook_name
        nb = json.loads(path.read_text())
        test_cells = []
        for cell in nb["cells"]:
            part_id = cell["metadata"].get("autograder", {}).get("test")
            if part_id is None:
                continue
            part = next(p for p in exercise.parts if p.id == part_id)
            select = sorted({t["function"] for t in tests if t["part"] == part_id})
            text = "".join(cell["source"]) + HIDDEN_CELL.format(part=part_id, files=files, select=select,
                                                                points=part.points)
            cell["source"] = text.splitlines(keepends=True)
            test_cells.append(cell)
        nb["cells"] = [c for c in nb["cells"] if c not in test_cells] + test_cells
        path.write_text(notebooks.dumps(nb))


def stock_autograde_config() -> str:
    from nbgrader.converters import Autograde

    steps = [f"{p.__module__}.{p.__name__}" for p in Autograde().autograde_preprocessors]
    return ("\n# benchmark: stock nbgrader autograde (run every notebook in a fresh kernel, grade its test cells)\n"
            f"c.Autograde.autograde_preprocessors = {steps!r}\n")


def build_course(root: Path, mode: str, exercises: list[cat.Exercise]) -> list[str]:
    """`autograder nbgrader build` + `nbgrader generate_assignment`, as tests/test_nbgrader.py does;
    returns the assignments."""
    run([BIN / "autograder", "nbgrader", "build", root, "--course-id", "bench",
         *sum((["--exercise", e.id] for e in exercises), [])])
    if mode == "kernel":
        add_hidden_tests(root, exercises)
        config = root / "nbgrader_config.py"
        config.write_text(config.read_text() + stock_autograde_config())
    assignments = sorted({assignment_of(e) for e in exercises})
    for assignment in assignments:
        run(nbgrader_cmd(root, "generate_assignment", assignment), cwd=root)
    return assignments


def hardlink_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=os.link, dirs_exist_ok=True)


def time_nbgrader(root: Path, assignments: list[str], learners: list[str], class_dir: Path) -> tuple[float, list[dict]]:
    """Place the learners' notebooks in submitted/ and run `nbgrader autograde` on each assignment
    (learners already autograded are skipped by nbgrader); return the wall time and, per
    invocation, its wall-clock start and end and its time-stamped log (also kept in the course)."""
    for learner in learners:
        hardlink_tree(class_dir / learner, root / "submitted" / learner)
    runs = []
    started = time.perf_counter()
    for assignment in assignments:
        cmd = nbgrader_cmd(root, "autograde", assignment, f"--NbGrader.log_format={NBGRADER_LOG_FORMAT}",
                           "--NbGrader.log_datefmt=%H:%M:%S")
        begin = time.time()
        proc = subprocess.run(cmd, cwd=root, env=env(), capture_output=True, text=True)
        runs.append({"begin": begin, "end": time.time(), "log": proc.stdout + proc.stderr})
        with open(root / "autograde.log", "a") as fh:
            fh.write(f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}\n")
        if proc.returncode != 0:
            say(f"nbgrader autograde {assignment} exited {proc.returncode}: "
                + " | ".join(l for l in proc.stderr.splitlines() if "ERROR" in l)[-600:])
    return time.perf_counter() - started, runs


def nbgrader_run(mode: str, root: Path, assignments: list[str], class_dir: Path, learners: list[str],
                 sample: int | None, budget_minutes: float, units_per_learner: int) -> dict:
    """Grade the whole class, or a spread sample of it, with nbgrader; extrapolate if sampled."""
    n = len(learners)
    if sample is not None:
        chosen = [learners[i] for i in spread(n, sample)]
        say(f"{mode}: nbgrader autograde on a sample of {len(chosen)} of {n} learners")
        seconds, runs = time_nbgrader(root, assignments, chosen, class_dir)
        passes = [len(chosen)]
    else:
        pilot = [learners[i] for i in spread(n, min(PILOT, n))]
        say(f"{mode}: nbgrader autograde on {len(pilot)} learners first, to estimate the whole class")
        seconds, runs = time_nbgrader(root, assignments, pilot, class_dir)
        chosen, passes = list(pilot), [len(pilot)]
        estimate = seconds / len(pilot) * n
        if len(pilot) < n:
            if estimate <= budget_minutes * 60:
                rest = [x for x in learners if x not in pilot]
                say(f"{mode}: estimated {estimate / 60:.1f} min for the class: grading the other {len(rest)} learners")
            else:
                fit = max(len(pilot), int(budget_minutes * 60 / (seconds / len(pilot))))
                rest = [learners[i] for i in spread(n, fit) if learners[i] not in pilot][: fit - len(pilot)]
                say(f"{mode}: estimated {estimate / 60:.1f} min for the class (over {budget_minutes:g} min): "
                    f"grading {len(rest)} more learners, then extrapolating")
            if rest:
                more, more_runs = time_nbgrader(root, assignments, rest, class_dir)
                seconds, runs = seconds + more, runs + more_runs
                chosen += rest
                passes.append(len(rest))
    k = len(chosen)
    return {"mode": mode, "learners": chosen, "graded": k, "passes": passes, "measured": seconds,
            "seconds": seconds * n / k, "extrapolated": k < n, "units": k * units_per_learner,
            "breakdown": log_breakdown(runs)}


def _seconds_of_day(stamp: float) -> float:
    moment = datetime.fromtimestamp(stamp)
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def log_breakdown(runs: list[dict]) -> dict:
    """Where nbgrader's time went, from its time-stamped logs: start-up (process start to its first
    log line: imports, configuration, the gradebook), the autograde step of each notebook ("Autograding
    F" to "Writing ... F": Execute in a kernel, or SandboxAutograde), the rest of its per-notebook
    work (sanitizing, overwriting cells, copying, the gradebook) and the exit after its last line."""
    out = {"startup": 0.0, "steps": 0.0, "notebooks": 0, "bookkeeping": 0.0, "exit": 0.0, "invocations": len(runs)}
    for r in runs:
        stamps = []
        for line in r["log"].splitlines():
            match = re.match(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \[(\w+) \| (\w+)\] (.*)$", line)
            if match:
                h, m, sec, ms = (int(x) for x in match.groups()[:4])
                stamps.append((h * 3600 + m * 60 + sec + ms / 1000, match[7]))
        begin, end = _seconds_of_day(r["begin"]), _seconds_of_day(r["end"])
        if not stamps:
            out["startup"] += (end - begin) % 86400
            continue
        out["startup"] += (stamps[0][0] - begin) % 86400
        out["exit"] += (end - stamps[-1][0]) % 86400
        open_steps: dict[str, float] = {}
        steps = 0.0
        for stamp, message in stamps:
            if message.startswith("Autograding "):
                open_steps[message[len("Autograding "):].strip()] = stamp
            elif message.startswith("Writing ") and " bytes to " in message:
                path = message.split(" bytes to ", 1)[1].strip()
                if path in open_steps:
                    steps += (stamp - open_steps.pop(path)) % 86400
                    out["notebooks"] += 1
        out["steps"] += steps
        out["bookkeeping"] += (stamps[-1][0] - stamps[0][0]) % 86400 - steps
    return out


def kernel_start_seconds(repeat: int) -> float:
    """A fresh python3 kernel started and one trivial cell run (nbclient, as nbgrader's Execute)."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeat):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        started = time.perf_counter()
        NotebookClient(nb, kernel_name="python3", timeout=60).execute()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def gradebook_scores(root: Path, assignments: list[str], learners: list[str]) -> dict[tuple[str, str], float]:
    """(learner, exercise id) -> the autograded points nbgrader's gradebook holds."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[tuple[str, str], float] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for assignment in assignments:
            for learner in learners:
                try:
                    sub = gb.find_submission(assignment, learner)
                except MissingEntry:
                    continue
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        parsed = parse_grade_id(grade.name)
                        if parsed and parsed[1] == "test":
                            key = (learner, parsed[0])
                            out[key] = out.get(key, 0.0) + float(grade.auto_score or 0)
    return out


# -- grade-class -----------------------------------------------------------------------------------
def grade_class_cmd(class_dir: Path, jobs: int, out: Path, exercises: list[cat.Exercise]) -> list[str]:
    return [str(BIN / "autograder"), "grade-class", str(class_dir), "--jobs", str(jobs), "--out", str(out),
            *sum((["--exercise", e.id] for e in exercises), [])]


def time_grade_class(class_dir: Path, jobs: int, out: Path, exercises: list[cat.Exercise], tries: int = 4) -> dict:
    """Wall time of `autograder grade-class` as a subprocess (retried if the grader breaks)."""
    cmd = grade_class_cmd(class_dir, jobs, out, exercises)
    for attempt in range(1, tries + 1):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=env(), capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if proc.returncode == 0 and (out / "grades.json").is_file():
            book = json.loads((out / "grades.json").read_text())
            return {"cmd": cmd, "seconds": seconds, "book": book, "stdout": proc.stdout.strip(), "attempts": attempt}
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-4:])
        say(f"grade-class failed (exit {proc.returncode}, try {attempt}/{tries}): {tail[-400:]}")
        if attempt < tries:
            time.sleep(30)
    raise RuntimeError(f"grade-class kept failing: {shlex.join(cmd)}")


def unit_seconds(book: dict) -> dict[tuple[str, str], float]:
    return {(r["submission"], e["id"]): float(e.get("seconds") or 0) for r in book["learners"] for e in r["exercises"]}


def unit_scores(book: dict) -> dict[tuple[str, str], float]:
    return {(r["submission"], e["id"]): float(e["auto_score"]) for r in book["learners"] for e in r["exercises"]}


# -- the benchmark ---------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, help="learners in the class (default 100; --quick: 4)")
    parser.add_argument("--exercise", action="append", metavar="ID",
                        help=f"a notebook exercise of the class (repeatable; default {' '.join(DEFAULT_EXERCISES)}; "
                             "--quick: 27.1)")
    parser.add_argument("--jobs", type=int, default=2, help="grade-class --jobs of the main run (default 2)")
    parser.add_argument("--sizes", help="class sizes of the scaling runs (default 10,50,100; --quick: 2,4); "
                                        "each at most --learners")
    parser.add_argument("--job-counts", help="grade-class --jobs of the scaling runs (default 1,2)")
    parser.add_argument("--nbgrader-sample", type=int, metavar="K",
                        help="time nbgrader on K learners spread across the class and extrapolate linearly "
                             "(default: the whole class if estimated under --nbgrader-budget; --quick: 2)")
    parser.add_argument("--nbgrader-budget", type=float, default=30.0, metavar="MIN",
                        help="minutes nbgrader may take per mode before it is sampled (default 30)")
    parser.add_argument("--nbgrader-mode", choices=["kernel", "sandbox", "both"], default="both",
                        help="which nbgrader course to time (default both; see the module docstring)")
    parser.add_argument("--attacks", type=int, help="attack notebooks in the class (default 3; --quick: 1), "
                                                    "at most a quarter of the learners")
    parser.add_argument("--repeat", type=int, help="bare-pytest baseline runs per exercise (default 3; --quick: 1)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small sizes (4 learners, 27.1, nbgrader on 2)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.learners = args.learners or (4 if quick else 100)
    args.exercise = args.exercise or (["27.1"] if quick else DEFAULT_EXERCISES)
    sizes = args.sizes or ("2,4" if quick else "10,50,100")
    args.sizes = sorted({min(int(s), args.learners) for s in sizes.split(",") if s.strip()})
    args.job_counts = sorted({int(j) for j in (args.job_counts or "1,2").split(",") if j.strip()})
    if args.nbgrader_sample is None and quick:
        args.nbgrader_sample = 2
    if args.attacks is None:
        args.attacks = 1 if quick else 3
    args.attacks = min(args.attacks, args.learners // 4)
    args.repeat = args.repeat or (1 if quick else 3)
    if args.learners < 1 or args.jobs < 1 or min(args.job_counts) < 1 or min(args.sizes) < 1:
        parser.error("--learners, --jobs, --sizes and --job-counts must be positive")
    if args.nbgrader_sample is not None and args.nbgrader_sample < 1:
        parser.error("--nbgrader-sample must be at least 1")
    return args


def write_class(class_dir: Path, plan: dict, exercises: list[cat.Exercise], release_root: Path) -> None:
    releases = {e.id: json.loads((release_root / assignment_of(e) / e.notebook_name).read_text()) for e in exercises}
    for learner, variants in plan.items():
        for exercise in exercises:
            nb = learner_notebook(releases[exercise.id], exercise, variants[exercise.id], learner)
            folder = class_dir / learner / assignment_of(exercise)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / exercise.notebook_name).write_text(notebooks.dumps(nb))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join([os.path.relpath(sys.executable), os.path.relpath(__file__),
                          *(sys.argv[1:] if argv is None else argv)])
    catalog = cat.load_catalog()
    try:
        exercises = [cat.get(i, catalog) for i in args.exercise]
    except cat.CatalogError as exc:
        sys.exit(f"class_vs_nbgrader: {exc}")
    for e in exercises:
        if not (e.ready and e.deliverable == "notebook" and e.auto_points):
            sys.exit(f"class_vs_nbgrader: {e.id} is not a ready, autograded notebook exercise")
        if e.services:
            say(f"{e.id} starts services ({', '.join(e.services)}): expect long nbgrader kernel runs")
    modes = list(MODES) if args.nbgrader_mode == "both" else [args.nbgrader_mode]
    n, ids = args.learners, [e.id for e in exercises]
    n_assignments = len({assignment_of(e) for e in exercises})
    work_ctx = tempfile.TemporaryDirectory(prefix="class-vs-nbgrader-") if not args.keep else None
    work = Path(args.keep).resolve() if args.keep else Path(work_ctx.name)
    if args.keep and work.exists() and any(work.iterdir()):
        sys.exit(f"class_vs_nbgrader: {work} is not empty; --keep wants a new folder")
    work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - since
        return now

    try:
        # 1. the nbgrader courses (built side by side: not timed), and the class from their release
        say(f"building the nbgrader course(s): {', '.join(modes)}")
        t = time.perf_counter()
        courses = {mode: work / f"course-{mode}" for mode in modes}
        with ThreadPoolExecutor(len(modes)) as pool:
            built = {mode: pool.submit(build_course, root, mode, exercises) for mode, root in courses.items()}
            assignments = {mode: future.result() for mode, future in built.items()}
        plan = plan_class(n, exercises, args.attacks, args.seed)
        class_dir = work / "class"
        write_class(class_dir, plan, exercises, courses[modes[0]] / "release")
        (work / "plan.json").write_text(json.dumps(plan, indent=1))
        learners = list(plan)
        units = n * len(exercises)
        kinds = [v.partition(":")[0] for vs in plan.values() for v in vs.values()]
        mix = {k: kinds.count(k) for k in ("reference", "mistake", "starter", "attack")}
        attacks = [f"{l} {e} {v.split(':')[1]}" for l, vs in plan.items() for e, v in vs.items() if v.startswith("attack")]
        say(f"class of {n} learners x {len(exercises)} exercises written to {class_dir}")
        t = phase("build the courses and the class", t)

        # 2. the bare-pytest baseline (in this process, reference notebooks), and a bare kernel start
        say("bare pytest baseline")
        bare = {e.id: statistics.median(bare_pytest(e) for _ in range(args.repeat)) for e in exercises}
        kernel_start = kernel_start_seconds(args.repeat) if "kernel" in modes else None
        t = phase("baselines", t)

        # 3. grade-class: the main run, then the scaling runs
        say(f"grade-class on {n} learners, --jobs {args.jobs}")
        main_run = time_grade_class(class_dir, args.jobs, work / f"out-{n}-j{args.jobs}", exercises)
        grid: dict[tuple[int, int], dict] = {(n, args.jobs): main_run}
        for size in args.sizes:
            subset = class_dir if size == n else work / f"class-{size}"
            if size != n:
                for learner in learners[:size]:
                    hardlink_tree(class_dir / learner, subset / learner)
            for jobs in args.job_counts:
                if (size, jobs) not in grid:
                    say(f"grade-class on {size} learners, --jobs {jobs}")
                    grid[(size, jobs)] = time_grade_class(subset, jobs, work / f"out-{size}-j{jobs}", exercises)
        t = phase("grade-class runs", t)

        # 4. nbgrader autograde, on the same notebooks
        nb_runs = {}
        ours = unit_scores(main_run["book"])
        for mode in modes:
            r = nbgrader_run(mode, courses[mode], assignments[mode], class_dir, learners,
                             args.nbgrader_sample, args.nbgrader_budget, len(exercises))
            theirs = gradebook_scores(courses[mode], assignments[mode], r["learners"])
            keys = [(l, e) for l in r["learners"] for e in ids]
            differ = [k for k in keys if k not in theirs or abs(theirs[k] - ours.get(k, -1)) > 1e-9]
            r.update(compared=len(keys), agree=len(keys) - len(differ),
                     differ=[(l, e, plan[l][e], ours.get((l, e)), theirs.get((l, e))) for l, e in differ])
            nb_runs[mode] = r
        phase("nbgrader runs", t)
    finally:
        total = time.perf_counter() - started
        if work_ctx is not None:
            work_ctx.cleanup()
    load_after = os.getloadavg()[0]

    # -- report ------------------------------------------------------------------------------------
    out = print
    out(f"class: {n} learners x {len(exercises)} notebook exercises ({', '.join(ids)}) = {units} notebooks: "
        + ", ".join(f"{v} {k}" for k, v in mix.items()) + f" (seed {args.seed})")
    if attacks:
        out("attacks: " + "; ".join(attacks))
    out(f"machine: {os.cpu_count()} cores; load average {load_before:.1f} at the start, {load_after:.1f} at the end"
        + (" (other work shared the machine: every figure is slower than on an idle one)"
           if max(load_before, load_after) > 0.5 * (os.cpu_count() or 1) else "")
        + f"; python {sys.version.split()[0]}; {datetime.now():%Y-%m-%d %H:%M}")

    g = main_run["seconds"]
    out(f"\n== side by side: {n} learners, the same {units} notebooks ==")
    out(f"{'grader':<60} {'learners':>8} {'wall':>9} {'subm./min':>10} {'nb/min':>8} {'vs grade-class':>15}")
    out(f"{f'autograder grade-class --jobs {args.jobs}':<60} {n:>8} {g:>7.1f} s {rate(n, g):>10.1f} "
        f"{rate(units, g):>8.1f} {'1.0 x':>15}")
    for mode, r in nb_runs.items():
        out(f"{MODE_LABEL[mode]:<60} {str(n) + ('*' if r['extrapolated'] else ''):>8} {r['seconds']:>7.1f} s "
            f"{rate(n, r['seconds']):>10.1f} {rate(units, r['seconds']):>8.1f} {r['seconds'] / g:>11.1f} x slower")
    slowest = sorted(unit_seconds(main_run["book"]).items(), key=lambda kv: -kv[1])[:3]
    out("  grade-class's slowest notebooks (its wall time cannot be shorter than the slowest): "
        + "; ".join(f"{l} {e} {plan[l][e]} {sec:.1f} s" for (l, e), sec in slowest))
    for mode, r in nb_runs.items():
        how = f", in {len(r['passes'])} passes of {' + '.join(map(str, r['passes']))} learners" if len(r["passes"]) > 1 else ""
        if r["extrapolated"]:
            out(f"* {mode}: EXTRAPOLATED linearly to {n} learners from {r['graded']} learners spread across the class "
                f"(measured {r['measured']:.1f} s, {r['measured'] / r['graded']:.2f} s per learner{how})")
        else:
            out(f"  {mode}: the whole class measured ({r['measured']:.1f} s{how})")
    for mode, r in nb_runs.items():
        shown = "; ".join(f"{l} {e} {v}: {o if o is None else format(o, 'g')} vs {t if t is None else format(t, 'g')}"
                          for l, e, v, o, t in r["differ"][:6])
        out(f"  {mode}: autograded points equal to grade-class's on {r['agree']} of {r['compared']} notebooks"
            + (f"; they differ on {shown}" if shown else "") + (" ..." if len(r["differ"]) > 6 else ""))

    out("\n== per-exercise overhead: grade-class's time per (learner, exercise) minus the same tests in bare pytest ==")
    job_list = [args.jobs] + ([1] if args.jobs != 1 and (n, 1) in grid else [])
    per = {j: unit_seconds(grid[(n, j)]["book"]) for j in job_list}
    out(f"{'exercise':<9} {'reference notebooks':>19} {'bare pytest':>12}"
        + "".join(f" {f'grade-class --jobs {j}':>20} {'overhead':>9}" for j in job_list)
        + f" {f'all notebooks, --jobs {args.jobs}':>25}")
    overheads = {j: [] for j in job_list}
    for e in exercises:
        refs = [l for l in learners if plan[l][e.id] == "reference"]
        line = f"{e.id:<9} {len(refs):>19} {bare[e.id]:>10.3f} s"
        for j in job_list:
            med = statistics.median(per[j][(l, e.id)] for l in refs)
            overheads[j].append(med - bare[e.id])
            line += f" {med:>18.3f} s {(med - bare[e.id]) * 1000:>6.0f} ms"
        line += f" {statistics.median(per[args.jobs][(l, e.id)] for l in learners):>23.3f} s"
        out(line)
    out(f"(grade-class: the median of each exercise's reference notebooks' grading time in the class run of {n} learners "
        f"(the `seconds` of its gradebook); bare pytest: median of {args.repeat} in-process runs of the hidden tests on "
        f"the reference, as benchmarks/grade_vs_pytest.py; wall time x jobs / notebooks of the main run: "
        f"{g * args.jobs / units:.3f} s per notebook)")
    bare_mean = statistics.mean(bare.values())
    amortised = [(size, grid[(size, 1)]["seconds"] / (size * len(exercises))) for size in args.sizes if (size, 1) in grid]
    if amortised:
        out("wall time of a whole `grade-class --jobs 1` run per notebook (CLI start-up, summary page and the attacks' "
            f"time limits included) against bare pytest's mean {bare_mean:.3f} s: "
            + "; ".join(f"{size} learners {sec:.3f} s ({(sec - bare_mean) * 1000:+.0f} ms)" for size, sec in amortised))

    out("\n== how grade-class's wall time grows ==")
    out(f"{'learners':>8} {'notebooks':>9} {'attacks':>7} " + " ".join(f"{f'--jobs {j}':>21}" for j in args.job_counts)
        + (f" {'speed-up':>9}" if len(args.job_counts) > 1 else ""))
    for size in args.sizes:
        n_att = sum(1 for l in learners[:size] for v in plan[l].values() if v.startswith("attack"))
        cells = []
        for j in args.job_counts:
            r = grid[(size, j)]
            cells.append(f"{r['seconds']:>7.1f} s ({rate(size, r['seconds']):>6.1f}/min)")
        line = f"{size:>8} {size * len(exercises):>9} {n_att:>7} " + " ".join(f"{c:>21}" for c in cells)
        if len(args.job_counts) > 1:
            line += f" {grid[(size, args.job_counts[0])]['seconds'] / grid[(size, args.job_counts[-1])]['seconds']:>8.2f}x"
        out(line)
    out(f"(the first k learners of the class; /min: learners' submissions per minute; speed-up: --jobs "
        f"{args.job_counts[0]} time / --jobs {args.job_counts[-1]} time)" if len(args.job_counts) > 1 else
        "(the first k learners of the class; /min: learners' submissions per minute)")
    retried = [f"{s} learners --jobs {j}: {r['attempts']} attempts" for (s, j), r in grid.items() if r["attempts"] > 1]
    if retried:
        out("grade-class was retried: " + "; ".join(retried))

    out("\n== where nbgrader's time goes ==")
    for mode, r in nb_runs.items():
        b = r["breakdown"]
        nbs = max(1, b["notebooks"])
        what = ("a fresh kernel runs the notebook's cells and the test cells" if mode == "kernel"
                else "SandboxAutograde: at the first notebook, the sandboxed grader on all of the run's notebooks, 2 at a time")
        out(f"{mode}: {r['measured']:.1f} s for {r['graded']} learners x {len(exercises)} notebooks, "
            f"{b['invocations']} `nbgrader autograde` runs:")
        out(f"  start-up     {b['startup']:>7.1f} s  {b['startup'] / max(1, b['invocations']):.2f} s per run "
            "(python, imports, configuration, gradebook)")
        out(f"  autograde    {b['steps']:>7.1f} s  {b['steps'] / nbs:.2f} s per notebook ({what})"
            + (f"; a bare kernel started and one cell run: {kernel_start:.2f} s" if mode == "kernel" and kernel_start else ""))
        out(f"  bookkeeping  {b['bookkeeping']:>7.1f} s  {b['bookkeeping'] / nbs:.2f} s per notebook "
            "(sanitize, overwrite cells, copy, gradebook)")
        out(f"  exit         {b['exit']:>7.1f} s")

    out("\n== summary ==")
    out(f"{'':<60} {'wall':>9} {'subm./min':>10} {'nb/min':>8}")
    out(f"{f'grade-class --jobs {args.jobs}, {n} learners':<60} {g:>7.1f} s {rate(n, g):>10.1f} {rate(units, g):>8.1f}")
    for mode, r in nb_runs.items():
        label = f"nbgrader autograde ({mode}), {n} learners" + (f" [extrap. from {r['graded']}]" if r["extrapolated"] else "")
        out(f"{label:<60} {r['seconds']:>7.1f} s {rate(n, r['seconds']):>10.1f} {rate(units, r['seconds']):>8.1f}"
            f"   grade-class {r['seconds'] / g:.1f}x faster")
    for j in job_list:
        out(f"{f'per-exercise overhead, --jobs {j} (median of exercises)':<60} "
            f"{statistics.median(overheads[j]) * 1000:>7.0f} ms")
    out(f"\nbenchmark: {total:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + ")")
    out(f"command: {command}")
    out("grade-class: " + shlex.join(main_run["cmd"]).replace(str(work), "$WORK"))
    for mode in nb_runs:
        out(f"nbgrader ({mode}): cd $WORK/course-{mode} && "
            + " && ".join(f"nbgrader autograde {a}" for a in assignments[mode]))
    if args.keep:
        out(f"(WORK = {work}, kept; nbgrader's logs in course-*/autograde.log)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
