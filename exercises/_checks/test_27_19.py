# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.19: they check the form of your answer, not its content."""
from autograder.testing import expect, graded


def form(ns):
    value = ns.INVENTORY
    if not isinstance(value, (list, tuple)):
        return {"type": type(value).__name__}
    return {"type": "list", "length": len(value),
            "dicts": all(isinstance(e, dict) for e in value),
            "keys": [sorted(str(k) for k in e) if isinstance(e, dict) else [] for e in value]}


@graded("a", points=0, hint="INVENTORY is a non-empty list of dicts.")
def test_inventory_is_a_list_of_dicts(sub):
    got = sub.run(form)
    expect(got["type"] == "list", f"INVENTORY should be a list, not a {got['type']}")
    expect(got["length"] > 0, "INVENTORY is empty")
    expect(got["dicts"], "every item of INVENTORY should be a dict")


@graded("a", points=0, hint="Each item has the keys category, item, pinned_by and tags.")
def test_items_have_the_four_keys(sub):
    got = sub.run(form)
    expect(got.get("keys"), "INVENTORY has no items yet")
    for number, keys in enumerate(got["keys"], start=1):
        missing = sorted({"category", "item", "pinned_by", "tags"} - set(keys))
        expect(not missing, f"item {number} lacks the key(s) {', '.join(missing)}")
