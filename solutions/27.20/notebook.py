# %% [markdown]
# Section 27.9 argues that a trained model can only be trusted, compared or rebuilt if the run
# that produced it left a record of **what it used**: which code, which data, which experiments.
# In this exercise you write that record keeper for the StreamRec training pipeline. It talks to
# the real tools of the chapter:
#
# - **git**, for the code: the commit the pipeline's code was at when the run started;
# - **Delta Lake** (the `deltalake` package), for the data: every Delta table has a numbered
#   history of commits (version 0 is the first write, each later write adds one), and a reader
#   can always go back to the version it read (`DeltaTable(uri, version=n)`);
# - **MLflow**, for the models: every trained model is an MLflow run with its own run id;
# - **Dagster**, for the orchestration: the pipeline run materializes an asset, and an asset
#   materialization can carry metadata that the Dagster UI shows beside it.
#
# The tracker is a class, `PipelineRunMetadata`, that a pipeline creates at its start and fills
# in as it goes. At the end it writes the complete record twice: as a JSON artifact in MLflow,
# and as metadata of the Dagster materialization, so that whoever finds the model (in MLflow) or
# the run (in Dagster) finds the same record.
#
# **Versions of the tools.** MLflow 3 keeps runs in a *tracking store*. The old file store (a
# `./mlruns` folder) is in maintenance mode: MLflow 3 refuses to open one unless
# `MLFLOW_ALLOW_FILE_STORE=true` is set. Use a database store instead, here a SQLite file
# (`sqlite:////tmp/.../mlflow.db`): the course installs `mlflow-skinny`, which talks to such a
# store through SQLAlchemy; the first use of a new store creates its tables, which takes a few
# seconds. The `deltalake` package (version 1) writes Arrow tables; the course environment has no
# `pyarrow`, so the demo below builds them with `arro3`, the small Arrow library `deltalake`
# itself depends on. You only need to *read* versions, which neither needs.
#
# | part | what the tracker does | graded by |
# | --- | --- | --- |
# | (a) | captures the git SHA of the pipeline code when the run starts | a real temporary git repository |
# | (b) | records the Delta version of each input table it is told about | real Delta tables with several versions |
# | (c) | links the MLflow run of each trained model to the pipeline run | a real local MLflow store |
# | (d) | writes the complete record as a JSON artifact in MLflow and as Dagster asset metadata | a real MLflow run and a real Dagster materialization |

# %%
import json
import subprocess
import tempfile
from pathlib import Path

import dagster as dg
import mlflow
from deltalake import DeltaTable

RECORD_ARTIFACT = "pipeline_run_metadata.json"   # the artifact's path in the pipeline's MLflow run
DAGSTER_METADATA_KEY = "pipeline_run_metadata"   # the metadata entry holding the record in Dagster

# %% [markdown]
# ## The class you write
#
# ```python
# tracker = PipelineRunMetadata(pipeline_name, run_id, code_dir, tracking_uri)
# ```
#
# - `pipeline_name` (e.g. `"streamrec_training"`) and `run_id` (the orchestrator's id of this
#   run, e.g. Dagster's run id) are strings; `code_dir` is the path of a folder inside the git
#   repository that holds the pipeline's code; `tracking_uri` is the MLflow tracking URI to use
#   (e.g. `"sqlite:////tmp/x/mlflow.db"`). Do not rely on the process's current directory, nor on
#   a tracking URI set elsewhere: use the ones you are given.
# - `tracker.to_dict()` returns the **complete record** as a new dict of plain JSON values:
#
# ```python
# {
#     "pipeline_name": "streamrec_training",
#     "run_id": "8b1f...",
#     "git_sha": "3f9c...e1",                      # (a) 40 hexadecimal characters
#     "input_tables": {                            # (b) one entry per recorded table
#         "interactions": {"uri": "/lake/interactions", "version": 3},
#     },
#     "model_runs": {"ranking": "6c0d..."},        # (c) model name -> MLflow run id
#     "mlflow_run_id": None,                       # (d) set by log_to_mlflow()
# }
# ```
#
# More keys are allowed (a start time, the user ...); these six must be there.

# %% [markdown] part="a"
# **(a) The code version.** When the tracker is created it captures the **full SHA** (40 hex
# characters) of the commit checked out (`HEAD`) in the repository containing `code_dir`. It is
# taken at creation and never again: if someone commits while the pipeline runs, the record
# still names the code the run started with. (`git -C <dir> rev-parse HEAD` prints it; GitPython
# is installed too.)
#
# **(b) The data versions.** `tracker.record_input_table(name, table_uri) -> int` is called by
# the pipeline when it reads a Delta table. It stores, under `name`, the table's URI and its
# **current version number**, and returns that version. The version is the one at the moment of
# the call: a write to the table afterwards (another pipeline appending to it) must not change
# what the record says this run read.
#
# **(c) The models.** `tracker.link_model_run(model_name, mlflow_run_id)` is called after a model
# has been trained and logged as an MLflow run. It links the two in both directions:
#
# - the record's `"model_runs"` maps `model_name` to `mlflow_run_id`;
# - the MLflow run receives the tags `pipeline_name`, `pipeline_run_id` (this tracker's `run_id`)
#   and `git_sha`, so that from the model in the MLflow UI one can get back to the pipeline run.
#
# A run id that does not exist in the tracking store is refused: the method raises an exception
# and the record is left unchanged. (A typo in a run id is how lineage silently breaks.)
#
# **(d) The record, written twice.**
#
# - `tracker.log_to_mlflow() -> str` creates an MLflow run for the pipeline run itself, in the
#   experiment named `pipeline_name` (created if it does not exist yet), sets the record's
#   `"mlflow_run_id"` to that run's id, logs the complete record as the JSON artifact
#   `RECORD_ARTIFACT` (at the root of the run's artifacts), and returns the run id.
# - `tracker.dagster_metadata() -> dict` returns the metadata for the Dagster materialization of
#   the pipeline run: a dict whose entry `DAGSTER_METADATA_KEY` holds the complete record as a
#   JSON metadata value (`dg.MetadataValue.json(record)`; Dagster also turns a plain dict into
#   one). Other entries may be added. An asset returns it with
#   `dg.MaterializeResult(metadata=tracker.dagster_metadata())`; called after `log_to_mlflow()`,
#   the record it carries names the MLflow run holding the JSON artifact.

# %%
class PipelineRunMetadata:
    """What one pipeline run used (code, data, models), recorded in MLflow and in Dagster."""

    def __init__(self, pipeline_name: str, run_id: str, code_dir: str | Path, tracking_uri: str):
        ### BEGIN SOLUTION init
        self.pipeline_name = pipeline_name
        self.run_id = run_id
        self.client = mlflow.MlflowClient(tracking_uri=tracking_uri)
        head = subprocess.run(["git", "-C", str(code_dir), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True)
        self.git_sha = head.stdout.strip()
        self.input_tables: dict[str, dict] = {}
        self.model_runs: dict[str, str] = {}
        self.mlflow_run_id: str | None = None
        ### END SOLUTION
        ### BEGIN STARTER
        # self.pipeline_name, self.run_id = pipeline_name, run_id
        # raise NotImplementedError("capture the code version now; set up what the other methods need")
        ### END STARTER

    def record_input_table(self, name: str, table_uri: str) -> int:
        """Record the version of a Delta table as the pipeline reads it; return that version."""
        ### BEGIN SOLUTION record_input_table
        version = DeltaTable(table_uri).version()
        self.input_tables[name] = {"uri": str(table_uri), "version": int(version)}
        return int(version)
        ### END SOLUTION

    def link_model_run(self, model_name: str, mlflow_run_id: str) -> None:
        """Link a trained model's MLflow run to this pipeline run, both ways."""
        ### BEGIN SOLUTION link_model_run
        self.client.get_run(mlflow_run_id)  # raises if the run does not exist
        tags = {"pipeline_name": self.pipeline_name, "pipeline_run_id": self.run_id, "git_sha": self.git_sha}
        for key, value in tags.items():
            self.client.set_tag(mlflow_run_id, key, value)
        self.model_runs[model_name] = mlflow_run_id
        ### END SOLUTION

    def to_dict(self) -> dict:
        """The complete record, as plain JSON values."""
        ### BEGIN SOLUTION to_dict
        return {
            "pipeline_name": self.pipeline_name,
            "run_id": self.run_id,
            "git_sha": self.git_sha,
            "input_tables": {name: dict(entry) for name, entry in self.input_tables.items()},
            "model_runs": dict(self.model_runs),
            "mlflow_run_id": self.mlflow_run_id,
        }
        ### END SOLUTION

    def log_to_mlflow(self) -> str:
        """Log the record as a JSON artifact of a new MLflow run for the pipeline run; return its id."""
        ### BEGIN SOLUTION log_to_mlflow
        experiment = self.client.get_experiment_by_name(self.pipeline_name)
        experiment_id = (experiment.experiment_id if experiment is not None
                         else self.client.create_experiment(self.pipeline_name))
        run = self.client.create_run(experiment_id, run_name=f"{self.pipeline_name}-{self.run_id}",
                                     tags={"pipeline_run_id": self.run_id, "git_sha": self.git_sha})
        self.mlflow_run_id = run.info.run_id
        self.client.log_dict(self.mlflow_run_id, self.to_dict(), RECORD_ARTIFACT)
        self.client.set_terminated(self.mlflow_run_id)
        return self.mlflow_run_id
        ### END SOLUTION

    def dagster_metadata(self) -> dict:
        """Metadata for the Dagster materialization of the pipeline run."""
        ### BEGIN SOLUTION dagster_metadata
        record = self.to_dict()
        return {
            DAGSTER_METADATA_KEY: dg.MetadataValue.json(record),
            "git_sha": dg.MetadataValue.text(record["git_sha"]),
        }
        ### END SOLUTION


# %% [markdown]
# ## Try it
#
# The cell below builds, in a temporary folder, everything a real run would meet: a git
# repository holding the pipeline code, two Delta tables with a few versions each, a SQLite
# MLflow store with two trained models, and a Dagster asset that materializes the pipeline run.
# It then drives your tracker the way the pipeline would. The grader does the same with other
# repositories, tables and runs, and reads everything back from git, Delta, MLflow and Dagster.

# %%
import os

import numpy as np
from arro3.core import Array, Table
from deltalake import write_deltalake


def git(folder: Path, *args: str) -> str:
    """Run a git command in `folder` with a fixed identity; return what it prints."""
    identity = ["-c", "user.name=StreamRec CI", "-c", "user.email=ci@streamrec.example",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *identity, "-C", str(folder), *args],
                          capture_output=True, text=True, check=True).stdout.strip()


def write_days(table_uri: str, days: list[int]) -> None:
    """Append one small batch of rows per day to a Delta table: each write is a new version."""
    for day in days:
        rows = Table.from_pydict({"day": Array.from_numpy(np.full(5, day, dtype=np.int64)),
                                  "clicks": Array.from_numpy(np.arange(5, dtype=np.int64) * day)})
        write_deltalake(table_uri, rows, mode="append")


os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ["GIT_CONFIG_NOSYSTEM"] = "1"  # no machine-wide git settings: the demo runs the same everywhere

with tempfile.TemporaryDirectory() as tmp:
    root = Path(tmp)
    code = root / "pipeline"
    code.mkdir()
    git(code, "init", "--quiet")
    (code / "train.py").write_text("EPOCHS = 10\n")
    git(code, "add", ".")
    git(code, "commit", "--quiet", "-m", "ranking model, 10 epochs")

    write_days(str(root / "lake" / "interactions"), [1, 2, 3])
    write_days(str(root / "lake" / "users"), [1])

    tracking_uri = f"sqlite:///{root / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    models = client.create_experiment("streamrec_models", artifact_location=(root / "artifacts").as_uri())
    client.create_experiment("streamrec_training", artifact_location=(root / "artifacts").as_uri())
    model_runs = {}
    for model, auc in [("retrieval", 0.71), ("ranking", 0.78)]:
        run = client.create_run(models, run_name=model)
        client.log_metric(run.info.run_id, "auc", auc)
        client.set_terminated(run.info.run_id)
        model_runs[model] = run.info.run_id

    tracker = PipelineRunMetadata("streamrec_training", "demo-run-0001", code, tracking_uri)
    print("code version:", tracker.to_dict()["git_sha"])
    for name in ["interactions", "users"]:
        print(f"{name} read at version", tracker.record_input_table(name, str(root / "lake" / name)))
    for model, mlflow_run_id in model_runs.items():
        tracker.link_model_run(model, mlflow_run_id)
    try:
        tracker.link_model_run("typo", "0" * 32)
    except Exception as error:  # noqa: BLE001
        print("unknown run refused:", type(error).__name__)
    print("ranking run tags:", {k: v for k, v in client.get_run(model_runs["ranking"]).data.tags.items()
                                if not k.startswith("mlflow.")})

    pipeline_mlflow_run = tracker.log_to_mlflow()
    logged = json.loads(Path(mlflow.artifacts.download_artifacts(
        run_id=pipeline_mlflow_run, artifact_path=RECORD_ARTIFACT, dst_path=str(root / "download"),
        tracking_uri=tracking_uri)).read_text())

    @dg.asset(name="streamrec_training_run")
    def training_run() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=tracker.dagster_metadata())

    instance = dg.DagsterInstance.ephemeral()  # the grader uses the instance of DAGSTER_HOME
    dg.materialize([training_run], instance=instance)
    event = instance.get_latest_materialization_event(dg.AssetKey("streamrec_training_run"))
    in_dagster = event.asset_materialization.metadata[DAGSTER_METADATA_KEY].value

print(json.dumps(logged, indent=2))
print("the MLflow artifact and the Dagster metadata hold the same record:", logged == in_dagster)
