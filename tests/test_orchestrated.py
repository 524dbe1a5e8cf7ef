"""Grade on submit, orchestrated: the Dagster project in autograder/orchestrated, run for real.

A temporary Dagster instance (SQLite in a temporary DAGSTER_HOME), a temporary inbox with three
learners' submissions built from the exercises' own variants, the real sensor ticked, the real
grade asset run per partition (the sandboxed grader, unmocked), the gradebook and its checks.
Fast exercises only (27.1 and 27.4), so the module takes well under two minutes.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from autograder import catalog as cat
from autograder import reports
from autograder.grading import grade_submission
from autograder.orchestrated.defs import CHECKS_JOB, GRADE_JOB, GRADEBOOK_JOB, GradingSettings, build_definitions
from autograder.orchestrated.defs import executors, grades, inbox
from autograder.orchestrated.defs.gradebook import missing_learners, out_of_range, read_gradebook
from conftest import insert_cell, write_notebook

ONLY = ["27.1", "27.4"]
LEARNERS = ["ada", "ben", "cy"]
FAST_RETRIES = dg.RetryPolicy(max_retries=2, delay=0.05, backoff=dg.Backoff.EXPONENTIAL)
INFRA_MESSAGE = ("the grader's own services failed to start, so nothing of yours was run; "
                 "this is not your fault: your instructor will regrade")


# -- helpers -----------------------------------------------------------------------------------
def make_instance(home: Path) -> dg.DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return dg.DagsterInstance.from_config(str(home))


def make_class(root: Path, course) -> Path:
    """ada: reference answers; ben: the untouched starters; cy: 27.1 exits the kernel, 27.4 right."""
    for exercise_id in ONLY:
        write_notebook(root / "ada", course[exercise_id], "reference")
        write_notebook(root / "ben", course[exercise_id], "starter")
    write_notebook(root / "cy", course["27.1"], "reference", edit=insert_cell(1, "import os\nos._exit(1)"))
    write_notebook(root / "cy", course["27.4"], "reference")
    return root


def tick(defs: dg.Definitions, instance: dg.DagsterInstance, settings: GradingSettings, cursor: str | None):
    """One sensor tick, as the daemon runs it: evaluate, then add the requested partitions."""
    sensor = defs.resolve_sensor_def("submissions_sensor")
    with dg.build_sensor_context(instance_ref=instance.get_ref(), cursor=cursor, definitions=defs,
                                 resources={"grading_settings": settings}) as context:
        data = sensor.evaluate_tick(context)
    for request in data.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return data


def gradebook_requests(defs, instance) -> list[str]:
    """One tick of the gradebook sensor: the run keys it requests."""
    sensor = defs.resolve_sensor_def("gradebook_sensor")
    with dg.build_sensor_context(instance_ref=instance.get_ref(), definitions=defs) as context:
        return [r.run_key for r in sensor.evaluate_tick(context).run_requests]


def run_partition(defs, instance, key, tags=None, raise_on_error=True):
    return defs.resolve_job_def(GRADE_JOB).execute_in_process(
        partition_key=key, instance=instance, tags=tags or {}, raise_on_error=raise_on_error)


def build_gradebook(defs, instance):
    result = defs.resolve_job_def(GRADEBOOK_JOB).execute_in_process(instance=instance)
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def comparable(report: dict) -> dict:
    """Everything a learner is told, without timings or where the files were."""
    return {"problems": report["problems"], "exercises": [{
        **{k: ex[k] for k in ("id", "title", "score", "max_score", "auto_score", "auto_max",
                              "manual_pending", "feedback")},
        "parts": [{**{k: v for k, v in p.items() if k != "tests"},
                   "tests": [{k: v for k, v in t.items() if k != "duration"} for t in p["tests"]]}
                  for p in ex["parts"]],
    } for ex in report["exercises"]]}


def untimed(markdown: str) -> str:
    return re.sub(r"graded in [0-9.]+ s", "graded in _ s", markdown)


def materializations(instance, key: str) -> int:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=grades.GRADE_KEY, asset_partitions=[key]), limit=100).records
    return len(records)


def error_classes(error) -> list[str]:
    names = []
    while error is not None:
        names.append(error.cls_name)
        error = error.cause
    return names


# -- one uninterrupted run of the class, shared by the tests ------------------------------------
@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = cat.load_catalog()
    root = tmp_path_factory.mktemp("orchestrated")
    submissions = make_class(root / "inbox", course)
    pristine = root / "pristine"
    shutil.copytree(submissions, pristine)
    settings = GradingSettings(inbox=str(submissions), out=str(root / "out"), exercises=ONLY)
    defs = build_definitions(settings, executor="in_process")
    instance = make_instance(root / "dagster_home")
    started = time.perf_counter()
    first = tick(defs, instance, settings, None)
    book_requests = [gradebook_requests(defs, instance)]  # nothing graded yet: no gradebook
    runs = {r.partition_key: run_partition(defs, instance, r.partition_key, r.tags) for r in first.run_requests}
    book_requests.append(gradebook_requests(defs, instance))
    checks = build_gradebook(defs, instance)
    book_requests.append(gradebook_requests(defs, instance))
    seconds = time.perf_counter() - started
    out = Path(settings.out)
    yield {
        "course": course, "root": root, "inbox": submissions, "pristine": pristine, "settings": settings,
        "defs": defs, "instance": instance, "first": first, "runs": runs, "checks": checks,
        "book_requests": book_requests, "seconds": seconds, "out": out,
        "book_bytes": {name: (out / name).read_bytes() for name in ("grades.csv", "grades.json")},
    }
    instance.dispose()


def test_three_submissions_are_registered_graded_and_equal_autograder_grade(graded):
    first, course, out = graded["first"], graded["course"], graded["out"]
    keys = [f"{learner}__course" for learner in LEARNERS]
    assert sorted(first.dynamic_partitions_requests[0].partition_keys) == keys
    assert sorted(r.partition_key for r in first.run_requests) == keys
    assert sorted(graded["instance"].get_dynamic_partitions("submissions")) == keys
    assert all(run.success for run in graded["runs"].values())

    for learner in LEARNERS:
        expected = grade_submission(graded["inbox"] / learner, course, only=ONLY)
        expected["submission"] = learner
        record = json.loads(grades.result_path(out, f"{learner}__course").read_text())
        assert comparable(record["report"]) == comparable(expected), learner
        feedback = grades.feedback_dir(out, learner, "course")
        assert comparable(json.loads((feedback / "report.json").read_text())) == comparable(expected)
        assert json.loads((feedback / "results.json").read_text()) == json.loads(reports.to_gradescope(expected))
        assert untimed((feedback / "report.md").read_text()) == untimed(reports.to_markdown(expected))

    rows = {r["learner"]: r for r in read_gradebook(out)}
    full = course["27.1"].auto_points + course["27.4"].auto_points
    assert rows["ada"]["auto_score"] == full and rows["ben"]["auto_score"] == 0
    assert {e["id"]: e["auto_score"] for e in rows["cy"]["exercises"]} == {"27.1": 0, "27.4": course["27.4"].auto_points}
    assert (out / "grades.csv").read_text().splitlines()[0].startswith("learner,assignment,graded,auto_score")
    assert all(check.passed for check in graded["checks"].values()) and len(graded["checks"]) == 2
    # The gradebook sensor asks for a gradebook once there are grades newer than it, and only then.
    before, after_grading, after_gradebook = graded["book_requests"]
    assert before == [] and len(after_grading) == 1 and after_gradebook == []


def test_a_changed_submission_regrades_only_that_learner(graded):
    defs, instance, settings, course = graded["defs"], graded["instance"], graded["settings"], graded["course"]
    cursor = graded["first"].cursor
    assert not tick(defs, instance, settings, cursor).run_requests  # nothing changed: nothing to grade
    os.utime(graded["inbox"] / "ada" / course["27.1"].notebook_name)  # touched, same content
    write_notebook(graded["inbox"] / "ben", course["27.1"], "reference")  # ben resubmits 27.1
    again = tick(defs, instance, settings, cursor)
    assert [r.partition_key for r in again.run_requests] == ["ben__course"]
    assert not again.dynamic_partitions_requests  # a known partition, not a new one
    assert run_partition(defs, instance, "ben__course", again.run_requests[0].tags).success
    assert {k: materializations(instance, f"{k}__course") for k in LEARNERS} == {"ada": 1, "ben": 2, "cy": 1}
    assert len(gradebook_requests(defs, instance)) == 1  # ben's new grade is not in the gradebook yet
    build_gradebook(defs, instance)
    assert gradebook_requests(defs, instance) == []
    ben = next(r for r in read_gradebook(graded["out"]) if r["learner"] == "ben")
    assert {e["id"]: e["auto_score"] for e in ben["exercises"]} == {"27.1": course["27.1"].auto_points, "27.4": 0}
    assert not tick(defs, instance, settings, again.cursor).run_requests


def _grader_children(pid: int) -> list[int]:
    """The grader's processes (a warm lane or a cold runner) started by process ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and (b"autograder.runner" in cmdline or b"autograder.warm" in cmdline):
            found.append(int(entry))
    return found


KILLABLE_RUN = """
import sys
import dagster as dg
from autograder.orchestrated.defs import GRADE_JOB, build_definitions
defs = build_definitions(executor="in_process")
defs.resolve_job_def(GRADE_JOB).execute_in_process(partition_key=sys.argv[1], instance=dg.DagsterInstance.get())
"""


def test_a_run_killed_mid_grading_then_rerun_gives_a_byte_identical_gradebook(graded, tmp_path):
    submissions = tmp_path / "inbox"
    shutil.copytree(graded["pristine"], submissions)
    settings = GradingSettings(inbox=str(submissions), out=str(tmp_path / "out"), exercises=ONLY)
    defs = build_definitions(settings, executor="in_process")
    home = tmp_path / "dagster_home"
    instance = make_instance(home)
    requests = tick(defs, instance, settings, None).run_requests
    for request in requests[:2]:
        assert run_partition(defs, instance, request.partition_key, request.tags).success
    # cy's run is another process, killed (with its sandboxed runner) while it grades.
    env = {**os.environ, "DAGSTER_HOME": str(home), "AUTOGRADER_INBOX": settings.inbox,
           "AUTOGRADER_ORCHESTRATED_OUT": settings.out, "AUTOGRADER_EXERCISES": ",".join(ONLY)}
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE_RUN, "cy__course"], env=env, cwd=cat.REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline, runners = time.monotonic() + 90, []
    while time.monotonic() < deadline and proc.poll() is None and not runners:
        runners = _grader_children(proc.pid)
        time.sleep(0.02)
    assert runners, "the run should have been killed while its grader was running"
    os.killpg(proc.pid, signal.SIGKILL)
    for pid in runners:
        os.killpg(pid, signal.SIGKILL)  # the grader's processes have a session of their own
    proc.wait()
    killed = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": "cy__course"}))
    assert [r.status for r in killed] == [dg.DagsterRunStatus.STARTED]  # died without a word
    assert not grades.result_path(Path(settings.out), "cy__course").exists()
    checks = build_gradebook(defs, instance)
    assert not checks["gradebook_has_every_learner"].passed  # the gradebook knows cy is missing
    assert missing_learners(read_gradebook(Path(settings.out)), ["ada__course", "ben__course", "cy__course"]) \
        == ["cy__course"]

    assert run_partition(defs, instance, "cy__course").success  # the rerun
    checks = build_gradebook(defs, instance)
    assert all(check.passed for check in checks.values())
    for name, expected in graded["book_bytes"].items():
        assert (Path(settings.out) / name).read_bytes() == expected, name
    instance.dispose()


def test_the_gradebook_checks_fail_on_a_missing_learner_and_an_out_of_range_score(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    settings = GradingSettings(inbox=str(graded["inbox"]), out=str(out), exercises=ONLY)
    defs = build_definitions(settings, executor="in_process")
    checks_job = defs.resolve_job_def(CHECKS_JOB)  # the checks alone, on the gradebook as it is on disk

    def run_checks() -> dict:
        result = checks_job.execute_in_process(instance=graded["instance"])
        assert not result.get_asset_materialization_events()
        return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}

    assert run_checks() == {"gradebook_has_every_learner": True, "gradebook_scores_in_bounds": True}
    book = json.loads((out / "grades.json").read_text())
    pristine = json.dumps(book)
    book["learners"] = [r for r in book["learners"] if r["learner"] != "cy"]
    (out / "grades.json").write_text(json.dumps(book))
    assert run_checks() == {"gradebook_has_every_learner": False, "gradebook_scores_in_bounds": True}

    book = json.loads(pristine)
    ada = next(r for r in book["learners"] if r["learner"] == "ada")
    ada["exercises"][0]["auto_score"] = ada["exercises"][0]["auto_max"] + 1
    (out / "grades.json").write_text(json.dumps(book))
    assert run_checks() == {"gradebook_has_every_learner": True, "gradebook_scores_in_bounds": False}
    assert out_of_range(book["learners"], graded["course"])[0].startswith("ada__course: 27.1 score 8 is outside 0..7")
    ada["exercises"][0]["auto_score"] = -1
    assert out_of_range(book["learners"], graded["course"])


def test_infrastructure_failures_are_retried_with_backoff_and_learner_failures_are_not(tmp_path, monkeypatch):
    course = cat.load_catalog()
    submissions = tmp_path / "inbox"
    write_notebook(submissions / "eve", course["27.7"], "reference")  # needs the Airflow service
    # fay's 27.1 (the starter) fails its tests, and raises the grader's infrastructure message to
    # pass for an infrastructure failure: a graded zero all the same, not retried.
    write_notebook(submissions / "fay", course["27.1"], "starter",
                   edit=insert_cell(1, f"raise RuntimeError({INFRA_MESSAGE!r})"))
    instance = make_instance(tmp_path / "dagster_home")
    instance.add_dynamic_partitions("submissions", ["eve__course", "fay__course"])

    # A broken cache folder: the grader's Airflow service cannot start (a real infrastructure failure).
    # Cold runners (no warm lanes), so that the grader's processes start in this broken environment.
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    monkeypatch.setenv("AUTOGRADER_WARM", "0")
    settings = GradingSettings(inbox=str(submissions), out=str(tmp_path / "out"), exercises=["27.7"])
    defs = build_definitions(settings, executor="in_process", retry_policy=FAST_RETRIES)
    result = run_partition(defs, instance, "eve__course", raise_on_error=False)
    assert not result.success
    kinds = [e.event_type_value for e in result.all_events]
    assert kinds.count("STEP_UP_FOR_RETRY") == 2 and kinds.count("STEP_RESTARTED") == 2
    assert "InfrastructureFailure" in error_classes(result.failure_data_for_node("submission_grade").error)
    assert not grades.result_path(tmp_path / "out", "eve__course").exists()  # no zero given for it

    settings = GradingSettings(inbox=str(submissions), out=str(tmp_path / "out"), exercises=["27.1"])
    defs = build_definitions(settings, executor="in_process", retry_policy=FAST_RETRIES)
    result = run_partition(defs, instance, "fay__course")
    kinds = [e.event_type_value for e in result.all_events]
    assert result.success and "STEP_UP_FOR_RETRY" not in kinds and "STEP_RESTARTED" not in kinds
    report = json.loads(grades.result_path(tmp_path / "out", "fay__course").read_text())["report"]
    assert report["auto_score"] == 0 and grades.infrastructure_failures(report) == []
    assert report["exercises"][0]["feedback"][0].startswith("the cell that starts")

    # The shipped policy: exponential backoff, a few retries; on the grade asset only.
    policy = build_definitions(settings).resolve_assets_def(grades.GRADE_KEY).op.retry_policy
    assert policy == grades.GRADE_RETRY_POLICY
    assert policy.backoff == dg.Backoff.EXPONENTIAL and policy.max_retries >= 2 and policy.delay > 0


def test_an_nbgrader_exchange_inbox_grades_the_latest_submission(tmp_path):
    course = cat.load_catalog()
    inbound = tmp_path / "exchange" / "orchestration" / "inbound"
    older = inbound / "ada+ch27-dags+2026-03-01 10:00:00.000000 UTC+abc"
    newer = inbound / "ada+ch27-dags+2026-03-02 09:30:00.000000 UTC+def"
    write_notebook(older, course["27.1"], "starter")
    write_notebook(newer, course["27.1"], "reference")
    (newer / "timestamp.txt").write_text("2026-03-02 09:30:00.000000 UTC")
    write_notebook(inbound / "ben+ch27-dags+2026-03-01 11:00:00.000000 UTC", course["27.1"], "starter")
    (inbound / "not a submission").mkdir()
    settings = GradingSettings(inbox=str(tmp_path / "exchange"), out=str(tmp_path / "out"), layout="nbgrader",
                               exercises=ONLY)
    found = inbox.scan(settings.inbox_path, "nbgrader")
    assert sorted(found) == ["ada__ch27-dags", "ben__ch27-dags"] and found["ada__ch27-dags"].path == newer
    defs = build_definitions(settings, executor="in_process")
    instance = make_instance(tmp_path / "dagster_home")
    first = tick(defs, instance, settings, None)
    assert sorted(r.partition_key for r in first.run_requests) == ["ada__ch27-dags", "ben__ch27-dags"]
    assert run_partition(defs, instance, "ada__ch27-dags").success
    report = json.loads(grades.result_path(tmp_path / "out", "ada__ch27-dags").read_text())["report"]
    assert [e["id"] for e in report["exercises"]] == ONLY  # the assignment's exercises, as configured
    assert {e["id"]: e["auto_score"] for e in report["exercises"]} == {"27.1": course["27.1"].auto_points, "27.4": 0}
    assert (tmp_path / "out" / "feedback" / "ada" / "ch27-dags" / "report.md").exists()
    # The same files submitted again (a newer timestamp) are not graded again; changed ones are.
    again = inbound / "ada+ch27-dags+2026-03-03 08:00:00.000000 UTC+ghi"
    shutil.copytree(newer, again)
    (again / "timestamp.txt").write_text("2026-03-03 08:00:00.000000 UTC")
    assert not tick(defs, instance, settings, first.cursor).run_requests
    write_notebook(again, course["27.1"], "reference", edit=insert_cell(1, "note = \"second try\""))
    assert [r.partition_key for r in tick(defs, instance, settings, first.cursor).run_requests] == ["ada__ch27-dags"]
    with pytest.raises(inbox.InboxError):
        inbox.parse_key("../etc__passwd")
    instance.dispose()


def _k8s_step_job(defs: dg.Definitions, kubeconfig: Path) -> dict:
    """The Kubernetes Job the executor would submit for a grading step, built by dagster-k8s itself."""
    from dagster._config import process_config
    from dagster._core.definitions.job_base import InMemoryJob
    from dagster_k8s import k8s_job_executor
    from dagster._core.executor.init import InitExecutorContext
    from dagster_k8s.job import DagsterK8sJobConfig, construct_dagster_k8s_job
    from kubernetes.client import ApiClient

    job = defs.resolve_job_def(GRADE_JOB)
    executor_def = job.executor_def
    resolved = executor_def.config_schema.resolve_config({})  # the shipped executor.yaml, as configured
    assert resolved.success, resolved.errors
    processed = process_config(k8s_job_executor.config_schema.config_type,  # dagster-k8s's own schema
                               {**resolved.value["config"], "load_incluster_config": False, "kubeconfig_file": str(kubeconfig)})
    assert processed.success, processed.errors
    config = processed.value
    executor = executor_def.executor_creation_fn(InitExecutorContext(
        job=InMemoryJob(job), executor_def=executor_def, executor_config=config,
        instance=dg.DagsterInstance.ephemeral()))
    context = executor._step_handler._executor_container_context
    k8s_job = construct_dagster_k8s_job(
        DagsterK8sJobConfig(job_image=config["job_image"], dagster_home="/opt/dagster/dagster_home",
                            instance_config_map="dagster-instance"),
        args=["dagster", "api", "execute_step"], job_name="dagster-step-grade", pod_name="dagster-step-grade",
        component="step_worker", user_defined_k8s_config=context.run_k8s_config, labels={"dagster/op": "grade"})
    return ApiClient().sanitize_for_serialization(k8s_job) | {"namespace": context.namespace}


def test_the_definitions_load_with_each_executor_and_k8s_steps_carry_the_sandbox_pod_security(tmp_path, monkeypatch):
    settings = GradingSettings(inbox=str(tmp_path / "inbox"), out=str(tmp_path / "out"))
    expected = {"multiprocess": "multiprocess", "in_process": "in_process", "k8s": "k8s_grading",
                "celery": "celery_grading"}
    for name, executor_name in expected.items():
        defs = build_definitions(settings, executor=name)
        dg.Definitions.validate_loadable(defs)
        assert defs.resolve_job_def(GRADE_JOB).executor_def.name == executor_name
        assert defs.resolve_job_def(GRADEBOOK_JOB).executor_def.name == executor_name
    monkeypatch.setenv("AUTOGRADER_DAGSTER_EXECUTOR", "celery")
    assert build_definitions(settings).resolve_job_def(GRADE_JOB).executor_def.name == "celery_grading"
    monkeypatch.setenv("AUTOGRADER_DAGSTER_EXECUTOR", "slurm")
    with pytest.raises(ValueError):
        build_definitions(settings)
    monkeypatch.delenv("AUTOGRADER_DAGSTER_EXECUTOR")

    # Kubernetes: the configuration validates against dagster-k8s's schema, and the step Job it
    # builds has the sandbox plan's pod security settings.
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "test", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "users": [{"name": "test", "user": {"token": "unused"}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}]}))
    step = _k8s_step_job(build_definitions(settings, executor="k8s"), kubeconfig)
    assert step["namespace"] == "course-grading"
    assert step["spec"]["backoffLimit"] == 0 and 0 < step["spec"]["activeDeadlineSeconds"] <= 3600
    pod = step["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False and pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True and security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True and security["capabilities"]["drop"] == ["ALL"]
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    for key in ("cpu", "memory", "ephemeral-storage"):
        assert key in container["resources"]["limits"], key
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert "/tmp" in mounts and mounts["/submissions"]["readOnly"] is True
    assert all("sizeLimit" in v["emptyDir"] for v in pod["volumes"] if "emptyDir" in v)
    assert {"name": "AUTOGRADER_SANDBOX", "value": "process"} in container["env"]
    network = [d for d in yaml.safe_load_all((executors.DEPLOY / "k8s" / "grading-access.yaml").read_text())
               if d["kind"] == "NetworkPolicy"]
    assert network[0]["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/component": "dagster-step"}
    assert step["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == "dagster-step"

    # Celery: the workers' own validation of the shipped file, and the app it makes.
    from dagster_celery.cli import get_validated_config
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app

    monkeypatch.setenv("DAGSTER_CELERY_BROKER_URL", "pyamqp://grader@127.0.0.1:5672//")
    monkeypatch.setenv("DAGSTER_CELERY_BACKEND_URL", "rpc://")
    worker = get_validated_config(str(executors.CELERY_CONFIG))
    app = make_app(CeleryExecutor.for_cli(**{k: v for k, v in worker.items() if k != "retries"}).app_args())
    assert app.conf.broker_url == "pyamqp://grader@127.0.0.1:5672//"
    assert app.conf.task_default_queue == "grading" and app.conf.task_acks_late is True

    # The shipped local instance configuration loads.
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(executors.DEPLOY / "dagster.yaml", home / "dagster.yaml")
    local = dg.DagsterInstance.from_config(str(home))
    assert local.run_retries_enabled and local.run_monitoring_enabled
    local.dispose()
