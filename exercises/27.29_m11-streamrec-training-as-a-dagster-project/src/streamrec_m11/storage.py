"""Where asset values live between steps: a local folder in development, S3 in production.

Both keep one object per asset and day at the same relative key,
``<prefix>/<asset>/partition=<YYYY-MM-DD>/value.pkl`` (``pipelinekit.partition_path``), so a
rerun of a day overwrites that day and nothing else. Every asset's value is a dict of tables
keyed by day: the days of the run, one or many (a backfill of a range runs as one run).
"""
import io
import os
import pickle
from pathlib import Path

import dagster as dg
from pipelinekit import idempotent_write, partition_path

DEPLOYMENTS = ("dev", "prod")


def object_key(prefix: str, asset: str, day: str) -> str:
    """The relative key of one asset's value for one day."""
    return partition_path(prefix, asset, day, "value.pkl").as_posix()


class StreamRecIOManager(dg.ConfigurableIOManager):
    """Pickled per-day tables, on the local filesystem (storage="local") or in S3 (storage="s3")."""

    storage: str = "local"
    base_dir: str = ""
    bucket: str = ""
    prefix: str = "streamrec_m11"

    def _key(self, context, day: str) -> str:
        return object_key(self.prefix, "/".join(context.asset_key.path), day)

    def _write(self, key: str, payload: bytes) -> None:
        raise NotImplementedError("your code here")

    def _read(self, key: str) -> bytes:
        raise NotImplementedError("your code here")

    def handle_output(self, context: dg.OutputContext, obj: dict) -> None:
        """Store obj[day] for every day of the run."""
        raise NotImplementedError("your code here")

    def load_input(self, context: dg.InputContext) -> dict:
        """{day: value} for the days the reading step asks for."""
        raise NotImplementedError("your code here")


def data_dir() -> str:
    """STREAMREC_DATA_DIR if set, else a folder under DAGSTER_HOME (or the home directory)."""
    if os.environ.get("STREAMREC_DATA_DIR"):
        return os.environ["STREAMREC_DATA_DIR"]
    home = os.environ.get("DAGSTER_HOME")
    return str(Path(home) / "streamrec_m11" / "data" if home else Path.home() / ".streamrec_m11" / "data")


def io_manager_for(deployment: str) -> dg.ConfigurableIOManager:
    """The IO manager of a deployment: "dev" keeps values in data_dir(), "prod" in the S3 bucket
    named by STREAMREC_S3_BUCKET (default "streamrec-m11")."""
    # (c) "dev": values in the local folder data_dir(); "prod": in the S3 bucket of STREAMREC_S3_BUCKET
    return StreamRecIOManager()
