"""The services exercises rely on, used for real from a sandboxed worker: an Airflow DagBag and
dag.test() on a copied SQLite metadata DB, boto3 against a moto server, a Prefect flow."""
from __future__ import annotations

import boto3
import pytest

from autograder.sandbox import Limits
from autograder.services import Services
from autograder.submission import SandboxedSubmission

DAG_FILE = '''
import pendulum
from airflow.sdk import dag, task

@dag(schedule="@daily", start_date=pendulum.datetime(2026, 3, 1, tz="UTC"), catchup=False)
def hello():
    @task
    def extract():
        return 20

    @task
    def double(x):
        return 2 * x

    double(extract())

hello()
'''


def run_dag_file(ns, folder):
    import pathlib

    import pendulum
    from airflow.models.dagbag import DagBag

    pathlib.Path(folder, "hello.py").write_text(ns.DAG_FILE)
    bag = DagBag(dag_folder=folder)
    run = bag.get_dag("hello").test(logical_date=pendulum.datetime(2026, 3, 10, tz="UTC"))
    return {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "state": str(run.state),
            "tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()}}


def put_object(ns, bucket, key):
    import boto3

    s3 = boto3.client("s3")  # endpoint and credentials come from the environment
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=ns.PAYLOAD)
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def run_flow(ns, n):
    return ns.total(n)


FLOW_CELL = '''
from prefect import flow, task

@task(retries=1, retry_delay_seconds=0)
def square(x):
    return x * x

@flow
def total(n: int) -> int:
    return sum(f.result() for f in square.map(range(n)))
'''


def worker(tmp_path, services, source):
    return SandboxedSubmission([{"index": 1, "source": source}], Limits(call_seconds=120), services.env,
                               sandbox=services.sandbox())


@pytest.mark.slow
def test_airflow_dag_test_runs_in_the_worker_on_a_copied_metadata_db(tmp_path):
    with Services(["airflow"], tmp_path) as services:
        handle = worker(tmp_path, services, f"DAG_FILE = {DAG_FILE!r}")
        try:
            result = handle.run(run_dag_file, services.info["dags_folder"], timeout=120)
        finally:
            handle.close()
    assert result == {"errors": {}, "state": "success", "tasks": {"extract": "success", "double": "success"}}


def test_boto3_in_the_worker_reaches_the_moto_server_the_tests_inspect(tmp_path):
    with Services(["moto"], tmp_path) as services:
        handle = worker(tmp_path, services, "PAYLOAD = b'hello'")
        try:
            keys = handle.run(put_object, "course", "a/b.txt")
        finally:
            handle.close()
        s3 = boto3.client("s3", endpoint_url=services.info["s3_endpoint"], aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
        body = s3.get_object(Bucket="course", Key="a/b.txt")["Body"].read()
    assert keys == ["a/b.txt"] and body == b"hello"


@pytest.mark.slow
def test_a_prefect_flow_runs_in_the_worker_against_the_run_server(tmp_path):
    with Services(["prefect"], tmp_path) as services:
        handle = worker(tmp_path, services, FLOW_CELL)
        try:
            assert handle.run(run_flow, 4, timeout=120) == 0 + 1 + 4 + 9
        finally:
            handle.close()


@pytest.mark.slow
def test_a_killed_runner_leaves_no_prefect_server_behind(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys, time\nfrom pathlib import Path\nfrom autograder.services import Services\n"
            "with Services(['prefect'], Path(sys.argv[1])) as s:\n"
            "    print(s.running['prefect'].proc.pid, flush=True)\n"
            "    time.sleep(600)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    server_pid = int(holder.stdout.readline())
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{server_pid}/stat") as fh:
                if fh.read().split(") ", 1)[1].startswith("Z"):
                    break  # a zombie waiting for init: already dead
        except FileNotFoundError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the Prefect server {server_pid} outlived the process that started it")
