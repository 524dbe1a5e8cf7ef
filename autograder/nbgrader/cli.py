"""``autograder nbgrader ...``: build the nbgrader course, autograde through the sandbox, export,
feedback and the class similarity report. Registered by ``autograder.cli``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


class _Usage(Exception):
    pass


def _catalog():
    from autograder import catalog as cat

    try:
        catalog = cat.load_catalog()
    except cat.CatalogError as exc:
        raise _Usage(str(exc)) from None
    if not cat.has_solutions():
        raise _Usage("the nbgrader course is built and graded from an instructor's copy (solutions/)")
    return catalog


def _course(path: str, must_exist: bool = True) -> Path:
    root = Path(path).resolve()
    if must_exist and not (root / "nbgrader_config.py").is_file():
        raise _Usage(f"{root} is not a course folder (no nbgrader_config.py): run `autograder nbgrader build {path}` first")
    return root


def _say(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def cmd_build(args) -> int:
    from autograder import catalog as cat
    from autograder.nbgrader.course import LatePolicy, build

    catalog = _catalog()
    only = None
    if args.exercise:
        try:
            only = [cat.get(i, catalog).id for i in args.exercise]
        except cat.CatalogError as exc:
            raise _Usage(str(exc)) from None
    if not 0 <= args.late_per_day <= 1 or not 0 <= args.late_max <= 1 or args.late_grace_minutes < 0:
        raise _Usage("--late-per-day and --late-max are fractions between 0 and 1; --late-grace-minutes >= 0")
    policy = LatePolicy(args.late_per_day, args.late_grace_minutes, args.late_max)
    result = build(Path(args.course), catalog, only=only, assignments=args.assignment, course_id=args.course_id,
                   policy=policy, write_config=True if args.force_config else None)
    for name, ids in result.assignments.items():
        print(f"{name:<24} {len(ids)} notebook(s): {', '.join(ids)}")
    for note in result.skipped:
        print(f"skipped {note}")
    config = result.root / "nbgrader_config.py"
    print(f"\nnbgrader course written to {result.root}/source/; "
          + (f"configuration written to {config}" if result.config_written
             else f"{config} kept as it was (--force-config rewrites it)"))
    print(f"next: cd {result.root} && nbgrader generate_assignment ASSIGNMENT && nbgrader release_assignment ASSIGNMENT")
    return 0


def cmd_autograde(args) -> int:
    from autograder.nbgrader import workflow

    catalog = _catalog()
    root = _course(args.course)
    if args.jobs < 1:
        raise _Usage("--jobs must be at least 1")
    from autograder import jail

    if jail.mode() != "bubblewrap":
        print(jail.WARNING, file=sys.stderr)
    rows = workflow.autograde(root, args.assignment, catalog, args.student, args.jobs, progress=_say)
    print(f"{'student':<16} {'autograded':>12} {'late penalty':>13} {'written, to grade':>18}")
    for row in rows:
        print(f"{row['student']:<16} {row['auto_score']:>7g} / {row['auto_max']:<4g}"
              f" {row['late_penalty']:>13g} {row['manual_pending']:>18g}")
    print(f"\ngradebook updated ({root}/gradebook.db); reports in {root}/{workflow.REPORTS}/{args.assignment}/; "
          "grade the written parts in the formgrader")
    return 0


def cmd_export(args) -> int:
    from autograder.nbgrader import workflow

    catalog = _catalog()
    root = _course(args.course)
    written = workflow.export(root, catalog, args.assignment)
    print(f"nbgrader's CSV: {written[0]}")
    for path in written[1:]:
        print(f"  {path.relative_to(root)}")
    return 0


def cmd_feedback(args) -> int:
    from autograder.nbgrader import workflow

    catalog = _catalog()
    root = _course(args.course)
    found = workflow.feedback(root, args.assignment, catalog, args.student)
    for leak in found:
        print(f"LEAK {leak}")
    if found:
        print(f"autograder: {len(found)} hidden line(s) in the feedback: do not release it", file=sys.stderr)
        return 1
    print(f"feedback written to {root}/feedback/ (leak check: clean); "
          f"release it with `nbgrader release_feedback {args.assignment}`")
    return 0


def cmd_similarity(args) -> int:
    from autograder.nbgrader import similarity

    catalog = _catalog()
    root = _course(args.course)
    out, pairs = similarity.report(root, args.assignment, catalog, Path(args.out) if args.out else None,
                                   threshold=args.threshold, details=args.details, min_tokens=args.min_tokens)
    shown = [p for p in pairs if p.coverage >= args.threshold]
    for p in shown[:10]:
        print(f"{p.exercise:<6} {p.a.student:<14} {p.b.student:<14} {p.coverage:5.0%} alike, "
              f"{p.jaccard:4.0%} fingerprints")
    print(f"{len(shown)} pair(s) at {args.threshold:.0%} or more of {len(pairs)} compared; report: {out}")
    return 0


def add_parser(sub) -> None:
    """Add ``nbgrader`` and its sub-commands to the main parser's sub-parsers."""
    top = sub.add_parser("nbgrader", help="the nbgrader course: build, autograde through the sandbox, export, "
                                          "feedback, similarity")
    nb = top.add_subparsers(dest="nbgrader_command", required=True)

    p = nb.add_parser("build", help="write the nbgrader course (source/ notebooks, nbgrader_config.py) from solutions/")
    p.add_argument("course", help="the course folder (created if needed)")
    p.add_argument("--exercise", action="append", metavar="ID", help="only this exercise (repeatable)")
    p.add_argument("--assignment", action="append", metavar="NAME", help="only this assignment (repeatable)")
    p.add_argument("--course-id", default="orchestration", help="nbgrader course id (default: orchestration)")
    p.add_argument("--late-per-day", type=float, default=0.10,
                   help="fraction of a notebook's score lost per started day late (default 0.10)")
    p.add_argument("--late-grace-minutes", type=float, default=0.0, help="no penalty within this many minutes")
    p.add_argument("--late-max", type=float, default=1.0, help="the largest fraction a late notebook can lose")
    p.add_argument("--force-config", action="store_true", help="rewrite nbgrader_config.py even if it exists")
    p.set_defaults(func=_wrap(cmd_build))

    p = nb.add_parser("autograde", help="grade submitted/<student>/ASSIGNMENT in the sandbox, into nbgrader's gradebook")
    p.add_argument("course")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", metavar="ID", help="only this learner (repeatable)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default 2)")
    p.set_defaults(func=_wrap(cmd_autograde))

    p = nb.add_parser("export", help="nbgrader's grades.csv, the grader's JSON, Gradescope results.json files")
    p.add_argument("course")
    p.add_argument("--assignment", action="append", metavar="NAME", help="only this assignment (repeatable)")
    p.set_defaults(func=_wrap(cmd_export))

    p = nb.add_parser("feedback", help="nbgrader generate_feedback, then a leak check of the feedback")
    p.add_argument("course")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", metavar="ID", help="only this learner (repeatable)")
    p.set_defaults(func=_wrap(cmd_feedback))

    p = nb.add_parser("similarity", help="pairs of learners whose code is suspiciously alike (HTML report)")
    p.add_argument("course")
    p.add_argument("assignment")
    p.add_argument("--out", help="the HTML file (default COURSE/reports/ASSIGNMENT/similarity.html)")
    p.add_argument("--threshold", type=float, default=0.5, help="list pairs at least this alike (default 0.5)")
    p.add_argument("--details", type=int, default=20, help="pairs shown side by side (default 20)")
    p.add_argument("--min-tokens", type=int, default=20, help="ignore answers shorter than this many tokens")
    p.set_defaults(func=_wrap(cmd_similarity))


def _wrap(func):
    """Turn this module's usage errors and workflow failures into the CLI's contract (2 and 1)."""

    def run(args) -> int:
        from autograder.cli import UsageError
        from autograder.nbgrader.workflow import WorkflowError

        try:
            return func(args)
        except _Usage as exc:
            raise UsageError(str(exc)) from None
        except WorkflowError as exc:
            print(f"autograder: {exc}", file=sys.stderr)
            return 1

    return run


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - ``autograder nbgrader`` is the entry point
    parser = argparse.ArgumentParser(prog="autograder")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)
