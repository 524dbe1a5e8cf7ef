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
        ### BEGIN SOLUTION storage_write
        if self.storage == "s3":
            import boto3

            boto3.client("s3").put_object(Bucket=self.bucket, Key=key, Body=payload)
        elif self.storage == "local":
            idempotent_write(Path(self.base_dir) / key, payload)
        else:
            raise ValueError(f"unknown storage {self.storage!r}: use 'local' or 's3'")
        ### END SOLUTION

    def _read(self, key: str) -> bytes:
        ### BEGIN SOLUTION storage_read
        if self.storage == "s3":
            import boto3

            return boto3.client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()
        if self.storage == "local":
            return (Path(self.base_dir) / key).read_bytes()
        raise ValueError(f"unknown storage {self.storage!r}: use 'local' or 's3'")
        ### END SOLUTION

    def handle_output(self, context: dg.OutputContext, obj: dict) -> None:
        """Store obj[day] for every day of the run."""
        ### BEGIN SOLUTION handle_output
        days = context.asset_partition_keys if context.has_asset_partitions else ["all"]
        missing = [day for day in days if day not in obj]
        if missing:
            raise KeyError(f"{context.asset_key.to_user_string()} returned no value for {missing}")
        for day in days:
            buffer = io.BytesIO()
            pickle.dump(obj[day], buffer, protocol=pickle.HIGHEST_PROTOCOL)
            self._write(self._key(context, day), buffer.getvalue())
        ### END SOLUTION

    def load_input(self, context: dg.InputContext) -> dict:
        """{day: value} for the days the reading step asks for."""
        ### BEGIN SOLUTION load_input
        days = context.asset_partition_keys if context.has_asset_partitions else ["all"]
        return {day: pickle.loads(self._read(self._key(context, day))) for day in days}
        ### END SOLUTION


def data_dir() -> str:
    """STREAMREC_DATA_DIR if set, else a folder under DAGSTER_HOME (or the home directory)."""
    if os.environ.get("STREAMREC_DATA_DIR"):
        return os.environ["STREAMREC_DATA_DIR"]
    home = os.environ.get("DAGSTER_HOME")
    return str(Path(home) / "streamrec_m11" / "data" if home else Path.home() / ".streamrec_m11" / "data")


def io_manager_for(deployment: str) -> dg.ConfigurableIOManager:
    """The IO manager of a deployment: "dev" keeps values in data_dir(), "prod" in the S3 bucket
    named by STREAMREC_S3_BUCKET (default "streamrec-m11")."""
    ### BEGIN SOLUTION io_manager_for
    if deployment == "prod":
        return StreamRecIOManager(storage="s3", bucket=os.environ.get("STREAMREC_S3_BUCKET", "streamrec-m11"))
    if deployment == "dev":
        return StreamRecIOManager(storage="local", base_dir=data_dir())
    raise ValueError(f"STREAMREC_DEPLOYMENT must be one of {DEPLOYMENTS}, not {deployment!r}")
    ### END SOLUTION
    ### BEGIN STARTER
    # # (c) "dev": values in the local folder data_dir(); "prod": in the S3 bucket of STREAMREC_S3_BUCKET
    # return StreamRecIOManager()
    ### END STARTER
