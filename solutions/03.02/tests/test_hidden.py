"""Hidden tests for exercise 3.2 (repairing an Airflow 2 DAG file for Airflow 3).

One probe does everything in the learner's worker: it writes FIXED_DAG into the grader's DAGs
folder, loads the folder in a real DagBag (recording Airflow's deprecation warnings for that file),
reads the DAG's schedule, tasks, dependencies and retries, and runs it once with dag.test() with
every task's retries set to 0 (a broken task then fails at once instead of waiting for its retry
delay). The result is cached here, so one grading imports Airflow and runs the DAG once.
"""
from autograder.testing import expect, graded

DAG_ID = "example"
TASKS = {"task_a", "task_b", "end", "clean_tmp"}
CHAIN = [("task_a", "task_b"), ("task_b", "end")]  # (upstream, downstream), from the statement
RUN_ORDER = ["task_a", "task_b", "end", "clean_tmp"]
DAY_SECONDS = 24 * 60 * 60

_CACHE: dict = {}


# ---- the probe: runs in the learner's worker and returns plain data -----------------------------
def load_and_run(ns, folder):
    import pathlib
    import warnings

    import pendulum

    source = ns.FIXED_DAG
    if not isinstance(source, str):
        return {"type": type(source).__name__}
    path = pathlib.Path(folder, "example.py")
    path.write_text(source)
    from airflow.dag_processing.dagbag import DagBag

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = DagBag(dag_folder=folder)
    out = {
        "type": "str",
        "errors": [str(error).strip().splitlines()[-1][:400] if str(error).strip() else "unknown error"
                   for error in bag.import_errors.values()],
        "deprecations": sorted({f"line {w.lineno}: {str(w.message)[:300]}" for w in caught
                                if w.filename == str(path) and "deprecat" in str(w.message).lower()
                                and "airflow" in str(w.message).lower()}),
        "dag_ids": sorted(bag.dag_ids),
    }
    dag = bag.dags.get("example")
    if dag is None:
        return out
    out["tasks"] = {t.task_id: {"retries": int(t.retries or 0), "upstream": sorted(t.upstream_task_ids)}
                    for t in dag.tasks}

    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    timetable = coerce_to_core_timetable(dag.timetable)
    out["timetable"] = type(timetable).__name__
    runs, last = [], None
    restriction = TimeRestriction(earliest=pendulum.datetime(2025, 2, 1, tz="UTC"), latest=None, catchup=True)
    for _ in range(8):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        if info is None:
            break
        runs.append(info.run_after.timestamp())
        last = info.data_interval
    out["run_after"] = runs

    for airflow_task in dag.tasks:
        airflow_task.retries = 0
    run = dag.test(logical_date=pendulum.datetime(2025, 3, 10, tz="UTC"))
    out["run_state"] = str(run.state)
    out["states"] = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    return out


def result(sub, services):
    if "run" not in _CACHE:
        try:
            _CACHE["run"] = ("ok", sub.run(load_and_run, services["dags_folder"], timeout=240))
        except Exception as exc:  # noqa: BLE001 - a learner error, or a broken probe: report it once per test
            _CACHE["run"] = ("error", exc)
    status, value = _CACHE["run"]
    if status == "error":
        raise value
    return value


def loaded(sub, services) -> dict:
    """The probe's result, after checking that the file loaded and defines the DAG."""
    got = result(sub, services)
    expect(got["type"] == "str", f"FIXED_DAG is a {got['type']}, not the text of a DAG file")
    for error in got["errors"]:
        expect(False, f"your file does not load in a DagBag: {error}")
    expect(DAG_ID in got["dag_ids"],
           f"your file loads, but defines no DAG with the id `{DAG_ID}` (it defines: "
           f"{', '.join(got['dag_ids']) or 'none'})")
    return got


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Removed modules and arguments make the file fail to import; read the last line "
                            "of each import error.")
def test_file_loads_without_import_errors(sub, services):
    loaded(sub, services)


@graded("a", points=1, hint="Import DAG from airflow.sdk and the operators from airflow.providers.standard.")
def test_no_deprecated_airflow_imports(sub, services):
    got = loaded(sub, services)
    for warning in got["deprecations"]:
        expect(False, f"loading your file raises a deprecation warning ({warning}): use today's import path")


@graded("a", points=1, hint="Give the DAG a daily schedule with schedule=; in Airflow 3 a DAG without one is "
                            "only run when triggered.")
def test_dag_runs_once_a_day(sub, services):
    got = loaded(sub, services)
    runs = got["run_after"]
    expect(len(runs) >= 2, f"the DAG `{DAG_ID}` has no recurring schedule ({got['timetable']}): the scheduler "
                           "would never start it on its own")
    gaps = {round(later - earlier) for earlier, later in zip(runs, runs[1:])}
    expect(gaps == {DAY_SECONDS},
           f"the DAG `{DAG_ID}` is scheduled ({got['timetable']}), but its runs are "
           f"{', '.join(sorted(f'{g / 3600:g} h' for g in gaps))} apart, not once a day")


@graded("a", points=1, hint="Create every operator inside the `with DAG(...)` block (or pass dag=), and chain "
                            "task_a >> task_b >> end.")
def test_every_task_belongs_to_the_dag(sub, services):
    got = loaded(sub, services)
    tasks = got["tasks"]
    missing = sorted(TASKS - set(tasks))
    extra = sorted(set(tasks) - TASKS)
    expect(not missing, f"the DAG `{DAG_ID}` has no task {', '.join(missing)} (an operator created outside the "
                        "DAG, or not created at all, never runs)")
    expect(not extra, f"the DAG `{DAG_ID}` has tasks the statement does not ask for: {', '.join(extra)}")
    for upstream, downstream in CHAIN:
        expect(upstream in tasks[downstream]["upstream"], f"`{downstream}` does not wait for `{upstream}`")


@graded("a", points=1, hint="Put the retries in default_args, so that every task, operators of every kind, "
                            "inherits them.")
def test_every_task_retries(sub, services):
    got = loaded(sub, services)
    for task_id, info in sorted(got["tasks"].items()):
        expect(info["retries"] >= 1, f"the task `{task_id}` has retries={info['retries']}: one failure fails the run")


@graded("a", points=1, hint="A task that loads can still fail when it runs: check what the task context holds "
                            "in Airflow 3.")
def test_one_run_succeeds(sub, services):
    got = loaded(sub, services)
    states = got["states"]
    present = [t for t in RUN_ORDER if t in states]
    failed = [t for t in present if states[t] == "failed"]
    for task_id in failed + [t for t in present if t not in failed]:  # the cause first, its consequences after
        expect(states[task_id] == "success", f"in a dag.test() run, `{task_id}` ended as {states[task_id]} "
                                             "(try_dag_file(FIXED_DAG) shows the task's error)")
    expect(TASKS <= set(states), f"the run has no task instance of {', '.join(sorted(TASKS - set(states)))}")
    expect(got["run_state"] == "success", f"the dag.test() run ended as {got['run_state']}")
