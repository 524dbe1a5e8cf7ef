# %% [markdown]
# A colleague hands you a DAG file from the team's old Airflow 2 deployment. It is meant to run two
# steps one after the other every day, `task_a` and then `task_b`, close the run with a marker task
# `end`, and tidy up temporary files with `clean_tmp`, which needs nothing from the other tasks and
# runs beside them. Since the platform moved to Airflow 3 the file does not even load. While old
# runs were being backfilled by hand, someone also switched its schedule off and never switched it
# back on.
#
# Your job: **repair the file so that it works on Airflow 3**, and then list what was wrong with it.
# This exercise builds on Section 3.2 (Apache Airflow 3): writing a DAG file with the task SDK,
# loading it in a `DagBag`, and running it with `dag.test()`.
#
# **What changed since Airflow 2, in brief.** DAG authors now import `DAG` (and `dag`, `task`) from
# `airflow.sdk`; the Python, Bash and empty operators moved to the *standard provider*,
# `airflow.providers.standard.operators....`, and the old `airflow.operators....` paths are either
# gone or deprecated shims; `DummyOperator` no longer exists (its successor is `EmptyOperator`); the
# DAG's `schedule_interval=` argument was removed in favour of `schedule=`; a DAG without a
# `schedule` no longer runs once a day by default (Airflow 2's default) but only when triggered; the
# run's context no longer has `execution_date` (it is `logical_date`, or `ds` as a `YYYY-MM-DD`
# string); and `provide_context=` is gone, because the context has been passed to callables that
# ask for it since Airflow 2.0.
#
# ## What your repaired file must do
#
# Write the whole file, as text, into the string `FIXED_DAG` below. The starter holds the broken
# file as you received it; edit it in place.
#
# 1. It loads in a `DagBag` with **no import errors** and defines the DAG `example`. Import `DAG`
#    from `airflow.sdk` and the operators from `airflow.providers.standard`, so that loading it
#    raises **no deprecation warning** about an Airflow import path.
# 2. The DAG runs **once a day**: any daily schedule is accepted (`"@daily"`, a cron expression such
#    as `"0 6 * * *"`, or `timedelta(days=1)`). Keep the start date, 1 January 2025, and
#    `catchup=False`.
# 3. The DAG holds exactly the four tasks `task_a`, `task_b`, `end` and `clean_tmp`, with
#    `task_a` → `task_b` → `end`; `clean_tmp` has no dependencies.
# 4. **Every** task retries at least once if it fails (`retries >= 1`; the team's convention is
#    `retries=1` with a five-minute `retry_delay`, given in `default_args`).
# 5. One run, `dag.test(logical_date=...)` for a single day, succeeds with every task in state
#    `success`. `task_a` still prints the day it runs for.
#
# You may keep the classic style (operators in a `with DAG(...)` block) or rewrite it with the
# TaskFlow API (`@dag`, `@task`); the task ids above are what counts.
#
# **How it is graded.** The grader writes `FIXED_DAG` into Airflow's DAGs folder as a file, loads
# the folder into a real `DagBag` (Airflow 3, on its own SQLite metadata database), reads the DAG's
# schedule, tasks, dependencies and retries, and then runs it once with `dag.test()` for one logical
# date. For that run it sets every task's `retries` to 0, so that a task that cannot succeed fails at
# once instead of waiting five minutes for its retry.

# %% [markdown]
# ## Set-up
#
# This cell points Airflow at a metadata database before anything imports Airflow. When the
# notebook is graded, the grader has already prepared one; on your own machine the cell makes a
# throwaway Airflow home beside the notebook (the first time, `airflow db migrate` takes about half a
# minute).

# %%
import os
import pathlib
import shutil

if "AIRFLOW_HOME" not in os.environ:  # on your laptop: a throwaway Airflow home beside this notebook
    from autograder.services import airflow_env, airflow_template

    airflow_home = pathlib.Path("airflow-home").resolve()
    (airflow_home / "dags").mkdir(parents=True, exist_ok=True)
    if not (airflow_home / "airflow.db").exists():
        shutil.copyfile(airflow_template(), airflow_home / "airflow.db")
    os.environ.update(airflow_env(airflow_home))

# The grader runs your file itself; it skips the demonstration below.
DEMO = not os.environ.get("AUTOGRADER_WORKER")

# %% [markdown]
# `try_dag_file(source)` does on your machine roughly what the grader does: it saves the text as
# `example.py` in the DAGs folder, loads the folder, prints each import error (its last line says
# what is wrong) and each Airflow deprecation warning, then shows the schedule, the tasks and one
# run. Run it on the starter first to see how the broken file fails.

# %%
def try_dag_file(source: str) -> None:
    """Load a DAG file's text in a DagBag, report what is wrong, and run the DAG `example` once."""
    import datetime as dt
    import warnings

    from airflow.dag_processing.dagbag import DagBag

    folder = pathlib.Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "example.py"
    path.write_text(source)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = DagBag(dag_folder=str(folder))
    for warning in caught:
        if warning.filename == str(path) and "deprecat" in str(warning.message).lower():
            print(f"deprecation warning, line {warning.lineno}: {warning.message}")
    for error in bag.import_errors.values():
        print("IMPORT ERROR:", error.strip().splitlines()[-1])
    example = bag.dags.get("example")
    if example is None:
        print("no DAG with the id `example` was loaded")
        return
    print("schedule:", type(example.timetable).__name__,
          getattr(example.timetable, "expression", "") or getattr(example.timetable, "interval", ""))
    for airflow_task in example.tasks:
        print(f"task {airflow_task.task_id:<10} retries={airflow_task.retries} "
              f"upstream={sorted(airflow_task.upstream_task_ids)}")
    for airflow_task in example.tasks:
        airflow_task.retries = 0  # as when graded: fail at once rather than wait for a retry
    run = example.test(logical_date=dt.datetime(2025, 3, 10, tzinfo=dt.timezone.utc))
    print("run:", run.state, {ti.task_id: str(ti.state) for ti in run.get_task_instances()})


# %% [markdown] part="a"
# **(a)** Repair the file. Keep the task ids and the DAG id.

# %% part="a"
FIXED_DAG = '''
### BEGIN SOLUTION fixed_dag
"""Runs task_a, then task_b, every day; clean_tmp tidies up beside them. Repaired for Airflow 3."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

default_args = {
    "owner": "airflow",
    "depends_on_past": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}


def task_a(logical_date=None):
    print(f"Task A for {logical_date:%Y-%m-%d}")


def task_b():
    print("Task B")


def clean_tmp():
    print("Temporary files removed")


with DAG(
    "example",
    default_args=default_args,
    start_date=datetime(2025, 1, 1),
    schedule="@daily",
    catchup=False,
):
    first = PythonOperator(task_id="task_a", python_callable=task_a)
    second = PythonOperator(task_id="task_b", python_callable=task_b)
    end = EmptyOperator(task_id="end")
    housekeeping = PythonOperator(task_id="clean_tmp", python_callable=clean_tmp)

    first >> second >> end
### END SOLUTION
### BEGIN STARTER
# """Runs task_a, then task_b, every day; clean_tmp tidies up beside them. Written for Airflow 2."""
# from datetime import datetime, timedelta
#
# from airflow import DAG
# from airflow.operators.dummy import DummyOperator
# from airflow.operators.python import PythonOperator
#
# default_args = {
#     "owner": "airflow",
#     "depends_on_past": False,
#     "retry_delay": timedelta(minutes=5),
# }
#
#
# def task_a(**context):
#     print(f"Task A for {context['execution_date']:%Y-%m-%d}")
#
#
# def task_b():
#     print("Task B")
#
#
# def clean_tmp():
#     print("Temporary files removed")
#
#
# dag = DAG(
#     "example",
#     default_args=default_args,
#     start_date=datetime(2025, 1, 1),
#     schedule_interval=None,  # switched off while we backfill by hand
#     catchup=False,
# )
#
# task1 = PythonOperator(task_id="task_a", python_callable=task_a, provide_context=True)
# task2 = PythonOperator(task_id="task_b", python_callable=task_b)
# end = DummyOperator(task_id="end", dag=dag)
# housekeeping = PythonOperator(task_id="clean_tmp", python_callable=clean_tmp)
#
# task1 >> task2 >> end
### END STARTER
'''

# %% part="a"
if DEMO:
    try_dag_file(FIXED_DAG)

# %% [markdown] answer="a.written"
# List every problem of the file you were given. For each: what was wrong, why it breaks (or
# silently misbehaves) on Airflow 3, and what replaced it.
#
### BEGIN SOLUTION
# 1. **`from airflow.operators.dummy import DummyOperator`**: the module was removed, so the import
#    raises `ModuleNotFoundError` and the file does not load. Replacement: `EmptyOperator` from
#    `airflow.providers.standard.operators.empty`.
# 2. **`from airflow.operators.python import PythonOperator`** (and `from airflow import DAG`): old
#    import paths. On Airflow 3 the operator path is a deprecated shim that warns and will go;
#    operators live in the standard provider (`airflow.providers.standard.operators.python`) and
#    DAG authors import `DAG` from `airflow.sdk`.
# 3. **`schedule_interval=`**: the argument was removed; `DAG()` raises `TypeError` (an import
#    error of the file). Replacement: `schedule=`.
# 4. **No schedule** (`None`): even with the argument renamed, the DAG would only run when someone
#    triggers it. Leaving the argument out is no fix either: Airflow 2 defaulted to one run a day,
#    Airflow 3 defaults to `None`. Fix: `schedule="@daily"` (or a daily cron or `timedelta(days=1)`).
# 5. **Tasks not attached to the DAG**: `task_a`, `task_b` and `clean_tmp` were created outside any
#    `with DAG(...)` block and without `dag=`. `task1 >> task2` then fails at load time ("tasks that
#    don't have Dags yet"); and `clean_tmp`, which has no dependencies, would silently not belong to
#    any DAG and never run. Fix: create every operator inside `with DAG(...)` (or pass `dag=`).
# 6. **`provide_context=True`**: no longer an argument of `PythonOperator` (the context is passed
#    to callables that ask for it since Airflow 2.0); on Airflow 3 it is rejected as an invalid
#    argument and the file does not load. Fix: drop it.
# 7. **`context['execution_date']`**: the key was removed from the task context, so `task_a` loads
#    but fails with `KeyError` when it runs. Replacement: `logical_date` (or `ds`).
# 8. **No retries**: `default_args` had a `retry_delay` but no `retries`, so `retries` stayed 0 and a
#    task failing once (a database hiccup) failed the whole run; the delay was never used. Fix:
#    `"retries": 1` in `default_args`, which every task inherits.
### END SOLUTION
