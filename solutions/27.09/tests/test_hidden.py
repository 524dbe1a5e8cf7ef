"""Hidden tests for exercise 27.9 (six tasks: idempotent or not).

One test per task. The verdicts below follow from the definition in section 27.6: a task is
idempotent when a second run with the same inputs leaves every system it touches as one run did.
Test names and hints say which task is checked, never which verdict is expected.
"""
from autograder.testing import expect, graded

# key -> (part, verdict, what to think about)
TASKS = {
    "delta_read_pinned_version": ("a", True, "What can a second read of a fixed Delta version return, and what does it change?"),
    "postgres_append_metrics": ("b", False, "Compare the Postgres table after one run and after two runs."),
    "s3_upload_timestamped_key": ("c", False, "Compare the bucket after one run and after two runs, a minute apart."),
    "slack_notify_on_success": ("d", False, "Compare the Slack channel after one run and after two runs."),
    "redis_increment_run_counter": ("e", False, "Compare the counter after one run and after two runs."),
    "parquet_write_by_logical_date": ("f", True, "Compare the storage after one run and after two runs for the same logical date."),
}


# ---- probe: runs in the learner's worker, returns plain data -----------------------------------
def verdicts(ns):
    table = ns.IDEMPOTENT
    if not isinstance(table, dict):
        return {"problem": f"IDEMPOTENT is a {type(table).__name__}, not a dict"}
    out = {}
    for key, value in table.items():
        if type(value).__name__ == "bool_":  # a numpy boolean
            value = bool(value)
        if value is None:
            out[str(key)] = "not answered yet (None)"
        else:
            out[str(key)] = value if isinstance(value, bool) else f"a {type(value).__name__}: {value!r}"[:60]
    return {"verdicts": out}


def check(sub, key):
    got = sub.run(verdicts)
    expect("problem" not in got, got.get("problem", ""))
    table = got["verdicts"]
    expect(key in table, f"IDEMPOTENT has no entry `{key}` (keep the keys of the table)")
    value = table[key]
    expect(isinstance(value, bool), f"`{key}` should be True or False; it is {value}")
    expect(value == TASKS[key][1], f"your verdict on `{key}` does not hold up")


@graded("a", points=1, hint=TASKS["delta_read_pinned_version"][2])
def test_verdict_delta_read_pinned_version(sub):
    check(sub, "delta_read_pinned_version")


@graded("b", points=1, hint=TASKS["postgres_append_metrics"][2])
def test_verdict_postgres_append_metrics(sub):
    check(sub, "postgres_append_metrics")


@graded("c", points=1, hint=TASKS["s3_upload_timestamped_key"][2])
def test_verdict_s3_upload_timestamped_key(sub):
    check(sub, "s3_upload_timestamped_key")


@graded("d", points=1, hint=TASKS["slack_notify_on_success"][2])
def test_verdict_slack_notify_on_success(sub):
    check(sub, "slack_notify_on_success")


@graded("e", points=1, hint=TASKS["redis_increment_run_counter"][2])
def test_verdict_redis_increment_run_counter(sub):
    check(sub, "redis_increment_run_counter")


@graded("f", points=1, hint=TASKS["parquet_write_by_logical_date"][2])
def test_verdict_parquet_write_by_logical_date(sub):
    check(sub, "parquet_write_by_logical_date")
