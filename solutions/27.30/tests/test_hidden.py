"""Hidden tests for exercise 27.30 (M11 extension: the pipeline in Airflow 3 and Prefect 3).

The learner's project runs in the worker, importable from its root and src/. Three scenarios, each
run once per grading and cached here:

- Airflow (in the worker): the project's dags/ files are copied into the run's dags folder and
  loaded in a real DagBag; ``dag.test()`` runs the seven logical dates of the backfill one by one
  (the one-date checks use one of them), then a day whose export breaks its contract.
- Prefect (a subprocess of the worker, started first so that it runs while Airflow does, against
  the run's Prefect server): one flow run for one day, the learner's ``backfill`` over the seven
  days, then the broken day; the server is asked which flow and task runs it recorded.
- The shared logic called directly (in the worker, no orchestrator) on the same seeded days: what
  every output file must hold. The learner's business logic is the reference for its own wrappers.

Output files are compared through digests (rows, columns, sums, hashes of sorted values) computed
in the worker; the expected digests come from the direct run, never from the files under test.
The line counts are computed here, from the text of the learner's files, by the statement's rule.
"""
import ast
import functools
import inspect
import io
import math
import tokenize

from autograder.testing import LearnerError, expect, fail, graded

TABLES = [
    "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
    "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
]
TRAINING = ["retrieval_model", "ranking_model"]
DOWNSTREAM_OF_VALIDATION = TABLES[2:]
EDGES = [
    ("raw_interactions", "validated_interactions"), ("validated_interactions", "training_features"),
    ("training_features", "retrieval_model"), ("training_features", "ranking_model"),
    ("retrieval_model", "retrieval_evaluation"), ("ranking_model", "ranking_evaluation"),
    ("training_features", "retrieval_evaluation"), ("training_features", "ranking_evaluation"),
    ("retrieval_evaluation", "registered_models"), ("ranking_evaluation", "registered_models"),
]
CROSSED = [("ranking_model", "retrieval_evaluation"), ("retrieval_model", "ranking_evaluation")]
DAG_ID = "streamrec_training"
FLOW_NAME = "streamrec-training"
BACKFILL = [f"2024-06-0{d}" for d in range(1, 8)]
DAY = "2024-06-03"          # the one-date checks; also a day of the backfill
BROKEN_DAY = "2024-06-10"   # its export has null user ids and negative watch times
MAX_XCOM_CHARS = 2000
AIRFLOW_SECONDS = 240
PREFECT_SECONDS = 240
CATEGORIES = ["business_logic", "airflow", "dagster", "prefect"]
FRAMEWORKS = ["airflow", "dagster", "prefect"]
PREFECT_TESTS = {
    "test_a_prefect_flow_run_writes_what_the_shared_logic_computes",
    "test_every_step_runs_as_a_prefect_task_and_training_retries",
    "test_a_broken_export_stops_the_prefect_flow_before_the_features",
    "test_the_prefect_backfill_makes_one_flow_run_per_day",
    "test_the_prefect_backfill_writes_seven_partitions_of_every_table",
}


# ---- shipped to the worker (and to the Prefect subprocess) ---------------------------------------
def digest_table(table):
    """What a table holds, in a form two runs can be compared by: rows, columns, and per column a
    sum (numbers) or a hash of the sorted values (text, booleans, timestamps)."""
    import hashlib
    import math

    import pandas as pd
    from pandas.api import types

    out = {"rows": int(len(table)), "columns": sorted(str(c) for c in table.columns), "values": {}}
    for name in table.columns:
        column = table[name]
        if str(name) == "timestamp":
            stamps = pd.to_datetime(column, utc=True, format="ISO8601")
            text = "\n".join(sorted(stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").fillna("NaT")))
            out["values"][str(name)] = {"hash": hashlib.sha1(text.encode()).hexdigest(),
                                        "dates": sorted({str(d) for d in stamps.dt.date.dropna()})}
        elif types.is_numeric_dtype(column.dtype) and not types.is_bool_dtype(column.dtype):
            values = column.astype(float)
            total, size = float(values.sum()), float(values.abs().sum())
            out["values"][str(name)] = {"sum": total if math.isfinite(total) else None,
                                        "abs": size if math.isfinite(size) else None,
                                        "nulls": int(values.isna().sum())}
        else:
            text = "\n".join(sorted(str(v) for v in column.tolist()))
            out["values"][str(name)] = {"hash": hashlib.sha1(text.encode()).hexdigest()}
    return out


def digest_root(root):
    """Every <root>/<table>/partition=<day>/data.csv as {table: {day: digest}}, and stray files."""
    import os

    import pandas as pd

    found, stray = {}, []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            parts = rel.split("/")
            if len(parts) == 3 and parts[1].startswith("partition=") and parts[2] == "data.csv":
                try:
                    digest = digest_table(pd.read_csv(os.path.join(root, rel)))
                except Exception as exc:  # noqa: BLE001 - an unreadable file is reported as such
                    digest = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                found.setdefault(parts[0], {})[parts[1][len("partition="):]] = digest
            elif not name.startswith("."):
                stray.append(rel)
    return {"tables": found, "stray": stray[:20]}


def list_files(root):
    import os

    out = []
    for dirpath, _, filenames in os.walk(root):
        out += [os.path.relpath(os.path.join(dirpath, n), root).replace(os.sep, "/") for n in filenames]
    return sorted(out)


def write_broken_export(day):
    """A folder holding <day>.csv: a seeded day with null user ids and negative watch times."""
    import tempfile

    import numpy as np
    from pipelinekit import streamrec

    events = streamrec.generate_interactions(day, n_interactions=400, n_users=100, n_items=60, seed=0)
    events["user_id"] = events["user_id"].astype(float)
    events.loc[events.index[10:15], "user_id"] = np.nan
    events.loc[events.index[40:45], "watch_seconds"] = -30
    folder = tempfile.mkdtemp(prefix="m11x-broken-")
    events.to_csv(f"{folder}/{day}.csv", index=False)
    return folder


def background():
    """Jobs started by one probe and collected by another, kept in the worker between probes."""
    import sys
    import types

    return sys.modules.setdefault("m11x_grader_background", types.ModuleType("m11x_grader_background"))


# ---- the Prefect scenario: the body of a script run in a subprocess of the worker ----------------
def prefect_task_runs(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    out = []
    for run in runs:
        policy = run.empirical_policy
        delay = getattr(policy, "retry_delay", None)
        out.append({"name": run.name, "task": run.name.rsplit("-", 1)[0],
                    "state": run.state.type.value if run.state else None,
                    "retries": getattr(policy, "retries", None),
                    "retry_delay": list(delay) if isinstance(delay, (list, tuple)) else delay})
    return out


def prefect_flow_runs():
    """Every flow run the server knows: id, flow name, parameters, final state."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=200)
        names = {}
        out = []
        for run in runs:
            if run.flow_id not in names:
                names[run.flow_id] = client.read_flow(run.flow_id).name
            out.append({"id": str(run.id), "flow": names[run.flow_id],
                        "day": str(run.parameters.get("day")) if run.parameters.get("day") is not None else None,
                        "state": run.state.type.value if run.state else None})
    return out


def prefect_run_day(flow, day, root):
    try:
        state = flow(day=day, output_root=root, return_state=True)
    except BaseException as exc:  # noqa: BLE001 - the learner's flow may raise anything
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    report = {"state": state.type.value, "message": str(state.message or "")[:300]}
    flow_run_id = getattr(state.state_details, "flow_run_id", None)
    report["task_runs"] = prefect_task_runs(flow_run_id) if flow_run_id else []
    return report


def prefect_scenario(spec):
    import importlib
    import os
    import tempfile

    try:
        module = importlib.import_module("streamrec_prefect.flow")
    except BaseException as exc:  # noqa: BLE001
        return {"import_error": f"{type(exc).__name__}: {str(exc)[:500]}"}
    import prefect

    flow = getattr(module, "streamrec_training", None)
    out = {"flow": {"is_flow": isinstance(flow, prefect.Flow), "name": getattr(flow, "name", None)},
           "has_backfill": callable(getattr(module, "backfill", None))}
    if not out["flow"]["is_flow"]:
        return out
    os.environ.pop("STREAMREC_RAW_DIR", None)
    # A decoy: the flow must write under the output_root it is given, not under the variable.
    os.environ["STREAMREC_OUTPUT_ROOT"] = tempfile.mkdtemp(prefix="m11x-prefect-decoy-")

    root = tempfile.mkdtemp(prefix="m11x-prefect-day-")
    out["day"] = prefect_run_day(flow, spec["day"], root)
    out["day"]["outputs"] = digest_root(root)

    if out["has_backfill"]:
        root = tempfile.mkdtemp(prefix="m11x-prefect-backfill-")
        before = {run["id"] for run in prefect_flow_runs()}
        report = {}
        try:
            returned = module.backfill(spec["days"][0], spec["days"][-1], output_root=root)
            report["returned"] = returned if isinstance(returned, (dict, list, str, int, float, type(None))) \
                else type(returned).__name__
        except BaseException as exc:  # noqa: BLE001
            report["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        report["runs"] = [run for run in prefect_flow_runs() if run["id"] not in before]
        report["outputs"] = digest_root(root)
        out["backfill"] = report

    os.environ["STREAMREC_RAW_DIR"] = write_broken_export(spec["broken_day"])
    root = tempfile.mkdtemp(prefix="m11x-prefect-broken-")
    out["broken"] = prefect_run_day(flow, spec["broken_day"], root)
    out["broken"]["files"] = list_files(root)
    os.environ.pop("STREAMREC_RAW_DIR", None)
    return out


PREFECT_MAIN = '''

if __name__ == "__main__":
    import json
    import sys

    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    try:
        result = prefect_scenario(spec)
    except BaseException as exc:  # noqa: BLE001
        result = {"crashed": f"{type(exc).__name__}: {str(exc)[:500]}"}
    with open(spec["result"], "w") as handle:
        json.dump(result, handle, default=str)
'''
PREFECT_SCRIPT = "\n\n".join(inspect.getsource(fn) for fn in [
    digest_table, digest_root, list_files, write_broken_export, prefect_task_runs, prefect_flow_runs,
    prefect_run_day, prefect_scenario]) + PREFECT_MAIN


# ---- probes ---------------------------------------------------------------------------------------
def start_prefect_probe(ns, script, spec):
    """Start the Prefect scenario in a subprocess (the project importable, the worker's environment)."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    import time

    folder = tempfile.mkdtemp(prefix="m11x-prefect-job-")
    project = os.getcwd()
    spec = dict(spec, result=os.path.join(folder, "result.json"))
    with open(os.path.join(folder, "scenario.py"), "w") as handle:
        handle.write(script)
    with open(os.path.join(folder, "spec.json"), "w") as handle:
        json.dump(spec, handle)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(project, "src"), project]))
    log = open(os.path.join(folder, "log.txt"), "w")
    proc = subprocess.Popen([sys.executable, os.path.join(folder, "scenario.py"), os.path.join(folder, "spec.json")],
                            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    background().prefect = {"proc": proc, "log": log, "result": spec["result"], "started": time.monotonic()}
    return True


def collect_prefect_probe(ns, seconds):
    import json
    import os
    import subprocess
    import time

    job = getattr(background(), "prefect", None)
    if job is None:
        return {"not_started": True}
    background().prefect = None
    try:
        job["proc"].wait(timeout=max(1.0, seconds - (time.monotonic() - job["started"])))
    except subprocess.TimeoutExpired:
        job["proc"].kill()
        job["proc"].wait()
        return {"timeout": seconds}
    job["log"].close()
    if not os.path.isfile(job["result"]):
        with open(job["log"].name, encoding="utf-8", errors="replace") as handle:
            return {"crashed": handle.read()[-1500:]}
    with open(job["result"], encoding="utf-8") as handle:
        return json.load(handle)


def airflow_probe(ns, folder, days, broken_day):
    """Load the project's DAG files in a DagBag, then dag.test() each day of `days`, then the broken day."""
    import json
    import os
    import shutil
    import tempfile

    import pendulum

    source = os.path.join(os.getcwd(), "dags")
    if not os.path.isdir(source):
        return {"missing": True}
    # The environment is set before the DAG files are parsed, so a DAG reading it at parse time works too.
    os.environ.pop("STREAMREC_RAW_DIR", None)
    root = tempfile.mkdtemp(prefix="m11x-airflow-")
    os.environ["STREAMREC_OUTPUT_ROOT"] = root
    shutil.copytree(source, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # older Airflow 3 releases
        from airflow.models.dagbag import DagBag
    bag = DagBag(dag_folder=folder)
    out = {"import_errors": {os.path.basename(k): str(v)[-1500:] for k, v in bag.import_errors.items()},
           "dag_ids": sorted(bag.dag_ids)}
    dag = bag.dags.get("streamrec_training")
    if dag is None:
        return out
    timetable = dag.timetable
    delta = getattr(timetable, "_delta", None) or getattr(timetable, "delta", None)
    out["dag"] = {
        "timetable": type(timetable).__name__, "expression": getattr(timetable, "expression", None),
        "timezone": str(getattr(timetable, "timezone", "") or ""),
        "delta": delta.total_seconds() if hasattr(delta, "total_seconds") else None,
        "start_date": dag.start_date.isoformat() if dag.start_date else None,
        "tasks": {},
    }
    for task in dag.tasks:
        delay = task.retry_delay
        out["dag"]["tasks"][task.task_id] = {
            "upstream": sorted(task.upstream_task_ids), "retries": int(task.retries or 0),
            "backoff": float(task.retry_exponential_backoff or 0),
            "retry_delay": delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay or 0)}

    def run(day):
        try:
            dag_run = dag.test(logical_date=pendulum.parse(day).in_timezone("UTC"))
        except Exception as exc:  # noqa: BLE001 - dag.test itself failed
            return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        report = {"state": str(dag_run.state),
                  "tasks": {ti.task_id: (str(ti.state) if ti.state is not None else None)
                            for ti in dag_run.get_task_instances()}}
        from sqlalchemy import select

        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        sizes = {}
        with create_session() as session:
            rows = session.scalars(select(XComModel).where(XComModel.dag_id == dag.dag_id,
                                                           XComModel.run_id == dag_run.run_id)).all()
            for row in rows:
                try:
                    value = XComModel.deserialize_value(row)
                except Exception:  # noqa: BLE001
                    value = row.value
                sizes[f"{row.task_id}/{row.key}"] = len(json.dumps(value, default=str))
        report["xcom_chars"] = sizes
        return report

    out["runs"] = {day: run(day) for day in days}
    out["outputs"] = digest_root(root)

    os.environ["STREAMREC_RAW_DIR"] = write_broken_export(broken_day)
    root = tempfile.mkdtemp(prefix="m11x-airflow-broken-")
    os.environ["STREAMREC_OUTPUT_ROOT"] = root
    try:
        out["broken"] = run(broken_day)
    finally:
        os.environ.pop("STREAMREC_RAW_DIR", None)
    out["broken"]["files"] = list_files(root)
    return out


def direct_probe(ns, days):
    """The shared logic called directly for each day, no orchestrator: {day: {table: digest}}."""
    import io
    import os

    import pandas as pd

    from streamrec_core.data import extract_interactions, load_items
    from streamrec_core.features import build_training_features, validate_interactions
    from streamrec_core.metrics import evaluate_ranking, evaluate_retrieval
    from streamrec_core.models import train_ranking_model, train_retrieval_model
    from streamrec_core.registry import registration_decisions

    def as_written(table):
        buffer = io.StringIO()
        table.to_csv(buffer, index=False)
        buffer.seek(0)
        return digest_table(pd.read_csv(buffer))

    os.environ.pop("STREAMREC_RAW_DIR", None)
    items = load_items()
    out = {}
    for day in days:
        tables = {"raw_interactions": extract_interactions(day)}
        tables["validated_interactions"] = validate_interactions(tables["raw_interactions"])
        tables["training_features"] = build_training_features(tables["validated_interactions"], items)
        tables["retrieval_model"] = train_retrieval_model(tables["training_features"])
        tables["ranking_model"] = train_ranking_model(tables["training_features"])
        tables["retrieval_evaluation"] = evaluate_retrieval(tables["retrieval_model"], tables["training_features"])
        tables["ranking_evaluation"] = evaluate_ranking(tables["ranking_model"], tables["training_features"])
        tables["registered_models"] = registration_decisions(tables["retrieval_evaluation"], tables["ranking_evaluation"])
        out[day] = {name: as_written(table) for name, table in tables.items()}
    return out


def count_probe(ns):
    """The text of every .py file under src/ and dags/, and what the learner's script makes of them."""
    import importlib.util
    import os
    import subprocess
    import sys

    files = {}
    for base in ("src", "dags"):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(".py"):
                    rel = os.path.join(dirpath, name).replace(os.sep, "/")
                    with open(rel, encoding="utf-8", errors="replace") as handle:
                        files[rel] = handle.read()
    out = {"files": files}
    path = os.path.join("scripts", "count_lines.py")
    if not os.path.isfile(path):
        out["missing"] = True
        return out
    spec = importlib.util.spec_from_file_location("learner_count_lines", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out["result"] = module.count_lines(os.getcwd())
    proc = subprocess.run([sys.executable, path], cwd=os.getcwd(), capture_output=True, text=True, timeout=60)
    out["returncode"], out["stdout"] = proc.returncode, proc.stdout[-8000:]
    out["stderr"] = proc.stderr[-1000:]
    return out


# ---- running the scenarios once -------------------------------------------------------------------
_CACHE: dict = {}


def _once(key, compute):
    """Compute a scenario once per grading; later tests reuse its result (or its error)."""
    if key not in _CACHE:
        try:
            _CACHE[key] = ("ok", compute())
        except LearnerError as exc:
            _CACHE[key] = ("error", exc)
    status, value = _CACHE[key]
    if status == "error":
        raise value
    return value


def _start_prefect(sub):
    if "prefect_started" in _CACHE:
        return
    _CACHE["prefect_started"] = True
    spec = {"day": DAY, "days": BACKFILL, "broken_day": BROKEN_DAY}
    try:
        sub.run(start_prefect_probe, PREFECT_SCRIPT, spec, helpers=[background], timeout=60)
    except LearnerError:
        pass  # collected (and retried) by prefect_report


def _prefect_selected(request) -> bool:
    return any(getattr(item, "originalname", item.name) in PREFECT_TESTS for item in request.session.items)


def prefect_report(sub):
    def compute():
        _start_prefect(sub)
        try:
            direct_report(sub)  # in the worker, while the flow runs in its subprocess
        except LearnerError:
            pass  # reported by the tests that need it
        got = sub.run(collect_prefect_probe, PREFECT_SECONDS, helpers=[background], timeout=PREFECT_SECONDS + 30)
        if got.get("not_started"):  # the worker was replaced since the start: run it again
            _CACHE.pop("prefect_started", None)
            _start_prefect(sub)
            got = sub.run(collect_prefect_probe, PREFECT_SECONDS, helpers=[background], timeout=PREFECT_SECONDS + 30)
        if got.get("timeout"):
            raise LearnerError(f"your Prefect flow runs took longer than {PREFECT_SECONDS} s together")
        if got.get("crashed"):
            raise LearnerError(f"running your Prefect flow stopped the process: {got['crashed'][-600:]}")
        if got.get("import_error"):
            raise LearnerError(f"streamrec_prefect.flow cannot be imported: {got['import_error']}")
        return got
    return _once("prefect", compute)


def airflow_report(sub, services, request):
    def compute():
        if _prefect_selected(request):
            _start_prefect(sub)  # runs while the DAG does
        got = sub.run(airflow_probe, services["dags_folder"], BACKFILL, BROKEN_DAY,
                      helpers=[digest_table, digest_root, list_files, write_broken_export], timeout=AIRFLOW_SECONDS)
        if got.get("missing"):
            raise LearnerError("your project has no dags/ folder")
        if got["import_errors"]:
            name, error = next(iter(got["import_errors"].items()))
            raise LearnerError(f"Airflow could not import {name}: {error[-700:]}")
        if "dag" not in got:
            raise LearnerError(f"no DAG with the id {DAG_ID!r} in your dags/ files (found: {got['dag_ids']})")
        return got
    return _once("airflow", compute)


def direct_report(sub):
    return _once("direct", lambda: sub.run(direct_probe, BACKFILL, helpers=[digest_table], timeout=120))


def count_report(sub):
    def compute():
        got = sub.run(count_probe, timeout=90)
        if got.get("missing"):
            raise LearnerError("your project has no scripts/count_lines.py")
        return got
    return _once("count", compute)


# ---- comparing outputs ----------------------------------------------------------------------------
def _close(a, b):
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-7)


def table_difference(got, want):
    """What differs between two digests, in words that do not reveal the expected values."""
    if "error" in got:
        return f"cannot be read as CSV ({got['error']})"
    if got["columns"] != want["columns"]:
        missing = sorted(set(want["columns"]) - set(got["columns"]))
        extra = sorted(set(got["columns"]) - set(want["columns"]))
        return f"has other columns than the shared logic's table (missing {missing}, extra {extra})"
    if got["rows"] != want["rows"]:
        return f"has {got['rows']} rows, not as many as the shared logic computes for that day"
    for column, value in want["values"].items():
        mine = got["values"].get(column, {})
        if any(not _close(mine.get(k), value[k]) for k in ("sum", "abs") if k in value) \
                or mine.get("hash") != value.get("hash") or mine.get("nulls") != value.get("nulls"):
            return f"holds other values in column {column!r} than the shared logic computes for that day"
    return None


def check_outputs(outputs, direct, days, who):
    """Every table has exactly `days` as partitions, each file equal to the direct run's table."""
    tables = outputs["tables"]
    for table in TABLES:
        have = sorted(tables.get(table, {}))
        if not have:
            stray = f" (files found instead: {outputs['stray'][:5]})" if outputs["stray"] else ""
            fail(f"{who} wrote no file for {table}: expected <root>/{table}/partition=<day>/data.csv{stray}")
        missing = [d for d in days if d not in have]
        extra = [d for d in have if d not in days]
        expect(not missing, f"{who} wrote no {table} partition for {missing} (it wrote {have})")
        expect(not extra, f"{who} wrote {table} partitions for days it was not asked to run: {extra} "
                          "(is the day taken from the wall clock instead of the run's date?)")
        for day in days:
            problem = table_difference(tables[table][day], direct[day][table])
            expect(problem is None, f"{who}: {table} for {day} {problem}")


def _dag_run(report, day):
    run = report["runs"].get(day) or {}
    if "error" in run:
        fail(f"dag.test(logical_date={day}) raised {run['error']}")
    failed = sorted(t for t, s in run.get("tasks", {}).items() if s != "success")
    expect(run.get("state") == "success" and not failed,
           f"the DAG run for {day} ended {run.get('state')!r}; tasks not successful: {failed}")
    return run


# ---- (a) the Airflow DAG --------------------------------------------------------------------------
@graded("a", points=1, hint="Load your dags/ folder in a DagBag yourself: no import errors, the dag_id, "
                            "eight tasks named after their tables, the data-flow dependencies, a daily schedule.")
def test_the_dag_loads_with_eight_wired_tasks_on_a_daily_schedule(sub, services, request):
    dag = airflow_report(sub, services, request)["dag"]
    tasks = dag["tasks"]
    missing = sorted(set(TABLES) - set(tasks))
    extra = sorted(set(tasks) - set(TABLES))
    expect(not missing, f"your DAG has no task for {missing}")
    expect(not extra, f"your DAG has tasks that are not steps of the pipeline: {extra}")
    for up, down in EDGES:
        expect(up in tasks[down]["upstream"], f"{down} does not depend on {up}, which it reads")
    for up, down in CROSSED:
        expect(up not in tasks[down]["upstream"], f"{down} depends on {up}: the two model branches are crossed")
    daily_cron = dag["expression"] in ("0 0 * * *", "@daily") and "Cron" in dag["timetable"]
    daily_delta = dag["delta"] == 86400.0 and "Delta" in dag["timetable"]
    expect(daily_cron or daily_delta, f"your DAG's schedule ({dag['timetable']} {dag['expression']!r}) is not daily at midnight")
    expect("UTC" in dag["timezone"] or dag["delta"] == 86400.0, f"your DAG's schedule is in {dag['timezone']!r}, not UTC")
    expect((dag["start_date"] or "").startswith("2024-06-01T00:00:00"),
           f"your DAG starts on {dag['start_date']}, not 2024-06-01 00:00 UTC")
    for name in TRAINING:
        info = tasks[name]
        expect(info["retries"] == 2, f"{name} has retries={info['retries']}; the statement asks for 2")
        expect(info["backoff"] > 0 and info["retry_delay"] > 0,
               f"{name} retries without exponential backoff (retry_exponential_backoff and retry_delay must be > 0)")


@graded("a", points=1, hint="Run dag.test(logical_date=...) for 2024-06-03 with STREAMREC_OUTPUT_ROOT set and "
                            "compare each file with the shared functions called directly on that day.")
def test_one_logical_date_writes_what_the_shared_logic_computes(sub, services, request):
    report = airflow_report(sub, services, request)
    _dag_run(report, DAY)
    direct = direct_report(sub)
    tables = report["outputs"]["tables"]
    for table in TABLES:
        expect(DAY in tables.get(table, {}),
               f"the run for logical date {DAY} wrote no {table}/partition={DAY}/data.csv under the output root "
               "(is the day taken from the wall clock, or the root not read from STREAMREC_OUTPUT_ROOT?)")
        problem = table_difference(tables[table][DAY], direct[DAY][table])
        expect(problem is None, f"Airflow run for {DAY}: {table} {problem}")


@graded("a", points=1, hint="XCom should carry paths or small values; the tables themselves go to files.")
def test_tasks_hand_each_other_paths_not_tables(sub, services, request):
    report = airflow_report(sub, services, request)
    run = _dag_run(report, DAY)
    large = {key: size for key, size in run["xcom_chars"].items() if size > MAX_XCOM_CHARS}
    expect(not large, f"these XCom values are {MAX_XCOM_CHARS}+ characters long: {large}; pass paths, not tables")


@graded("a", points=1, hint="Feed the DAG a day whose export has null user ids: a contract must fail a task "
                            "before training_features starts, so the run fails and writes no features.")
def test_a_broken_export_stops_the_dag_before_the_features(sub, services, request):
    broken = airflow_report(sub, services, request)["broken"]
    if "error" in broken:
        fail(f"dag.test for the broken day raised {broken['error']}")
    states = broken["tasks"]
    expect(broken["state"] == "failed", f"the run of a day with null user ids ended {broken['state']!r}, not failed")
    expect(any(states.get(t) == "failed" for t in ("raw_interactions", "validated_interactions")),
           "neither raw_interactions nor validated_interactions failed on a day with null user ids "
           f"(task states: {states})")
    started = [t for t in DOWNSTREAM_OF_VALIDATION if states.get(t) not in (None, "upstream_failed", "skipped")]
    expect(not started, f"on broken data these tasks still started: {started} (task states: {states})")
    written = sorted({f.split('/')[0] for f in broken["files"]} & set(DOWNSTREAM_OF_VALIDATION))
    expect(not written, f"on broken data your DAG still wrote {written}")


# ---- (b) the Prefect flow -------------------------------------------------------------------------
def _prefect_day(sub):
    report = prefect_report(sub)
    expect(report["flow"]["is_flow"], "streamrec_prefect.flow.streamrec_training is not a Prefect flow")
    expect(report["flow"]["name"] == FLOW_NAME, f"your flow is named {report['flow']['name']!r}, not {FLOW_NAME!r}")
    day = report["day"]
    if "error" in day:
        fail(f"streamrec_training(day={DAY!r}, output_root=...) raised {day['error']}")
    expect(day["state"] == "COMPLETED", f"the flow run for {DAY} ended {day['state']}: {day['message']}")
    return day


@graded("b", points=2, hint="Call streamrec_training(day='2024-06-03', output_root=some_folder) and compare "
                            "each file with the shared functions called directly on that day.")
def test_a_prefect_flow_run_writes_what_the_shared_logic_computes(sub):
    day = _prefect_day(sub)
    check_outputs(day["outputs"], direct_report(sub), [DAY], f"the flow run for {DAY}")


@graded("b", points=1, hint="Each step a @task named after its table; retrieval_model and ranking_model with "
                            "retries=2 and growing delays (prefect.tasks.exponential_backoff).")
def test_every_step_runs_as_a_prefect_task_and_training_retries(sub):
    runs = _prefect_day(sub)["task_runs"]
    names = {run["task"] for run in runs}
    missing = [t for t in TABLES if t not in names]
    expect(not missing, f"the flow run recorded no task run for {missing} (task runs: {sorted(names)})")
    for table in TABLES:
        states = [run["state"] for run in runs if run["task"] == table]
        expect("COMPLETED" in states, f"the task run of {table} ended {states}")
    for name in TRAINING:
        run = next(run for run in runs if run["task"] == name)
        delays = run["retry_delay"] if isinstance(run["retry_delay"], list) else [run["retry_delay"]]
        expect(run["retries"] == 2, f"{name} has retries={run['retries']}; the statement asks for 2")
        growing = len(delays) == 2 and all(isinstance(d, (int, float)) for d in delays) and 0 < delays[0] < delays[1]
        expect(growing, f"{name} waits {run['retry_delay']} s between retries: the delays must grow (exponential backoff)")


@graded("b", points=1, hint="Feed the flow a day whose export has null user ids: a contract must fail a task "
                            "before training_features runs, so the flow run fails and writes no features.")
def test_a_broken_export_stops_the_prefect_flow_before_the_features(sub):
    broken = prefect_report(sub)["broken"]
    if "error" in broken:
        fail(f"the flow run of the broken day raised {broken['error']} instead of ending in a failed state")
    expect(broken["state"] in ("FAILED", "CRASHED"), f"the flow run of a day with null user ids ended {broken['state']}")
    ran = sorted({run["task"] for run in broken["task_runs"]
                  if run["task"] in DOWNSTREAM_OF_VALIDATION and run["state"] in ("COMPLETED", "FAILED", "RUNNING", "CRASHED")})
    expect(not ran, f"on broken data these tasks still ran: {ran}")
    written = sorted({f.split('/')[0] for f in broken["files"]} & set(DOWNSTREAM_OF_VALIDATION))
    expect(not written, f"on broken data your flow still wrote {written}")


# ---- (c) the line counts --------------------------------------------------------------------------
def docstring_spans(tree):
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                spans.append(((first.lineno, first.col_offset), (first.end_lineno, first.end_col_offset)))
    return spans


def our_lines(text):
    """Lines covered by a token that is neither a comment, layout, nor part of a docstring."""
    spans = docstring_spans(ast.parse(text))
    layout = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
              tokenize.ENDMARKER, tokenize.ENCODING}
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in layout:
            continue
        if token.type == tokenize.STRING and any(a <= token.start and token.end <= b for a, b in spans):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines)


def our_category(text):
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            imported.add(node.module.split(".")[0])
    for framework in FRAMEWORKS:
        if framework in imported:
            return framework
    return "business_logic"


@functools.lru_cache(maxsize=None)
def _ours(items):
    out = {}
    for rel, text in items:
        try:
            out[rel] = {"category": our_category(text), "lines": our_lines(text)}
        except (SyntaxError, tokenize.TokenError, IndentationError):
            out[rel] = None  # a file Python cannot read: not compared
    return out


def _counted(sub):
    got = count_report(sub)
    result = got.get("result")
    expect(isinstance(result, dict) and isinstance(result.get("files"), dict) and isinstance(result.get("totals"), dict),
           "count_lines(root) must return a dict with the keys 'files' and 'totals'")
    ours = _ours(tuple(sorted(got["files"].items())))
    theirs = {str(k).replace("\\", "/"): v for k, v in result["files"].items()}
    missing = sorted(set(ours) - set(theirs))
    extra = sorted(set(theirs) - set(ours))
    expect(not missing, f"your count leaves out {missing[:5]} (every .py file under src/ and dags/ counts)")
    expect(not extra, f"your count includes {extra[:5]}, which are not .py files under src/ or dags/")
    return got, ours, theirs, result


@graded("c", points=1, hint="Count the lines that hold code: not blank, not comment-only, not docstrings; "
                            "a statement over several lines counts every line it spans that holds part of it.")
def test_the_script_counts_the_code_lines_of_every_file(sub):
    _, ours, theirs, _ = _counted(sub)
    for rel, want in ours.items():
        if want is None:
            continue
        mine = theirs[rel].get("lines") if isinstance(theirs[rel], dict) else None
        expect(isinstance(mine, int) and not isinstance(mine, bool), f"your count of {rel} is not an int: {mine!r}")
        expect(mine == want["lines"], f"your script counts {mine} code lines in {rel}; by the statement's rule "
                                      "that is wrong (check comments, blank lines, docstrings, continuation lines)")


@graded("c", points=1, hint="A file is framework code when it imports airflow, dagster or prefect; the totals "
                            "add each file's lines to its category, and the script prints them.")
def test_the_script_sorts_files_into_frameworks_and_business_logic(sub):
    got, ours, theirs, result = _counted(sub)
    for rel, want in ours.items():
        if want is None:
            continue
        mine = theirs[rel].get("category") if isinstance(theirs[rel], dict) else None
        expect(mine == want["category"], f"your script files {rel} under {mine!r}; the file's imports say otherwise")
    totals = result["totals"]
    expect(sorted(totals) == sorted(CATEGORIES), f"the totals must have exactly the keys {CATEGORIES}, not {sorted(totals)}")
    for name in CATEGORIES:
        own = sum(v["lines"] for rel, v in theirs.items() if isinstance(v, dict) and ours.get(rel)
                  and ours[rel]["category"] == name and isinstance(v.get("lines"), int))
        expect(totals[name] == own, f"your total for {name} ({totals[name]}) is not the sum of the lines of its files")
    expect(got["returncode"] == 0, f"python scripts/count_lines.py failed: {got['stderr'][-400:]}")
    printed = got["stdout"].split()
    for name in CATEGORIES:
        expect(str(totals[name]) in printed and name in got["stdout"],
               f"python scripts/count_lines.py does not print the {name} total")


# ---- (e) the seven-day backfills ------------------------------------------------------------------
@graded("e", points=1, hint="Seven dag.test() runs, one per logical date from 2024-06-01 to 2024-06-07, must "
                            "leave seven partitions of every table, each holding its own day.")
def test_seven_airflow_runs_write_seven_partitions_of_every_table(sub, services, request):
    report = airflow_report(sub, services, request)
    for day in BACKFILL:
        _dag_run(report, day)
    check_outputs(report["outputs"], direct_report(sub), BACKFILL, "the seven Airflow runs")


def _prefect_backfill(sub):
    report = prefect_report(sub)
    expect(report["has_backfill"], "streamrec_prefect.flow has no function backfill(start, end, output_root=None)")
    backfill = report["backfill"]
    if "error" in backfill:
        fail(f"backfill('2024-06-01', '2024-06-07', output_root=...) raised {backfill['error']}")
    return backfill


@graded("e", points=1, hint="backfill(start, end, output_root) must make one run of the flow streamrec-training "
                            "per day, each with its own day parameter, all completed.")
def test_the_prefect_backfill_makes_one_flow_run_per_day(sub):
    backfill = _prefect_backfill(sub)
    runs = [run for run in backfill["runs"] if run["flow"] == FLOW_NAME]
    days = sorted(run["day"] for run in runs if run["day"] is not None)
    expect(runs, "the backfill made no run of the flow streamrec-training")
    expect(len(runs) == len(BACKFILL), f"the backfill made {len(runs)} runs of {FLOW_NAME} for seven days")
    expect(days == BACKFILL, f"the backfill's flow runs had the days {days}; each day once was expected")
    states = sorted({run["state"] for run in runs})
    expect(states == ["COMPLETED"], f"the backfill's flow runs ended {states}")


@graded("e", points=1, hint="The backfill's seven flow runs must write each table's seven partitions under the "
                            "output_root given to backfill, each equal to the shared logic's table for that day.")
def test_the_prefect_backfill_writes_seven_partitions_of_every_table(sub):
    backfill = _prefect_backfill(sub)
    check_outputs(backfill["outputs"], direct_report(sub), BACKFILL, "the Prefect backfill")
