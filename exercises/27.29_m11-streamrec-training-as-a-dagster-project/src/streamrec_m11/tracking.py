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
    raise NotImplementedError("your code here")


def table_metadata(tables: dict[str, pd.DataFrame]) -> dict[str, dg.MetadataValue]:
    """Metadata of a table asset over the days of a run: row_count (all days together), and
    column_stats (column_stats of all days' rows together)."""
    raise NotImplementedError("your code here")


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
        raise NotImplementedError("your code here")

    def find_training_run(self, model: str, day: str) -> str:
        """The run id of the latest training run of `model` on `day`."""
        raise NotImplementedError("your code here")

    def log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        raise NotImplementedError("your code here")

    def register(self, model: str, run_id: str) -> int:
        """A new version of the registered model REGISTERED_NAMES[model] from the run's model artifact."""
        raise NotImplementedError("your code here")
