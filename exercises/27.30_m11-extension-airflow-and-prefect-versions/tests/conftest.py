"""Fixtures for the project's tests: a private output root per test, a private Airflow home.

Airflow reads AIRFLOW_HOME when it is first imported, so it is set here, before any test module
imports Airflow: the tests never touch your own Airflow installation or metadata database.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DAY = "2024-06-03"

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="streamrec-tests-airflow-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"


@pytest.fixture
def output_root(tmp_path, monkeypatch):
    """A fresh STREAMREC_OUTPUT_ROOT, and the seeded source (no STREAMREC_RAW_DIR)."""
    root = tmp_path / "outputs"
    monkeypatch.setenv("STREAMREC_OUTPUT_ROOT", str(root))
    monkeypatch.delenv("STREAMREC_RAW_DIR", raising=False)
    return root


@pytest.fixture
def broken_export(tmp_path, monkeypatch):
    """STREAMREC_RAW_DIR pointing at an export of DAY with null user ids: returns the day."""
    from streamrec_core.data import extract_interactions

    monkeypatch.delenv("STREAMREC_RAW_DIR", raising=False)
    events = extract_interactions(DAY)
    events["user_id"] = events["user_id"].astype("float64")
    events.loc[events.index[:5], "user_id"] = float("nan")
    folder = tmp_path / "raw"
    folder.mkdir()
    events.to_csv(folder / f"{DAY}.csv", index=False)
    monkeypatch.setenv("STREAMREC_RAW_DIR", str(folder))
    return DAY


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database in the private AIRFLOW_HOME (`airflow db migrate`: about 30 s)."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)
    return os.environ["AIRFLOW_HOME"]
