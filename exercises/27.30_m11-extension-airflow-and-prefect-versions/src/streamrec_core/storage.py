"""Where every step's table goes: one CSV file per table and day, under one output root.

``<root>/<table>/partition=<YYYY-MM-DD>/data.csv`` (``pipelinekit.partition_path``): one
deterministic file per table and day, written atomically (``pipelinekit.idempotent_write``), so a
rerun or a backfill of a day replaces that day's files and nothing else. The output root is the
environment variable ``STREAMREC_OUTPUT_ROOT`` (default ``~/.streamrec/outputs``). This module is
given: use it, do not change it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from pipelinekit import idempotent_write, partition_path

TABLES = [
    "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
    "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
]


def output_root() -> str:
    """The folder every run writes under: $STREAMREC_OUTPUT_ROOT, or ~/.streamrec/outputs."""
    return os.environ.get("STREAMREC_OUTPUT_ROOT") or str(Path.home() / ".streamrec" / "outputs")


def output_path(root: str, table: str, day: str) -> Path:
    """The file of one table for one day."""
    return partition_path(root, table, day, "data.csv")


def write_table(table: pd.DataFrame, root: str, name: str, day: str) -> str:
    """Write one day's table atomically (replacing an earlier run's file); return its path."""
    path = output_path(root, name, day)
    idempotent_write(path, lambda tmp: table.to_csv(tmp, index=False))
    return str(path)


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """A table written by write_table (timestamps back as UTC datetimes)."""
    table = pd.read_csv(path)
    if "timestamp" in table.columns:
        table["timestamp"] = pd.to_datetime(table["timestamp"], utc=True, format="ISO8601")
    return table
