# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.26 (c): the form of compare_outputs' report, not its content."""
from autograder.testing import expect, graded


def demo_report(ns):
    report = ns.compare_outputs(ns.airflow_output, ns.dagster_output, ["user_id", "date"])
    return {"type": type(report).__name__,
            "items": [type(r).__name__ for r in report] if isinstance(report, (list, tuple)) else [],
            "kinds": sorted({str(r.get("kind")) for r in report if isinstance(r, dict)})
            if isinstance(report, (list, tuple)) else []}


@graded("c", points=0, hint="compare_outputs returns a list of dicts, each with a \"kind\" of the statement's table.")
def test_compare_outputs_returns_a_list_of_records(sub):
    got = sub.run(demo_report)
    expect(got["type"] in ("list", "tuple"), f"compare_outputs returned a {got['type']}, not a list")
    expect(got["items"] and all(t == "dict" for t in got["items"]),
           "the demo pair differs, so the report should hold records, each a dict")
    unknown = [k for k in got["kinds"] if k not in ("missing_column", "extra_column", "dtype", "missing_row",
                                                    "extra_row", "duplicate_key", "value")]
    expect(not unknown, f"records of unknown kind: {', '.join(unknown)}")
