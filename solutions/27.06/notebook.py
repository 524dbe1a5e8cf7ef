# %% [markdown]
# StreamRec's training pipeline starts by checking the day's interactions (`validate_data`, the
# first task after extraction). Section 27.3 put the same pipeline in three orchestrators, and each
# has its own way to pass a task its inputs, report a result and signal a failure: Airflow has task
# parameters, XCom and task states; Dagster has run configuration, materialization metadata and
# step failures; Prefect has plain arguments, return values and task-run states.
#
# The validation *rules* are none of that. They are business logic: they hold whatever
# orchestrator runs them. In this exercise you write the rules **once**, as a plain function, and
# wrap that one function, unchanged, in an Airflow task, a Dagster asset and a Prefect task. Each
# wrapper does only the orchestration: it reads the table it is given, calls the shared function,
# and turns its verdict into what its framework understands (a value handed on when the data
# passes, a failed task or step when it does not).
#
# Versions: Airflow 3 (`airflow.sdk`, `dag.test()`), Dagster 1.13, Prefect 3.

# %% [markdown]
# ## Set-up
#
# The first cell points Airflow at a metadata database. When this notebook is graded, the grader
# has already set `AIRFLOW_HOME` to a prepared one and started a Prefect server; on your own
# machine the cell makes a throwaway Airflow home beside the notebook (the first time,
# `airflow db migrate` takes about half a minute), and Prefect starts a temporary server of its own
# when the first flow runs.
#
# It also gives you the result type the shared function returns, `ValidationResult`, and two
# fixtures: a clean day of interactions and a broken copy of it.

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

# The grader runs your code itself; it skips the slower demonstrations below.
DEMO = not os.environ.get("AUTOGRADER_WORKER")

# %%
import tempfile
from dataclasses import dataclass

import pandas as pd

from pipelinekit import DataContract
from pipelinekit.streamrec import EVENTS, generate_interactions


@dataclass(frozen=True)
class ValidationResult:
    """The verdict on one table: whether it passed, how many rows it has, and every problem found."""

    passed: bool
    row_count: int
    problems: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """The same verdict as plain data, which any orchestrator can store and show."""
        return {"passed": self.passed, "row_count": self.row_count, "problems": list(self.problems)}


clean_day = generate_interactions("2024-06-01", n_interactions=500)
broken_day = clean_day.copy()
broken_day.loc[[3, 7, 11], "watch_seconds"] = -30     # a bug upstream: negative watch times
broken_day.loc[20, "event"] = "purchase"              # an event type StreamRec does not have

fixtures = pathlib.Path(tempfile.mkdtemp(prefix="streamrec-fixtures-"))
clean_day.to_pickle(fixtures / "clean.pkl")
broken_day.to_pickle(fixtures / "broken.pkl")
CLEAN, BROKEN = str(fixtures / "clean.pkl"), str(fixtures / "broken.pkl")
clean_day.head(3)

# %% [markdown] part="a"
# ## (a) The shared function
#
# Write `validate_interactions(df) -> ValidationResult`. It knows nothing of any orchestrator: it
# takes a DataFrame and returns a `ValidationResult` whose `passed` says whether the table keeps
# **every** rule below, whose `row_count` is the number of rows, and whose `problems` holds one
# readable line per broken rule, naming the column concerned (or saying "rows" for the row count).
# It reports every broken rule, not only the first, and never modifies the frame it is given.
#
# | column | rule |
# | --- | --- |
# | `user_id`, `item_id` | present, integer dtype, no nulls |
# | `timestamp` | present, datetime dtype, no nulls |
# | `event` | present, text, each value one of `EVENTS` (`view`, `click`, `like`, `complete`) |
# | `watch_seconds` | present, numeric, never negative |
# | `clicked` | present, integer dtype, each value 0 or 1 |
# | the table | at least 100 rows |
#
# `pipelinekit.DataContract` (section 27.10) checks most of these rules; the allowed events are a
# rule of your own on top of it.

# %% part="a"
### BEGIN SOLUTION validate
INTERACTIONS_CONTRACT = DataContract(
    name="interactions",
    required_columns=["user_id", "item_id", "timestamp", "event", "watch_seconds", "clicked"],
    dtypes={"user_id": "int", "item_id": "int", "timestamp": "datetime", "event": "string",
            "watch_seconds": "numeric", "clicked": "int"},
    non_null=["user_id", "item_id", "timestamp"],
    min_rows=100,
    value_ranges={"watch_seconds": (0, None), "clicked": (0, 1)},
)


def validate_interactions(df: pd.DataFrame) -> ValidationResult:
    """Check one day of interactions against StreamRec's rules; no orchestrator involved."""
    problems = [violation.message for violation in INTERACTIONS_CONTRACT.validate(df)]
    if "event" in df.columns:
        unknown = sorted(set(df["event"].dropna().astype(str)) - set(EVENTS))
        if unknown:
            problems.append(f"column 'event' has values outside {list(EVENTS)}: {unknown}")
    return ValidationResult(passed=not problems, row_count=len(df), problems=tuple(problems))
### END SOLUTION
### BEGIN STARTER
# def validate_interactions(df: pd.DataFrame) -> ValidationResult:
#     raise NotImplementedError("check the rules and return a ValidationResult")
### END STARTER


# %% part="a"
for name, frame in [("clean", clean_day), ("broken", broken_day)]:
    verdict = validate_interactions(frame)
    print(f"{name}: passed={verdict.passed}, rows={verdict.row_count}")
    for problem in verdict.problems:
        print("   -", problem)

# %% [markdown] part="b"
# ## (b) The Airflow task
#
# Build the DAG `validation_dag` with the `@dag` decorator: dag id `streamrec_validation`, no
# schedule, a param `path` (the location of a pickled DataFrame), and one task `validate_data`.
# The task reads the frame at `path`, calls `validate_interactions`, and:
#
# - when the data passes, **returns** `result.as_dict()` (its XCom, for the tasks downstream);
# - when it does not, **fails**, with the problems in the error message. A retry cannot repair bad
#   data, so raise `AirflowFailException` (from `airflow.sdk.exceptions`), which fails the task at
#   once without using its retries.
#
# In Airflow 3, `dag.test()` runs only DAGs the metadata database knows, which means DAGs found in
# a file of the DAGs folder. A DAG built in a notebook lives in no file, so `run_airflow_dag` below
# (given) writes a two-line DAG file that hands your DAG object to Airflow's parser, then runs it.

# %% part="b"
import sys
import types


def run_airflow_dag(dag, **conf) -> dict:
    """Run a notebook-defined DAG once with dag.test(); return its task states and XComs."""
    from sqlalchemy import select

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    handover = sys.modules.setdefault("notebook_dags", types.ModuleType("notebook_dags"))
    handover.DAGS = {**getattr(handover, "DAGS", {}), dag.dag_id: dag}
    folder = pathlib.Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notebook_dags.py").write_text(
        "# Airflow DAGs handed over from a notebook: the parser finds the DAG objects themselves.\n"
        "import notebook_dags\n\nglobals().update(notebook_dags.DAGS)\n")
    run = dag.test(logical_date=None, run_conf=conf)
    with create_session() as session:
        rows = session.scalars(select(XComModel).where(XComModel.dag_id == dag.dag_id,
                                                       XComModel.run_id == run.run_id)).all()
        xcoms = {row.task_id: XComModel.deserialize_value(row) for row in rows if row.key == "return_value"}
    return {"state": str(run.state), "tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()},
            "xcoms": xcoms}


# %% part="b"
from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowFailException

### BEGIN SOLUTION airflow_wrapper
@dag(dag_id="streamrec_validation", schedule=None, catchup=False,
     params={"path": Param("", type="string", description="pickled DataFrame of one day of interactions")})
def streamrec_validation():
    @task
    def validate_data(params=None) -> dict:
        result = validate_interactions(pd.read_pickle(params["path"]))  # the shared rules, nothing else
        if not result.passed:
            raise AirflowFailException("invalid interactions:\n" + "\n".join(result.problems))
        return result.as_dict()

    validate_data()


validation_dag = streamrec_validation()
### END SOLUTION
### BEGIN STARTER
# @dag(dag_id="streamrec_validation", schedule=None, catchup=False, params={"path": Param("", type="string")})
# def streamrec_validation():
#     @task
#     def validate_data(params=None) -> dict:
#         raise NotImplementedError("read params['path'], call validate_interactions, pass or fail")
#
#     validate_data()
#
#
# validation_dag = streamrec_validation()
### END STARTER

# %% part="b"
if DEMO:
    for path in [CLEAN, BROKEN]:
        print(path, run_airflow_dag(validation_dag, path=path))

# %% [markdown] part="c"
# ## (c) The Dagster asset
#
# Write the asset `validated_interactions`. Its run configuration has one field, `path` (the
# location of a pickled DataFrame): declare it with a `dg.Config` class taken as the asset's
# `config` parameter (or with the older `config_schema={"path": str}` and `context.op_config`). It
# reads the frame, calls `validate_interactions`, and:
#
# - when the data passes, returns the frame (the value downstream assets receive through the IO
#   manager) and records `row_count` as **materialization metadata**;
# - when it does not, **fails the step**, with the problems in the failure: `dg.Failure` takes a
#   description and metadata, and `allow_retries=False` says that a retry would not help.
#
# A run's configuration is given per asset, for example
# `run_config={"ops": {"validated_interactions": {"config": {"path": CLEAN}}}}`.

# %% part="c"
import dagster as dg

### BEGIN SOLUTION dagster_wrapper
class InteractionsConfig(dg.Config):
    path: str


@dg.asset
def validated_interactions(config: InteractionsConfig) -> dg.Output[pd.DataFrame]:
    frame = pd.read_pickle(config.path)
    result = validate_interactions(frame)  # the shared rules, nothing else
    if not result.passed:
        raise dg.Failure(description="invalid interactions", metadata={"problems": list(result.problems)},
                         allow_retries=False)
    return dg.Output(frame, metadata={"row_count": result.row_count, "problems": len(result.problems)})
### END SOLUTION
### BEGIN STARTER
# class InteractionsConfig(dg.Config):
#     path: str
#
#
# @dg.asset
# def validated_interactions(config: InteractionsConfig) -> pd.DataFrame:
#     raise NotImplementedError("read config.path, call validate_interactions, pass or fail")
### END STARTER


# %% part="c"
if DEMO:
    for path in [CLEAN, BROKEN]:
        run_config = {"ops": {"validated_interactions": {"config": {"path": path}}}}
        result = dg.materialize([validated_interactions], run_config=run_config, raise_on_error=False)
        print(path, "success" if result.success else "failure")

# %% [markdown] part="d"
# ## (d) The Prefect task
#
# Write the Prefect task `validate_data_task(path)` and the flow `validation_flow(path)` that
# calls it and returns its result. The task reads the frame at `path`, calls
# `validate_interactions`, and returns `result.as_dict()` when the data passes; when it does not,
# it **raises** an exception with the problems in its message, so that the task run, and with it
# the flow run, ends in the state `Failed`. Calling a flow with `return_state=True` gives you its
# final state instead of its value.

# %% part="d"
from prefect import flow
from prefect import task as prefect_task

### BEGIN SOLUTION prefect_wrapper
class InvalidInteractions(ValueError):
    """The day's interactions broke StreamRec's rules."""


@prefect_task(retries=0)
def validate_data_task(path: str) -> dict:
    result = validate_interactions(pd.read_pickle(path))  # the shared rules, nothing else
    if not result.passed:
        raise InvalidInteractions("invalid interactions:\n" + "\n".join(result.problems))
    return result.as_dict()


@flow
def validation_flow(path: str) -> dict:
    return validate_data_task(path)
### END SOLUTION
### BEGIN STARTER
# @prefect_task
# def validate_data_task(path: str) -> dict:
#     raise NotImplementedError("read path, call validate_interactions, pass or fail")
#
#
# @flow
# def validation_flow(path: str) -> dict:
#     return validate_data_task(path)
### END STARTER


# %% part="d"
if DEMO:
    for path in [CLEAN, BROKEN]:
        state = validation_flow(path, return_state=True)
        print(path, state.type.value)

# %% [markdown] part="e"
# ## (e) One change reaches all three
#
# Nothing new to write: part (e) checks that your three wrappers really share the function. The
# test redefines `validate_interactions`, as re-running its cell with a changed body would, and
# runs the three wrappers again; each must now follow the new verdict. A wrapper that keeps its own
# copy of the rules, or holds on to the old function object, does not.

# %% [markdown] answer="f"
# **(f)** In a short paragraph: what belongs in the wrappers and what in the shared function, and
# what does the split buy a team that runs StreamRec (name at least one concrete benefit)?
#
### BEGIN SOLUTION
# The shared function holds the rules and nothing else: it takes a DataFrame and returns a verdict,
# with no context object, no XCom, no config class, no logging set-up and no idea of failure
# states. Everything that depends on the orchestrator sits in the thin wrappers: where the input
# comes from (an Airflow param, a Dagster config or IO manager, a Prefect argument), how the result
# is handed on (XCom, the IO manager and materialization metadata, a return value), and how a bad
# verdict becomes a failure the framework understands (`AirflowFailException` without retries,
# `dg.Failure(allow_retries=False)`, a raised exception that marks the task run Failed). The split
# pays off in three ways. The rules are unit-tested in milliseconds on small DataFrames, with no
# scheduler, metadata database or server (exercise 27.22 does exactly that). A fix or a new rule is
# made once and every pipeline that validates interactions picks it up, as part (e) shows; with
# three copies, one of them is always out of date. And moving a pipeline from one orchestrator to
# another means rewriting a dozen lines of glue, not re-deriving and re-testing the rules.
### END SOLUTION
