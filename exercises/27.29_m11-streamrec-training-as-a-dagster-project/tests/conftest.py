"""Fixtures for the project's tests: a small seeded day of data, and a private environment per test.

``local_env`` points the development storage, the MLflow store and DAGSTER_HOME at the test's own
temporary folder, so that tests never touch your real data and can run in any order.
"""
import os

import pytest
from pipelinekit import streamrec

DAY = "2024-06-03"
SMALL = {"n_interactions": 3000, "n_users": 200, "n_items": 120, "seed": 7}


@pytest.fixture
def local_env(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("STREAMREC_DEPLOYMENT", "dev")
    monkeypatch.setenv("STREAMREC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    return tmp_path


@pytest.fixture(scope="session")
def day_events():
    """One day of events, as raw_interactions would hold it."""
    return streamrec.generate_interactions(DAY, **SMALL)


@pytest.fixture(scope="session")
def items():
    return streamrec.generate_items(SMALL["n_items"], seed=SMALL["seed"])
