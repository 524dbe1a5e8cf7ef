"""Hidden tests for exercise 27.7 (large data between Airflow tasks by path).

The helper is called directly in the worker against the grader's moto server; the DAG is loaded
in a real DagBag and run with dag.test() for three logical dates (the later one first, then the
earlier one, then the later one again). The DAG runs are made once and shared by the tests.
"""
import functools
import io

import boto3
import pandas as pd

from autograder.testing import LearnerError, expect, fail, graded

BUCKET, DATASET, DAG_ID = "streamrec-handoff", "interactions", "streamrec_handoff"
UPSTREAM, DOWNSTREAM = "extract_interactions", "summarize_interactions"
RUN_ORDER = ["2026-03-11", "2026-03-10", "2026-03-11"]  # a later date first, then an earlier one, then a rerun
XCOM_BYTES = 1024  # a path and a small summary fit easily; a frame does not


def expected_uri(bucket, dataset, day):
    """The layout pinned in the statement."""
    return f"s3://{bucket}/{dataset}/ds={day}/data.csv"


@functools.cache
def expected_summary(day):
    from pipelinekit.streamrec import generate_interactions

    frame = generate_interactions(day)
    return {"rows": len(frame), "days": [day], "clicks": int(frame["clicked"].sum())}


@functools.cache
def _client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing", region_name="us-east-1")


def bucket_keys(services, bucket):
    listing = _client(services["s3_endpoint"]).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


# ---- probes: run in the learner's worker, return plain data ------------------------------------
def uris(ns, cases):
    import datetime as dt

    def when(text):
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)

    out = []
    for bucket, dataset, text in cases:
        value = ns.partition_uri(bucket, dataset, when(text))
        out.append(value if isinstance(value, str) else repr(value))
    return out


def pendulum_uri(ns, bucket, dataset, year, month, day):
    import pendulum

    value = ns.partition_uri(bucket, dataset, pendulum.datetime(year, month, day, tz="UTC"))
    return value if isinstance(value, str) else repr(value)


def write_and_read(ns, bucket, steps):
    """steps: [("write", day, frame_as_dict_of_lists) | ("read", day)]; returns what each step gave."""
    import datetime as dt

    import boto3
    import pandas as pd

    boto3.client("s3").create_bucket(Bucket=bucket)
    out = []
    for step in steps:
        day = dt.date.fromisoformat(step[1])
        if step[0] == "write":
            uri = ns.write_partition(pd.DataFrame(step[2]), bucket, "frames", day)
            out.append(uri if isinstance(uri, str) else repr(uri))
        else:
            frame = ns.read_partition(ns.partition_uri(bucket, "frames", day))
            if not isinstance(frame, pd.DataFrame):
                out.append({"type": type(frame).__name__})
            else:
                out.append({"type": "DataFrame", "columns": [str(c) for c in frame.columns],
                            "values": {str(c): frame[c].tolist() for c in frame.columns}})
    return out


def load_dag(ns, folder, bucket):
    import ast
    import pathlib
    import sys

    import boto3

    boto3.client("s3").create_bucket(Bucket=bucket)
    ns.export_helpers(folder)
    source = ns.DAG_FILE
    pathlib.Path(folder, "streamrec_handoff.py").write_text(source)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    imports_helper = False
    try:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "s3_handoff":
                imports_helper = True
            if isinstance(node, ast.Import) and any(a.name == "s3_handoff" for a in node.names):
                imports_helper = True
    except SyntaxError:
        pass
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder)
    dag = bag.get_dag("streamrec_handoff")
    return {
        "errors": {str(k): str(v)[-600:] for k, v in bag.import_errors.items()},
        "dag_ids": sorted(bag.dag_ids),
        "imports_helper": imports_helper,
        "upstream": None if dag is None else {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
    }


def run_dag(ns, folder, day):
    import contextlib
    import io
    import json
    import re

    import pendulum
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    dag = DagBag(dag_folder=folder).get_dag("streamrec_handoff")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):  # a failing task prints its traceback here
        run = dag.test(logical_date=pendulum.parse(day))
    raised = [line for line in output.getvalue().splitlines()
              if re.match(r"^([A-Za-z_]\w*\.)*[A-Z]\w*: \S", line)]
    xcoms = []
    with create_session() as session:
        rows = session.scalars(select(XComModel).where(XComModel.dag_id == "streamrec_handoff",
                                                       XComModel.run_id == run.run_id)).all()
        for row in rows:
            size = len(json.dumps(row.value, default=str))
            value = None
            if size <= 4096:
                value = json.loads(json.dumps(XComModel.deserialize_value(row), default=repr))
            xcoms.append({"task": row.task_id, "key": row.key, "size": size, "value": value})
    return {"state": str(run.state), "tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()},
            "xcoms": xcoms, "raised": raised[-1][:300] if raised else None}


# ---- the DAG runs, made once per grading run --------------------------------------------------
_DAG = {}


def dag_runs(sub, services):
    """Load the DAG, then run it for RUN_ORDER; the bucket is listed by the grader after each run."""
    if "outcome" not in _DAG:
        folder = services["dags_folder"]
        try:
            loaded = sub.run(load_dag, folder, BUCKET, timeout=120)
            runs = []
            if DAG_ID in loaded["dag_ids"]:
                for day in RUN_ORDER:
                    try:
                        result = sub.run(run_dag, folder, day, timeout=120)
                    except LearnerError as error:
                        result = {"state": "error", "error": str(error), "tasks": {}, "xcoms": []}
                    result.update(day=day, keys=bucket_keys(services, BUCKET))
                    runs.append(result)
            _DAG["outcome"] = ("ok", {"loaded": loaded, "runs": runs})
        except LearnerError as error:
            _DAG["outcome"] = ("error", error)
    kind, value = _DAG["outcome"]
    if kind == "error":
        raise value
    return value


def loaded_runs(sub, services):
    got = dag_runs(sub, services)
    expect(not got["loaded"]["errors"], "your DAG file does not load in a DagBag (import errors)")
    expect(got["runs"], f"your DAG file defines no DAG with dag_id {DAG_ID!r}")
    return got["runs"]


def xcom(run, task, key="return_value"):
    return next((x for x in run["xcoms"] if x["task"] == task and x["key"] == key), None)


def describe(run):
    failed = sorted(t for t, s in run["tasks"].items() if s != "success")
    if run.get("error"):
        return f"the run for {run['day']} could not finish: {run['error']}"
    why = f" ({run['raised']})" if run.get("raised") else ""
    return f"in the run for {run['day']}, task(s) {', '.join(failed) or '?'} did not succeed{why}"


# ---- (a) ----------------------------------------------------------------------------------------
LAYOUT_CASES = [
    ("streamrec-lake", "interactions", "2026-03-10"),
    ("ml-bucket", "training_frame", "2025-12-31T00:00:00+00:00"),
    ("ml-bucket", "user_features", "2024-02-29T12:45:00+00:00"),
]


@graded("a", points=1, hint="s3://<bucket>/<dataset>/ds=<YYYY-MM-DD>/data.csv, nothing more.")
def test_partition_uri_has_the_pinned_layout(sub):
    got = sub.run(uris, LAYOUT_CASES)
    for (bucket, dataset, when), uri in zip(LAYOUT_CASES, got):
        expect(uri == expected_uri(bucket, dataset, when[:10]),
               f"partition_uri({bucket!r}, {dataset!r}, {when}) returns {uri!r}")
    uri = sub.run(pendulum_uri, "streamrec-lake", "interactions", 2026, 3, 10)
    expect(uri == expected_uri("streamrec-lake", "interactions", "2026-03-10"),
           f"for an Airflow (pendulum) logical date of 2026-03-10 your partition_uri returns {uri!r}")


@graded("a", points=1, hint="Same arguments, same URI; the key is the UTC date of the logical date, never the clock.")
def test_partition_uri_is_deterministic_and_keyed_by_the_utc_date(sub):
    cases = [
        ("b", "d", "2026-03-10T23:30:00+00:00"),
        ("b", "d", "2026-03-10T23:30:00+00:00"),
        ("b", "d", "2026-03-11T01:30:00+02:00"),  # 23:30 UTC on the 10th
        ("b", "d", "2026-03-11"),
        ("b", "d", "2026-03-11T00:00:00+00:00"),
    ]
    first, again, shifted, next_day, next_midnight = sub.run(uris, cases)
    expect(first == again, "two calls with the same arguments give different URIs: the path must be deterministic")
    expect(first != next_day, "two different logical dates give the same URI: each date needs its own partition")
    expect(next_day == next_midnight, "a date and midnight UTC of the same day give different URIs")
    expect(first == expected_uri("b", "d", "2026-03-10"),
           f"for a logical date of 2026-03-10 23:30 UTC your partition_uri returns {first!r}")
    expect(shifted == first, "a logical date of 01:30 at UTC+2 on the 11th is 23:30 UTC on the 10th, "
                             f"but your partition_uri returns {shifted!r}")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="extract_interactions returns only the URI; nothing large goes through XCom.")
def test_only_the_path_crosses_xcom(sub, services):
    for run in loaded_runs(sub, services):
        expect(run["state"] == "success", describe(run))
        pushed = xcom(run, UPSTREAM)
        expect(pushed is not None, f"extract_interactions pushed no return value to XCom in the run for {run['day']}")
        expect(isinstance(pushed["value"], str),
               f"extract_interactions puts a {'large value' if pushed['value'] is None else type(pushed['value']).__name__} "
               "in XCom; it should return the URI string only")
        expect(pushed["value"] == expected_uri(BUCKET, DATASET, run["day"]),
               f"in the run for {run['day']}, extract_interactions returns {pushed['value'][:120]!r}, "
               "not the partition's URI")
        big = sorted({f"{x['task']}/{x['key']}" for x in run["xcoms"] if x["size"] > XCOM_BYTES})
        expect(not big, f"these XComs are larger than {XCOM_BYTES} bytes: {', '.join(big)}")


# ---- (c) ----------------------------------------------------------------------------------------
FRAME_1 = {"user_id": [1, 2, 3], "score": [0.25, 0.5, 0.75], "event": ["view", "click", "like"]}
FRAME_2 = {"user_id": [7, 8], "score": [1.5, -2.0], "event": ["complete", "view"]}
FRAME_3 = {"user_id": [4], "score": [3.0], "event": ["click"]}


@graded("c", points=1, hint="Writing a partition again replaces its one object; reading takes exactly the URI given.")
def test_rewriting_a_partition_replaces_its_object(sub, services):
    name = "t07-helper"
    got = sub.run(write_and_read, name, [
        ("write", "2024-06-01", FRAME_1), ("read", "2024-06-01"),
        ("write", "2024-06-02", FRAME_3),
        ("write", "2024-06-01", FRAME_2), ("read", "2024-06-01"),
    ])
    first_uri, first_read, _, second_uri, second_read = got
    expect(first_uri == expected_uri(name, "frames", "2024-06-01"),
           f"write_partition returns {first_uri!r}, not the partition's URI")
    expect(first_read.get("values") == FRAME_1,
           "read_partition does not give back the frame write_partition stored")
    expect(second_uri == first_uri, "writing the same partition twice returns two different URIs")
    expect(second_read.get("values") == FRAME_2,
           "after a partition is written again, read_partition does not return the new frame")
    keys = bucket_keys(services, name)
    expect(len(keys) == 2, f"two partitions were written (one of them twice), and the bucket holds {len(keys)} objects")


@graded("c", points=1, hint="A rerun of the same logical date must write to the same key: no new objects.")
def test_dag_rerun_overwrites_the_same_object(sub, services):
    runs = loaded_runs(sub, services)
    for run in runs:
        expect(run["state"] == "success", describe(run))
    before, after = set(runs[1]["keys"]), set(runs[2]["keys"])
    new = sorted(after - before)
    expect(not new, f"rerunning {RUN_ORDER[2]} added {len(new)} new object(s) to the bucket instead of overwriting")
    key = expected_uri(BUCKET, DATASET, RUN_ORDER[2]).removeprefix(f"s3://{BUCKET}/")
    expect(key in after, f"after the rerun there is no object at the partition of {RUN_ORDER[2]}")
    body = _client(services["s3_endpoint"]).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    try:
        frame = pd.read_csv(io.BytesIO(body))
    except Exception:  # noqa: BLE001
        fail(f"the object at the partition of {RUN_ORDER[2]} is not a CSV file")
    want = expected_summary(RUN_ORDER[2])
    expect(len(frame) == want["rows"] and "clicked" in frame and int(frame["clicked"].sum()) == want["clicks"],
           f"the object at the partition of {RUN_ORDER[2]} does not hold that day's interactions")


@graded("c", points=1, hint="The downstream task reads the path its own upstream task returned, not the latest partition.")
def test_downstream_reads_its_own_runs_data(sub, services):
    for run in loaded_runs(sub, services):
        expect(run["state"] == "success", describe(run))
        summary = xcom(run, DOWNSTREAM)
        expect(summary is not None and isinstance(summary["value"], dict),
               f"summarize_interactions returned no summary dict in the run for {run['day']}")
        got, want = summary["value"], expected_summary(run["day"])
        expect(set(want) <= set(got), f"the summary lacks {', '.join(sorted(set(want) - set(got)))}")
        expect(got["days"] == want["days"],
               f"in the run for {run['day']}, summarize_interactions read interactions of {got['days']}")
        expect(got["rows"] == want["rows"] and got["clicks"] == want["clicks"],
               f"in the run for {run['day']}, summarize_interactions reports rows={got['rows']}, "
               f"clicks={got['clicks']}: not that day's data")


# ---- (d) ----------------------------------------------------------------------------------------
@graded("d", points=1, hint="The DAG file loads with no import errors and wires extract_interactions -> summarize_interactions.")
def test_dag_file_loads_in_a_dagbag(sub, services):
    loaded = dag_runs(sub, services)["loaded"]
    for where, error in loaded["errors"].items():
        fail(f"your DAG file does not load: {error.strip().splitlines()[-1] if error.strip() else where}")
    expect(DAG_ID in loaded["dag_ids"], f"your DAG file defines no DAG with dag_id {DAG_ID!r}"
                                        f" (it defines {loaded['dag_ids'] or 'none'})")
    tasks = loaded["upstream"]
    missing = sorted({UPSTREAM, DOWNSTREAM} - set(tasks))
    expect(not missing, f"your DAG has no task {', '.join(missing)}")
    expect(UPSTREAM in tasks[DOWNSTREAM], f"{DOWNSTREAM} does not depend on {UPSTREAM}")
    expect(loaded["imports_helper"], "your DAG file does not import the helper functions from s3_handoff")


@graded("d", points=1, hint="dag.test() must succeed for every logical date, including a rerun.")
def test_dag_runs_succeed_for_each_logical_date(sub, services):
    for run in loaded_runs(sub, services):
        expect(run["state"] == "success" and set(run["tasks"].values()) == {"success"}, describe(run))
        expect(set(run["tasks"]) == {UPSTREAM, DOWNSTREAM}, f"the run for {run['day']} ran tasks {sorted(run['tasks'])}")
