"""Hidden tests for exercise 27.5 (five requirements in Airflow 3 and in Dagster).

Each part has one Airflow test and one Dagster test. The Airflow probes write the learner's DAG
files into the grader's DAGs folder, load them in a real DagBag and run them with dag.test() on
the run's SQLite metadata database; the Dagster probes inspect the learner's Definitions and run
them with a real executor. Each probe runs once and its result is cached here, so one grading
imports Airflow once and runs each DAG only as often as the behaviour needs.
"""
import functools

from autograder.testing import LearnerError, expect, graded

INGESTION_DAG = '''
"""The data-platform team's ingestion DAG (given): it publishes the day's raw interactions."""
import pendulum
from airflow.sdk import Asset, dag, task

RAW_INTERACTIONS = Asset(name="streamrec_raw_interactions", uri="s3://streamrec-lake/raw/interactions")


@dag(dag_id="streamrec_ingestion", schedule="0 1 * * *", start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
     catchup=False)
def streamrec_ingestion():
    @task
    def land_events():
        print("events landed in the raw zone")

    @task(outlets=[RAW_INTERACTIONS])
    def publish_interactions():
        print("raw interactions published")

    land_events() >> publish_interactions()


streamrec_ingestion()
'''
INGESTION = {"dag_id": "streamrec_ingestion", "task_id": "publish_interactions",
             "name": "streamrec_raw_interactions", "uri": "s3://streamrec-lake/raw/interactions"}
ROWS_PER_DAY = 2000  # the statement: a day of interactions is generate_interactions(ds, n_interactions=2000)
GPU_LIMIT = 4
BUCKET = "streamrec-prod"
LOCAL_ROOT = "streamrec-data"
# The statement's numbers: offline hit rates of the candidates and the quality gate.
HIT_RATE = {"popularity": 0.12, "two_tower": 0.21, "sasrec": 0.25}
GATE = 0.15
BROKEN_CASES = [[], ["two_tower"], ["popularity", "sasrec"]]


def registered_expected(broken):
    return sorted(m for m, rate in HIT_RATE.items() if rate >= GATE and m not in broken)


_CACHE: dict = {}


# ---- probes: they run in the learner's worker and return plain data ------------------------------
def af_load(folder, files):
    """Write DAG files into the DAGs folder and load it; return the bag and the errors of `files`."""
    import pathlib

    from airflow.models.dagbag import DagBag

    for name, source in files.items():
        pathlib.Path(folder, name).write_text(source)
    bag = DagBag(dag_folder=folder)
    errors = {}
    for path, error in bag.import_errors.items():
        name = pathlib.Path(str(path)).name
        if name in files:
            lines = str(error).strip().splitlines()
            where = [line.strip().split(", ")[1] for line in lines if name in line and ", line " in line]
            errors[name] = lines[-1][:400] + (f" ({where[-1]} of the file, HELPERS included)" if where else "")
    return bag, errors


def af_run(dag, day, run_conf=None):
    """dag.test() for one logical date; task states and return-value XComs as plain data."""
    import json

    import pendulum
    from sqlalchemy import select

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    run = dag.test(logical_date=pendulum.datetime(2024, 6, day, tz="UTC"), run_conf=run_conf)
    states = [[ti.task_id, ti.map_index, str(ti.state)] for ti in run.get_task_instances()]
    xcoms = {}
    with create_session() as session:
        rows = session.scalars(select(XComModel).where(XComModel.dag_id == dag.dag_id,
                                                       XComModel.run_id == run.run_id,
                                                       XComModel.key == "return_value")).all()
        for row in rows:
            value = XComModel.deserialize_value(row)
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                value = {"__unreadable__": type(value).__name__}
            xcoms[row.task_id if row.map_index < 0 else f"{row.task_id}[{row.map_index}]"] = value
    return {"state": str(run.state), "tasks": states, "xcoms": xcoms}


def plain_metadata(metadata):
    out = {}
    for key, entry in metadata.items():
        value = getattr(entry, "value", entry)
        out[key] = value if isinstance(value, (int, float, str, bool)) or value is None else str(value)
    return out


def airflow_wait(ns, folder, ingestion_source):
    from airflow.providers.standard.sensors.external_task import ExternalTaskSensor

    bag, errors = af_load(folder, {"streamrec_ingestion.py": ingestion_source,
                                   "wait_for_ingestion.py": ns.DAG_WAIT_FOR_INGESTION})
    out = {"errors": errors, "found": "streamrec_training" in bag.dags}
    if not out["found"]:
        return out
    dag, ingestion = bag.dags["streamrec_training"], bag.dags["streamrec_ingestion"]

    def leaves(condition):
        parts = getattr(condition, "objects", None)
        if parts is not None:
            return [leaf for part in parts for leaf in leaves(part)]
        return [{"type": type(condition).__name__, "name": getattr(condition, "name", None),
                 "uri": getattr(condition, "uri", None)}]

    condition = getattr(dag.timetable, "asset_condition", None)
    out["timetable"] = type(dag.timetable).__name__
    def describe(timetable):
        return str(getattr(timetable, "expression", None) or getattr(timetable, "interval", None)
                   or type(timetable).__name__)

    out["schedule"] = describe(dag.timetable)
    out["ingestion_schedule"] = describe(ingestion.timetable)
    out["assets"] = leaves(condition) if condition is not None else []
    out["tasks"] = sorted(dag.task_ids)
    out["sensors"] = [
        {"external_dag_id": t.external_dag_id, "external_task_ids": sorted(t.external_task_ids or []),
         "before_extract": "extract" in dag.task_dict and "extract" in t.get_flat_relative_ids(upstream=False),
         "shifted": t.execution_delta is not None or t.execution_date_fn is not None}
        for t in dag.tasks if isinstance(t, ExternalTaskSensor)
    ]
    return out


def dagster_wait(ns):
    import dagster as dg

    defs = ns.defs_wait_for_ingestion
    out = {"type": type(defs).__name__}
    if not isinstance(defs, dg.Definitions):
        return out
    key, raw = dg.AssetKey("training_interactions"), dg.AssetKey("raw_interactions")
    graph = defs.resolve_asset_graph()
    out["found"] = graph.has(key)
    if not out["found"]:
        return out
    node = graph.get(key)
    out["parents"] = sorted(k.to_user_string() for k in node.parent_keys)
    instance = dg.DagsterInstance.ephemeral()
    ticks = []
    if node.automation_condition is not None:
        out["mechanism"] = "automation condition"
        state = {"cursor": None}

        def tick():
            result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=state["cursor"])
            state["cursor"] = result.cursor
            return result.get_num_requested(key) > 0
    else:
        sensors = list(defs.sensors or [])
        out["mechanism"] = "sensor" if sensors else "none"
        cursors = {}

        def selects_training(request, sensor):
            if request.asset_selection is not None:
                return key in request.asset_selection
            name = request.job_name or getattr(sensor, "job_name", None)
            if name is None:
                return False
            job = defs.resolve_job_def(name)
            return key in job.asset_layer.executable_asset_keys

        def tick():
            wanted = False
            for sensor in sensors:
                sensor = defs.resolve_sensor_def(sensor.name) if hasattr(sensor, "name") else sensor
                context = dg.build_sensor_context(instance=instance, cursor=cursors.get(sensor.name),
                                                  definitions=defs)
                data = sensor.evaluate_tick(context)
                cursors[sensor.name] = data.cursor
                wanted = wanted or any(selects_training(r, sensor) for r in data.run_requests or [])
            return wanted

    ticks.append(tick())                                         # nothing has happened yet
    instance.report_runless_asset_event(dg.AssetMaterialization(raw))
    ticks.append(tick())                                         # ingestion updated raw_interactions
    instance.report_runless_asset_event(dg.AssetMaterialization(key))
    ticks.append(tick())                                         # training done, nothing new upstream
    instance.report_runless_asset_event(dg.AssetMaterialization(raw))
    ticks.append(tick())                                         # the next day's ingestion
    out["ticks"] = ticks
    return out


def airflow_gpu(ns, folder):
    bag, errors = af_load(folder, {"gpu_training.py": ns.DAG_GPU_TRAINING})
    out = {"errors": errors, "tasks": {}}
    for dag_id in ["streamrec_retrieval_training", "streamrec_ranking_training"]:
        dag = bag.dags.get(dag_id)
        task = dag.task_dict.get("train_on_gpu") if dag is not None else None
        out["tasks"][dag_id] = None if task is None else {"pool": task.pool, "pool_slots": task.pool_slots}
    ns.create_airflow_gpu_pool()
    from airflow.models.pool import Pool

    out["pools"] = {}
    for info in out["tasks"].values():
        if info is not None and info["pool"] not in out["pools"]:
            pool = Pool.get_pool(info["pool"])
            out["pools"][info["pool"]] = None if pool is None else pool.slots
    return out


def dagster_gpu(ns):
    import tempfile

    import dagster as dg

    defs = ns.defs_gpu_training
    out = {"type": type(defs).__name__, "pools": {}}
    if not isinstance(defs, dg.Definitions):
        return out
    graph = defs.resolve_asset_graph()
    for name in ["retrieval_model", "ranking_model"]:
        if not graph.has(dg.AssetKey(name)):
            out["pools"][name] = "missing"
            continue
        op = defs.resolve_assets_def(name).op
        out["pools"][name] = op.pool or op.tags.get("dagster/concurrency_key")
    with tempfile.TemporaryDirectory() as home:
        with dg.DagsterInstance.from_config(home) as instance:
            ns.limit_dagster_gpu_pool(instance)
            out["limits"] = {}
            for pool in set(p for p in out["pools"].values() if p and p != "missing"):
                info = instance.event_log_storage.get_concurrency_info(pool)
                out["limits"][pool] = info.limit
    return out


def airflow_metadata(ns, folder):
    import os
    import tempfile

    bag, errors = af_load(folder, {"metadata.py": ns.DAG_METADATA})
    out = {"errors": errors, "found": "streamrec_metadata" in bag.dags}
    if not out["found"]:
        return out
    dag = bag.dags["streamrec_metadata"]
    out["upstream"] = {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        try:
            out.update(af_run(dag, 3))
        finally:
            os.chdir(here)
    return out


def dagster_metadata(ns):
    import os
    import tempfile

    import dagster as dg

    defs = ns.defs_metadata
    out = {"type": type(defs).__name__}
    if not isinstance(defs, dg.Definitions):
        return out
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        try:
            job = defs.resolve_implicit_global_asset_job_def()
            result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        finally:
            os.chdir(here)
    out["success"] = result.success
    out["failures"] = [str(e.step_key) for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    out["metadata"] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        out["metadata"][materialization.asset_key.to_user_string()] = plain_metadata(materialization.metadata)
    return out


def airflow_storage(ns, folder, bucket, local_root):
    import os
    import pathlib
    import tempfile

    import boto3
    import moto

    out = {"deployments": sorted(ns.DEPLOYMENTS)}
    for day, deployment in [(4, "development"), (5, "production")]:
        settings = ns.DEPLOYMENTS.get(deployment, {})
        saved = {name: os.environ.get(name) for name in settings}
        here = os.getcwd()
        with tempfile.TemporaryDirectory() as work, moto.mock_aws():
            os.chdir(work)
            os.environ.update({str(k): str(v) for k, v in settings.items()})
            try:
                s3 = boto3.client("s3", region_name="us-east-1")
                s3.create_bucket(Bucket=bucket)
                bag, errors = af_load(folder, {"storage.py": ns.DAG_STORAGE})
                info = {"errors": errors, "found": "streamrec_storage" in bag.dags}
                if info["found"]:
                    info.update(af_run(bag.dags["streamrec_storage"], day))
                info["local"] = sorted(str(p.relative_to(work)) for p in pathlib.Path(work).rglob("*") if p.is_file())
                info["s3"] = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
            finally:
                os.chdir(here)
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        out[deployment] = info
    return out


def dagster_storage(ns, bucket):
    import os
    import pathlib
    import tempfile

    import boto3
    import dagster as dg
    import moto

    out = {"deployments": sorted(ns.DEPLOYMENTS)}
    for deployment in ["development", "production"]:
        settings = ns.DEPLOYMENTS.get(deployment, {})
        saved = {name: os.environ.get(name) for name in settings}
        here = os.getcwd()
        with tempfile.TemporaryDirectory() as work, moto.mock_aws():
            os.chdir(work)
            os.environ.update({str(k): str(v) for k, v in settings.items()})
            try:
                s3 = boto3.client("s3", region_name="us-east-1")
                s3.create_bucket(Bucket=bucket)
                defs = ns.storage_definitions()
                info = {"type": type(defs).__name__}
                if isinstance(defs, dg.Definitions):
                    job = defs.resolve_implicit_global_asset_job_def()
                    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
                    info["success"] = result.success
                    info["assets"] = sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events())
                info["local"] = sorted(str(p.relative_to(work)) for p in pathlib.Path(work).rglob("*") if p.is_file())
                info["s3"] = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
            finally:
                os.chdir(here)
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        out[deployment] = info
    return out


def airflow_registration(ns, folder, cases):
    import os

    bag, errors = af_load(folder, {"registration.py": ns.DAG_REGISTRATION})
    out = {"errors": errors, "found": "streamrec_registration" in bag.dags, "runs": []}
    if not out["found"]:
        return out
    dag = bag.dags["streamrec_registration"]
    register = dag.task_dict.get("register")
    out["trigger_rule"] = None if register is None else str(getattr(register.trigger_rule, "value", register.trigger_rule))
    saved = os.environ.get("STREAMREC_BROKEN_MODELS")
    try:
        for day, broken in enumerate(cases, start=6):
            os.environ["STREAMREC_BROKEN_MODELS"] = ",".join(broken)
            out["runs"].append(af_run(dag, day))
    finally:
        if saved is None:
            os.environ.pop("STREAMREC_BROKEN_MODELS", None)
        else:
            os.environ["STREAMREC_BROKEN_MODELS"] = saved
    return out


def dagster_registration(ns, cases):
    import os

    import dagster as dg

    defs = ns.defs_registration
    out = {"type": type(defs).__name__, "runs": []}
    if not isinstance(defs, dg.Definitions):
        return out
    graph = defs.resolve_asset_graph()
    out["missing"] = [name for name in ["popularity_model", "two_tower_model", "sasrec_model", "registered_models"]
                      if not graph.has(dg.AssetKey(name))]
    if out["missing"]:
        return out
    job = defs.resolve_implicit_global_asset_job_def()
    saved = os.environ.get("STREAMREC_BROKEN_MODELS")
    try:
        for broken in cases:
            os.environ["STREAMREC_BROKEN_MODELS"] = ",".join(broken)
            result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
            materialized = [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()]
            run = {
                "materialized": sorted(materialized),
                "failed_steps": sorted(str(e.step_key) for e in result.all_events if e.event_type_value == "STEP_FAILURE"),
                "checks": [{"asset": c.asset_key.to_user_string(), "name": c.check_name, "passed": bool(c.passed)}
                           for c in result.get_asset_check_evaluations()],
            }
            if "registered_models" in materialized:
                value = result.output_for_node("registered_models")
                run["registered"] = [str(v) for v in value] if isinstance(value, (list, tuple, set)) else repr(value)
            out["runs"].append(run)
    finally:
        if saved is None:
            os.environ.pop("STREAMREC_BROKEN_MODELS", None)
        else:
            os.environ["STREAMREC_BROKEN_MODELS"] = saved
    return out


AIRFLOW_HELPERS = [af_load, af_run]


def run_airflow(sub, services, probe, *args):
    key = probe.__name__
    if key not in _CACHE:
        try:
            _CACHE[key] = ("ok", sub.run(probe, services["dags_folder"], *args, helpers=AIRFLOW_HELPERS, timeout=150))
        except LearnerError as exc:
            _CACHE[key] = ("error", exc)
    status, value = _CACHE[key]
    if status == "error":
        raise value
    return value


def run_dagster(sub, probe, *args):
    key = probe.__name__
    if key not in _CACHE:
        try:
            _CACHE[key] = ("ok", sub.run(probe, *args, helpers=[plain_metadata], timeout=90))
        except LearnerError as exc:
            _CACHE[key] = ("error", exc)
    status, value = _CACHE[key]
    if status == "error":
        raise value
    return value


def no_import_errors(got, what):
    for name, error in got.get("errors", {}).items():
        expect(False, f"your DAG file for {what} does not load in a DagBag: {error}")


def task_states(run):
    return {(task_id, index): state for task_id, index, state in run["tasks"]}


# ---- (a) wait for the ingestion pipeline ---------------------------------------------------------
@graded("a", points=1, hint="Schedule streamrec_training on the ingestion DAG's asset (same name and URI), "
                            "or put an ExternalTaskSensor on streamrec_ingestion before extract.")
def test_airflow_training_waits_for_the_ingestion_dag(sub, services):
    got = run_airflow(sub, services, airflow_wait, INGESTION_DAG)
    no_import_errors(got, "(a)")
    expect(got["found"], "your DAG file for (a) defines no DAG with the id streamrec_training")
    expect("extract" in got["tasks"], "streamrec_training has no task `extract`")
    by_asset = any(
        (leaf["type"] == "Asset" and leaf["name"] == INGESTION["name"] and leaf["uri"] == INGESTION["uri"])
        or (leaf["type"] == "AssetNameRef" and leaf["name"] == INGESTION["name"])
        or (leaf["type"] == "AssetUriRef" and leaf["uri"] == INGESTION["uri"])
        for leaf in got["assets"]
    )
    if by_asset:
        return
    sensors = [s for s in got["sensors"] if s["external_dag_id"] == INGESTION["dag_id"]]
    if got["assets"] and not sensors:
        names = ", ".join(f"{leaf['type']}(name={leaf['name']!r}, uri={leaf['uri']!r})" for leaf in got["assets"])
        expect(False, f"streamrec_training is scheduled on {names}, which is not the asset the ingestion DAG "
                      "publishes: an asset is identified by its name and its URI together")
    expect(sensors, f"streamrec_training is scheduled by {got['timetable']} ({got['schedule']}) and has no "
                    "ExternalTaskSensor on streamrec_ingestion: nothing makes it wait for the ingestion DAG")
    sensor = sensors[0]
    expect(set(sensor["external_task_ids"]) <= {INGESTION["task_id"]},
           f"your sensor waits for {sensor['external_task_ids']}, tasks the ingestion DAG does not have")
    expect(sensor["before_extract"], "your ExternalTaskSensor does not come before `extract`")
    expect(sensor["shifted"] or got["schedule"] == got["ingestion_schedule"],
           f"your sensor looks for the ingestion run with its own logical date, but streamrec_training runs on "
           f"{got['schedule']} and the ingestion DAG on {got['ingestion_schedule']}: it would wait for a run that "
           "never exists (align the schedules, or give execution_delta)")


@graded("a", points=1, hint="Give training_interactions a dependency on raw_interactions and an automation "
                            "condition that reacts to upstream updates (or an asset sensor with a job).")
def test_dagster_training_starts_when_raw_interactions_is_updated(sub):
    got = run_dagster(sub, dagster_wait)
    expect(got["type"] == "Definitions", f"defs_wait_for_ingestion is a {got['type']}, not a dg.Definitions")
    expect(got["found"], "defs_wait_for_ingestion has no asset training_interactions")
    expect("raw_interactions" in got["parents"], "training_interactions does not depend on raw_interactions")
    expect(got["mechanism"] != "none", "nothing in defs_wait_for_ingestion ever requests training_interactions: "
                                       "it has no automation condition and the definitions hold no sensor")
    first, after_update, idle, next_update = got["ticks"]
    expect(not first, "Dagster requests training_interactions before raw_interactions was ever updated")
    expect(after_update, f"after raw_interactions was updated, your {got['mechanism']} did not request "
                         "training_interactions")
    expect(not idle, f"your {got['mechanism']} requests training_interactions again although nothing changed "
                     "upstream since it was last materialized")
    expect(next_update, f"after a second update of raw_interactions, your {got['mechanism']} did not request "
                        "training_interactions again")


# ---- (b) at most four GPU jobs across all pipelines ----------------------------------------------
@graded("b", points=1, hint="One pool with 4 slots, created in the metadata database, used with one slot by "
                            "the GPU task of both DAGs.")
def test_airflow_gpu_tasks_share_one_pool_of_four_slots(sub, services):
    got = run_airflow(sub, services, airflow_gpu)
    no_import_errors(got, "(b)")
    for dag_id, info in got["tasks"].items():
        expect(info is not None, f"{dag_id} is missing, or has no task train_on_gpu")
    pools = {info["pool"] for info in got["tasks"].values()}
    expect("default_pool" not in pools, "a train_on_gpu task runs in default_pool, which every other task shares")
    expect(len(pools) == 1, f"the two train_on_gpu tasks use different pools ({', '.join(sorted(pools))}): "
                            "a limit per pool then does not count the jobs of both pipelines together")
    for dag_id, info in got["tasks"].items():
        expect(info["pool_slots"] == 1, f"{dag_id}.train_on_gpu takes {info['pool_slots']} slots of its pool, "
                                        "so fewer jobs than allowed could run at once")
    pool = pools.pop()
    slots = got["pools"].get(pool)
    expect(slots is not None, f"after create_airflow_gpu_pool() the metadata database has no pool {pool!r}")
    expect(slots == GPU_LIMIT, f"after create_airflow_gpu_pool() the pool {pool!r} has {slots} slots")


@graded("b", points=1, hint="Give both assets the same pool= and set that pool's limit on the instance.")
def test_dagster_gpu_assets_share_one_pool_limited_to_four(sub):
    got = run_dagster(sub, dagster_gpu)
    expect(got["type"] == "Definitions", f"defs_gpu_training is a {got['type']}, not a dg.Definitions")
    for name, pool in got["pools"].items():
        expect(pool != "missing", f"defs_gpu_training has no asset {name}")
        expect(pool, f"{name} belongs to no concurrency pool")
    pools = set(got["pools"].values())
    expect(len(pools) == 1, f"the two assets use different pools ({', '.join(sorted(pools))}): a pool limit then "
                            "does not count the jobs of both pipelines together")
    pool = pools.pop()
    limit = got["limits"].get(pool)
    expect(limit == GPU_LIMIT, f"after limit_dagster_gpu_pool(instance) the pool {pool!r} has the limit {limit}")


# ---- (c) small metadata from task to task --------------------------------------------------------
@graded("c", points=1, hint="Return small dicts from the TaskFlow tasks and take them as arguments downstream.")
def test_airflow_tasks_hand_paths_counts_and_metrics_on(sub, services):
    got = run_airflow(sub, services, airflow_metadata)
    no_import_errors(got, "(c)")
    expect(got["found"], "your DAG file for (c) defines no DAG with the id streamrec_metadata")
    states = {task: state for (task, index), state in task_states(got).items()}
    for task in ["extract", "train", "evaluate"]:
        expect(task in states, f"streamrec_metadata has no task `{task}`")
        expect(states[task] == "success", f"in a run of streamrec_metadata, `{task}` ended as {states[task]}")
    expect("extract" in got["upstream"]["train"] and "train" in got["upstream"]["evaluate"],
           "the tasks are not chained extract -> train -> evaluate")
    extracted, trained, evaluated = (got["xcoms"].get(t) for t in ["extract", "train", "evaluate"])
    for task, value in [("extract", extracted), ("train", trained), ("evaluate", evaluated)]:
        expect(isinstance(value, dict), f"`{task}` returned {type(value).__name__ if value is not None else 'nothing'}, "
                                        "not a dict")
    expect(isinstance(extracted.get("data_path"), str), "extract's dict has no `data_path` string")
    expect(extracted.get("row_count") == ROWS_PER_DAY and not isinstance(extracted.get("row_count"), bool),
           f"extract reports row_count={extracted.get('row_count')!r}, not the number of rows it saved")
    expect(isinstance(trained.get("model_path"), str), "train's dict has no `model_path` string")
    expect(trained.get("trained_on") == extracted["data_path"],
           "train's `trained_on` is not the data_path that extract handed it")
    expect(evaluated.get("model_path") == trained["model_path"],
           "evaluate's `model_path` is not the one that train handed it")
    rate = evaluated.get("hit_rate_at_10")
    expect(isinstance(rate, float) and 0.0 <= rate <= 1.0, f"evaluate reports hit_rate_at_10={rate!r}")


@graded("c", points=1, hint="Record data_path/row_count, model_path/trained_on and model_path/hit_rate_at_10 as "
                            "materialization metadata, from values the upstream asset handed on.")
def test_dagster_materializations_carry_paths_counts_and_metrics(sub):
    got = run_dagster(sub, dagster_metadata)
    expect(got["type"] == "Definitions", f"defs_metadata is a {got['type']}, not a dg.Definitions")
    expect(got["success"], f"materializing defs_metadata failed in {', '.join(got['failures']) or 'a step'}")
    meta = got["metadata"]
    for asset in ["extracted_interactions", "trained_model", "model_evaluation"]:
        expect(asset in meta, f"no materialization of {asset}")
    extracted, trained, evaluated = meta["extracted_interactions"], meta["trained_model"], meta["model_evaluation"]
    expect(isinstance(extracted.get("data_path"), str), "extracted_interactions records no `data_path` metadata")
    expect(extracted.get("row_count") == ROWS_PER_DAY,
           f"extracted_interactions records row_count={extracted.get('row_count')!r}, not the rows it saved")
    expect(isinstance(trained.get("model_path"), str), "trained_model records no `model_path` metadata")
    expect(trained.get("trained_on") == extracted["data_path"],
           "trained_model's `trained_on` is not the data_path extracted_interactions recorded")
    expect(evaluated.get("model_path") == trained["model_path"],
           "model_evaluation's `model_path` is not the one trained_model recorded")
    rate = evaluated.get("hit_rate_at_10")
    expect(isinstance(rate, float) and 0.0 <= rate <= 1.0, f"model_evaluation records hit_rate_at_10={rate!r}")


# ---- (d) local in development, S3 in production --------------------------------------------------
def check_placement(info, deployment, what):
    local = [p for p in info["local"] if p.split("/")[0] == LOCAL_ROOT]
    if deployment == "development":
        expect(local, f"{what} in development left nothing under ./{LOCAL_ROOT}")
        expect(not info["s3"], f"{what} in development wrote to S3 ({len(info['s3'])} object(s))")
    else:
        expect(info["s3"], f"{what} in production wrote nothing to the bucket {BUCKET}")
        expect(not local, f"{what} in production wrote under ./{LOCAL_ROOT} instead of S3")


@graded("d", points=1, hint="Read the storage root when the task runs, from something each deployment sets "
                            "(e.g. an Airflow Variable given as AIRFLOW_VAR_...).")
def test_airflow_storage_follows_the_deployment(sub, services):
    got = run_airflow(sub, services, airflow_storage, BUCKET, LOCAL_ROOT)
    expect({"development", "production"} <= set(got["deployments"]),
           "DEPLOYMENTS needs the keys 'development' and 'production'")
    for deployment in ["development", "production"]:
        info = got[deployment]
        no_import_errors(info, f"(d) in {deployment}")
        expect(info["found"], "your DAG file for (d) defines no DAG with the id streamrec_storage")
        state = {t: s for (t, _), s in task_states(info).items()}.get("save_features")
        expect(state == "success", f"in {deployment}, save_features ended as {state}")
        location = info["xcoms"].get("save_features")
        expect(isinstance(location, str), "save_features does not return the location store() gave back")
        if deployment == "production":
            expect(location.startswith(f"s3://{BUCKET}/"), f"in production save_features returned {location!r}")
        else:
            expect("://" not in location, f"in development save_features returned {location!r}, not a local path")
        check_placement(info, deployment, "streamrec_storage")


@graded("d", points=1, hint="Choose the IO manager (or resource) in storage_definitions() from the environment.")
def test_dagster_storage_follows_the_deployment(sub):
    got = run_dagster(sub, dagster_storage, BUCKET)
    expect({"development", "production"} <= set(got["deployments"]),
           "DEPLOYMENTS needs the keys 'development' and 'production'")
    for deployment in ["development", "production"]:
        info = got[deployment]
        expect(info["type"] == "Definitions", f"storage_definitions() returned a {info['type']}")
        expect(info["success"], f"materializing storage_definitions() failed in {deployment}")
        for asset in ["daily_features", "feature_summary"]:
            expect(asset in info["assets"], f"in {deployment}, {asset} was not materialized")
        check_placement(info, deployment, "materializing your assets")
        count = len(info["s3"]) if deployment == "production" else len(
            [p for p in info["local"] if p.split("/")[0] == LOCAL_ROOT])
        expect(count >= 2, f"in {deployment} only {count} object landed under the deployment's root: "
                           "both assets' values must go there")


# ---- (e) registration after a failed evaluation --------------------------------------------------
@graded("e", points=1, hint="Let a crashed evaluation fail its task, and give register a trigger rule that "
                            "waits for all evaluations and still runs when one failed.")
def test_airflow_register_runs_after_a_failed_evaluation(sub, services):
    got = run_airflow(sub, services, airflow_registration, BROKEN_CASES)
    no_import_errors(got, "(e)")
    expect(got["found"], "your DAG file for (e) defines no DAG with the id streamrec_registration")
    for broken, run in zip(BROKEN_CASES, got["runs"]):
        states = task_states(run)
        crashed = f"when the evaluation of {' and '.join(broken)} crashed" if broken else "when no evaluation crashed"
        evaluations = [s for (t, _), s in states.items() if t.startswith("evaluate")]
        expect(evaluations, "streamrec_registration has no task whose id starts with `evaluate`")
        failed = sum(s == "failed" for s in evaluations)
        expect(failed == len(broken), f"{crashed}, {failed} evaluation task(s) failed: let the crash fail the "
                                      "evaluation of that model, and only that one")
        register = [s for (t, _), s in states.items() if t == "register"]
        expect(register, "streamrec_registration has no task `register`")
        expect(register[0] == "success", f"{crashed}, register ended as {register[0]} "
                                         f"(trigger rule {got['trigger_rule']})")
        registered = run["xcoms"].get("register")
        expect(registered == registered_expected(broken),
               f"{crashed}, register returned {registered!r}")


@graded("e", points=1, hint="Blocking checks make registration wait; only a failure of severity ERROR (or a "
                            "crashed check) stops it.")
def test_dagster_registration_runs_after_a_failed_evaluation(sub):
    got = run_dagster(sub, dagster_registration, BROKEN_CASES)
    expect(got["type"] == "Definitions", f"defs_registration is a {got['type']}, not a dg.Definitions")
    expect(not got["missing"], f"defs_registration lacks the asset(s) {', '.join(got['missing'])}")
    for broken, run in zip(BROKEN_CASES, got["runs"]):
        crashed = f"when the evaluation of {' and '.join(broken)} crashed" if broken else "when no evaluation crashed"
        checked = {c["asset"] for c in run["checks"]} | {s.split("_model")[0] + "_model" for s in run["failed_steps"]}
        for model in HIT_RATE:
            expect(f"{model}_model" in checked, f"{crashed}, nothing evaluated {model}_model (no asset check result)")
        for model in broken:
            recorded = any(c["asset"] == f"{model}_model" and not c["passed"] for c in run["checks"]) or any(
                s.startswith(f"{model}_model") for s in run["failed_steps"])
            expect(recorded, f"{crashed}, its failure is recorded nowhere: its check passed")
        expect("registered_models" in run["materialized"], f"{crashed}, registered_models did not run")
        expect(run.get("registered") == registered_expected(broken),
               f"{crashed}, registered_models returned {run.get('registered')!r}")
