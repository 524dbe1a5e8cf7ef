"""Hidden tests for exercise 27.20 (PipelineRunMetadata), against real git, Delta, MLflow and Dagster.

One probe plays a whole pipeline run in the learner's worker, in a temporary folder it creates and
removes: a git repository (commits with a fixed identity and fixed dates, so that their SHAs are
known in advance), Delta tables written a known number of times, a SQLite MLflow store holding two
model runs, and a Dagster materialization in the instance of DAGSTER_HOME. It drives the learner's
tracker through the run, with a commit and table writes happening *during* the run, and returns what
git, Delta, MLflow and Dagster hold afterwards. The expected SHAs are computed here by building the
same repository in a folder of the trusted process; the expected versions follow from the number of
writes. The run is played once per grading and each test checks its own piece of it.
"""
import json
import re
import tempfile

from autograder.testing import LearnerError, expect, fail, graded

PIPELINE = "streamrec_training"
RUN_ID = "dagster-run-7f3c2a91"
CODE_SUBDIR = "pipelines/streamrec"
COMMITS_BEFORE = [
    {"files": {"pipelines/streamrec/train.py": "EPOCHS = 10\nGPUS = 4\n", "README.md": "StreamRec\n"},
     "message": "ranking model: 10 epochs on 4 GPUs", "date": "2024-06-03T09:15:00+00:00"},
    {"files": {"pipelines/streamrec/features.py": "WINDOW_DAYS = 7\n"},
     "message": "seven-day feature window", "date": "2024-06-05T16:40:00+00:00"},
]
COMMIT_DURING = {"files": {"pipelines/streamrec/train.py": "EPOCHS = 12\nGPUS = 4\n"},
                 "message": "try 12 epochs", "date": "2024-06-08T02:30:00+00:00"}
WRITES = {"interactions": 4, "user_profiles": 2, "item_catalog": 1}   # writes before the run reads each table
MODELS = ["retrieval", "ranking"]
UNKNOWN_RUN = "0123456789abcdef0123456789abcdef"


# ---- shipped to the worker (and used here to know the SHAs) ---------------------------------------
def git_commit(folder, commit):
    """Write the commit's files in the repository at `folder` (made if needed), commit them with a
    fixed identity and date, and return the new commit's SHA."""
    import os
    import pathlib
    import subprocess

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder, "LANG": "C",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "StreamRec CI", "GIT_AUTHOR_EMAIL": "ci@streamrec.example",
           "GIT_COMMITTER_NAME": "StreamRec CI", "GIT_COMMITTER_EMAIL": "ci@streamrec.example",
           "GIT_AUTHOR_DATE": commit["date"], "GIT_COMMITTER_DATE": commit["date"]}

    def git(*args):
        return subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                               "-C", folder, *args], env=env, capture_output=True, text=True,
                              check=True).stdout.strip()

    if not pathlib.Path(folder, ".git").exists():
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        git("init", "--quiet")
    for name, text in commit["files"].items():
        path = pathlib.Path(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git("add", "--all")
    git("commit", "--quiet", "-m", commit["message"])
    return git("rev-parse", "HEAD")


def delta_write(uri, day):
    """Append five rows to the Delta table at `uri`: one new version."""
    import numpy as np
    from arro3.core import Array, Table
    from deltalake import write_deltalake

    rows = Table.from_pydict({"day": Array.from_numpy(np.full(5, day, dtype=np.int64)),
                              "value": Array.from_numpy(np.arange(5, dtype=np.int64))})
    write_deltalake(uri, rows, mode="append")


def play_pipeline_run(ns, scenario):
    """Drive the learner's tracker through one pipeline run; report what every store holds after it."""
    import json
    import os
    import pathlib
    import shutil
    import tempfile

    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"  # the sandbox cannot read /etc/gitconfig; git must not try
    import dagster as dg
    import mlflow

    out = {"errors": {}}

    def attempt(step, fn):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - reported to the trusted side, step by step
            out["errors"][step] = f"{type(exc).__name__}: {str(exc)[:300]}"
            return None

    def plain(value):
        try:
            return json.loads(json.dumps(value))
        except (TypeError, ValueError):
            return repr(value)[:500]

    previous_cwd = os.getcwd()
    root = tempfile.mkdtemp(prefix="t2720-")
    try:
        os.chdir(root)
        repo = os.path.join(root, "repo")
        for commit in scenario["commits_before"]:
            git_commit(repo, commit)
        code_dir = os.path.join(repo, scenario["code_subdir"])
        tables = {}
        for name, writes in scenario["writes"].items():
            tables[name] = os.path.join(root, "lake", name)
            for day in range(writes):
                delta_write(tables[name], day)
        out["table_uris"] = tables
        tracking_uri = "sqlite:///" + os.path.join(root, "mlflow.db")
        client = mlflow.MlflowClient(tracking_uri=tracking_uri)
        models_experiment = client.create_experiment(
            "streamrec_models", artifact_location=pathlib.Path(root, "model-artifacts").as_uri())
        model_ids = {}
        for model in scenario["models"]:
            run = client.create_run(models_experiment, run_name=model)
            client.log_metric(run.info.run_id, "auc", 0.75)
            client.set_terminated(run.info.run_id)
            model_ids[model] = run.info.run_id
        out["model_ids"] = model_ids

        # (a) the run starts; someone commits while it runs
        tracker = attempt("init", lambda: ns.PipelineRunMetadata(
            scenario["pipeline"], scenario["run_id"], code_dir, tracking_uri))
        if tracker is None:
            return out
        first = attempt("to_dict", tracker.to_dict)
        out["sha_at_start"] = plain(first.get("git_sha")) if isinstance(first, dict) else None
        git_commit(repo, scenario["commit_during"])
        later = attempt("to_dict", tracker.to_dict)
        out["sha_after_commit"] = plain(later.get("git_sha")) if isinstance(later, dict) else None

        # (b) the run reads its inputs; other pipelines append to them afterwards
        out["returned_versions"] = {
            name: plain(attempt("record_input_table", lambda u=uri, n=name: tracker.record_input_table(n, u)))
            for name, uri in tables.items()}
        for name, uri in tables.items():
            delta_write(uri, 99)
        record = attempt("to_dict", tracker.to_dict)
        out["input_tables"] = plain(record.get("input_tables")) if isinstance(record, dict) else None

        # (c) the models are linked; then one link with an id that is in no store
        for model, run_id in model_ids.items():
            attempt("link_model_run", lambda m=model, r=run_id: tracker.link_model_run(m, r))
        before_unknown = attempt("to_dict", tracker.to_dict)
        try:
            tracker.link_model_run("typo", scenario["unknown_run"])
            out["unknown_raised"] = False
        except Exception:  # noqa: BLE001
            out["unknown_raised"] = True
        record = attempt("to_dict", tracker.to_dict)
        out["model_runs_before_unknown"] = (plain(before_unknown.get("model_runs"))
                                           if isinstance(before_unknown, dict) else None)
        out["model_runs"] = plain(record.get("model_runs")) if isinstance(record, dict) else None
        out["tags"] = {model: dict(client.get_run(run_id).data.tags) for model, run_id in model_ids.items()}

        # (d) the record goes to MLflow, then to Dagster
        mlflow_id = attempt("log_to_mlflow", tracker.log_to_mlflow)
        out["mlflow_returned"] = plain(mlflow_id)
        if isinstance(mlflow_id, str):
            try:
                run = client.get_run(mlflow_id)
                out["mlflow_experiment"] = client.get_experiment(run.info.experiment_id).name
                out["mlflow_artifacts"] = [f.path for f in client.list_artifacts(mlflow_id)]
                try:
                    local = mlflow.artifacts.download_artifacts(
                        run_id=mlflow_id, artifact_path=scenario["artifact"],
                        dst_path=os.path.join(root, "download"), tracking_uri=tracking_uri)
                    text = pathlib.Path(local).read_text()
                    try:
                        out["mlflow_record"] = json.loads(text)
                    except ValueError:
                        out["mlflow_record_unparsable"] = text[:200]
                except Exception as exc:  # noqa: BLE001
                    out["mlflow_artifact_error"] = f"{type(exc).__name__}"
            except Exception as exc:  # noqa: BLE001
                out["mlflow_run_missing"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        record = attempt("to_dict", tracker.to_dict)
        out["record_after_mlflow"] = plain(record) if isinstance(record, dict) else None

        holder = {}

        @dg.asset(name="streamrec_training_run")
        def training_run():
            try:
                metadata = tracker.dagster_metadata()
            except Exception as exc:  # noqa: BLE001
                holder["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
                raise
            holder["type"] = type(metadata).__name__
            return dg.MaterializeResult(metadata=metadata)

        instance = dg.DagsterInstance.get()  # the grading run's DAGSTER_HOME
        result = dg.materialize([training_run], instance=instance, raise_on_error=False)
        out["dagster_success"] = bool(result.success)
        out["dagster_error"] = holder.get("error")
        if not result.success and not holder.get("error"):
            failures = result.get_step_failure_events()
            out["dagster_error"] = (failures[0].event_specific_data.error.message[:300]
                                    if failures else "the materialization failed")
        event = instance.get_latest_materialization_event(dg.AssetKey("streamrec_training_run"))
        entries = {}
        if event is not None and event.run_id == result.run_id:
            for key, value in event.asset_materialization.metadata.items():
                entries[key] = {"type": type(value).__name__, "value": plain(value.value)}
        out["dagster_entries"] = entries
        return out
    finally:
        os.chdir(previous_cwd)
        shutil.rmtree(root, ignore_errors=True)


# ---- trusted side ---------------------------------------------------------------------------------
_PLAYED = {}


def expected_shas():
    """The SHA of the last commit before the run, and of the commit made during it."""
    with tempfile.TemporaryDirectory() as folder:
        shas = [git_commit(folder, c) for c in COMMITS_BEFORE]
        during = git_commit(folder, COMMIT_DURING)
    return shas[-1], during


def played(sub):
    """The pipeline run, played once per grading (a failure to play it is kept and raised again)."""
    if "run" not in _PLAYED:
        scenario = {"pipeline": PIPELINE, "run_id": RUN_ID, "code_subdir": CODE_SUBDIR,
                    "commits_before": COMMITS_BEFORE, "commit_during": COMMIT_DURING, "writes": WRITES,
                    "models": MODELS, "unknown_run": UNKNOWN_RUN, "artifact": "pipeline_run_metadata.json"}
        try:
            _PLAYED["run"] = sub.run(play_pipeline_run, scenario, helpers=[git_commit, delta_write], timeout=150)
        except LearnerError as error:
            _PLAYED["run"] = error
        _PLAYED["shas"] = expected_shas()
    if isinstance(_PLAYED["run"], LearnerError):
        raise _PLAYED["run"]
    return _PLAYED["run"], _PLAYED["shas"]


def no_error(got, *steps):
    for step in steps:
        if step in got["errors"]:
            fail(f"your `{'PipelineRunMetadata(...)' if step == 'init' else step + '()'}` raised "
                 f"{got['errors'][step]}")


def same_uri(a, b):
    def norm(u):
        u = str(u)
        u = u[len("file://"):] if u.startswith("file://") else u
        return u.rstrip("/")
    return norm(a) == norm(b)


RECORD_KEYS = ["pipeline_name", "run_id", "git_sha", "input_tables", "model_runs"]


def record_problems(record, got):
    """What is wrong in a copy of the record (learner-readable): it must hold the keys of the statement,
    with what to_dict() holds after log_to_mlflow(). Whether those values are right is what the tests
    of (a), (b) and (c) check; here only the copy is judged."""
    if not isinstance(record, dict):
        return ["it is not a JSON object"]
    own = got.get("record_after_mlflow")
    if not isinstance(own, dict):
        return ["to_dict() did not return a dict to compare it with"]
    problems = []
    if record.get("pipeline_name") != PIPELINE or record.get("run_id") != RUN_ID:
        problems.append("its `pipeline_name` or `run_id` is not the tracker's")
    for key in RECORD_KEYS[2:]:
        if key not in record:
            problems.append(f"it has no `{key}`")
        elif record[key] != own.get(key):
            problems.append(f"its `{key}` differs from what to_dict() returns")
    return problems


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Ask git for the full SHA of HEAD in the repository holding code_dir "
                            "(code_dir may be a sub-folder of the repository).")
def test_git_sha_is_the_head_commit_of_the_code_repository(sub):
    got, (sha, _) = played(sub)
    no_error(got, "init", "to_dict")
    value = got["sha_at_start"]
    expect(isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value),
           f"`git_sha` should be the full SHA, 40 hexadecimal characters; yours is {value!r}")
    expect(value == sha, "`git_sha` is a SHA, but not the one of the commit checked out in the code's repository")


@graded("a", points=1, hint="Capture the SHA once, when the tracker is created, and keep it.")
def test_git_sha_is_taken_when_the_run_starts(sub):
    got, (sha, during) = played(sub)
    no_error(got, "init", "to_dict")
    value = got["sha_after_commit"]
    expect(value != during, "after a commit made while the run was going, your record names that new "
                            "commit: the SHA must be the one the run started with")
    expect(value == sha, "after a commit made during the run, `git_sha` is not the commit the run started from")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="The version of a Delta table is the number of its latest commit: "
                            "0 after the first write, one more with each write.")
def test_each_input_table_is_recorded_with_its_delta_version(sub):
    got, _ = played(sub)
    no_error(got, "init", "record_input_table")
    returned = got["returned_versions"]
    for name, writes in WRITES.items():
        expect(isinstance(returned.get(name), int) and not isinstance(returned.get(name), bool),
               f"record_input_table should return the version, an int; for `{name}` it returned {returned.get(name)!r}")
        expect(returned[name] == writes - 1,
               f"for a table written {writes} time(s), record_input_table returned version {returned[name]}")
    no_error(got, "to_dict")
    tables = got["input_tables"]
    expect(isinstance(tables, dict) and sorted(tables) == sorted(WRITES),
           "the record's `input_tables` should have one entry per table recorded, under its name")
    for name in WRITES:
        entry = tables[name]
        expect(isinstance(entry, dict) and "uri" in entry and "version" in entry,
               f"`input_tables[{name!r}]` should be a dict with `uri` and `version`")
        expect(same_uri(entry["uri"], got["table_uris"][name]), f"`input_tables[{name!r}]['uri']` is not the table's URI")


@graded("b", points=1, hint="Read the version when record_input_table is called and store the number, "
                            "not something that is looked up again later.")
def test_a_later_write_does_not_change_the_recorded_version(sub):
    got, _ = played(sub)
    no_error(got, "init", "record_input_table", "to_dict")
    tables = got["input_tables"]
    expect(isinstance(tables, dict) and all(isinstance(tables.get(n), dict) for n in WRITES),
           "the record's `input_tables` should have one dict per table recorded")
    for name, writes in WRITES.items():
        version = tables[name].get("version")
        expect(version != writes, f"`{name}` was appended to after the run read it, and your record now "
                                  "names the newer version instead of the one the run read")
        expect(version == writes - 1, f"the version recorded for `{name}` is not the one the run read")


# ---- (c) ----------------------------------------------------------------------------------------
@graded("c", points=1, hint="`model_runs` maps each model's name to the MLflow run id it was linked with.")
def test_model_runs_are_listed_by_model_name(sub):
    got, _ = played(sub)
    no_error(got, "init", "link_model_run", "to_dict")
    runs = got["model_runs_before_unknown"]
    expect(isinstance(runs, dict), f"`model_runs` should be a dict from model name to run id, not {type(runs).__name__}")
    expect(sorted(runs) == sorted(MODELS), "`model_runs` should have one entry per linked model, under its name")
    expect(runs == got["model_ids"], "`model_runs` does not map each model to the run id it was linked with")


@graded("c", points=1, hint="Set the tags pipeline_name, pipeline_run_id and git_sha on each model's "
                            "MLflow run, in the tracking store you were given.")
def test_each_model_run_is_tagged_with_the_pipeline_run(sub):
    got, (sha, _) = played(sub)
    no_error(got, "init", "link_model_run")
    for model, tags in got["tags"].items():
        for key, want in [("pipeline_name", PIPELINE), ("pipeline_run_id", RUN_ID), ("git_sha", sha)]:
            expect(key in tags, f"the MLflow run of `{model}` has no tag `{key}`")
            expect(tags[key] == want, f"the tag `{key}` of the MLflow run of `{model}` does not hold the "
                                      "pipeline run's value")


@graded("c", points=1, hint="Look the run up in the tracking store before linking it; an unknown id must raise.")
def test_an_unknown_mlflow_run_is_refused(sub):
    got, _ = played(sub)
    no_error(got, "init", "link_model_run", "to_dict")
    expect(got["unknown_raised"], "linking a run id that is in no tracking store did not raise")
    expect(got["model_runs"] == got["model_runs_before_unknown"],
           "after refusing an unknown run id, the record's `model_runs` changed")


# ---- (d) ----------------------------------------------------------------------------------------
@graded("d", points=1, hint="Create a run in the experiment named after the pipeline and log the record "
                            "with log_dict under the artifact name RECORD_ARTIFACT.")
def test_the_record_is_a_json_artifact_of_an_mlflow_run(sub):
    got, _ = played(sub)
    no_error(got, "init", "log_to_mlflow", "to_dict")
    run_id = got.get("mlflow_returned")
    expect(isinstance(run_id, str), f"log_to_mlflow should return the MLflow run id, a string; it returned {run_id!r}")
    expect("mlflow_run_missing" not in got, "the id log_to_mlflow returned is not a run of the tracking store")
    expect(run_id not in got["model_ids"].values(), "log_to_mlflow should create a run for the pipeline run, "
                                                    "not reuse a model's run")
    expect(got.get("mlflow_experiment") == PIPELINE, "the pipeline's MLflow run is not in the experiment named "
                                                     "after the pipeline")
    expect("pipeline_run_metadata.json" in got.get("mlflow_artifacts", []),
           f"the run has no artifact `pipeline_run_metadata.json` at its root (it has: "
           f"{', '.join(got.get('mlflow_artifacts', [])) or 'nothing'})")
    expect("mlflow_record_unparsable" not in got, "the artifact is not valid JSON")
    problems = record_problems(got.get("mlflow_record"), got)
    expect(not problems, "the JSON record in MLflow is incomplete or wrong: " + "; ".join(problems))


def dagster_record(got):
    entry = got["dagster_entries"].get("pipeline_run_metadata")
    if entry is None:
        return None
    value = entry["value"]
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


@graded("d", points=1, hint="Return {DAGSTER_METADATA_KEY: dg.MetadataValue.json(record)} from dagster_metadata().")
def test_the_record_is_metadata_of_a_dagster_materialization(sub):
    got, _ = played(sub)
    no_error(got, "init", "to_dict")
    expect(got.get("dagster_error") is None, f"the asset returning your metadata failed: {got.get('dagster_error')}")
    expect(got.get("dagster_success"), "the Dagster materialization did not succeed")
    entries = got["dagster_entries"]
    expect("pipeline_run_metadata" in entries,
           f"the materialization's metadata has no entry `pipeline_run_metadata` (it has: {', '.join(entries) or 'none'})")
    record = dagster_record(got)
    expect(isinstance(record, dict), "the entry `pipeline_run_metadata` does not hold the record as a JSON object")
    problems = record_problems(record, got)
    expect(not problems, "the record in the Dagster metadata is incomplete or wrong: " + "; ".join(problems))


@graded("d", points=1, hint="log_to_mlflow() stores its run id in the record's `mlflow_run_id`, so the "
                            "Dagster copy points at the MLflow copy.")
def test_the_dagster_record_names_the_mlflow_run(sub):
    got, _ = played(sub)
    no_error(got, "init", "log_to_mlflow")
    after = got.get("record_after_mlflow")
    expect(isinstance(after, dict) and after.get("mlflow_run_id") == got.get("mlflow_returned"),
           "after log_to_mlflow(), the record's `mlflow_run_id` is not the id it returned")
    record = dagster_record(got)
    expect(isinstance(record, dict), "the materialization's metadata holds no record under `pipeline_run_metadata`")
    expect(record.get("mlflow_run_id") == got.get("mlflow_returned"),
           "the record in the Dagster metadata does not name the MLflow run that holds the JSON artifact")
