# %% [markdown]
# Section 27.6 called a task **idempotent** when running it twice with the same inputs leaves the
# world in the same state as running it once: a retry after a crash, or a rerun of last Tuesday's
# run, changes nothing that the first successful run had not already done. `idempotent_write`
# and `partition_path` were the chapter's tools for tasks that write files.
#
# Below are six tasks taken from real ML pipelines. For each, decide whether it is idempotent as
# described. Think about what a *second* run with the same inputs (a retry, or a rerun for the
# same logical date) leaves behind in every system the task touches, compared with one run.
#
# | key | the task |
# | --- | --- |
# | `delta_read_pinned_version` | reads a Delta Lake table at one explicit, fixed version number |
# | `postgres_append_metrics` | appends the run's training metrics as new rows of a Postgres table |
# | `s3_upload_timestamped_key` | uploads the model artifact to S3 under a key that contains the current timestamp |
# | `slack_notify_on_success` | posts a message to a Slack channel when training has finished |
# | `redis_increment_run_counter` | increments a "pipeline runs" counter stored in Redis |
# | `parquet_write_by_logical_date` | writes a Parquet file to a path computed from the run's logical date |
#
# **(a)–(f)** Fill in `IDEMPOTENT`: one entry per task, `True` if the task is idempotent as
# described, `False` if not (Python booleans, not strings). Each entry is one graded part, in the
# order of the table.

# %%
### BEGIN SOLUTION verdicts
IDEMPOTENT = {
    "delta_read_pinned_version": True,
    "postgres_append_metrics": False,
    "s3_upload_timestamped_key": False,
    "slack_notify_on_success": False,
    "redis_increment_run_counter": False,
    "parquet_write_by_logical_date": True,
}
### END SOLUTION
### BEGIN STARTER
# IDEMPOTENT = {
#     "delta_read_pinned_version": None,       # True or False
#     "postgres_append_metrics": None,
#     "s3_upload_timestamped_key": None,
#     "slack_notify_on_success": None,
#     "redis_increment_run_counter": None,
#     "parquet_write_by_logical_date": None,
# }
### END STARTER

# %%
for task, verdict in IDEMPOTENT.items():
    label = {True: "idempotent", False: "not idempotent"}.get(verdict, "not answered yet")
    print(f"{task:32} {label}")

# %% [markdown] answer="g"
# **(g)** For every task you judged not idempotent: what does a second run repeat or change, and
# what concrete change to the task makes a rerun leave the same end state as a single run? For
# the tasks you judged idempotent, say in a sentence why a rerun is harmless.
#
### BEGIN SOLUTION
# - **Delta read at a pinned version: idempotent.** A Delta version is an immutable snapshot;
#   reading version 42 today or next month returns the same rows, and a read changes nothing.
#   (If old versions are vacuumed away the rerun fails loudly; it never silently reads other
#   data.)
# - **Appending metrics to Postgres: not idempotent.** Every rerun inserts the same metrics
#   again, so dashboards and "best run" queries see duplicates. Fix: give the rows a natural key
#   such as `(dag_id, logical_date, metric)` with a unique constraint and write with
#   `INSERT ... ON CONFLICT (...) DO UPDATE` (an upsert), or delete the rows of this logical date
#   and insert them again inside one transaction.
# - **S3 upload under the current timestamp: not idempotent.** Each rerun creates one more object
#   under a new key; storage grows, and anything that finds "the model" by listing the prefix may
#   pick another artifact. Fix: derive the key from what identifies the run, e.g.
#   `models/streamrec/logical_date=2024-06-01/model.pt` or the run id or a hash of the model's
#   content, so a rerun overwrites the same object (S3 PUTs replace whole objects atomically).
# - **Slack message when training completes: not idempotent.** A rerun posts the message again
#   and people are told twice (or told about a run that was later replaced). Fix: keep a record
#   keyed by `(dag_id, logical_date)` of messages already sent (a table row or a Redis
#   `SET key NX`), and send only if the record did not exist; or keep the message's `ts` and
#   edit that message (`chat.update`) on a rerun instead of posting a new one.
# - **Incrementing a run counter in Redis: not idempotent.** `INCR` adds one on every retry and
#   rerun, so the counter counts attempts, not runs. Fix: record the run by its identity instead,
#   `SADD pipeline_runs <dag_id>/<logical_date>`, and read the count with `SCARD`; adding a
#   member twice changes nothing.
# - **Parquet file at a path derived from the logical date: idempotent.** The rerun writes to the
#   same path and replaces the file instead of adding one, so one run or five leave one file
#   (written atomically with `idempotent_write`, a crash never leaves half a file; and its content
#   is the same as long as its inputs are pinned too).
### END SOLUTION
