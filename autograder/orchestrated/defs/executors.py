"""How grading steps execute, chosen by configuration (``AUTOGRADER_DAGSTER_EXECUTOR``):

| name | where each grading step runs | for |
| --- | --- | --- |
| ``multiprocess`` (default) | a process of its own on this machine | ``dagster dev``, one machine |
| ``in_process`` | the run's own process | debugging, tests |
| ``k8s`` | a Kubernetes Job of its own (``dagster_k8s.k8s_job_executor``), with the sandbox's pod security settings | a cluster |
| ``celery`` | a Celery worker (``dagster_celery.celery_executor``), on any machine listening to the broker | a fleet of VMs |

The Kubernetes and Celery settings are shipped as run-config files in ``autograder/deploy/dagster/``
(``k8s/executor.yaml``, ``celery/celery.yaml``), read here so that the files and the definitions
never disagree; the Celery workers start from the same file.
"""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "dagster"
K8S_CONFIG = DEPLOY / "k8s" / "executor.yaml"
CELERY_CONFIG = DEPLOY / "celery" / "celery.yaml"
EXECUTORS = ("multiprocess", "in_process", "k8s", "celery")
ENV_VAR = "AUTOGRADER_DAGSTER_EXECUTOR"


def _execution_config(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data["execution"]["config"])


def k8s_executor_config(environ: dict | None = None) -> dict:
    env = os.environ if environ is None else environ
    config = _execution_config(K8S_CONFIG)
    if env.get("AUTOGRADER_GRADER_IMAGE"):
        config["job_image"] = env["AUTOGRADER_GRADER_IMAGE"]
    if env.get("AUTOGRADER_K8S_NAMESPACE"):
        config["job_namespace"] = env["AUTOGRADER_K8S_NAMESPACE"]
    return config


def celery_executor_config() -> dict:
    return _execution_config(CELERY_CONFIG)


def executor_name(name: str | None = None, environ: dict | None = None) -> str:
    env = os.environ if environ is None else environ
    chosen = (name or env.get(ENV_VAR) or "multiprocess").strip().lower().replace("-", "_")
    if chosen not in EXECUTORS:
        raise ValueError(f"{ENV_VAR}={chosen!r}: choose one of {', '.join(EXECUTORS)}")
    return chosen


def select_executor(name: str | None = None, environ: dict | None = None) -> dg.ExecutorDefinition:
    chosen = executor_name(name, environ)
    if chosen == "in_process":
        return dg.in_process_executor
    if chosen == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor.configured(k8s_executor_config(environ), name="k8s_grading")
    if chosen == "celery":
        from dagster_celery import celery_executor

        return celery_executor.configured(celery_executor_config(), name="celery_grading")
    return dg.multiprocess_executor
