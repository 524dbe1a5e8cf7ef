"""Grading reports: JSON (the full record), Markdown (for people), Gradescope results.json.

Learners see each test by name, points, status, the feedback sentence and the hint: never the
test's code or its expected values (those never leave the trusted runner).
"""
from __future__ import annotations

import json

ICONS = {"passed": "✅", "failed": "❌", "error": "⚠️", "timeout": "⏱️", "manual": "📝"}


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _fmt(x: float) -> str:
    return f"{x:g}"


def to_markdown(report: dict) -> str:
    lines = [f"# Grading report: {report['submission']}", ""]
    lines.append(
        f"**Autograded: {_fmt(report['auto_score'])} / {_fmt(report['auto_max'])}**"
        + (f" · written parts awaiting a grader: {_fmt(report['manual_pending'])} points" if report["manual_pending"] else "")
        + f" · graded in {report['seconds']:.1f} s"
    )
    lines.append("")
    for problem in report.get("problems", []):
        lines.append(f"> ⚠️ {problem}")
    if report.get("problems"):
        lines.append("")
    for ex in report["exercises"]:
        lines.append(f"## {ex['id']} {ex['title']}: {_fmt(ex['auto_score'])} / {_fmt(ex['auto_max'])} autograded")
        lines.append("")
        for note in ex["feedback"]:
            lines.append(f"> {note}")
        if ex["feedback"]:
            lines.append("")
        lines.append("| part | test | points | status | feedback |")
        lines.append("| --- | --- | --- | --- | --- |")
        for part in ex["parts"]:
            if part["kind"] == "manual":
                lines.append(f"| ({part['id']}) | written answer | – / {part['max_score']} | {ICONS['manual']} manual | {part['feedback']} |")
                continue
            if not part["tests"]:
                lines.append(f"| ({part['id']}) | – | {_fmt(part['score'])} / {part['max_score']} | "
                             f"{ICONS.get(part['status'], '')} {part['status']} | {_cell(part['feedback'])} |")
            for test in part["tests"]:
                if test["max_score"] == 0 and test["status"] == "passed":
                    continue  # visible form checks that passed add nothing to read
                text = test["feedback"]
                if test["hint"]:
                    text = f"{text} — hint: {test['hint']}" if text else f"hint: {test['hint']}"
                lines.append(
                    f"| ({part['id']}) | `{test['name']}` | {_fmt(test['score'])} / {test['max_score']} | "
                    f"{ICONS.get(test['status'], '')} {test['status']} | {_cell(text)} |"
                )
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_gradescope(report: dict) -> str:
    """Gradescope's results.json: one entry per test (autograded) and per manual part."""
    tests = []
    for ex in report["exercises"]:
        for part in ex["parts"]:
            if part["kind"] == "manual":
                continue
            for test in part["tests"]:
                if test["max_score"] == 0:
                    continue
                output = test["feedback"] + (f"\nHint: {test['hint']}" if test["hint"] else "")
                tests.append({
                    "name": f"{ex['id']} ({part['id']}) {test['name']}",
                    "score": test["score"], "max_score": test["max_score"],
                    "status": "passed" if test["status"] == "passed" else "failed",
                    "output": output.strip(), "visibility": "visible",
                })
    return json.dumps({"score": report["auto_score"], "tests": tests,
                       "output": "\n".join(report.get("problems", []))}, indent=2, ensure_ascii=False) + "\n"


def summary_line(report: dict) -> str:
    return (f"{report['submission']}: {_fmt(report['auto_score'])}/{_fmt(report['auto_max'])} autograded, "
            f"{_fmt(report['manual_pending'])} pending by rubric ({report['seconds']:.1f} s)")
