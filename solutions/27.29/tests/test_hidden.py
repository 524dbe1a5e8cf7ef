"""Hidden tests for exercise 27.29 (M11: the StreamRec training pipeline as a Dagster project).

The learner's project runs in the worker, importable from its root and src/. Probes load its
Definitions (``streamrec_m11.definitions.defs``) afresh for each scenario, with the environment
the README pins (STREAMREC_DEPLOYMENT, STREAMREC_DATA_DIR, STREAMREC_S3_BUCKET,
MLFLOW_TRACKING_URI) and the fixture data of ``FIXTURE`` fed through the ``interaction_source``
resource, then materialize partitions with ``dagster.materialize`` (and once with the
``dagster asset materialize`` command line) and report what happened as plain data. Each
scenario runs once per grading and is cached here; the tests check its pieces. The command-line
backfill and the learner's own test runs (pytest in copies of the project, one per known break)
are subprocesses started first, so that they run while the in-worker scenarios do. Expected
values (row counts, column statistics, metric values of hand-made cases, chance levels) are
computed here, from the same seeded generator, never sent to the worker.
"""
import functools
import math

import pytest

from autograder.testing import LearnerError, expect, fail, graded

ASSETS = [
    "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
    "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
]
TRAINING = ["retrieval_model", "ranking_model"]
DOWNSTREAM_OF_FEATURES = ASSETS[2:]
# The data flow the asset names describe: (upstream, downstream).
EDGES = [
    ("raw_interactions", "validated_interactions"), ("validated_interactions", "training_features"),
    ("training_features", "retrieval_model"), ("training_features", "ranking_model"),
    ("retrieval_model", "retrieval_evaluation"), ("ranking_model", "ranking_evaluation"),
    ("retrieval_evaluation", "registered_models"), ("ranking_evaluation", "registered_models"),
]
CROSSED = [("ranking_model", "retrieval_evaluation"), ("retrieval_model", "ranking_evaluation")]
FIXTURE = {"n_interactions": 3000, "n_users": 200, "n_items": 120, "seed": 7}
DEV_DAY, PROD_DAY, BROKEN_DAY, FLAKY_DAY, FAILING_DAY = "2024-06-03", "2024-06-04", "2024-06-07", "2024-06-08", "2024-06-09"
BACKFILL = ["2024-06-05", "2024-06-06"]
BACKFILL_SECONDS = 240
K = 10
RETRIEVAL_MIN_RECALL, RANKING_MIN_AUC = 0.2, 0.55
REGISTERED_NAMES = {"retrieval": "streamrec-retrieval", "ranking": "streamrec-ranking"}
LEARNER_TEST_SECONDS = 240

# Breaks appended to a copy of the learner's module (they redefine a pinned function or disarm the
# contracts), then the learner's own tests run on that copy: they should fail.
BREAKS = {
    "recall": ("src/streamrec_m11/metrics.py", '''

def recall_at_k(recommended, relevant, k):  # injected by the grader: precision@k, not recall@k
    wanted = set(relevant)
    return len(set(list(recommended)[:k]) & wanted) / k if wanted and k else 0.0
''', None),
    "ndcg": ("src/streamrec_m11/metrics.py", '''

def ndcg_at_k(relevances, k):  # injected by the grader: the ranking's own order is ignored
    import math
    best = sorted(relevances, reverse=True)[:k]
    ideal = sum(float(r) / math.log2(i + 2) for i, r in enumerate(best))
    return ideal / ideal if ideal > 0 else 0.0
''', None),
    "contract": ("src/streamrec_m11/contracts.py", '''

for _contract in CONTRACTS.values():  # injected by the grader: contracts that check nothing
    _contract.required_columns, _contract.dtypes, _contract.non_null = [], {}, []
    _contract.min_rows, _contract.value_ranges = 0, {}
''', None),
    "crash": ("src/streamrec_m11/features.py", '''

def build_training_features(validated, items):  # injected by the grader: the step crashes
    raise RuntimeError("injected failure: the features cannot be computed")
''', "tests/test_pipeline.py"),
}


# ---- shipped to the worker ------------------------------------------------------------------------
def fresh_defs(env, patches=None):
    """Import the learner's Definitions afresh under `env`; `patches` first replaces training
    functions in streamrec_m11.models (so that the assets pick the replacements up)."""
    import importlib
    import os
    import sys
    import warnings

    warnings.filterwarnings("ignore")
    for key in ("STREAMREC_DEPLOYMENT", "STREAMREC_DATA_DIR", "STREAMREC_S3_BUCKET", "MLFLOW_TRACKING_URI"):
        os.environ.pop(key, None)
    os.environ.update(env)
    for name in [m for m in sys.modules if m == "streamrec_m11" or m.startswith("streamrec_m11.")]:
        del sys.modules[name]
    calls = {"retrieval": 0, "ranking": 0}
    if patches:
        models = importlib.import_module("streamrec_m11.models")
        originals = {"retrieval": models.train_retrieval_model, "ranking": models.train_ranking_model}

        def wrap(model, how):
            def patched(*args, **kwargs):
                calls[model] += 1
                if how == "fail_always" or (how == "fail_once" and calls[model] == 1):
                    raise RuntimeError(f"grader: the {model} training cluster went away")
                table = originals[model](*args, **kwargs)
                if how == "nan_weights":
                    table = table.copy()
                    table["weight"] = float("nan")
                return table
            return patched

        models.train_retrieval_model = wrap("retrieval", patches.get("retrieval"))
        models.train_ranking_model = wrap("ranking", patches.get("ranking"))
    import dagster as dg

    defs = importlib.import_module("streamrec_m11.definitions").defs
    if not isinstance(defs, dg.Definitions):
        defs = defs()
    return defs, calls


def mlflow_uri(root):
    """A fresh SQLite MLflow store in `root`, copied from one made once per worker (making a store
    runs its migrations, which takes a second or two)."""
    import os
    import shutil
    import tempfile

    template = os.path.join(tempfile.gettempdir(), "m11-grader-mlflow-template.db")
    if not os.path.exists(template):
        from mlflow import MlflowClient

        MlflowClient(tracking_uri=f"sqlite:///{template}").search_experiments()
    target = os.path.join(root, "mlflow.db")
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def plain(value):
    """A metadata value (or anything) as JSON-able data."""
    import datetime
    import math

    value = getattr(value, "value", value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):
        try:
            return plain(value.item())
        except (TypeError, ValueError):
            pass
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def run_report(result, defs):
    """Steps, materializations and check evaluations of a materialize() result."""
    steps = {}
    for event in result.all_events:
        kind = event.event_type_value
        if not event.step_key:
            continue
        step = steps.setdefault(event.step_key, {"starts": 0, "success": False, "failure": None, "retries": 0})
        if kind in ("STEP_START", "STEP_RESTARTED"):
            step["starts"] += 1
        elif kind == "STEP_SUCCESS":
            step["success"] = True
        elif kind == "STEP_FAILURE":
            step["failure"] = str(event.step_failure_data.error.message)[:300] if event.step_failure_data else "failed"
        elif kind == "STEP_UP_FOR_RETRY":
            step["retries"] += 1
    op_of = {}
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        try:
            op_of[key.to_user_string()] = defs.resolve_assets_def(key).node_def.name
        except Exception:  # noqa: BLE001
            pass
    materialized = []
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        materialized.append({"asset": mat.asset_key.to_user_string(), "partition": mat.partition,
                             "metadata": {k: plain(v) for k, v in mat.metadata.items()}})
    checks = []
    for evaluation in result.get_asset_check_evaluations():
        checks.append({"asset": evaluation.asset_key.to_user_string(), "check": evaluation.check_name,
                       "passed": bool(evaluation.passed),
                       "metadata": {k: plain(v) for k, v in evaluation.metadata.items()}})
    return {"success": bool(result.success), "ops": op_of,
            "steps": {asset: steps.get(op, {"starts": 0, "success": False, "failure": None, "retries": 0})
                      for asset, op in op_of.items()},
            "materialized": materialized, "checks": checks}


def materialize_day(defs, day, source_kwargs):
    import dagster as dg

    from streamrec_m11.data import InteractionSource

    resources = dict(defs.resources or {})
    resources["interaction_source"] = InteractionSource(**source_kwargs)
    assets = [*(defs.assets or []), *(defs.asset_checks or [])]
    try:
        return dg.materialize(assets, partition_key=day, resources=resources, raise_on_error=False)
    except Exception as exc:  # noqa: BLE001 - the run could not even start
        raise RuntimeError(f"dagster.materialize(..., partition_key={day!r}) could not start the run: "
                           f"{type(exc).__name__}: {str(exc)[:300]}") from None


def one_value(defs, asset, day):
    """The stored value of one asset for one day (unwrapping a {day: value} dict)."""
    value = defs.load_asset_value(asset, partition_key=day)
    if isinstance(value, dict) and day in value:
        value = value[day]
    return value


def describe_table(asset, table):
    """What the tests need to know about a stored table, as plain data."""
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        return {"type": type(table).__name__}
    info = {"type": "DataFrame", "columns": [str(c) for c in table.columns], "rows": int(len(table))}
    if asset in ("raw_interactions", "validated_interactions") and "timestamp" in table.columns:
        stamps = pd.to_datetime(table["timestamp"], utc=True)
        info["dates"] = sorted({d.isoformat() for d in stamps.dt.date})
        key = [c for c in ("user_id", "item_id", "timestamp", "event") if c in table.columns]
        info["duplicates"] = int(table.duplicated(subset=key).sum())
        info["time_ordered"] = bool(stamps.is_monotonic_increasing)
    if asset == "training_features" and {"split", "timestamp"} <= set(table.columns):
        stamps = pd.to_datetime(table["timestamp"], utc=True)
        train, test = stamps[table["split"] == "train"], stamps[table["split"] == "test"]
        info["split"] = {str(k): int(v) for k, v in table["split"].value_counts().items()}
        info["train_before_test"] = bool(len(train) and len(test) and train.max() <= test.min())
        numeric = table.select_dtypes("number")
        info["nulls"] = int(numeric.isna().sum().sum())
    if asset in ("retrieval_evaluation", "ranking_evaluation", "registered_models"):
        info["records"] = [{str(k): plain(v) for k, v in row.items()} for row in table.to_dict("records")]
    return info


def mlflow_view(tracking_uri, run_ids):
    """The runs named by the metadata, and every registered model version, as the store holds them."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    runs = {}
    for run_id in sorted({r for r in run_ids if isinstance(r, str)}):
        try:
            run = client.get_run(run_id)
            runs[run_id] = {"status": run.info.status, "metrics": dict(run.data.metrics),
                            "params": dict(run.data.params), "tags": {k: v for k, v in run.data.tags.items()
                                                                     if not k.startswith("mlflow.")}}
        except Exception as exc:  # noqa: BLE001
            runs[run_id] = {"error": f"{type(exc).__name__}"}
    versions = []
    try:
        for version in client.search_model_versions():
            versions.append({"name": version.name, "version": int(version.version), "run_id": version.run_id})
    except Exception:  # noqa: BLE001
        pass
    return {"runs": runs, "versions": versions}


def run_ids_in(metadata_list):
    found = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdef" for c in value):
            found.append(value)

    for metadata in metadata_list:
        walk(metadata)
    return found


def list_files(folder):
    import os

    out = []
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            out.append(os.path.relpath(os.path.join(dirpath, name), folder))
    return sorted(out)


# ---- probes ---------------------------------------------------------------------------------------
def graph_probe(ns):
    """The asset graph, partitions, backfill and retry policies, and check specs of the Definitions."""
    import tempfile

    root = tempfile.mkdtemp(prefix="m11-")
    defs, _ = fresh_defs({"STREAMREC_DEPLOYMENT": "dev", "STREAMREC_DATA_DIR": f"{root}/graph-data",
                          "MLFLOW_TRACKING_URI": mlflow_uri(root)})
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        part = node.partitions_def
        info = {"deps": sorted(p.to_user_string() for p in node.parent_keys),
                "partitions": type(part).__name__ if part is not None else None,
                "backfill": str(node.backfill_policy.policy_type) if node.backfill_policy else None,
                "retry": None}
        if part is not None and hasattr(part, "start"):
            info["start"] = part.start.date().isoformat()
            info["cron"] = getattr(part, "cron_schedule", None)
        try:
            policy = defs.resolve_assets_def(key).op.retry_policy
        except Exception:  # noqa: BLE001
            policy = None
        if policy is not None:
            info["retry"] = {"max_retries": policy.max_retries, "delay": policy.delay,
                             "backoff": policy.backoff.name if policy.backoff else None,
                             "jitter": policy.jitter.name if policy.jitter else None}
        assets[key.to_user_string()] = info
    checks = []
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        checks.append({"asset": check_key.asset_key.to_user_string(), "name": check_key.name,
                       "blocking": bool(spec.blocking)})
    return {"assets": assets, "checks": checks}


def dev_probe(ns, day, fixture, quiet_bucket):
    """One partition in development: the run, the stored values, the files, MLflow, and the contracts
    applied to corrupted copies of the stored tables."""
    import tempfile

    root = tempfile.mkdtemp(prefix="m11-")
    import math
    import time

    env = {"STREAMREC_DEPLOYMENT": "dev", "STREAMREC_DATA_DIR": f"{root}/dev-data",
           "STREAMREC_S3_BUCKET": quiet_bucket, "MLFLOW_TRACKING_URI": mlflow_uri(root)}
    defs, _ = fresh_defs(env)
    started = time.monotonic()
    report = run_report(materialize_day(defs, day, fixture), defs)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["files"] = list_files(f"{root}/dev-data")
    values, tables = {}, {}
    for asset in [
        "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
        "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
    ]:
        try:
            tables[asset] = one_value(defs, asset, day)
            values[asset] = describe_table(asset, tables[asset])
        except Exception as exc:  # noqa: BLE001
            values[asset] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    report["values"] = values
    report["mlflow"] = mlflow_view(env["MLFLOW_TRACKING_URI"], run_ids_in([m["metadata"] for m in report["materialized"]]))
    report["contracts"] = corrupt_and_validate(tables)
    return report


def corrupt_and_validate(tables):
    """For each stored table: violations of its contract on the table itself, and on copies broken
    in the ways the README says its contract must catch."""
    import numpy as np

    try:
        from streamrec_m11.contracts import CONTRACTS
    except Exception as exc:  # noqa: BLE001
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    promises = {
        "raw_interactions": {"column": "user_id", "null": "item_id", "range": ("watch_seconds", -5)},
        "validated_interactions": {"column": "item_id", "null": "user_id", "range": ("clicked", 2)},
        "training_features": {"column": "clicked", "null": "user_id", "range": ("clicked", 3)},
        "retrieval_model": {"column": "score", "null": "score", "range": ("score", -1.0)},
        "ranking_model": {"column": "weight", "null": "weight", "range": None},
        "retrieval_evaluation": {"column": "recall_at_k", "null": "recall_at_k", "range": ("recall_at_k", 1.5)},
        "ranking_evaluation": {"column": "ndcg_at_k", "null": "ndcg_at_k", "range": ("ndcg_at_k", 1.5)},
        "registered_models": {"column": "registered", "null": "model", "range": None},
    }
    out = {}
    for asset, table in tables.items():
        if asset not in promises or not hasattr(table, "columns"):
            continue
        contract = CONTRACTS.get(asset) if hasattr(CONTRACTS, "get") else None
        if contract is None:
            out[asset] = {"missing": True}
            continue
        promise = promises[asset]
        cases = {"good": table, "empty": table.iloc[0:0]}
        if promise["column"] in table.columns:
            cases["missing_column"] = table.drop(columns=[promise["column"]])
        if promise["null"] in table.columns:
            broken = table.copy()
            broken[promise["null"]] = broken[promise["null"]].astype(object)
            broken.iloc[0, broken.columns.get_loc(promise["null"])] = None
            cases["null"] = broken
        if promise["range"] and promise["range"][0] in table.columns:
            column, bad = promise["range"]
            broken = table.copy()
            values = broken[column].to_numpy(dtype=float, copy=True)
            values[0] = bad
            broken[column] = values.astype(np.float64) if isinstance(bad, float) else values.astype(np.int64)
            cases["out_of_range"] = broken
        result = {}
        for name, case in cases.items():
            try:
                result[name] = len(contract.validate(case))
            except Exception as exc:  # noqa: BLE001
                result[name] = f"raised {type(exc).__name__}"
        out[asset] = result
    return out


def prod_probe(ns, day, fixture, bucket):
    """One partition in production (S3 via AWS_ENDPOINT_URL): the run, local files, a value read back."""
    import tempfile

    root = tempfile.mkdtemp(prefix="m11-")
    env = {"STREAMREC_DEPLOYMENT": "prod", "STREAMREC_S3_BUCKET": bucket,
           "STREAMREC_DATA_DIR": f"{root}/prod-local", "MLFLOW_TRACKING_URI": mlflow_uri(root)}
    defs, _ = fresh_defs(env)
    report = run_report(materialize_day(defs, day, fixture), defs)
    report["local_files"] = list_files(f"{root}/prod-local")
    try:
        report["raw"] = describe_table("raw_interactions", one_value(defs, "raw_interactions", day))
    except Exception as exc:  # noqa: BLE001
        report["raw"] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return report


def launch_cli(days, fixture):
    """Start `dagster asset materialize --partition-range FIRST...LAST` as the README says."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    import time

    root = tempfile.mkdtemp(prefix="m11-cli-")
    env = {"STREAMREC_DEPLOYMENT": "dev", "STREAMREC_DATA_DIR": f"{root}/cli-data",
           "MLFLOW_TRACKING_URI": mlflow_uri(root)}
    child_env = {k: v for k, v in os.environ.items()
                 if k not in ("STREAMREC_DEPLOYMENT", "STREAMREC_DATA_DIR", "STREAMREC_S3_BUCKET", "MLFLOW_TRACKING_URI")}
    child_env.update(env)
    child_env["PYTHONPATH"] = os.pathsep.join([os.path.join(os.getcwd(), "src"), os.getcwd()])
    # An instance of its own: the in-process scenarios that run meanwhile never lock its SQLite storage.
    home = os.path.join(root, "dagster_home")
    os.makedirs(home)
    with open(os.path.join(home, "dagster.yaml"), "w") as handle:
        handle.write("telemetry:\n  enabled: false\n")
    child_env["DAGSTER_HOME"] = home
    config = {"resources": {"interaction_source": {"config": dict(fixture)}}}
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "--select", "*",
               "--partition-range", f"{days[0]}...{days[-1]}", "-m", "streamrec_m11.definitions", "-d", "src",
               "--config-json", json.dumps(config)]
    log = open(os.path.join(root, "cli.log"), "w")
    proc = subprocess.Popen(command, env=child_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return {"proc": proc, "log": log, "env": env, "home": home, "started": time.monotonic()}


def collect_cli(job, days, seconds):
    """Wait for the backfill, then report what the instance recorded and what each day's values hold."""
    import subprocess
    import time

    try:
        job["proc"].wait(timeout=max(1.0, seconds - (time.monotonic() - job["started"])))
        code = job["proc"].returncode
    except subprocess.TimeoutExpired:
        job["proc"].kill()
        job["proc"].wait()
        code = None
    job["log"].close()
    with open(job["log"].name, encoding="utf-8", errors="replace") as handle:
        tail = handle.read()[-1500:]
    report = {"returncode": code, "seconds": round(time.monotonic() - job["started"], 1), "tail": tail}
    if code is None:
        return report
    import dagster as dg

    instance = dg.DagsterInstance.from_config(job["home"])
    report["partitions"] = {}
    for asset in ["raw_interactions", "validated_interactions", "training_features", "retrieval_model",
                  "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models"]:
        try:
            report["partitions"][asset] = sorted(instance.get_materialized_partitions(dg.AssetKey(asset)))
        except Exception:  # noqa: BLE001
            report["partitions"][asset] = []
    defs, _ = fresh_defs(job["env"])
    report["values"] = {}
    for day in days:
        got = {}
        for asset in ("raw_interactions", "registered_models"):
            try:
                got[asset] = describe_table(asset, one_value(defs, asset, day))
            except Exception as exc:  # noqa: BLE001
                got[asset] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        report["values"][day] = got
    return report


def background():
    """Jobs started by start_background_probe, kept in the worker between probes."""
    import sys
    import types

    return sys.modules.setdefault("m11_grader_background", types.ModuleType("m11_grader_background"))


def start_background_probe(ns, days, fixture, breaks):
    """Start the command-line backfill and the learner's test runs, so that they run while the other
    scenarios run in the worker; the probes below collect them."""
    jobs = background()
    if days:
        jobs.cli = launch_cli(days, fixture)
    if breaks:
        jobs.learner = launch_learner_tests(breaks)
    return True


def cli_backfill_probe(ns, days, fixture, seconds):
    job = getattr(background(), "cli", None)
    if job is None:
        job = launch_cli(days, fixture)
    background().cli = None
    return collect_cli(job, days, seconds)


def broken_raw_probe(ns, day, fixture):
    """A day whose export has null user ids and negative watch times, fed through raw_dir."""
    import tempfile

    root = tempfile.mkdtemp(prefix="m11-")
    import numpy as np
    from pipelinekit import streamrec

    events = streamrec.generate_interactions(day, **fixture)
    events["user_id"] = events["user_id"].astype(float)
    events.loc[events.index[10:15], "user_id"] = np.nan
    events.loc[events.index[40:45], "watch_seconds"] = -30
    folder = f"{root}/broken-raw"
    import os

    os.makedirs(folder, exist_ok=True)
    events.to_csv(f"{folder}/{day}.csv", index=False)
    defs, _ = fresh_defs({"STREAMREC_DEPLOYMENT": "dev", "STREAMREC_DATA_DIR": f"{root}/broken-data",
                          "MLFLOW_TRACKING_URI": mlflow_uri(root)})
    source = {"raw_dir": folder, "n_items": fixture["n_items"], "seed": fixture["seed"]}
    return run_report(materialize_day(defs, day, source), defs)


def training_trouble_probe(ns, day, fixture, patches):
    """Training functions replaced (a transient failure, a failure every time, or a diverged model),
    with Dagster's retry delays recorded and then skipped (no real waiting)."""
    import tempfile

    root = tempfile.mkdtemp(prefix="m11-")
    import dagster._core.definitions.policy as policy

    delays = []
    original = policy.calculate_delay

    def recorded(attempt_num, backoff, jitter, base_delay):
        delays.append({"attempt": attempt_num, "delay": original(attempt_num, backoff, jitter, base_delay)})
        return 0

    env = {"STREAMREC_DEPLOYMENT": "dev", "STREAMREC_DATA_DIR": f"{root}/trouble-{day}",
           "MLFLOW_TRACKING_URI": mlflow_uri(root)}
    defs, calls = fresh_defs(env, patches)
    policy.calculate_delay = recorded
    try:
        report = run_report(materialize_day(defs, day, fixture), defs)
    finally:
        policy.calculate_delay = original
    report["calls"] = calls
    report["delays"] = delays
    return report


def launch_learner_tests(breaks):
    """Start the learner's own tests: on a copy of their project as it is, and on copies with one known
    break each (a function redefined at the end of its module, or the contracts disarmed)."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile
    import time

    root = tempfile.mkdtemp(prefix="m11-tests-")
    project = os.getcwd()
    jobs = {}
    for name, spec in [("own", None), *sorted(breaks.items())]:
        folder = os.path.join(root, f"tests-{name}")
        shutil.copytree(project, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc"))
        target = ["tests"]
        if spec is not None:
            path, code, only = spec
            module = os.path.join(folder, path)
            if not os.path.isfile(module):
                jobs[name] = {"missing": path}
                continue
            with open(module, "a", encoding="utf-8") as handle:
                handle.write(code)
            if only:
                if not os.path.isfile(os.path.join(folder, only)):
                    jobs[name] = {"missing": only}
                    continue
                target = [only]
        home = os.path.join(folder, ".dagster_home")
        os.makedirs(home)
        with open(os.path.join(home, "dagster.yaml"), "w") as handle:
            handle.write("telemetry:\n  enabled: false\n")
        env = {k: v for k, v in os.environ.items()
               if k not in ("STREAMREC_DEPLOYMENT", "STREAMREC_DATA_DIR", "STREAMREC_S3_BUCKET", "MLFLOW_TRACKING_URI")}
        env.update(DAGSTER_HOME=home, PYTHONPATH=os.pathsep.join([os.path.join(folder, "src"), folder]),
                   PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", HOME=folder, TMPDIR=folder)
        report = os.path.join(folder, "report.xml")
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *target]
        if spec is not None:
            args.insert(4, "-x")
        log = open(os.path.join(folder, "pytest.log"), "w")
        jobs[name] = {"proc": subprocess.Popen(args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL),
                      "log": log, "report": report, "started": time.monotonic()}
    return jobs


def collect_learner_tests(jobs, seconds):
    """Each run's exit code and test cases (from its JUnit XML report)."""
    import os
    import subprocess
    import time
    import xml.etree.ElementTree as ET

    out = {}
    for name, job in jobs.items():
        if "missing" in job:
            out[name] = {"missing": job["missing"]}
            continue
        try:
            job["proc"].wait(timeout=max(1.0, seconds - (time.monotonic() - job["started"])))
            code = job["proc"].returncode
        except subprocess.TimeoutExpired:
            job["proc"].kill()
            job["proc"].wait()
            code = None
        job["log"].close()
        with open(job["log"].name, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        cases = []
        if os.path.isfile(job["report"]):
            try:
                for case in ET.parse(job["report"]).getroot().iter("testcase"):
                    outcome = "passed"
                    for child in case:
                        if child.tag in ("failure", "error", "skipped"):
                            outcome = child.tag
                    cases.append({"module": case.get("classname", ""), "name": case.get("name", ""),
                                  "outcome": outcome})
            except ET.ParseError:
                pass
        out[name] = {"returncode": code, "cases": cases, "tail": text[-800:]}
    return out


def learner_tests_probe(ns, breaks, seconds):
    jobs = getattr(background(), "learner", None)
    if jobs is None:
        jobs = launch_learner_tests(breaks)
    background().learner = None
    return collect_learner_tests(jobs, seconds)


def direct_probe(ns, fixture, day, recall_cases, ndcg_cases):
    """The pinned functions called directly: validation, features, and the two metrics."""
    import pandas as pd
    from pipelinekit import streamrec

    from streamrec_m11.features import FEATURE_COLUMNS, build_training_features, validate_interactions
    from streamrec_m11.metrics import ndcg_at_k, recall_at_k

    events = streamrec.generate_interactions(day, **fixture)
    items = streamrec.generate_items(fixture["n_items"], seed=fixture["seed"])
    shuffled = pd.concat([events, events.iloc[[5, 17, 17, 900]]], ignore_index=True).sample(frac=1.0, random_state=3)
    validated = validate_interactions(shuffled.reset_index(drop=True))
    stamps = pd.to_datetime(validated["timestamp"], utc=True)
    out = {"validated_rows": int(len(validated)),
           "validated_duplicates": int(validated.duplicated(subset=["user_id", "item_id", "timestamp", "event"]).sum()),
           "validated_ordered": bool(stamps.is_monotonic_increasing),
           "validated_index": bool((validated.index == range(len(validated))).all()),
           "validated_columns": [str(c) for c in validated.columns]}
    base = validate_interactions(events)
    features = build_training_features(base, items)
    out["feature_columns"] = [str(c) for c in FEATURE_COLUMNS]
    out["features_columns"] = [str(c) for c in features.columns]
    split = features["split"].astype(str)
    stamps = pd.to_datetime(features["timestamp"], utc=True)
    out["split_counts"] = {str(k): int(v) for k, v in split.value_counts().items()}
    out["train_before_test"] = bool(stamps[split == "train"].max() <= stamps[split == "test"].min())
    # Flip every test label: features computed from the train split alone cannot change.
    test_keys = set(zip(features.loc[split == "test", "user_id"], features.loc[split == "test", "item_id"],
                        stamps[split == "test"]))
    base_stamps = pd.to_datetime(base["timestamp"], utc=True)
    is_test = [key in test_keys for key in zip(base["user_id"], base["item_id"], base_stamps)]
    flipped = base.copy()
    flipped.loc[is_test, "clicked"] = 1 - flipped.loc[is_test, "clicked"]
    again = build_training_features(flipped, items)
    columns = [c for c in FEATURE_COLUMNS if c in features.columns and c in again.columns]
    left = features.sort_values(["timestamp", "user_id", "item_id"], kind="stable").reset_index(drop=True)
    right = again.sort_values(["timestamp", "user_id", "item_id"], kind="stable").reset_index(drop=True)
    out["flipped_rows"] = int(sum(is_test))
    out["features_unchanged"] = bool(len(columns) == len(FEATURE_COLUMNS) and len(left) == len(right)
                                     and ((left[columns] - right[columns]).abs().max().max() < 1e-12))
    out["recall"] = [float(recall_at_k(rec, rel, k)) for rec, rel, k in recall_cases]
    out["ndcg"] = [float(ndcg_at_k(rel, k)) for rel, k in ndcg_cases]
    return out


# ---- running the scenarios once ---------------------------------------------------------------
_cache: dict = {}


def scenario(name, sub, *call):
    """Run a probe once per grading; a learner error is remembered and raised again."""
    if name not in _cache:
        try:
            probe, *args = call
            timeout = 280 if name in ("learner_tests", "cli") else 200
            _cache[name] = ("ok", sub.run(probe, *args, helpers=HELPERS, timeout=timeout))
        except LearnerError as exc:
            _cache[name] = ("error", exc)
    status, value = _cache[name]
    if status == "error":
        raise value
    return value


HELPERS = (fresh_defs, mlflow_uri, plain, run_report, materialize_day, one_value, describe_table, mlflow_view,
           run_ids_in, list_files, corrupt_and_validate, launch_cli, collect_cli, background, launch_learner_tests,
           collect_learner_tests)


def graph(sub):
    return scenario("graph", sub, graph_probe)


def dev(sub, services):
    s3 = s3_client(services)
    if "dev" not in _cache:
        s3.create_bucket(Bucket=QUIET_BUCKET)
    return scenario("dev", sub, dev_probe, DEV_DAY, FIXTURE, QUIET_BUCKET)


def prod(sub, services):
    if "prod" not in _cache:
        s3_client(services).create_bucket(Bucket=PROD_BUCKET)
    return scenario("prod", sub, prod_probe, PROD_DAY, FIXTURE, PROD_BUCKET)


def cli(sub):
    return scenario("cli", sub, cli_backfill_probe, BACKFILL, FIXTURE, BACKFILL_SECONDS)


def broken(sub):
    return scenario("broken", sub, broken_raw_probe, BROKEN_DAY, FIXTURE)


def flaky(sub):
    return scenario("flaky", sub, training_trouble_probe, FLAKY_DAY, FIXTURE,
                    {"retrieval": "fail_once", "ranking": "nan_weights"})


def failing(sub):
    return scenario("failing", sub, training_trouble_probe, FAILING_DAY, FIXTURE,
                    {"ranking": "fail_always"})


def learner_tests(sub):
    return scenario("learner_tests", sub, learner_tests_probe, BREAKS, LEARNER_TEST_SECONDS)


QUIET_BUCKET, PROD_BUCKET = "streamrec-dev-untouched", "streamrec-m11-grading"


def s3_client(services):
    import boto3

    return boto3.client("s3", endpoint_url=services["s3_endpoint"], aws_access_key_id="testing",
                        aws_secret_access_key="testing", region_name="us-east-1")


def bucket_keys(services, bucket):
    s3 = s3_client(services)
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [(obj["Key"], obj["Size"]) for obj in page.get("Contents", [])]
    return keys


# ---- trusted expectations ---------------------------------------------------------------------
@functools.cache
def fixture_events(day):
    from pipelinekit import streamrec

    return streamrec.generate_interactions(day, **FIXTURE)


def close(a, b, tol=1e-6):
    return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def expected_recall(recommended, relevant, k):
    wanted = set(relevant)
    return len(set(recommended[:k]) & wanted) / len(wanted) if wanted else 0.0


def expected_ndcg(relevances, k):
    def dcg(values):
        return sum(r / math.log2(i + 2) for i, r in enumerate(values[:k]))

    ideal = dcg(sorted(relevances, reverse=True))
    return dcg(relevances) / ideal if ideal else 0.0


RECALL_CASES = [
    [[10, 20, 30, 40], [20, 40, 99], 2],
    [[10, 20, 30, 40], [20, 40, 99], 4],
    [[5, 6, 7], [1, 2], 3],
    [[3, 1, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 3],
    [[8, 9], [], 2],
]
NDCG_CASES = [
    [[1, 1, 0, 0], 4],
    [[0, 0, 1, 1], 4],
    [[0, 1], 2],
    [[1, 0, 1, 0, 1], 3],
    [[0, 0, 0], 3],
    [[2, 0, 1], 3],
]


def direct(sub):
    return scenario("direct", sub, direct_probe, FIXTURE, DEV_DAY, RECALL_CASES, NDCG_CASES)


def materialized_assets(report):
    return {m["asset"] for m in report["materialized"]}


def metadata_of(report, asset):
    found = [m["metadata"] for m in report["materialized"] if m["asset"] == asset]
    return found[0] if found else None


def started(report, asset):
    return report["steps"].get(asset, {}).get("starts", 0) > 0


def need(report, assets, what):
    """Fail unless the run materialized `assets` (a test checks only what it needs, so that one broken
    asset does not cost the points of the others); the message names the step that failed."""
    absent = [a for a in assets if a not in materialized_assets(report)]
    if absent:
        failed = [a for a in ASSETS if report["steps"].get(a, {}).get("failure")]
        reason = (f"; {failed[0]} failed: {report['steps'][failed[0]]['failure'][:200]}" if failed else "")
        fail(f"{what} did not materialize {', '.join(absent)}{reason}")


TABLES = ASSETS[:3]


@pytest.fixture(scope="module", autouse=True)
def background_jobs(request, sub):
    """The command-line backfill and the learner's test runs start first and run beside the rest
    (when a test that needs them is selected)."""
    selected = {getattr(item, "originalname", item.name) for item in request.session.items}
    cli = "test_a_two_day_backfill_from_the_command_line" in selected
    tests = any(name.startswith("test_your_") for name in selected)
    if cli or tests:
        try:
            sub.run(start_background_probe, BACKFILL if cli else None, FIXTURE, BREAKS if tests else None,
                    helpers=HELPERS, timeout=120)
        except LearnerError:
            pass  # the probes that need them start them again, and report what goes wrong
    yield


# ---- (a) the eight assets ---------------------------------------------------------------------
@graded("a", points=1, hint="Eight assets named as in the README, each reading what its name says, "
        "and one partition materializes all of them.")
def test_the_eight_assets_follow_the_data_flow_and_materialize(sub, services):
    g = graph(sub)["assets"]
    missing = [a for a in ASSETS if a not in g]
    expect(not missing, f"your Definitions have no asset named {', '.join(missing)}")
    for up, down in EDGES:
        expect(up in g[down]["deps"], f"`{down}` does not read `{up}`")
    for up, down in CROSSED:
        expect(up not in g[down]["deps"], f"`{down}` reads `{up}`, which belongs to the other model")
    report = dev(sub, services)
    need(report, ASSETS, f"materializing {DEV_DAY}")


@graded("a", points=1, hint="validate_interactions drops exact duplicate events, keeps the first copy, "
        "sorts by time and renumbers the rows.")
def test_validation_drops_duplicates_and_orders_events(sub):
    got = direct(sub)
    expect(got["validated_duplicates"] == 0, "validate_interactions keeps duplicate events")
    expect(got["validated_rows"] == FIXTURE["n_interactions"],
           "validate_interactions returns the wrong number of rows: only exact duplicates may go")
    expect(got["validated_ordered"], "validate_interactions does not return the events in time order")
    expect(got["validated_index"], "validate_interactions does not renumber the rows 0..n-1")


@graded("a", points=1, hint="Split by time (the last 20% of the day's events are test) and compute every "
        "feature from the train split only.")
def test_features_split_by_time_and_never_see_test_labels(sub):
    got = direct(sub)
    for column in ["user_id", "item_id", "timestamp", "clicked", "split", *got["feature_columns"]]:
        expect(column in got["features_columns"], f"build_training_features has no `{column}` column")
    expect(set(got["split_counts"]) == {"train", "test"}, "the split column should hold exactly 'train' and 'test'")
    share = got["split_counts"]["test"] / sum(got["split_counts"].values())
    expect(abs(share - 0.2) <= 0.01, f"{share:.0%} of the events are in the test split")
    expect(got["train_before_test"], "some train events come after test events: split by time")
    expect(got["flipped_rows"] > 0 and got["features_unchanged"],
           "changing the labels of test events changes the features: they peek at the test split")


@graded("a", points=1, hint="recall@k = |top-k ∩ relevant| / |relevant|; NDCG@k divides the DCG of the "
        "ranking by the DCG of the best ordering, with a log2(position + 1) discount.")
def test_recall_and_ndcg_follow_their_definitions(sub):
    got = direct(sub)
    for (rec, rel, k), value in zip(RECALL_CASES, got["recall"]):
        expect(close(value, expected_recall(rec, rel, k)), f"recall_at_k({rec}, {rel}, k={k}) is wrong ({value:.4g})")
    for (rel, k), value in zip(NDCG_CASES, got["ndcg"]):
        expect(close(value, expected_ndcg(rel, k)), f"ndcg_at_k({rel}, k={k}) is wrong ({value:.4g})")


@graded("a", points=1, hint="The models must learn something: retrieval well above recommending at random, "
        "ranking with an AUC above 0.5.")
def test_the_models_do_better_than_chance(sub, services):
    report = dev(sub, services)
    need(report, ["retrieval_evaluation", "ranking_evaluation"], f"materializing {DEV_DAY}")
    retrieval = report["values"]["retrieval_evaluation"].get("records") or [{}]
    ranking = report["values"]["ranking_evaluation"].get("records") or [{}]
    recall, ndcg, auc = retrieval[0].get("recall_at_k"), ranking[0].get("ndcg_at_k"), ranking[0].get("auc")
    expect(isinstance(recall, float) and 0 <= recall <= 1, "retrieval_evaluation has no recall_at_k in [0, 1]")
    expect(isinstance(ndcg, float) and 0 < ndcg <= 1, "ranking_evaluation has no ndcg_at_k in (0, 1]")
    expect(isinstance(auc, float) and 0 <= auc <= 1, "ranking_evaluation has no auc in [0, 1]")
    chance = K / FIXTURE["n_items"]
    expect(recall >= 2 * chance, f"retrieval recall@{K} is {recall:.3f}, not much better than {K} items at random")
    expect(auc > 0.52, f"the ranking model's AUC is {auc:.3f}: it ranks clicks no better than chance")
    users = [retrieval[0].get("users"), ranking[0].get("users")]
    expect(all(isinstance(u, int) and u > 0 for u in users), "the evaluations should count the users they averaged over")


@graded("a", points=1, hint="A model is registered (a new MLflow model version from its training run) exactly "
        "when its metric clears its gate: recall_at_k >= 0.2, auc >= 0.55.")
def test_models_are_registered_when_they_clear_their_gates(sub, services):
    report = dev(sub, services)
    need(report, ["retrieval_evaluation", "ranking_evaluation", "registered_models"], f"materializing {DEV_DAY}")
    rows = report["values"]["registered_models"].get("records")
    expect(rows, "registered_models holds no rows")
    by_model = {row.get("model"): row for row in rows}
    expect(set(by_model) == {"retrieval", "ranking"}, "registered_models should have one row per model")
    evaluations = {"retrieval": (report["values"]["retrieval_evaluation"].get("records") or [{}])[0].get("recall_at_k"),
                   "ranking": (report["values"]["ranking_evaluation"].get("records") or [{}])[0].get("auc")}
    gates = {"retrieval": RETRIEVAL_MIN_RECALL, "ranking": RANKING_MIN_AUC}
    versions = report["mlflow"]["versions"]
    for model, row in by_model.items():
        should = isinstance(evaluations[model], float) and evaluations[model] >= gates[model]
        expect(bool(row.get("registered")) == should,
               f"the {model} model is {'' if row.get('registered') else 'not '}registered, against its gate")
        mine = [v for v in versions if v["name"] == REGISTERED_NAMES[model]]
        if should:
            expect(mine, f"MLflow has no version of {REGISTERED_NAMES[model]}")
            expect(any(v["run_id"] == row.get("mlflow_run_id") and v["version"] == row.get("version") for v in mine),
                   f"the {model} row does not name the MLflow version and run that were registered")
        else:
            expect(not mine, f"{REGISTERED_NAMES[model]} has a version although the model failed its gate")


# ---- (b) partitions and backfill --------------------------------------------------------------
@graded("b", points=1, hint="Every asset has the same DailyPartitionsDefinition, starting on 2024-06-01, "
        "and a run materializes the partition it is given.")
def test_every_asset_is_partitioned_by_day(sub, services):
    g = graph(sub)["assets"]
    for asset in ASSETS:
        info = g.get(asset, {})
        expect(info.get("partitions") == "DailyPartitionsDefinition", f"`{asset}` is not partitioned by day")
        expect(info.get("start") == "2024-06-01", f"the partitions of `{asset}` do not start on the day the README says")
    report = dev(sub, services)
    need(report, TABLES, f"materializing {DEV_DAY}")
    for asset in sorted(materialized_assets(report)):
        partitions = {m["partition"] for m in report["materialized"] if m["asset"] == asset}
        expect(partitions == {DEV_DAY}, f"materializing {DEV_DAY} recorded `{asset}` for {sorted(map(str, partitions))}")


@graded("b", points=1, hint="raw_interactions of a day holds that day's events from interaction_source, "
        "and every later asset works on them.")
def test_a_partition_holds_exactly_its_days_events(sub, services):
    report = dev(sub, services)
    need(report, TABLES, f"materializing {DEV_DAY}")
    raw = report["values"]["raw_interactions"]
    expect(raw.get("type") == "DataFrame", "the stored raw_interactions is not a DataFrame (or a {day: DataFrame} dict)")
    expect(raw.get("dates") == [DEV_DAY], f"raw_interactions of {DEV_DAY} holds events of {raw.get('dates')}")
    expect(raw.get("rows") == len(fixture_events(DEV_DAY)),
           f"raw_interactions of {DEV_DAY} holds {raw.get('rows')} events, not the day the source delivers")
    validated = report["values"]["validated_interactions"]
    expect(validated.get("dates") == [DEV_DAY], "validated_interactions holds events of other days")
    features = report["values"]["training_features"]
    expect(features.get("rows") == validated.get("rows"), "training_features should have one row per validated event")


@graded("b", points=2, hint="With a single-run backfill policy on every asset, `dagster asset materialize "
        "--select '*' --partition-range FIRST...LAST` runs the range; each day's values hold that day.")
def test_a_two_day_backfill_from_the_command_line(sub):
    g = graph(sub)["assets"]
    single = [a for a in ASSETS if "SINGLE_RUN" not in str(g.get(a, {}).get("backfill"))]
    expect(not single, f"{', '.join(single)} cannot run a range of days in one run (backfill policy)")
    report = cli(sub)
    expect(report["returncode"] is not None,
           f"the backfill did not finish within {BACKFILL_SECONDS} s")
    expect(report["returncode"] == 0, "`dagster asset materialize --partition-range` failed: "
           + report["tail"][-600:])
    expect(report["seconds"] <= BACKFILL_SECONDS, f"the two-day backfill took {report['seconds']} s")
    for asset in ASSETS:
        got = report["partitions"].get(asset, [])
        expect(all(day in got for day in BACKFILL), f"after the backfill, `{asset}` is not materialized for both days")
    for day in BACKFILL:
        raw = report["values"][day]["raw_interactions"]
        expect(raw.get("dates") == [day], f"after the backfill, raw_interactions of {day} holds events of {raw.get('dates') or raw}")
        expect(raw.get("rows") == len(fixture_events(day)), f"after the backfill, raw_interactions of {day} is not that day's data")
        registered = report["values"][day]["registered_models"]
        expect(registered.get("rows", 0) >= 2, f"after the backfill, registered_models of {day} is missing")


# ---- (c) storage chosen by configuration --------------------------------------------------------
@graded("c", points=1, hint="With STREAMREC_DEPLOYMENT=dev the IO manager writes under STREAMREC_DATA_DIR, "
        "one object per asset and day, and leaves S3 alone.")
def test_development_values_live_in_the_local_folder(sub, services):
    report = dev(sub, services)
    need(report, TABLES, f"materializing {DEV_DAY}")
    files = report["files"]
    for asset in sorted(materialized_assets(report)):
        expect(any(asset in f and DEV_DAY in f for f in files),
               f"no file under STREAMREC_DATA_DIR names `{asset}` and {DEV_DAY}")
    expect(not bucket_keys(services, QUIET_BUCKET), "the development run wrote to S3")


@graded("c", points=2, hint="With STREAMREC_DEPLOYMENT=prod the IO manager writes to the bucket named by "
        "STREAMREC_S3_BUCKET (boto3 finds the endpoint in AWS_ENDPOINT_URL), one object per asset and day.")
def test_production_values_live_in_s3(sub, services):
    report = prod(sub, services)
    need(report, TABLES, f"materializing {PROD_DAY} in production")
    keys = bucket_keys(services, PROD_BUCKET)
    for asset in sorted(materialized_assets(report)):
        expect(any(asset in key and PROD_DAY in key and size > 0 for key, size in keys),
               f"the bucket has no object whose key names `{asset}` and {PROD_DAY}")
    expect(not report["local_files"], "the production run wrote values to the local folder")


@graded("c", points=1, hint="Loading an asset in production reads it back from S3.")
def test_production_values_load_back_from_s3(sub, services):
    report = prod(sub, services)
    need(report, ["raw_interactions"], f"materializing {PROD_DAY} in production")
    raw = report["raw"]
    expect("error" not in raw, f"loading raw_interactions of {PROD_DAY} from S3 failed: {raw.get('error')}")
    expect(raw.get("dates") == [PROD_DAY] and raw.get("rows") == len(fixture_events(PROD_DAY)),
           f"raw_interactions of {PROD_DAY} read back from S3 is not that day's data")


# ---- (d) retries ------------------------------------------------------------------------------
@graded("d", points=1, hint="Both training assets: RetryPolicy(max_retries=2, delay > 0, backoff=Backoff.EXPONENTIAL).")
def test_training_assets_retry_twice_with_exponential_backoff(sub):
    g = graph(sub)["assets"]
    for asset in TRAINING:
        retry = g.get(asset, {}).get("retry")
        expect(retry is not None, f"`{asset}` has no retry policy")
        expect(retry["max_retries"] == 2, f"`{asset}` retries {retry['max_retries']} times")
        expect(retry["backoff"] == "EXPONENTIAL", f"`{asset}` does not back off exponentially")
        expect(isinstance(retry["delay"], (int, float)) and retry["delay"] > 0, f"`{asset}` retries without waiting")


@graded("d", points=1, hint="A training step that fails once is retried and the run goes on.")
def test_a_transient_training_failure_is_retried(sub):
    report = flaky(sub)
    expect(report["calls"]["retrieval"] >= 2, "after a failure the retrieval training was not tried again")
    expect(report["steps"].get("retrieval_model", {}).get("success"), "the retrieval model did not succeed after its retry")
    expect("retrieval_evaluation" in materialized_assets(report),
           "retrieval_evaluation did not run after the retrieval model succeeded on its retry")
    waits = [d["delay"] for d in report["delays"]]
    expect(waits and all(w > 0 for w in waits), "the retry did not wait before trying again")


@graded("d", points=1, hint="Two retries means three attempts in all, then the step fails; the other model's "
        "branch still runs.")
def test_a_persistent_training_failure_stops_after_three_attempts(sub):
    report = failing(sub)
    expect(report["calls"]["ranking"] == 3, f"the failing ranking training was attempted {report['calls']['ranking']} times")
    delays = [d["delay"] for d in sorted(report["delays"], key=lambda d: d["attempt"])][:2]
    expect(len(delays) == 2 and delays[1] > delays[0] > 0, "the waits before the two retries do not grow")
    expect("ranking_model" not in materialized_assets(report), "the ranking model was recorded although it failed")
    expect("retrieval_evaluation" in materialized_assets(report),
           "retrieval_evaluation did not run although only the ranking model failed")


# ---- (e) contracts ------------------------------------------------------------------------------
@graded("e", points=1, hint="Every asset declares a blocking check (blocking=True) that holds its table to its "
        "contract, and the check passes on good data.")
def test_every_asset_has_a_blocking_contract_check_that_passes_good_data(sub, services):
    declared = graph(sub)["checks"]
    report = dev(sub, services)
    need(report, TABLES, f"materializing {DEV_DAY}")
    for asset in ASSETS:
        blocking = [c for c in declared if c["asset"] == asset and c["blocking"]]
        expect(blocking, f"`{asset}` has no blocking asset check")
        if asset not in materialized_assets(report):
            continue
        ran = [c for c in report["checks"] if c["asset"] == asset and c["check"] in {b["name"] for b in blocking}]
        expect(ran, f"the blocking check of `{asset}` did not run")
        expect(all(c["passed"] for c in ran), f"the check of `{asset}` fails on good data")


@graded("e", points=2, hint="A day with null user ids and negative watch times must fail the check of "
        "raw_interactions (or validated_interactions) and stop the run there: training_features never starts.")
def test_broken_raw_data_stops_the_pipeline_before_the_features(sub):
    report = broken(sub)
    failed = [c for c in report["checks"] if c["asset"] in ASSETS[:2] and not c["passed"]]
    expect(failed, "no check of raw_interactions or validated_interactions failed on broken data")
    for asset in DOWNSTREAM_OF_FEATURES:
        expect(not started(report, asset), f"`{asset}` started although the data broke the contract")
    expect(not report["success"], "the run with broken data reported success")


@graded("e", points=1, hint="A ranking model with NaN weights must fail its contract check and stop "
        "ranking_evaluation and registered_models; the retrieval branch goes on.")
def test_a_broken_model_is_stopped_before_its_evaluation(sub):
    report = flaky(sub)
    failed = [c for c in report["checks"] if c["asset"] == "ranking_model" and not c["passed"]]
    expect(failed, "the check of ranking_model passed a model whose weights are NaN")
    for asset in ("ranking_evaluation", "registered_models"):
        expect(not started(report, asset), f"`{asset}` started although the ranking model broke its contract")


@graded("e", points=1, hint="Each contract rejects an empty table, a missing required column, a null where "
        "none may be, and the out-of-range values the README lists; it accepts the table the pipeline made.")
def test_each_contract_rejects_broken_tables(sub, services):
    report = dev(sub, services)
    need(report, TABLES, f"materializing {DEV_DAY}")
    contracts = report["contracts"]
    expect("error" not in contracts, f"streamrec_m11.contracts.CONTRACTS could not be read: {contracts.get('error')}")
    for asset in ASSETS:
        result = contracts.get(asset)
        if result is None and asset not in materialized_assets(report):
            continue  # nothing stored to check it on (the run stopped before this asset)
        expect(result and not result.get("missing"), f"CONTRACTS has no contract for `{asset}`")
        expect(result["good"] == 0, f"the contract of `{asset}` rejects the table the pipeline made")
        for case, count in result.items():
            if case != "good":
                expect(isinstance(count, int) and count > 0,
                       f"the contract of `{asset}` accepts a table with {case.replace('_', ' ')}")


# ---- (f) metadata -----------------------------------------------------------------------------
@graded("f", points=1, hint="Table assets report row_count and column_stats ({column: {mean, min, max, nulls}} "
        "for numeric columns).")
def test_tables_report_row_counts_and_column_statistics(sub, services):
    report = dev(sub, services)
    need(report, TABLES, f"materializing {DEV_DAY}")
    events = fixture_events(DEV_DAY)
    for asset in ASSETS[:3]:
        metadata = metadata_of(report, asset) or {}
        expect(metadata.get("row_count") == report["values"][asset].get("rows"),
               f"the row_count of `{asset}` is missing or differs from the stored table")
        stats = metadata.get("column_stats")
        expect(isinstance(stats, dict) and stats, f"`{asset}` reports no column_stats")
    stats = metadata_of(report, "raw_interactions")["column_stats"].get("watch_seconds", {})
    column = events["watch_seconds"]
    for name, want in (("mean", float(column.mean())), ("min", float(column.min())), ("max", float(column.max()))):
        expect(close(stats.get(name), want), f"the {name} of watch_seconds in column_stats is wrong")
    expect(stats.get("nulls") == 0, "the null count of watch_seconds in column_stats is wrong")


@graded("f", points=1, hint="The training assets report mlflow_run_ids ({day: run id}) of finished MLflow runs "
        "tagged with the model and the day.")
def test_training_assets_name_their_mlflow_runs(sub, services):
    report = dev(sub, services)
    need(report, TRAINING, f"materializing {DEV_DAY}")
    seen = []
    for asset, model in (("retrieval_model", "retrieval"), ("ranking_model", "ranking")):
        ids = (metadata_of(report, asset) or {}).get("mlflow_run_ids")
        expect(isinstance(ids, dict) and isinstance(ids.get(DEV_DAY), str), f"`{asset}` reports no mlflow_run_ids for the day")
        run = report["mlflow"]["runs"].get(ids[DEV_DAY], {})
        expect(run.get("status") == "FINISHED", f"the MLflow run named by `{asset}` is missing or not finished")
        expect(run["tags"].get("model") == model and run["tags"].get("partition") == DEV_DAY,
               f"the MLflow run of `{asset}` is not tagged with its model and day")
        expect(run["params"], f"the MLflow run of `{asset}` records no parameters")
        seen.append(ids[DEV_DAY])
    expect(len(set(seen)) == 2, "both models name the same MLflow run")


@graded("f", points=1, hint="The evaluations report recall_at_10 / ndcg_at_10 and auc as metadata, equal to "
        "their tables, and log them to the model's MLflow run.")
def test_evaluations_report_and_log_their_metrics(sub, services):
    report = dev(sub, services)
    need(report, ["retrieval_evaluation", "ranking_evaluation"], f"materializing {DEV_DAY}")
    pairs = [("retrieval_evaluation", "retrieval_model", "recall_at_k", f"recall_at_{K}"),
             ("ranking_evaluation", "ranking_model", "ndcg_at_k", f"ndcg_at_{K}"),
             ("ranking_evaluation", "ranking_model", "auc", "auc")]
    for asset, model_asset, column, key in pairs:
        table = (report["values"][asset].get("records") or [{}])[0].get(column)
        metadata = metadata_of(report, asset) or {}
        expect(close(metadata.get(key), table), f"`{asset}` reports no {key} metadata equal to its table")
        run_id = ((metadata_of(report, model_asset) or {}).get("mlflow_run_ids") or {}).get(DEV_DAY)
        logged = report["mlflow"]["runs"].get(run_id, {}).get("metrics", {})
        expect(close(logged.get(key), table), f"{key} was not logged to the MLflow run of `{model_asset}`")


# ---- (g) the learner's own tests ----------------------------------------------------------------
def _suite(sub):
    runs = learner_tests(sub)
    own = runs["own"]
    if "missing" in own:
        fail(f"your project has no {own['missing']}")
    return runs, own


def _own_suite_passes(own):
    passed = [c for c in own["cases"] if c["outcome"] == "passed"]
    return own["returncode"] == 0 and passed and len(passed) == len(own["cases"])


@graded("g", points=1, hint="At least 5 unit tests (tests/ but not tests/test_pipeline.py) and an integration "
        "test of the whole pipeline in tests/test_pipeline.py, all passing on your project.")
def test_your_tests_pass_and_include_unit_and_integration_tests(sub):
    _, own = _suite(sub)
    expect(own["returncode"] is not None, f"your tests did not finish within {LEARNER_TEST_SECONDS} s")
    failing_cases = [c["name"] for c in own["cases"] if c["outcome"] != "passed"]
    expect(own["returncode"] == 0 and not failing_cases,
           "your own tests do not all pass on your project" + (f": {', '.join(failing_cases[:5])}" if failing_cases else
                                                              f" ({own['tail'][-300:]})"))
    integration = [c for c in own["cases"] if c["module"].endswith("test_pipeline")]
    unit = [c for c in own["cases"] if not c["module"].endswith("test_pipeline")]
    expect(len(unit) >= 5, f"you have {len(unit)} unit tests outside tests/test_pipeline.py")
    expect(len(integration) >= 1, "tests/test_pipeline.py has no integration test")


def _catches(sub, name, what):
    runs, own = _suite(sub)
    expect(_own_suite_passes(own), "your tests do not pass on your own project, so they cannot show what they catch")
    run = runs[name]
    expect("missing" not in run, f"your project has no {run.get('missing')}, where the grader puts {what}")
    expect(run["returncode"] is not None, f"your tests did not finish on a project with {what}")
    expect(run["returncode"] in (1, 2), f"your tests all pass on a project with {what}")


@graded("g", points=1, hint="A unit test of recall_at_k whose expected value differs from precision@k.")
def test_your_tests_catch_a_wrong_recall(sub):
    _catches(sub, "recall", "recall@k computed as precision@k")


@graded("g", points=1, hint="A unit test of ndcg_at_k on a ranking that is not the best one.")
def test_your_tests_catch_an_ndcg_that_ignores_the_order(sub):
    _catches(sub, "ndcg", "an NDCG@k that ignores the order of the ranking")


@graded("g", points=1, hint="A test that a contract rejects broken data (nulls, negative watch times...).")
def test_your_tests_catch_contracts_that_check_nothing(sub):
    _catches(sub, "contract", "data contracts that check nothing")


@graded("g", points=1, hint="Your integration test must fail when a step of the pipeline crashes: check that "
        "the run succeeded.")
def test_your_integration_test_catches_a_crashing_step(sub):
    _catches(sub, "crash", "a training_features step that crashes (running tests/test_pipeline.py alone)")
