"""Hidden tests for exercise 27.19 (an inventory for rebuilding a production model)."""
import pytest

from autograder.testing import expect, graded

CATEGORIES = ("data", "code", "configuration", "environment")
# The statement's tag table: tag -> its category, and the tags it marks as required.
TAG_CATEGORY = {
    "input_data_version": "data", "data_split": "data", "labels": "data",
    "data_schema": "data", "pretrained_artifacts": "data", "reference_outputs": "data",
    "code_commit": "code", "feature_definitions": "code",
    "pipeline_definition": "code", "evaluation_code": "code",
    "hyperparameters": "configuration", "random_seeds": "configuration", "run_parameters": "configuration",
    "feature_selection": "configuration",
    "package_versions": "environment", "container_image": "environment", "hardware": "environment",
    "environment_variables": "environment",
}
REQUIRED = {
    "data": ("input_data_version", "data_split", "labels"),
    "code": ("code_commit", "feature_definitions"),
    "configuration": ("hyperparameters", "random_seeds", "run_parameters"),
    "environment": ("package_versions", "container_image", "hardware"),
}
MIN_ITEMS = 3


# ---- probe: runs in the learner's worker, returns plain data ------------------------------------
def inventory(ns):
    value = ns.INVENTORY
    if not isinstance(value, (list, tuple)):
        return {"type": type(value).__name__, "items": None}
    items = []
    for entry in value:
        if not isinstance(entry, dict):
            items.append({"type": type(entry).__name__})
            continue
        tags = entry.get("tags")
        items.append({
            "type": "dict",
            "keys": sorted(str(k) for k in entry),
            "category": entry.get("category") if isinstance(entry.get("category"), str) else None,
            "item": entry.get("item") if isinstance(entry.get("item"), str) else None,
            "pinned_by": entry.get("pinned_by") if isinstance(entry.get("pinned_by"), str) else None,
            "tags": ([t if isinstance(t, str) else repr(t) for t in tags]
                     if isinstance(tags, (list, tuple, set)) else None),
            "tags_type": type(tags).__name__,
        })
    return {"type": "list", "items": items}


def _items(sub):
    got = sub.run(inventory)
    expect(got["items"] is not None, f"INVENTORY should be a list of dicts, not a {got['type']}")
    return got["items"]


def _label(number, entry):
    name = entry.get("item")
    return f"item {number}" + (f" ({name!r})" if name else "")


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Every item is a dict with category, item, pinned_by and tags, as the statement shows.")
def test_inventory_items_are_well_formed(sub):
    items = _items(sub)
    expect(len(items) > 0, "your inventory is empty")
    for number, entry in enumerate(items, start=1):
        expect(entry["type"] == "dict", f"item {number} is a {entry['type']}, not a dict")
        missing = sorted({"category", "item", "pinned_by", "tags"} - set(entry["keys"]))
        expect(not missing, f"{_label(number, entry)} lacks the key(s) {', '.join(missing)}")
        expect(entry["category"] in CATEGORIES,
               f"{_label(number, entry)} has the category {entry['category']!r}, which is not one of "
               f"{', '.join(CATEGORIES)}")
        expect(entry["item"] and entry["item"].strip(), f"item {number} has no description in 'item'")
        expect(entry["pinned_by"] and entry["pinned_by"].strip(),
               f"{_label(number, entry)} does not say where it is recorded or how it is pinned ('pinned_by')")
        expect(entry["tags"] is not None, f"{_label(number, entry)}: 'tags' should be a list, not a {entry['tags_type']}")
        unknown = [t for t in entry["tags"] if t not in TAG_CATEGORY]
        expect(not unknown, f"{_label(number, entry)} carries tag(s) not in the table: {', '.join(unknown)}")


@graded("a", points=1, hint="Each of the four categories needs at least three items.")
def test_every_category_has_at_least_three_items(sub):
    items = _items(sub)
    for category in CATEGORIES:
        count = sum(1 for e in items if e.get("category") == category)
        expect(count >= MIN_ITEMS, f"the category {category!r} has {count} item(s)")


@pytest.mark.parametrize("category", CATEGORIES)
@graded("a", points=1, hint="Each required tag must be carried by an item of the tag's own category.")
def test_required_tags_are_covered(sub, category):
    items = _items(sub)
    covered = {t for e in items if e.get("category") == category for t in (e.get("tags") or [])}
    elsewhere = {t: e.get("category") for e in items if e.get("category") != category for t in (e.get("tags") or [])}
    for tag in REQUIRED[category]:
        if tag not in covered and tag in elsewhere:
            expect(False, f"the tag {tag!r} is on an item of the category {elsewhere[tag]!r}; "
                          f"it belongs to {category!r}")
        expect(tag in covered, f"no {category} item carries the required tag {tag!r}")
