"""Hidden tests for exercise 27.17 (a backfill safety checklist)."""
from autograder.testing import expect, graded

CATEGORIES = ["scope", "resources", "output isolation", "comparison testing", "rollback", "communication", "monitoring"]
MIN_ITEMS, MIN_WORDS, MAX_TAGS = 8, 6, 3


def checklist(ns):
    """The checklist as plain data; anything of the wrong type is described, not sent."""
    value = ns.CHECKLIST
    if not isinstance(value, (list, tuple)):
        return {"type": type(value).__name__}
    items = []
    for entry in value:
        if not isinstance(entry, dict):
            items.append({"type": type(entry).__name__})
            continue
        text, covers = entry.get("item"), entry.get("covers")
        items.append({
            "type": "dict",
            "keys": sorted(str(k) for k in entry),
            "item": text if isinstance(text, str) else None,
            "covers": [c if isinstance(c, str) else repr(c) for c in covers]
            if isinstance(covers, (list, tuple, set, frozenset)) else None,
        })
    return {"type": "list", "items": items}


def _items(sub):
    got = sub.run(checklist)
    expect(got["type"] == "list", f"CHECKLIST should be a list of dicts, not a {got['type']}")
    items = got["items"]
    expect(items, "CHECKLIST has no items yet")
    for number, entry in enumerate(items, start=1):
        expect(entry["type"] == "dict", f"item {number} is a {entry['type']}, not a dict")
        expect(entry["item"] is not None, f"item {number} has no text under the key 'item' (a string)")
        expect(entry["covers"] is not None, f"item {number} has no list of categories under the key 'covers'")
    return items


def _normal(text):
    return " ".join(text.lower().split()).rstrip(".")


@graded("a", points=1, hint="The checklist needs at least eight items.")
def test_checklist_has_at_least_eight_items(sub):
    items = _items(sub)
    expect(len(items) >= MIN_ITEMS, f"your checklist has {len(items)} items; it needs at least {MIN_ITEMS}")


@graded("a", points=1, hint="Each item is a sentence of six words or more, tagged with one to three categories spelled as in CATEGORIES.")
def test_every_item_is_an_action_with_one_to_three_known_tags(sub):
    items = _items(sub)
    for number, entry in enumerate(items, start=1):
        words = len(entry["item"].split())
        expect(words >= MIN_WORDS,
               f"item {number} has {words} word(s): write an action someone can tick off, not a heading")
        tags = entry["covers"]
        expect(tags, f"item {number} covers no category")
        expect(len(tags) == len(set(tags)), f"item {number} names a category twice")
        expect(len(tags) <= MAX_TAGS,
               f"item {number} claims {len(tags)} categories; tag only the one to three it really covers")
        unknown = [t for t in tags if t not in CATEGORIES]
        expect(not unknown, f"item {number} is tagged {unknown[0] if unknown else ''!r}, which is not one of "
                            "the seven categories (check the spelling against CATEGORIES)")


@graded("a", points=1, hint="Eight different items: a repeated item does not count twice.")
def test_items_are_all_different(sub):
    items = _items(sub)
    seen = {}
    for number, entry in enumerate(items, start=1):
        key = _normal(entry["item"])
        expect(key not in seen, f"item {number} repeats item {seen.get(key)}")
        seen[key] = number


@graded("a", points=2, hint="Every one of the seven categories must be the tag of at least one item.")
def test_checklist_covers_every_category(sub):
    items = _items(sub)
    covered = {tag for entry in items for tag in entry["covers"]}
    missing = [c for c in CATEGORIES if c not in covered]
    expect(not missing, f"no item of your checklist is tagged {', '.join(repr(c) for c in missing)}")
