"""Real services an exercise's tests need, started by the trusted runner, not by learner code.

An exercise lists them in its exercise.toml (``services = ["airflow", "moto"]``). Each service
gives the worker environment variables (where to find it) and gives trusted tests an ``info``
dict through the ``services`` fixture:

- ``moto``: an S3-compatible moto server on loopback; boto3 in the worker reaches it through
  ``AWS_ENDPOINT_URL``; trusted tests inspect buckets with ``info["s3_endpoint"]``.
- ``airflow``: an AIRFLOW_HOME with a migrated SQLite metadata DB, copied from a template made
  once per machine (``airflow db migrate`` takes half a minute; a copy takes milliseconds), and an
  empty dags folder, so that probes can load DAG files in a real DagBag and run ``dag.test()``.
- ``dagster``: a DAGSTER_HOME for ``materialize`` and instance storage.
- ``prefect``: a Prefect server for the grading run (flows otherwise start a slow ephemeral one).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "orchestration-course"


class ServiceError(RuntimeError):
    """A service could not start: an infrastructure failure, never the learner's fault."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ServiceError(f"{url} did not answer within {seconds:g} s")


# -- moto ---------------------------------------------------------------------------------------
class Moto:
    def __init__(self, root: Path):
        self.server = None

    def start(self) -> tuple[dict, dict]:
        from moto.server import ThreadedMotoServer

        port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        url = f"http://127.0.0.1:{port}"
        _wait_http(url + "/moto-api/", 10)
        self.url = url
        env = {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}
        self.relay = ("moto", port)
        return env, {"s3_endpoint": url, "aws_env": env}

    def reset(self) -> None:
        """Forget every bucket and object (a lane reuses the server)."""
        urllib.request.urlopen(urllib.request.Request(self.url + "/moto-api/reset", method="POST"), timeout=10).read()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


# -- airflow ------------------------------------------------------------------------------------
def _airflow_version() -> str:
    from importlib.metadata import version

    return version("apache-airflow-core")


def airflow_env(home: Path) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
    }


def airflow_template() -> Path:
    """A migrated SQLite metadata DB for this Airflow version, made once (under a lock)."""
    folder = CACHE / f"airflow-{_airflow_version()}"
    db = folder / "airflow.db"
    if db.exists():
        return db
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if db.exists():
            return db
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            home = Path(tmp)
            (home / "dags").mkdir()
            env = {**os.environ, **airflow_env(home)}
            result = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                                    capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                raise ServiceError(f"airflow db migrate failed:\n{result.stderr[-2000:]}")
            os.replace(home / "airflow.db", db)
    return db


class Airflow:
    def __init__(self, root: Path):
        self.home = root / "airflow"

    def start(self) -> tuple[dict, dict]:
        (self.home / "dags").mkdir(parents=True)
        shutil.copyfile(airflow_template(), self.home / "airflow.db")
        env = airflow_env(self.home)
        return env, {"airflow_home": str(self.home), "dags_folder": str(self.home / "dags"), "airflow_env": env}

    def reset(self) -> None:
        """The template's metadata DB again, and empty DAGs and logs folders."""
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                (self.home / f"airflow.db{suffix}").unlink()
        shutil.copyfile(airflow_template(), self.home / "airflow.db")
        for folder in (self.home / "dags", self.home / "logs"):
            shutil.rmtree(folder, ignore_errors=True)
        (self.home / "dags").mkdir()

    def stop(self) -> None:
        pass


# -- dagster ------------------------------------------------------------------------------------
class Dagster:
    def __init__(self, root: Path):
        self.home = root / "dagster"

    def start(self) -> tuple[dict, dict]:
        self.home.mkdir(parents=True)
        (self.home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        return {"DAGSTER_HOME": str(self.home)}, {"dagster_home": str(self.home)}

    def reset(self) -> None:
        """An instance with no runs: everything but dagster.yaml goes."""
        for entry in self.home.iterdir():
            if entry.name != "dagster.yaml":
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()

    def stop(self) -> None:
        pass


# -- prefect ------------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the child before exec: be killed when the process that started us dies."""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
class Prefect:
    """A Prefect server; its database lives outside the folder the sandbox may write to."""

    # What a job leaves in the server's database; the rest (block types, schemas) the server needs.
    JOB_TABLES = ("log", "task_run_state", "task_run_state_cache", "task_run", "flow_run_state", "flow_run_input",
                  "flow_run", "artifact", "artifact_collection", "events", "event_resources", "variable",
                  "deployment_schedule", "deployment_version", "deployment", "flow", "saved_search",
                  "concurrency_limit", "concurrency_limit_v2", "block_document_reference", "block_document",
                  "automation_related_resource", "automation_event_follower", "automation_bucket",
                  "composite_trigger_child_firing", "automation", "worker", "work_queue", "work_pool", "agent",
                  "csrf_token")

    def __init__(self, root: Path):
        self.home, self.proc = root / "prefect", None  # the worker's PREFECT_HOME (results, profiles)
        self.server_home: Path | None = None

    def start(self) -> tuple[dict, dict]:
        self.home.mkdir(parents=True)
        self.server_home = Path(tempfile.mkdtemp(prefix="autograder-prefect-server-"))
        port = free_port()
        env = {**os.environ, "PREFECT_HOME": str(self.server_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_SERVER_UI_ENABLED": "false", "DO_NOT_TRACK": "1"}
        # Same process group as the runner (killed with it) and a parent-death signal: a runner
        # killed at its deadline never leaves a server behind.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        url = f"http://127.0.0.1:{port}/api"
        _wait_http(url + "/health", 60)
        self.relay = ("prefect", port)
        worker_env = {"PREFECT_API_URL": url, "PREFECT_HOME": str(self.home), "DO_NOT_TRACK": "1",
                      "PREFECT_LOGGING_LEVEL": "WARNING"}
        return worker_env, {"prefect_api_url": url}

    def reset(self) -> None:
        """Forget every flow, run, log, artifact and variable of the last job (a lane reuses the server)."""
        import sqlite3

        db = sqlite3.connect(self.server_home / "prefect.db", timeout=30)
        try:
            present = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
            with db:
                db.execute("PRAGMA foreign_keys=OFF")
                for table in self.JOB_TABLES:
                    if table in present:
                        db.execute(f'DELETE FROM "{table}"')
        finally:
            db.close()
        for entry in self.home.iterdir():
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
        if self.server_home is not None:
            shutil.rmtree(self.server_home, ignore_errors=True)


KINDS = {"moto": Moto, "airflow": Airflow, "dagster": Dagster, "prefect": Prefect}


class Services:
    """Start the named services under ``root``; ``env`` goes to the worker, ``info`` to tests."""

    def __init__(self, names: list[str], root: Path):
        unknown = set(names) - set(KINDS)
        if unknown:
            raise ServiceError(f"unknown services: {sorted(unknown)}")
        self.names, self.root = list(names), root
        self.running: dict[str, object] = {}
        self.parts: dict[str, tuple[dict, dict, dict]] = {}  # each service's own env, info and relays

    def ensure(self, names: list[str]) -> None:
        """Start those of ``names`` not running yet."""
        unknown = set(names) - set(KINDS)
        if unknown:
            raise ServiceError(f"unknown services: {sorted(unknown)}")
        for name in names:
            if name in self.running:
                continue
            service = KINDS[name](self.root)
            env, info = service.start()
            self.running[name] = service
            relays = {}
            if getattr(service, "relay", None):
                relay_name, port = service.relay
                relays[relay_name] = ("127.0.0.1", port)
            self.parts[name] = (env, info, relays)

    def only(self, names) -> "ServiceView":
        """What a job that asked for ``names`` may see: those services' env, info and relays, not
        those of every service a lane started for earlier jobs (a moto endpoint in the env sends
        an exercise's in-process ``mock_aws`` calls to the shared server)."""
        view = ServiceView(self.root, [name for name in names if name in self.parts])
        for name in view.names:
            env, info, relays = self.parts[name]
            view.env.update(env)
            view.info.update(info)
            view.relays.update(relays)
        return view

    def foreign_env(self, names) -> list[str]:
        """The env variables of running services that a job asking for ``names`` must not see."""
        return sorted(set(self.env) - set(self.only(names).env))

    def reset(self) -> None:
        """Every running service back to its state before the first job (a lane's services are reused)."""
        for service in self.running.values():
            service.reset()

    def __enter__(self) -> "Services":
        try:
            self.ensure(self.names)
        except BaseException:
            self.__exit__()
            raise
        return self

    # All the running services together (a cold runner's, or what a lane's zygote starts with).
    @property
    def env(self) -> dict[str, str]:
        return self.only(self.running).env

    @property
    def info(self) -> dict:
        return self.only(self.running).info

    @property
    def relays(self) -> dict[str, tuple[str, int]]:  # TCP services the sandbox reaches by relay
        return self.only(self.running).relays

    def sandbox(self) -> dict:
        """What a sandboxed worker must be given: the services' folder (writable) and relays."""
        return self.only(self.running).sandbox()

    def __exit__(self, *exc) -> None:
        for service in reversed(list(self.running.values())):
            with contextlib.suppress(Exception):
                service.stop()
        self.running.clear()
        self.parts.clear()


class ServiceView:
    """A job's share of a lane's services: ``env``, ``info`` and ``sandbox()`` as ``Services`` has them."""

    def __init__(self, root: Path, names: list[str]):
        self.root, self.names = root, names
        self.env: dict[str, str] = {}
        self.info: dict = {}
        self.relays: dict[str, tuple[str, int]] = {}

    def sandbox(self) -> dict:
        """What a sandboxed worker must be given: the services' folder (writable) and relays."""
        return {"writable": [str(self.root)] if self.names else [], "relays": dict(self.relays)}


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        print(f"Airflow metadata DB template: {airflow_template()}")
    else:
        print("usage: python -m autograder.services prepare", file=sys.stderr)
        sys.exit(2)
