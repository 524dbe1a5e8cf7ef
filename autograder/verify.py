"""``autograder verify``: every graded check can fail, and correct work passes.

For each exercise: the reference solution earns full marks; the untouched starter earns zero and
fails every test; every mutant fails each test it names; the alternative correct solution earns
full marks. Also static checks: part points equal the sum of their tests' points, every scoring
test has a mutant aimed at it, every autograded part has at least two mutants.
"""
from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import generate, source
from autograder import pool as lanes
from autograder.catalog import Exercise
from autograder.grading import grade_exercise

MIN_MUTANTS_PER_PART = 2


def _tests(report: dict) -> dict[str, dict]:
    return {t["name"]: t for p in report["parts"] if p["kind"] == "auto" for t in p["tests"]}


def _matches(test_name: str, wanted: str) -> bool:
    return test_name == wanted or test_name.split("[", 1)[0] == wanted


def check_written_parts(exercise: Exercise) -> list[str]:
    """Every manual part has a rubric, an answer cell with a model answer, and an empty starter."""
    problems = []
    if exercise.deliverable == "project":
        return _check_project_written_parts(exercise)
    src = source.parse(exercise.source_dir / "notebook.py")
    answers = source.model_answers(src)
    starter = {c["attrs"].get("answer"): c["source"] for c in source.render(src, "starter") if c["attrs"].get("answer")}
    for part in (p for p in exercise.parts if p.kind == "manual"):
        if not part.rubric:
            problems.append(f"part ({part.id}): no rubric")
        elif sum(int(line.split(":", 1)[0]) for line in part.rubric) != part.points:
            problems.append(f"part ({part.id}): rubric points do not add up to {part.points}")
        if not answers.get(part.id):
            problems.append(f"part ({part.id}): no answer cell with a model answer")
        elif answers[part.id] in starter.get(part.id, ""):
            problems.append(f"part ({part.id}): the starter shows the model answer")
    return problems


def _check_project_written_parts(exercise: Exercise) -> list[str]:
    problems = []
    reference = generate.project_files(exercise, "reference")
    starter = generate.project_files(exercise, "starter")
    for part in (p for p in exercise.parts if p.kind == "manual"):
        if not part.rubric:
            problems.append(f"part ({part.id}): no rubric")
        rel = exercise.answer_files.get(part.id)
        if not rel or not str(reference.get(rel, "")).strip():
            problems.append(f"part ({part.id}): no answer file with a model answer (answer_files)")
        elif reference.get(rel) == starter.get(rel):
            problems.append(f"part ({part.id}): the starter's {rel} shows the model answer")
    return problems


def _rubric_only(exercise: Exercise, problems: list[str]) -> tuple[bool, list[str]]:
    lines = []
    try:
        for variant in ("reference", "starter"):
            generate.notebook(exercise, variant)
    except Exception as exc:  # noqa: BLE001
        problems.append(f"cannot build the notebooks: {exc}")
    manual = ", ".join(f"({p.id}) {p.points}" for p in exercise.parts)
    lines.append(f"  ✓ graded by rubric only: {manual}" if not problems else "")
    return not problems, [line for line in lines if line] + [f"  ✗ {p}" for p in problems]


def _variants(exercise: Exercise, folder: Path) -> dict[str, Path]:
    variants = {
        "reference": generate.write_variant(exercise, "reference", folder / "reference"),
        "starter": generate.write_variant(exercise, "starter", folder / "starter"),
        "alternative": generate.write_variant(exercise, "alternative", folder / "alternative"),
    }
    for m in exercise.mutants:
        variants[f"mutant {m.name}"] = generate.write_variant(exercise, "mutant", folder / m.name, m)
    return variants


def _submit(pool: ThreadPoolExecutor, exercise: Exercise, variants: dict[str, Path]) -> dict:
    # A mutant runs only the tests it must fail: that is all verify needs to know of it.
    mutants = {f"mutant {m.name}": list(m.kills) for m in exercise.mutants}
    return {name: pool.submit(grade_exercise, exercise, path, only_tests=mutants.get(name))
            for name, path in variants.items()}


def verify_exercise(exercise: Exercise, jobs: int = 2) -> tuple[bool, list[str]]:
    problems: list[str] = check_written_parts(exercise)
    if exercise.auto_points == 0:
        return _rubric_only(exercise, problems)
    with tempfile.TemporaryDirectory(prefix=f"verify-{exercise.key}-") as tmp:
        try:
            variants = _variants(exercise, Path(tmp))
        except Exception as exc:  # noqa: BLE001 - a malformed source is a verify failure
            return False, [f"  ✗ cannot build the variants: {exc}"]
        with lanes.threads(jobs) as pool:
            futures = _submit(pool, exercise, variants)
            reports = {name: f.result() for name, f in futures.items()}
    return judge(exercise, reports, problems)


def judge(exercise: Exercise, reports: dict[str, dict], problems: list[str]) -> tuple[bool, list[str]]:
    """Principles 2 and 3 from the reports of every variant of one exercise."""
    lines: list[str] = []
    ref = reports["reference"]
    tests = _tests(ref)
    scoring = [name for name, t in tests.items() if t["max_score"] > 0]

    # static checks, from what the reference run collected
    for part in (p for p in ref["parts"] if p["kind"] == "auto"):
        total = sum(t["max_score"] for t in part["tests"])
        if total != part["max_score"]:
            problems.append(f"part ({part['id']}): its tests carry {total} points, the catalogue says {part['max_score']}")
        aimed = {m.name for m in exercise.mutants
                 if any(_matches(t["name"], k) for t in part["tests"] if t["max_score"] > 0 for k in m.kills)}
        if len(aimed) < MIN_MUTANTS_PER_PART:
            problems.append(f"part ({part['id']}): {len(aimed)} mutant(s) aimed at it, need {MIN_MUTANTS_PER_PART}")
    for name in scoring:
        if not any(_matches(name, k) for m in exercise.mutants for k in m.kills):
            problems.append(f"test {name}: no mutant is aimed at it")
    for m in exercise.mutants:
        for k in m.kills:
            if not any(_matches(name, k) for name in tests):
                problems.append(f"mutant {m.name}: names a test that does not exist: {k}")

    def row(name: str, report: dict, verdict: bool, note: str = "") -> None:
        mark = "✓" if verdict else "✗"
        lines.append(f"  {mark} {name:<44} {report['auto_score']:>3g}/{report['auto_max']:<3g} {report['seconds']:>5.1f} s  {note}")
        if not verdict:
            problems.append(f"{name}: {note}")

    full = ref["auto_max"]
    def why(report: dict, names: list[str]) -> str:  # what the failing tests said, for CI's log
        said = [f"{n} ({t['status']}: {t['feedback'][:300] or 'no message'})" for n, t in _tests(report).items()
                if n in names]
        return "; ".join(said + list(report["feedback"]))

    failing = [n for n, t in tests.items() if t["status"] != "passed"]
    row("reference", ref, ref["auto_score"] == full and not failing,
        "full marks" if not failing else f"fails {why(ref, failing)}")
    alt = reports["alternative"]
    alt_failing = [n for n, t in _tests(alt).items() if t["status"] != "passed"]
    row("alternative correct solution", alt, alt["auto_score"] == full and not alt_failing,
        "full marks" if not alt_failing else f"fails {why(alt, alt_failing)}")
    start = reports["starter"]
    passing = [n for n, t in _tests(start).items() if t["status"] == "passed"]
    row("untouched starter", start, start["auto_score"] == 0 and not passing,
        "zero, every test fails" if not passing else f"passes {', '.join(passing)}")
    for m in exercise.mutants:
        rep = reports[f"mutant {m.name}"]
        mt = {n: t for n, t in _tests(rep).items() if any(_matches(n, k) for k in m.kills)}
        survived = [k for k in m.kills if not any(_matches(n, k) and t["status"] != "passed" for n, t in mt.items())]
        lost = sum(t["max_score"] for t in mt.values() if t["status"] != "passed")
        rep = {**rep, "auto_score": full - lost}
        ok = not survived and lost > 0
        row(f"mutant {m.name}", rep, ok,
            f"caught, loses {lost:g}" if ok else f"NOT caught by {', '.join(survived) or 'any points'}")
    return not problems, lines + [f"  ✗ {p}" for p in problems if not p.startswith(("reference", "alternative", "untouched", "mutant"))]


def verify_many(exercises: list[Exercise], jobs: int = 2) -> bool:
    """Every exercise's variants go into one queue, so both cores stay busy across exercises."""
    import time

    all_ok, started, graded = True, time.perf_counter(), 0
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp, lanes.threads(jobs) as pool:
        pending = []
        for exercise in exercises:
            if not exercise.ready:
                pending.append((exercise, None, None, "planned"))
                continue
            problems = check_written_parts(exercise)
            if exercise.auto_points == 0:
                pending.append((exercise, None, problems, "rubric"))
                continue
            try:
                variants = _variants(exercise, Path(tmp) / exercise.key)
            except Exception as exc:  # noqa: BLE001 - a malformed source is a verify failure
                pending.append((exercise, None, [f"cannot build the variants: {exc}"], "broken"))
                continue
            pending.append((exercise, _submit(pool, exercise, variants), problems, "graded"))
            graded += len(variants)
        for exercise, futures, problems, kind in pending:
            if kind == "planned":
                print(f"{exercise.id}: planned, nothing to verify yet")
                continue
            print(f"{exercise.id} {exercise.title}", flush=True)
            if kind == "rubric":
                ok, lines = _rubric_only(exercise, problems)
            elif kind == "broken":
                ok, lines = False, [f"  ✗ {p}" for p in problems]
            else:
                ok, lines = judge(exercise, {name: f.result() for name, f in futures.items()}, problems)
            print("\n".join(lines))
            print(f"  => {'VERIFIED' if ok else 'FAILED'}\n", flush=True)
            all_ok &= ok
    print(f"verify: {graded} variants of {sum(1 for e in exercises if e.ready)} exercises graded in "
          f"{time.perf_counter() - started:.0f} s with {jobs} jobs", file=sys.stderr)
    print("verify: all checks hold" if all_ok else "verify: some checks FAILED", file=sys.stderr)
    return all_ok
