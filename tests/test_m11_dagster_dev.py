"""Milestone M11 (exercise 27.29): `dagster dev` serves the reference project's asset graph.

The reference project is rendered to a temporary folder and started the way its README says
(`dagster dev` in the project folder, which reads `[tool.dg]` in pyproject.toml), on loopback and a
free port, with its own DAGSTER_HOME. The test asks the webserver's GraphQL endpoint for the asset
graph until the eight assets are there, then stops the whole process group.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder import catalog as cat
from autograder import generate
from autograder.services import free_port

ASSETS = {
    "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
    "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
}
DEADLINE_SECONDS = 80
QUERY = """{
  workspaceOrError { __typename ... on Workspace { locationEntries { name
    locationOrLoadError { __typename ... on PythonError { message } } } } }
  assetNodes { assetKey { path } dependencyKeys { path } isPartitioned }
}"""


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["data"]


@pytest.mark.slow
def test_dagster_dev_serves_the_eight_assets_of_the_reference_project(tmp_path):
    exercise = cat.load_catalog()["27.29"]
    project = generate.write_variant(exercise, "reference", tmp_path / "submission")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(project / "src"),
           "STREAMREC_DATA_DIR": str(tmp_path / "data"), "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
           "DAGSTER_DISABLE_TELEMETRY": "1"}
    log = open(tmp_path / "dagster_dev.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    found: dict = {}
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                data = graphql(port, QUERY)
            except OSError:
                time.sleep(1)
                continue
            entries = data["workspaceOrError"].get("locationEntries") or []
            errors = [e["locationOrLoadError"]["message"] for e in entries
                      if (e.get("locationOrLoadError") or {}).get("__typename") == "PythonError"]
            assert not errors, f"the code location failed to load: {errors[0][:2000]}"
            found = {"/".join(node["assetKey"]["path"]): node for node in data["assetNodes"]}
            if ASSETS <= set(found):
                break
            time.sleep(1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    output = Path(tmp_path / "dagster_dev.log").read_text()[-3000:]
    assert ASSETS <= set(found), f"dagster dev did not list the eight assets in time; its log ends with:\n{output}"
    deps = {name: {"/".join(d["path"]) for d in found[name]["dependencyKeys"]} for name in ASSETS}
    assert deps["validated_interactions"] == {"raw_interactions"}
    assert deps["registered_models"] == {"retrieval_evaluation", "ranking_evaluation"}
    assert all(found[name]["isPartitioned"] for name in ASSETS)


def test_the_starter_project_loads_and_shows_the_same_graph(tmp_path):
    """What learners get must load too (so `dagster dev` shows the graph before any work is done)."""
    exercise = cat.load_catalog()["27.29"]
    project = generate.write_variant(exercise, "starter", tmp_path / "starter")
    code = ("from streamrec_m11.definitions import defs\n"
            "graph = defs().resolve_asset_graph()\n"
            "for key in graph.get_all_asset_keys():\n"
            "    print(key.to_user_string(), *sorted(p.to_user_string() for p in graph.get(key).parent_keys))\n")
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "DAGSTER_HOME": str(tmp_path),
           "STREAMREC_DATA_DIR": str(tmp_path / "data"), "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"}
    done = subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    graph = {line.split()[0]: set(line.split()[1:]) for line in done.stdout.splitlines() if line.strip()}
    assert set(graph) == ASSETS
    assert graph["registered_models"] == {"retrieval_evaluation", "ranking_evaluation"}
