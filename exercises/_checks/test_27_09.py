# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.9: they check the form of your answers, not their values."""
from autograder.testing import expect, graded

KEYS = [
    "delta_read_pinned_version", "postgres_append_metrics", "s3_upload_timestamped_key",
    "slack_notify_on_success", "redis_increment_run_counter", "parquet_write_by_logical_date",
]


def form(ns):
    table = ns.IDEMPOTENT
    if not isinstance(table, dict):
        return {"type": type(table).__name__}
    return {"type": "dict", "kinds": {str(k): type(v).__name__ for k, v in table.items()}}


@graded("a", points=0, hint="IDEMPOTENT maps each of the six task keys to True or False.")
def test_idempotent_has_a_boolean_for_every_task(sub):
    got = sub.run(form)
    expect(got["type"] == "dict", f"IDEMPOTENT should be a dict, not a {got['type']}")
    for key in KEYS:
        expect(key in got["kinds"], f"IDEMPOTENT has no entry `{key}`")
        expect(got["kinds"][key] == "bool", f"`{key}` should be True or False, not a {got['kinds'][key]}")
    extra = sorted(set(got["kinds"]) - set(KEYS))
    expect(not extra, f"IDEMPOTENT has keys that are not in the table: {', '.join(extra)}")
