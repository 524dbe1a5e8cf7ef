"""The learner's self-check: the visible tests of one exercise, against their own code.

In a notebook, ``check("27.4")`` runs them in-process against the live notebook namespace (the
cells run so far) and shows an HTML table. From a shell, ``autograder check ID [PATH]`` runs
them through the sandbox against a saved notebook. Hidden tests are never run here.
"""
from __future__ import annotations

import html
import os
import sys
from pathlib import Path

from autograder import catalog as cat

ICONS = {"passed": "✅", "failed": "❌", "error": "⚠️", "timeout": "⏱️"}


class CheckResult:
    """The visible tests' outcomes; renders as an HTML table in JupyterLab, as text elsewhere."""

    def __init__(self, exercise: cat.Exercise, tests: list[dict], notes: list[str]):
        self.exercise, self.tests, self.notes = exercise, tests, notes

    @property
    def passed(self) -> int:
        return sum(t["status"] == "passed" for t in self.tests)

    def __repr__(self) -> str:
        lines = [f"Exercise {self.exercise.id}: {self.passed} of {len(self.tests)} visible tests pass"]
        lines += [f"  ! {n}" for n in self.notes]
        for t in self.tests:
            text = t["feedback"] or (t["hint"] if t["status"] != "passed" else "")
            lines.append(f"  {ICONS.get(t['status'], '?')} ({t['part']}) {t['name']}" + (f": {text}" if text else ""))
        lines.append("The grader also runs hidden tests; passing these is a good sign, not a grade.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for t in self.tests:
            text = html.escape(t["feedback"])
            if t["status"] != "passed" and t["hint"]:
                hint = f"<i>hint: {html.escape(t['hint'])}</i>"
                text = f"{text}<br>{hint}" if text else hint
            rows.append(
                f"<tr><td>({html.escape(t['part'])})</td><td><code>{html.escape(t['name'])}</code></td>"
                f"<td>{ICONS.get(t['status'], '?')} {t['status']}</td><td style='text-align:left'>{text}</td></tr>"
            )
        notes = "".join(f"<p>⚠️ {html.escape(n)}</p>" for n in self.notes)
        colour = "#2e7d32" if self.tests and self.passed == len(self.tests) else "#c62828"
        return (
            f"<div><p><b style='color:{colour}'>Exercise {self.exercise.id}: {self.passed} of "
            f"{len(self.tests)} visible tests pass</b></p>{notes}"
            "<table><thead><tr><th>part</th><th>test</th><th>status</th><th>feedback</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            "<p><small>The grader also runs hidden tests: passing these is a good sign, not a grade.</small></p></div>"
        )


def _visible_file(exercise: cat.Exercise) -> Path | None:
    path = exercise.visible_tests[0]  # the source copy on an instructor's checkout, else the generated one
    return path if path.exists() else None


def check(exercise_id: str, path: str | os.PathLike | None = None, namespace: dict | None = None):
    """Run the visible tests of ``exercise_id`` against this notebook (or the notebook at ``path``)."""
    if os.environ.get("AUTOGRADER_WORKER"):
        return None  # inside the grader's sandbox, a notebook's own check() call does nothing
    from autograder.runner import run_tests

    exercise = cat.get(exercise_id)
    test_file = _visible_file(exercise)
    if test_file is None:
        return CheckResult(exercise, [], [f"exercise {exercise.id} has no visible tests"])
    if path is not None:
        return check_saved(exercise, Path(path))
    from autograder.submission import InProcessSubmission

    if namespace is None:
        namespace = sys._getframe(1).f_globals
    handle = InProcessSubmission(namespace)
    events: list[dict] = []
    run_tests([str(test_file)], handle, events.append, {str(test_file)}, capture="sys")
    return CheckResult(exercise, [e for e in events if e["type"] == "test"], [])


def check_saved(exercise: cat.Exercise, notebook: Path) -> CheckResult:
    """Visible tests against a saved notebook, through the sandbox (the CLI's ``check``)."""
    from autograder import notebooks
    from autograder.grading import cell_error_text, run_runner
    from autograder.sandbox import Limits

    test_file = _visible_file(exercise)
    try:
        nb = notebooks.load(notebook)
    except notebooks.NotebookError as exc:
        return CheckResult(exercise, [], [str(exc)])
    limits = Limits.for_exercise(exercise.limits)
    events = run_runner([test_file], notebooks.code_cells(nb), limits, [test_file], services=exercise.services,
                        budget=limits.load_seconds + 120)
    notes = []
    for e in events:
        if e["type"] == "load":
            if e.get("fatal"):
                notes.append(e["fatal"])
            notes += [cell_error_text(c) for c in e.get("cell_errors", [])]
    return CheckResult(exercise, [e for e in events if e["type"] == "test"], notes)
