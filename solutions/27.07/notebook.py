# %% [markdown]
# Section 27.5 compares how Airflow, Dagster and Prefect move data between steps. In Airflow a
# task hands a value to the next one through **XCom**. The chapter says XCom has a default size
# limit of 48 KB; that number is not an Airflow setting, so here is what Airflow 3 really does:
#
# - An XCom is a row of the metadata database's `xcom` table, and its value is stored as **JSON**
#   (a JSON column; JSONB on PostgreSQL). In Airflow 3 a task no longer opens the metadata
#   database: it pushes and pulls XComs through the API server's Task Execution API.
# - Airflow itself enforces **no size limit** on an XCom. The ceiling is the database's (a JSONB
#   value on PostgreSQL can hold about 255 MB; MySQL refuses anything above its
#   `max_allowed_packet`, 64 MB by default in MySQL 8). A TaskFlow task may even return a pandas
#   DataFrame: Airflow 3 serializes it to Parquet bytes and stores them, hex-encoded, inside the
#   JSON value (this needs `pyarrow`, which the course environment does not install).
# - Long before any ceiling, large XComs hurt: every value goes through the API server and into
#   the metadata database, which grows, slows down and has to be backed up; the documentation
#   says XCom is for small amounts of data. For large values Airflow offers a custom XCom
#   backend, such as `XComObjectStorageBackend` of the common-io provider, which puts values
#   above `xcom_objectstorage_threshold` bytes in object storage and keeps only a reference in
#   the database.
#
# So the rule stands, for a better reason than a 48 KB limit: a 2 GB training DataFrame must not
# travel through XCom. In this exercise you build the explicit version of that pattern. The
# upstream task stores its DataFrame in S3 at a **deterministic, partition-keyed path**, and
# only that path crosses XCom; the downstream task reads the data from the path it receives.
# One small helper module does the storing and the reading for both tasks, and the pattern must
# stay correct when a task is rerun.
#
# What is graded, and where it is written:
#
# | part | requirement | written in |
# | --- | --- | --- |
# | (a) | the data of a partition lives at a deterministic, partition-keyed path | `partition_uri` |
# | (b) | only that path crosses XCom | the DAG's `extract_interactions` task |
# | (c) | a rerun overwrites the same object, and the downstream task reads the version of its own run | `write_partition`, `read_partition`, the DAG |
# | (d) | one helper used by both tasks, run for real in an Airflow 3 DAG | `DAG_FILE` |
# | (e) | the design, explained | the answer cell at the end |

# %% [markdown]
# ## The setting
#
# The StreamRec daily pipeline starts with a task that builds the day's interactions (in real
# life a 2 GB frame; here `pipelinekit.streamrec.generate_interactions(day)`, 5,000 rows for one
# UTC day) and a task that consumes them. The grader runs your code against an S3-compatible
# server (moto): it sets `AWS_ENDPOINT_URL` and test credentials in the environment, so
# `boto3.client("s3")` reaches it without arguments. On your own machine the next cell starts
# such a server if none is configured; nothing is sent to AWS.
#
# Files are stored as **CSV** (`DataFrame.to_csv(index=False)`, read back with `pd.read_csv`).
# In production you would write Parquet, but the course environment has no Parquet engine.

# %%
import datetime as dt
import io
import os
import socket

import boto3
import pandas as pd

if "AWS_ENDPOINT_URL" not in os.environ:  # on your laptop: a local moto S3 server for this notebook
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    local_s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    local_s3.start()
    os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")

s3 = boto3.client("s3")
s3.create_bucket(Bucket="streamrec-demo")


def keys_in(bucket: str) -> list[str]:
    """Every key in a bucket, sorted."""
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


# %% [markdown] part="a"
# **(a) A deterministic, partition-keyed location.** Write
# `partition_uri(bucket, dataset, logical_date) -> str`, the one place where a partition's data
# lives:
#
# ```
# s3://<bucket>/<dataset>/ds=<YYYY-MM-DD>/data.csv
# ```
#
# where `YYYY-MM-DD` is the **UTC date of the logical date**. `logical_date` is either a
# `datetime.date` or a timezone-aware `datetime.datetime` (Airflow passes a UTC `pendulum`
# DateTime, which is a `datetime`); a `datetime` in another time zone is first converted to UTC.
# For example `partition_uri("streamrec-lake", "interactions", dt.date(2024, 6, 1))` is
# `"s3://streamrec-lake/interactions/ds=2024-06-01/data.csv"`. The same arguments must always
# give the same URI: nothing in it may depend on the wall clock, a random number, the run id or
# the try number.

# %% part="a"
def partition_uri(bucket: str, dataset: str, logical_date) -> str:
    """Where the partition of `dataset` for this logical date lives: one fixed object per UTC day."""
    ### BEGIN SOLUTION partition_uri
    if isinstance(logical_date, dt.datetime):
        day = logical_date.astimezone(dt.timezone.utc).date()
    else:
        day = logical_date
    return f"s3://{bucket}/{dataset}/ds={day.isoformat()}/data.csv"
    ### END SOLUTION


# %% [markdown] part="c"
# **(c) Storing and reading a partition.** Write the other two functions of the helper:
#
# - `write_partition(df, bucket, dataset, logical_date, client=None) -> str` stores `df` as CSV
#   (without the index) at `partition_uri(bucket, dataset, logical_date)`, **replacing** whatever
#   object is there, and returns that URI. It writes that one object and nothing else (no extra
#   keys are left in the bucket).
# - `read_partition(uri, client=None) -> pd.DataFrame` reads the object **at exactly that URI**
#   back into a DataFrame. Integer, float and text columns come back equal to what was written
#   (timestamps come back as text: parse them where you need them).
#
# `client` is a boto3 S3 client; when it is `None`, make one with `boto3.client("s3")`. The
# bucket already exists.

# %% part="c"
def write_partition(df: pd.DataFrame, bucket: str, dataset: str, logical_date, client=None) -> str:
    """Store `df` at its partition's fixed location (replacing what is there); return the URI."""
    ### BEGIN SOLUTION write_partition
    if client is None:
        client = boto3.client("s3")
    uri = partition_uri(bucket, dataset, logical_date)
    key = uri.removeprefix(f"s3://{bucket}/")
    # One PutObject replaces the object all at once: a reader sees the old or the new CSV, never half.
    client.put_object(Bucket=bucket, Key=key, Body=df.to_csv(index=False).encode("utf-8"))
    return uri
    ### END SOLUTION


def read_partition(uri: str, client=None) -> pd.DataFrame:
    """The DataFrame stored at exactly this s3:// URI."""
    ### BEGIN SOLUTION read_partition
    if client is None:
        client = boto3.client("s3")
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return pd.read_csv(io.BytesIO(body))
    ### END SOLUTION


# %% [markdown]
# A DAG file cannot import a notebook, so the cell below writes your three functions into a module
# file, `s3_handoff.py`, next to the DAG file; the DAG file imports them from there. The module
# holds the imports listed in `HELPER_IMPORTS` and the source of every function in `HELPERS`: if
# your helpers need another import, import it inside the function, and if you write more helper
# functions, add them to `HELPERS`. The grader calls `export_helpers(dags_folder)` the same way.

# %%
import inspect
from pathlib import Path

HELPERS = [partition_uri, write_partition, read_partition]
HELPER_IMPORTS = "import datetime as dt\nimport io\n\nimport boto3\nimport pandas as pd\n"


def export_helpers(folder) -> Path:
    """Write the module s3_handoff.py (your helper functions) into `folder`; return its path."""
    source = HELPER_IMPORTS + "".join("\n\n" + inspect.getsource(function) for function in HELPERS)
    path = Path(folder) / "s3_handoff.py"
    path.write_text(source)
    return path


# %% [markdown]
# Try the helper on two days of data, then write the first day again:

# %% part="c"
for day in (dt.date(2024, 6, 1), dt.date(2024, 6, 2)):
    frame = pd.DataFrame({"user_id": [1, 2, 3], "clicks": [day.day, 0, 7]})
    print(write_partition(frame, "streamrec-demo", "clicks", day))
write_partition(pd.DataFrame({"user_id": [1], "clicks": [99]}), "streamrec-demo", "clicks", dt.date(2024, 6, 1))
print(keys_in("streamrec-demo"))
print(read_partition(partition_uri("streamrec-demo", "clicks", dt.date(2024, 6, 1))))

# %% [markdown] part="d"
# **(d) The DAG.** Write the Airflow 3 DAG file as the string `DAG_FILE`, with the TaskFlow API
# of `airflow.sdk` (`@dag`, `@task`, `schedule=`; the Airflow 2 names such as `schedule_interval`
# and `execution_date` are gone in Airflow 3). The grader writes it into the DAGs folder next to
# `s3_handoff.py`, loads the folder in a `DagBag`, and runs it with `dag.test(logical_date=...)`
# for several logical dates, including a rerun of one of them. Pinned:
#
# - `dag_id="streamrec_handoff"`, `schedule="@daily"`, a fixed `start_date` in March 2026 or
#   earlier, `catchup=False`;
# - it uses the bucket `"streamrec-handoff"` (it exists; do not create it) and the dataset name
#   `"interactions"`;
# - task `extract_interactions` builds the day's frame with
#   `pipelinekit.streamrec.generate_interactions(<UTC date of the logical date>)` and stores it
#   with `write_partition`;
# - **(b)** `extract_interactions` returns the partition's URI, a plain string, and that is all
#   it puts in XCom; no XCom value of a run may be large (the grader allows 1 KB per value,
#   plenty for a path or a summary, far too little for a frame);
# - task `summarize_interactions` takes that URI as its argument, reads the frame with
#   `read_partition`, and returns the small summary
#   `{"rows": <number of rows>, "days": <sorted list of the distinct UTC dates, as "YYYY-MM-DD",
#   of the timestamp column>, "clicks": <sum of the clicked column>}`;
# - **(c)** run for one logical date, then another, then the first again, the rerun adds no
#   object to the bucket, and each run's summary describes the interactions of that run's own
#   logical date;
# - both helpers are imported from `s3_handoff`; no connection or Airflow Variable is needed
#   (`boto3.client("s3")` finds the endpoint in the environment).
#
# A TaskFlow task receives the run's logical date if it declares a parameter named
# `logical_date` with a default of `None`.

# %% part="d"
### BEGIN SOLUTION dag_file
DAG_FILE = '''
import datetime

import pendulum
from airflow.sdk import dag, task

from s3_handoff import read_partition, write_partition

BUCKET = "streamrec-handoff"
DATASET = "interactions"


@dag(dag_id="streamrec_handoff", schedule="@daily", start_date=pendulum.datetime(2026, 3, 1, tz="UTC"),
     catchup=False, tags=["exercise-27.7"])
def streamrec_handoff():
    @task
    def extract_interactions(logical_date=None) -> str:
        from pipelinekit.streamrec import generate_interactions

        frame = generate_interactions(logical_date.astimezone(datetime.timezone.utc).date())
        return write_partition(frame, BUCKET, DATASET, logical_date)

    @task
    def summarize_interactions(uri: str) -> dict:
        import pandas as pd

        frame = read_partition(uri)
        days = pd.to_datetime(frame["timestamp"], utc=True).dt.strftime("%Y-%m-%d")
        return {"rows": len(frame), "days": sorted(days.unique().tolist()), "clicks": int(frame["clicked"].sum())}

    summarize_interactions(extract_interactions())


streamrec_handoff()
'''
### END SOLUTION
### BEGIN STARTER
# DAG_FILE = '''
# import pendulum
# from airflow.sdk import dag, task
#
# from s3_handoff import read_partition, write_partition
#
# BUCKET = "streamrec-handoff"
# DATASET = "interactions"
#
# # # the DAG "streamrec_handoff": extract_interactions -> summarize_interactions
# '''
### END STARTER

# %% [markdown]
# Load your DAG file the way the grader does, in a `DagBag` over a folder holding it and the
# helper module, and look at its tasks:

# %% part="d"
import sys
import tempfile

demo_folder = tempfile.mkdtemp(prefix="dags-")
export_helpers(demo_folder)
Path(demo_folder, "streamrec_handoff.py").write_text(DAG_FILE)
sys.path.insert(0, demo_folder)  # Airflow puts its DAGs folder on sys.path; this folder is a stand-in

from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=demo_folder)
print("import errors:", bag.import_errors or "none")
if "streamrec_handoff" in bag.dags:  # bag.dags: parsed from the files, no metadata DB needed
    for task in bag.dags["streamrec_handoff"].tasks:
        print(f"{task.task_id}: downstream {sorted(task.downstream_task_ids)}")

# %% [markdown]
# Running the DAG needs an Airflow metadata database and the DAG file in Airflow's DAGs folder;
# `check("27.7")` and the grader have both ready. With your own Airflow home set up
# (`airflow db migrate`), `run_once` copies the two files into the DAGs folder and runs one
# logical date with `dag.test()`:

# %%
def run_once(logical_date: dt.datetime) -> dict:
    """Put the DAG file and the helper in Airflow's DAGs folder; run one logical date; list the bucket."""
    from airflow.configuration import conf

    dags_folder = conf.get("core", "dags_folder")
    export_helpers(dags_folder)
    Path(dags_folder, "streamrec_handoff.py").write_text(DAG_FILE)
    s3.create_bucket(Bucket="streamrec-handoff")
    run = DagBag(dag_folder=dags_folder).dags["streamrec_handoff"].test(logical_date=logical_date)
    return {"tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()},
            "keys": keys_in("streamrec-handoff")}


# run_once(dt.datetime(2026, 3, 10, tzinfo=dt.timezone.utc))

# %% [markdown] answer="e"
# **(e) The design.** In a short paragraph or a list: why does your path scheme make a rerun
# overwrite instead of duplicate, which keys make the path deterministic, and why can the
# downstream task of a run never read a stale, half-written or mixed version of its input?
#
### BEGIN SOLUTION
# The path depends only on the bucket, the dataset name and the UTC date of the run's logical
# date, which Airflow fixes when the run is created and keeps for every retry, every cleared and
# rerun task and every `dag.test()` of that date. Nothing in it comes from the wall clock, the
# try number or the run id (`dag.test()` gives each call a new run id, even for the same
# logical date, and a retry keeps the run id but not the try number), so every
# attempt for a day writes the same object and a rerun replaces it instead of adding a second
# copy next to it. Partitioning by the logical date also matches the data: the frame is a pure
# function of that date, so the object at the path is the same whichever attempt wrote it.
#
# The downstream task never guesses where its input is (it does not look for "the latest
# partition" or compute a date from the clock): it reads the exact URI its own upstream task
# returned through XCom, and that XCom belongs to its run. A single PutObject replaces an S3
# object atomically and S3 reads are strongly consistent, so a reader gets the previous complete
# file or the new complete file, never half of one; the upstream task only returns the URI after
# the write succeeded, so the downstream task cannot start before the data is there. When the
# upstream task is cleared together with its downstream tasks (the usual way to rerun a step),
# the downstream task runs again and reads the rewritten object. The remaining risk is two runs of the same date writing at the same time; with
# deterministic inputs they write identical bytes, and if that is not guaranteed a run or
# version key (or a content hash) can be added to the path, which then has to travel through
# XCom exactly as this path does.
### END SOLUTION
