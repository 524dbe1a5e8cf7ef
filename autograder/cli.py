"""The ``autograder`` command line (see DESIGN.md for the contract).

Exit status: 0 when grading completed, whatever the score; 2 for a usage error; 1 for an
internal failure (and for ``verify`` or ``generate --check`` finding a problem).
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from autograder import catalog as cat

FORMATS = ("json", "markdown", "gradescope")


class UsageError(Exception):
    pass


def _catalog() -> dict[str, cat.Exercise]:
    try:
        return cat.load_catalog()
    except cat.CatalogError as exc:
        raise UsageError(str(exc)) from None


def _ids(values: list[str] | None, catalog: dict) -> list[str] | None:
    if not values:
        return None
    out = []
    for value in values:
        try:
            exercise = cat.get(value, catalog)
        except cat.CatalogError as exc:
            raise UsageError(str(exc)) from None
        out.append(exercise.id)
    return out


def cmd_list(args) -> int:
    catalog = _catalog()
    if args.json:
        import json

        print(json.dumps([e.public() for e in catalog.values()], indent=1, ensure_ascii=False))
        return 0
    print(f"{'id':<6} {'stars':<5} {'pts':>3}  {'status':<8} {'parts (auto/manual)':<34} title")
    for e in catalog.values():
        parts = " ".join(f"{p.id}:{p.points}{'a' if p.kind == 'auto' else 'm'}" for p in e.parts)
        status = "ready" if e.ready else "planned"
        print(f"{e.id:<6} {'*' * e.stars:<5} {e.points:>3}  {status:<8} {parts[:34]:<34} {e.title}")
    ready = sum(e.ready for e in catalog.values())
    print(f"\n{len(catalog)} exercises, {ready} gradable now, "
          f"{sum(e.points for e in catalog.values())} points in all (a = autograded, m = rubric)")
    return 0


def cmd_check(args) -> int:
    from autograder.check import check_saved

    catalog = _catalog()
    exercise = cat.get(_ids([args.id], catalog)[0], catalog)
    if not exercise.ready:
        raise UsageError(f"exercise {exercise.id} is not available yet")
    path = Path(args.path) if args.path else cat.EXERCISES / exercise.notebook_name
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    print(repr(check_saved(exercise, path)))
    return 0


def _write_reports(report: dict, formats: list[str], out: Path | None, stem: str = "report") -> None:
    from autograder import reports

    writers = {"json": (reports.to_json, f"{stem}.json"), "markdown": (reports.to_markdown, f"{stem}.md"),
               "gradescope": (reports.to_gradescope, "results.json")}
    if out is None:
        for fmt in formats:
            sys.stdout.write(writers[fmt][0](report))
        return
    out.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        render, name = writers[fmt]
        (out / name).write_text(render(report), encoding="utf-8")


def _sandbox_notice() -> None:
    from autograder import jail

    if jail.mode() != "bubblewrap":
        print(jail.WARNING, file=sys.stderr)


def _progress(exercise) -> None:
    print(f"  grading {exercise.id} {exercise.title} ...", file=sys.stderr, flush=True)


def cmd_grade(args) -> int:
    _sandbox_notice()
    from autograder import grading, reports

    catalog = _catalog()
    if not cat.has_solutions():
        raise UsageError("grading needs the hidden tests in solutions/ (an instructor's copy); "
                         "learners can run `autograder check ID` for the visible tests")
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats or any(f not in FORMATS for f in formats):
        raise UsageError(f"--format takes a comma-separated list of {', '.join(FORMATS)}")
    try:
        report = grading.grade_submission(Path(args.path), catalog, _ids(args.exercise, catalog),
                                          verbose=args.verbose, progress=_progress)
    except grading.SubmissionError as exc:
        raise UsageError(str(exc)) from None
    out = Path(args.out) if args.out else None
    _write_reports(report, formats, out)
    if out is not None:
        print(reports.summary_line(report))
        print(f"reports written to {out}/")
    return 0


def cmd_grade_class(args) -> int:
    _sandbox_notice()
    from autograder.classroom import grade_class

    catalog = _catalog()
    if not cat.has_solutions():
        raise UsageError("grading needs the hidden tests in solutions/ (an instructor's copy)")
    root, out = Path(args.dir), Path(args.out)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder of submissions (one sub-folder, zip or notebook per learner)")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    summary = grade_class(root, out, catalog, jobs=args.jobs, only=_ids(args.exercise, catalog))
    print(f"{summary['learners']} learners; {summary['graded_now']} exercise gradings run now "
          f"({summary['seconds']:.1f} s); gradebook: {out}/grades.csv, summary: {out}/summary.html, "
          f"feedback: {out}/feedback/")
    return 0


def cmd_verify(args) -> int:
    _sandbox_notice()
    from autograder import verify

    catalog = _catalog()
    if not cat.has_solutions():
        raise UsageError("verify needs solutions/ (an instructor's copy)")
    ids = _ids(args.exercise, catalog) or [e.id for e in catalog.values() if e.ready]
    ok = verify.verify_many([catalog[i] for i in ids], jobs=args.jobs)
    return 0 if ok else 1


def cmd_generate(args) -> int:
    from autograder import generate

    if args.check:
        problems = generate.check_fresh()
        for p in problems:
            print(p)
        print("exercises/ is up to date" if not problems else
              f"{len(problems)} difference(s): run `autograder generate` and commit")
        return 0 if not problems else 1
    written = generate.generate()
    print(f"wrote {len(written)} files under {cat.EXERCISES}")
    return 0


def cmd_demo(args) -> int:
    _sandbox_notice()
    from autograder import grading, reports, samples

    catalog = _catalog()
    out = Path(args.out)
    built = samples.build_samples(out / "samples", catalog)
    print(f"Sample submissions written to {out / 'samples'}: {', '.join(built)}\n")
    for name, path in built.items():
        print(f"==> grading the {name!r} submission ({path})", file=sys.stderr, flush=True)
        report = grading.grade_submission(path, catalog, progress=_progress)
        _write_reports(report, ["json", "markdown", "gradescope"], out / "reports" / name)
        print(reports.to_markdown(report))
    print(f"Reports (JSON, Markdown, Gradescope) are in {out / 'reports'}/")
    return 0


def cmd_release(args) -> int:
    from autograder.release import release

    if not cat.has_solutions():
        raise UsageError("release is built from an instructor's copy (it checks the bundle against solutions/)")
    out = Path(args.out)
    found = release(out)
    for leak in found:
        print(f"LEAK {leak}")
    if found:
        print(f"autograder: {len(found)} solution or hidden-test line(s) found in the bundle", file=sys.stderr)
        return 1
    print(f"learner bundle written to {out}/ (leak check: clean)")
    return 0


def cmd_site(args) -> int:
    from autograder import site

    if not cat.has_solutions():
        raise UsageError("the site is built from an instructor's copy (it is leak-checked against solutions/)")
    try:
        built = site.build(jobs=args.jobs)
    except RuntimeError as exc:
        print(f"autograder: the site did not build: {exc}", file=sys.stderr)
        return 1
    found = site.leak_check(built)
    for leak in found:
        print(f"LEAK {leak}")
    if found:
        print(f"autograder: {len(found)} solution or hidden-test line(s) found in the site", file=sys.stderr)
        return 1
    print(f"site built in {built}/ (leak check: clean)")
    return 0


def cmd_orchestrate(args) -> int:
    """How to start the orchestrated pipeline (grade on submit, with Dagster): it prints, starts nothing."""
    import shlex

    env = {"AUTOGRADER_INBOX": str(Path(args.inbox).resolve()), "AUTOGRADER_INBOX_LAYOUT": args.layout,
           "AUTOGRADER_ORCHESTRATED_OUT": str(Path(args.out).resolve()), "AUTOGRADER_DAGSTER_EXECUTOR": args.executor}
    if args.exercise:
        env["AUTOGRADER_EXERCISES"] = ",".join(_ids(args.exercise, _catalog()))
    home = Path(args.out).resolve() / "dagster_home"
    settings = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    print(f"""# Grade on submit: a sensor watches {env['AUTOGRADER_INBOX']} and grades each new or changed submission.
mkdir -p {shlex.quote(str(home))} && cp autograder/deploy/dagster/dagster.yaml {shlex.quote(str(home))}/
DAGSTER_HOME={shlex.quote(str(home))} {settings} \\
    .venv/bin/dagster dev -m autograder.orchestrated.definitions
# then open http://127.0.0.1:3000 (runs, logs, the gradebook and its checks); feedback appears in
# {env['AUTOGRADER_ORCHESTRATED_OUT']}/feedback/<learner>/<assignment>/ as soon as a submission is graded.
# On a cluster: see "Grading on submit, orchestrated" in the instructor guide.""")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade the orchestration course's exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="the exercise catalogue")
    p.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("check", help="run an exercise's visible tests (a learner's self-check)")
    p.add_argument("id", help="exercise id, e.g. 27.4")
    p.add_argument("path", nargs="?", help="the notebook (default: the one in exercises/)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("grade", help="grade one submission: an exercises/ folder, a notebook or a zip")
    p.add_argument("path")
    p.add_argument("--exercise", action="append", metavar="ID", help="grade only this exercise (repeatable)")
    p.add_argument("--format", default="markdown", help="json, markdown, gradescope (comma-separated)")
    p.add_argument("--out", help="write the reports to this folder instead of standard output")
    p.add_argument("--verbose", action="store_true", help="show the test runner's output")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("grade-class", help="grade a class: one submission per sub-folder, zip or notebook")
    p.add_argument("dir")
    p.add_argument("--out", default="out/class")
    p.add_argument("--jobs", type=int, default=2, help="exercises graded at once (default 2)")
    p.add_argument("--exercise", action="append", metavar="ID", help="grade only this exercise (repeatable)")
    p.set_defaults(func=cmd_grade_class)

    p = sub.add_parser("verify", help="prove every graded check can fail and passes correct work")
    p.add_argument("--exercise", action="append", metavar="ID")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("generate", help="write exercises/ from solutions/")
    p.add_argument("--check", action="store_true", help="only report differences from a fresh generation")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("release", help="write the learner bundle (allow-listed, leak-checked)")
    p.add_argument("out")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("site", help="build the docs site (chapters executed) and leak-check it")
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("demo", help="build the sample submissions, grade them and print the reports")
    p.add_argument("--out", default="out/demo")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("orchestrate", help="print how to start the orchestrated pipeline (Dagster, grade on submit)")
    p.add_argument("--inbox", default="out/orchestrated/inbox", help="the watched folder of submissions")
    p.add_argument("--layout", choices=["folders", "nbgrader"], default="folders")
    p.add_argument("--out", default="out/orchestrated", help="feedback, results and gradebook")
    p.add_argument("--executor", choices=["multiprocess", "in_process", "k8s", "celery"], default="multiprocess")
    p.add_argument("--exercise", action="append", metavar="ID", help="grade only this exercise (repeatable)")
    p.set_defaults(func=cmd_orchestrate)

    from autograder.nbgrader.cli import add_parser as add_nbgrader  # `autograder nbgrader ...`

    add_nbgrader(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - an internal failure: say so, exit 1
        traceback.print_exc()
        print("autograder: internal error (the traceback above is for the course maintainers)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
