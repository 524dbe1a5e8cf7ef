"""Hidden tests for exercise 27.6 (one validation function, three orchestrators).

The shared function is checked on a dozen frames. Each wrapper is run for real on a clean and on a
broken fixture: the Airflow DAG through dag.test() on the run's metadata database, the Dagster
asset through dagster.materialize, the Prefect flow against the run's Prefect server. Part (e)
redefines the shared function in the learner's namespace and runs the three wrappers again. Each
probe runs once per grading and is cached here.
"""
from autograder.testing import LearnerError, expect, graded

ROWS = 500                # the fixtures are generate_interactions("2024-06-01", n_interactions=500)
SENTINEL_ROWS = 4242      # the row count the stand-in of part (e) reports; no real fixture has it

# name of the frame -> (should it pass, the column(s) its problems must name)
EXPECTED = {
    "clean": (True, []),
    "zero_watch_seconds": (True, []),
    "exactly_100_rows": (True, []),
    "null_user_id": (False, ["user_id"]),
    "missing_item_id": (False, ["item_id"]),
    "timestamp_as_text": (False, ["timestamp"]),
    "unknown_event": (False, ["event"]),
    "negative_watch_seconds": (False, ["watch_seconds"]),
    "clicked_out_of_range": (False, ["clicked"]),
    "99_rows": (False, ["rows"]),
    "three_problems": (False, ["watch_seconds", "event", "clicked"]),
}
LENGTHS = {"exactly_100_rows": 100, "99_rows": 99}
DESCRIBE = {
    "clean": "a clean day of interactions",
    "zero_watch_seconds": "a clean day in which some views lasted 0 seconds",
    "exactly_100_rows": "a clean table of exactly 100 rows",
    "null_user_id": "a table with nulls in user_id",
    "missing_item_id": "a table without the column item_id",
    "timestamp_as_text": "a table whose timestamps are text",
    "unknown_event": "a table with the event 'purchase'",
    "negative_watch_seconds": "a table with negative watch_seconds",
    "clicked_out_of_range": "a table with clicked = 2 in one row",
    "99_rows": "a table of 99 rows",
    "three_problems": "a table with negative watch_seconds, an unknown event and clicked = 2",
}

_CACHE: dict = {}


def cached(sub, probe, *args, helpers=()):
    """Run a probe once per grading; later tests reuse its result (or its error)."""
    if probe.__name__ not in _CACHE:
        try:
            _CACHE[probe.__name__] = ("ok", sub.run(probe, *args, helpers=helpers, timeout=150))
        except LearnerError as exc:
            _CACHE[probe.__name__] = ("error", exc)
    status, value = _CACHE[probe.__name__]
    if status == "error":
        raise value
    return value


# ---- helpers shipped to the worker with the probes ------------------------------------------------
def make_frames():
    import pandas as pd

    from pipelinekit.streamrec import generate_interactions

    clean = generate_interactions("2024-06-01", n_interactions=500)
    frames = {"clean": clean}
    frame = clean.copy()
    frame.loc[frame.index[:40], "watch_seconds"] = 0
    frames["zero_watch_seconds"] = frame
    frames["exactly_100_rows"] = clean.head(100).copy()
    frame = clean.copy()
    frame["user_id"] = frame["user_id"].astype("Int64")
    frame.loc[[0, 5, 9], "user_id"] = pd.NA
    frames["null_user_id"] = frame
    frames["missing_item_id"] = clean.drop(columns=["item_id"])
    frame = clean.copy()
    frame["timestamp"] = frame["timestamp"].astype(str)
    frames["timestamp_as_text"] = frame
    frame = clean.copy()
    frame.loc[20, "event"] = "purchase"
    frames["unknown_event"] = frame
    frame = clean.copy()
    frame.loc[[3, 7], "watch_seconds"] = -30
    frames["negative_watch_seconds"] = frame
    frame = clean.copy()
    frame.loc[4, "clicked"] = 2
    frames["clicked_out_of_range"] = frame
    frames["99_rows"] = clean.head(99).copy()
    frame = clean.copy()
    frame.loc[[3, 7], "watch_seconds"] = -30
    frame.loc[20, "event"] = "purchase"
    frame.loc[4, "clicked"] = 2
    frames["three_problems"] = frame
    return frames


def write_fixtures():
    """The clean and the broken fixture as pickles in a fresh folder: name -> path."""
    import tempfile

    frames = make_frames()
    folder = tempfile.mkdtemp(prefix="t276-")
    paths = {"clean": f"{folder}/clean.pkl", "broken": f"{folder}/broken.pkl"}
    frames["clean"].to_pickle(paths["clean"])
    frames["three_problems"].to_pickle(paths["broken"])
    return paths


def plain(value):
    """A value as JSON-safe data, or a note saying what it was."""
    import json

    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return {"__type__": type(value).__name__}


def run_airflow(dag, folder, conf):
    """dag.test() for a DAG built in the notebook: hand it to the parser through a stub file first."""
    import pathlib
    import sys
    import types

    from sqlalchemy import select

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    handover = sys.modules.setdefault("notebook_dags", types.ModuleType("notebook_dags"))
    handover.DAGS = {**getattr(handover, "DAGS", {}), dag.dag_id: dag}
    pathlib.Path(folder, "notebook_dags.py").write_text(
        "# Airflow DAGs handed over from a notebook\nimport notebook_dags\n\nglobals().update(notebook_dags.DAGS)\n")
    run = dag.test(logical_date=None, run_conf=conf)
    with create_session() as session:
        rows = session.scalars(select(XComModel).where(XComModel.dag_id == dag.dag_id,
                                                       XComModel.run_id == run.run_id,
                                                       XComModel.key == "return_value")).all()
        xcoms = {row.task_id: plain(XComModel.deserialize_value(row)) for row in rows}
    return {"state": str(run.state), "tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()},
            "xcoms": xcoms}


def run_dagster(asset, path):
    import dagster as dg

    result = dg.materialize([asset], run_config={"ops": {asset.op.name: {"config": {"path": path}}}},
                            raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    metadata = {}
    for event in result.get_asset_materialization_events():
        metadata.update({k: plain(getattr(v, "value", v)) for k, v in event.materialization.metadata.items()})
    return {"success": result.success, "metadata": metadata,
            "failed_steps": [str(e.step_key) for e in result.all_events if e.event_type_value == "STEP_FAILURE"]}


def run_prefect(flow, task, path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    state = flow(path, return_state=True)
    out = {"state": state.type.value, "value": None, "task_runs": []}
    if state.is_completed():
        out["value"] = plain(state.result())
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    name = getattr(task, "name", None)
    out["task_runs"] = [{"name": r.name, "state": r.state.type.value if r.state else None,
                         "ours": bool(name) and r.name.startswith(f"{name}-")} for r in runs]
    return out


def attempt(fn, *args):
    """Call fn; an exception becomes a plain description instead of ending the probe."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - the learner's wrapper may raise anything
        return {"raised": f"{type(exc).__name__}: {str(exc)[:300]}"}


# ---- probes ----------------------------------------------------------------------------------------
def shared_function(ns):
    frames = make_frames()
    out = {}
    for name, frame in frames.items():
        before = frame.copy()
        result = ns.validate_interactions(frame)
        out[name] = {
            "type": type(result).__name__,
            "passed": plain(getattr(result, "passed", None)),
            "row_count": plain(getattr(result, "row_count", None)),
            "problems": [str(p) for p in getattr(result, "problems", None) or []],
            "problems_type": type(getattr(result, "problems", None)).__name__,
            "unchanged": before.equals(frame) and list(before.columns) == list(frame.columns),
        }
    return out


def airflow_wrapper(ns, folder):
    from airflow.sdk import DAG

    dag = ns.validation_dag
    out = {"type": type(dag).__name__}
    if not isinstance(dag, DAG):
        return out
    out.update(dag_id=dag.dag_id, tasks=sorted(dag.task_ids))
    for name, path in write_fixtures().items():
        out[name] = run_airflow(dag, folder, {"path": path})
    return out


def dagster_wrapper(ns):
    import dagster as dg

    asset = ns.validated_interactions
    out = {"type": type(asset).__name__}
    if not isinstance(asset, dg.AssetsDefinition):
        return out
    out["keys"] = sorted(k.to_user_string() for k in asset.keys)
    for name, path in write_fixtures().items():
        out[name] = run_dagster(asset, path)
    return out


def prefect_wrapper(ns):
    import prefect

    out = {"flow": type(ns.validation_flow).__name__, "task": type(ns.validate_data_task).__name__}
    if not isinstance(ns.validation_flow, prefect.Flow) or not isinstance(ns.validate_data_task, prefect.Task):
        return out
    for name, path in write_fixtures().items():
        out[name] = run_prefect(ns.validation_flow, ns.validate_data_task, path)
    return out


def redefined(ns, folder, sentinel):
    """Redefine validate_interactions in the notebook's namespace and rerun the three wrappers."""
    import sys

    module = sys.modules.get("submission")
    namespace = module.__dict__ if module is not None else ns.validate_interactions.__globals__
    original = namespace["validate_interactions"]
    result_type = ns.ValidationResult

    def reject_everything(df):
        return result_type(passed=False, row_count=len(df), problems=("rejected by the redefined rules",))

    def accept_everything(df):
        return result_type(passed=True, row_count=sentinel, problems=())

    paths = write_fixtures()
    out = {}
    try:
        for label, stand_in, fixture in [("reject", reject_everything, "clean"), ("accept", accept_everything, "broken")]:
            namespace["validate_interactions"] = stand_in
            out[label] = {
                "airflow": attempt(run_airflow, ns.validation_dag, folder, {"path": paths[fixture]}),
                "dagster": attempt(run_dagster, ns.validated_interactions, paths[fixture]),
                "prefect": attempt(run_prefect, ns.validation_flow, ns.validate_data_task, paths[fixture]),
            }
    finally:
        namespace["validate_interactions"] = original
    return out


FIXTURES = [make_frames, write_fixtures, plain]


def verdict_dict(value):
    return isinstance(value, dict) and {"passed", "row_count", "problems"} <= set(value)


# ---- (a) the shared function -----------------------------------------------------------------------
@graded("a", points=1, hint="Return ValidationResult(passed, row_count, problems): every rule of the table "
                            "checked, one problem per broken rule naming its column, the frame left as it was.")
def test_validate_interactions_judges_every_rule(sub):
    got = cached(sub, shared_function, helpers=[make_frames, plain])
    for name, (should_pass, columns) in EXPECTED.items():
        result, what = got[name], DESCRIBE[name]
        expect(result["type"] == "ValidationResult", f"for {what}, validate_interactions returned a {result['type']}")
        expect(result["unchanged"], f"validate_interactions modified {what} it was given")
        expect(result["passed"] is should_pass,
               f"for {what}, validate_interactions says passed={result['passed']!r}")
        rows = LENGTHS.get(name, ROWS)
        expect(result["row_count"] == rows, f"for {what} ({rows} rows), row_count is {result['row_count']!r}")
        if should_pass:
            expect(not result["problems"], f"{what} passes, yet problems holds {len(result['problems'])} line(s)")
        for column in columns:
            expect(any(column in problem for problem in result["problems"]),
                   f"for {what}, no problem names `{column}`" + (" (say 'rows')" if column == "rows" else ""))


# ---- (b) the Airflow task --------------------------------------------------------------------------
def airflow_result(sub, services):
    got = cached(sub, airflow_wrapper, services["dags_folder"], helpers=[*FIXTURES, run_airflow])
    expect(got["type"] in ("DAG",), f"validation_dag is a {got['type']}, not an Airflow DAG")
    expect(got["dag_id"] == "streamrec_validation", f"validation_dag has the dag id {got['dag_id']!r}")
    expect("validate_data" in got["tasks"], "validation_dag has no task `validate_data`")
    return got


@graded("b", points=1, hint="On clean data validate_data succeeds and returns result.as_dict().")
def test_airflow_validate_data_passes_clean_data_on(sub, services):
    run = airflow_result(sub, services)["clean"]
    state = run["tasks"].get("validate_data")
    expect(state == "success", f"on the clean fixture, validate_data ended as {state}")
    value = run["xcoms"].get("validate_data")
    expect(verdict_dict(value), f"on the clean fixture, validate_data returned {value!r}, not result.as_dict()")
    expect(value["passed"] is True and value["row_count"] == ROWS and not value["problems"],
           f"on the clean fixture, validate_data returned {value!r}")


@graded("b", points=1, hint="On broken data validate_data must fail (AirflowFailException), not return.")
def test_airflow_validate_data_fails_on_broken_data(sub, services):
    got = airflow_result(sub, services)
    expect(got["clean"]["tasks"].get("validate_data") == "success",
           "validate_data fails on the clean fixture too, so its failure on broken data proves nothing")
    run = got["broken"]
    state = run["tasks"].get("validate_data")
    expect(state == "failed", f"on the broken fixture, validate_data ended as {state}, not failed")


# ---- (c) the Dagster asset -------------------------------------------------------------------------
def dagster_result(sub):
    got = cached(sub, dagster_wrapper, helpers=[*FIXTURES, run_dagster])
    expect(got["type"] == "AssetsDefinition", f"validated_interactions is a {got['type']}, not a Dagster asset")
    expect(got["keys"] == ["validated_interactions"], f"validated_interactions defines the asset(s) {got['keys']}")
    return got


@graded("c", points=1, hint="On clean data the asset materializes, with row_count in its metadata.")
def test_dagster_asset_materializes_clean_data(sub):
    run = dagster_result(sub)["clean"]
    expect(run["success"], "materializing validated_interactions failed on the clean fixture")
    rows = run["metadata"].get("row_count")
    expect(rows == ROWS, f"on the clean fixture, the materialization records row_count={rows!r}")


@graded("c", points=1, hint="On broken data the asset's step must fail (dg.Failure).")
def test_dagster_asset_fails_on_broken_data(sub):
    got = dagster_result(sub)
    expect(got["clean"]["success"],
           "validated_interactions fails on the clean fixture too, so its failure on broken data proves nothing")
    run = got["broken"]
    expect(not run["success"], "validated_interactions materialized the broken fixture")
    expect(run["failed_steps"], "the run failed, but not in the step of validated_interactions")


# ---- (d) the Prefect task --------------------------------------------------------------------------
def prefect_result(sub):
    got = cached(sub, prefect_wrapper, helpers=[*FIXTURES, run_prefect])
    expect(got["flow"] == "Flow", f"validation_flow is a {got['flow']}, not a Prefect flow")
    expect(got["task"] == "Task", f"validate_data_task is a {got['task']}, not a Prefect task")
    return got


def our_task_run(run, fixture):
    ours = [r for r in run["task_runs"] if r["ours"]]
    expect(ours, f"on the {fixture} fixture, validation_flow ran no validate_data_task")
    return ours[0]


@graded("d", points=1, hint="On clean data the flow completes and returns result.as_dict() from the task.")
def test_prefect_flow_passes_clean_data_on(sub):
    run = prefect_result(sub)["clean"]
    expect(run["state"] == "COMPLETED", f"on the clean fixture, validation_flow ended {run['state']}")
    task_run = our_task_run(run, "clean")
    expect(task_run["state"] == "COMPLETED", f"on the clean fixture, validate_data_task ended {task_run['state']}")
    value = run["value"]
    expect(verdict_dict(value), f"on the clean fixture, validation_flow returned {value!r}, not result.as_dict()")
    expect(value["passed"] is True and value["row_count"] == ROWS and not value["problems"],
           f"on the clean fixture, validation_flow returned {value!r}")


@graded("d", points=1, hint="On broken data the task must raise, so that the task run and the flow run fail.")
def test_prefect_task_fails_on_broken_data(sub):
    got = prefect_result(sub)
    expect(got["clean"]["state"] == "COMPLETED",
           "validation_flow fails on the clean fixture too, so its failure on broken data proves nothing")
    run = got["broken"]
    task_run = our_task_run(run, "broken")
    expect(task_run["state"] == "FAILED", f"on the broken fixture, validate_data_task ended {task_run['state']}")
    expect(run["state"] == "FAILED", f"on the broken fixture, validation_flow ended {run['state']}")


# ---- (e) one change reaches all three --------------------------------------------------------------
@graded("e", points=1, hint="Every wrapper must call validate_interactions by name when it runs, and act on "
                            "its verdict alone.")
def test_redefining_the_shared_function_changes_all_three_wrappers(sub, services):
    got = cached(sub, redefined, services["dags_folder"], SENTINEL_ROWS,
                 helpers=[*FIXTURES, run_airflow, run_dagster, run_prefect, attempt])
    reject, accept = got["reject"], got["accept"]
    stale = []
    if reject["airflow"].get("tasks", {}).get("validate_data") != "failed":
        stale.append("the Airflow task still passes the clean fixture when the rules reject everything")
    if reject["dagster"].get("success", True):
        stale.append("the Dagster asset still materializes the clean fixture when the rules reject everything")
    if reject["prefect"].get("state") != "FAILED":
        stale.append("the Prefect flow still completes on the clean fixture when the rules reject everything")
    value = accept["airflow"].get("xcoms", {}).get("validate_data")
    if not (verdict_dict(value) and value["row_count"] == SENTINEL_ROWS):
        stale.append("the Airflow task does not return the redefined function's verdict")
    if accept["dagster"].get("metadata", {}).get("row_count") != SENTINEL_ROWS:
        stale.append("the Dagster asset does not record the redefined function's row_count")
    value = accept["prefect"].get("value")
    if not (verdict_dict(value) and value["row_count"] == SENTINEL_ROWS):
        stale.append("the Prefect flow does not return the redefined function's verdict")
    expect(not stale, "after validate_interactions was redefined: " + "; ".join(stale))
