# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.17: they check the form of your checklist, not its content."""
from autograder.testing import expect, graded


def form(ns):
    value = ns.CHECKLIST
    if not isinstance(value, (list, tuple)):
        return {"type": type(value).__name__}
    return {
        "type": "list",
        "n": len(value),
        "bad": [i + 1 for i, e in enumerate(value)
                if not (isinstance(e, dict) and isinstance(e.get("item"), str) and isinstance(e.get("covers"), (list, tuple)))],
    }


@graded("a", points=0, hint='CHECKLIST is a list of dicts like {"item": "...", "covers": ["scope"]}.')
def test_checklist_is_a_list_of_items_with_tags(sub):
    got = sub.run(form)
    expect(got["type"] == "list", f"CHECKLIST should be a list, not a {got['type']}")
    expect(got["n"] > 0, "CHECKLIST has no items yet")
    expect(not got["bad"], f"item {got['bad'][0] if got['bad'] else ''} should be a dict with a string under "
                           "'item' and a list of categories under 'covers'")
