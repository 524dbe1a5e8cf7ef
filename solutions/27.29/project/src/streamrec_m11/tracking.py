"""What the pipeline records: table statistics for Dagster's metadata, runs and models in MLflow.

MLflow 3 keeps runs in a database store; this project uses a SQLite file (the old ``./mlruns``
file store is in maintenance mode and refused by default). The first use of a new store creates
its tables, which takes a second or two.
"""
import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd
from pandas.api import types

EXPERIMENT = "streamrec-m11"
REGISTERED_NAMES = {"retrieval": "streamrec-retrieval", "ranking": "streamrec-ranking"}


def column_stats(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """For every numeric (not boolean) column: its mean, min, max and number of nulls."""
    ### BEGIN SOLUTION column_stats
    stats = {}
    for name in table.columns:
        column = table[name]
        if types.is_numeric_dtype(column.dtype) and not types.is_bool_dtype(column.dtype):
            values = column.dropna()
            stats[str(name)] = {
                "mean": float(values.mean()) if len(values) else float("nan"),
                "min": float(values.min()) if len(values) else float("nan"),
                "max": float(values.max()) if len(values) else float("nan"),
                "nulls": int(column.isna().sum()),
            }
    return stats
    ### END SOLUTION


def table_metadata(tables: dict[str, pd.DataFrame]) -> dict[str, dg.MetadataValue]:
    """Metadata of a table asset over the days of a run: row_count (all days together), and
    column_stats (column_stats of all days' rows together)."""
    ### BEGIN SOLUTION table_metadata
    combined = pd.concat(list(tables.values()), ignore_index=True) if tables else pd.DataFrame()
    return {
        "row_count": dg.MetadataValue.int(len(combined)),
        "rows_per_day": dg.MetadataValue.json({day: len(table) for day, table in tables.items()}),
        "column_stats": dg.MetadataValue.json(column_stats(combined)),
    }
    ### END SOLUTION


def default_tracking_uri() -> str:
    """MLFLOW_TRACKING_URI if set, else a SQLite store in this project's local data folder."""
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    home = os.environ.get("DAGSTER_HOME")
    folder = Path(home) / "streamrec_m11" if home else Path.home() / ".streamrec_m11"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'mlflow.db'}"


class MlflowTracking(dg.ConfigurableResource):
    """Training runs, their metrics and registered model versions, in one MLflow tracking store."""

    tracking_uri: str
    experiment: str = EXPERIMENT

    def client(self):
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.tracking_uri)

    def experiment_id(self) -> str:
        """The experiment's id, creating it (and the store) on first use, one process at a time."""
        digest = hashlib.sha1(self.tracking_uri.encode()).hexdigest()[:16]
        lock = Path(tempfile.gettempdir()) / f"streamrec-mlflow-{digest}.lock"
        with open(lock, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            client = self.client()
            found = client.get_experiment_by_name(self.experiment)
            if found is not None:
                return found.experiment_id
            artifacts = None
            if self.tracking_uri.startswith("sqlite:///"):
                artifacts = (Path(self.tracking_uri[len("sqlite:///"):]).parent / "mlartifacts").as_uri()
            return client.create_experiment(self.experiment, artifact_location=artifacts)

    def log_training_run(self, model: str, day: str, params: dict, table: pd.DataFrame) -> str:
        """A finished MLflow run for one model trained on one day: tags model and partition, the
        params, the table's row count as a metric, the table as a CSV artifact; returns its run id."""
        ### BEGIN SOLUTION log_training_run
        client = self.client()
        run = client.create_run(self.experiment_id(), run_name=f"{model}-{day}",
                                tags={"model": model, "partition": day, "orchestrator": "dagster"})
        run_id = run.info.run_id
        for key, value in params.items():
            client.log_param(run_id, key, value)
        client.log_metric(run_id, "rows", float(len(table)))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{model}_model.csv"
            table.to_csv(path, index=False)
            client.log_artifact(run_id, str(path), artifact_path="model")
        client.set_terminated(run_id)
        return run_id
        ### END SOLUTION

    def find_training_run(self, model: str, day: str) -> str:
        """The run id of the latest training run of `model` on `day`."""
        ### BEGIN SOLUTION find_training_run
        runs = self.client().search_runs(
            [self.experiment_id()], filter_string=f"tags.model = '{model}' and tags.partition = '{day}'",
            order_by=["attributes.start_time DESC"], max_results=1)
        if not runs:
            raise LookupError(f"no MLflow training run of the {model} model for {day}: materialize it first")
        return runs[0].info.run_id
        ### END SOLUTION

    def log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        ### BEGIN SOLUTION log_metrics
        client = self.client()
        for key, value in metrics.items():
            client.log_metric(run_id, key, float(value))
        ### END SOLUTION

    def register(self, model: str, run_id: str) -> int:
        """A new version of the registered model REGISTERED_NAMES[model] from the run's model artifact."""
        ### BEGIN SOLUTION register
        from mlflow.exceptions import MlflowException

        client = self.client()
        name = REGISTERED_NAMES[model]
        try:
            client.create_registered_model(name)
        except MlflowException:
            pass  # already registered by an earlier day
        source = f"{client.get_run(run_id).info.artifact_uri}/model"
        return int(client.create_model_version(name, source=source, run_id=run_id).version)
        ### END SOLUTION
