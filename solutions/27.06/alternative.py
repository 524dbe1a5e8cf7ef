# A second correct solution: the rules written out with pandas instead of a DataContract, a classic
# PythonOperator reading its params from the context, output metadata added through the context,
# and the Prefect task submitted to the task runner and awaited.
### REGION validate
from pandas.api import types as ptypes

INTEGER_COLUMNS = ["user_id", "item_id", "clicked"]
REQUIRED = ["user_id", "item_id", "timestamp", "event", "watch_seconds", "clicked"]
MIN_ROWS = 100


def validate_interactions(df):
    """StreamRec's rules for a day of interactions, one check after the other, every problem kept."""
    problems = [f"column {c!r} is missing" for c in REQUIRED if c not in df.columns]
    present = [c for c in REQUIRED if c in df.columns]
    for column in present:
        series = df[column]
        if column in INTEGER_COLUMNS and not (ptypes.is_integer_dtype(series) and not ptypes.is_bool_dtype(series)):
            problems.append(f"column {column!r} must hold integers, its dtype is {series.dtype}")
        if column == "timestamp" and not ptypes.is_datetime64_any_dtype(series):
            problems.append(f"column 'timestamp' must hold datetimes, its dtype is {series.dtype}")
        if column in ("user_id", "item_id", "timestamp") and series.isna().any():
            problems.append(f"column {column!r} has {int(series.isna().sum())} null value(s)")
    if "event" in present:
        unknown = set(df["event"].dropna().astype(str)) - set(EVENTS)
        if unknown:
            problems.append(f"column 'event' has unknown values {sorted(unknown)}")
    if "watch_seconds" in present:
        watch = df["watch_seconds"]
        if not ptypes.is_numeric_dtype(watch):
            problems.append(f"column 'watch_seconds' must be numeric, its dtype is {watch.dtype}")
        elif (watch < 0).any():
            problems.append(f"column 'watch_seconds' has {int((watch < 0).sum())} negative value(s)")
    if "clicked" in present and ptypes.is_numeric_dtype(df["clicked"]) and not df["clicked"].dropna().isin([0, 1]).all():
        problems.append("column 'clicked' has values other than 0 and 1")
    if len(df) < MIN_ROWS:
        problems.append(f"only {len(df)} rows, at least {MIN_ROWS} needed")
    return ValidationResult(passed=not problems, row_count=len(df), problems=tuple(problems))
### REGION airflow_wrapper
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def check_interactions(**context):
    result = validate_interactions(pd.read_pickle(context["params"]["path"]))
    if not result.passed:
        raise AirflowFailException("; ".join(result.problems))
    return result.as_dict()


with DAG(dag_id="streamrec_validation", schedule=None, params={"path": Param("", type="string")}) as validation_dag:
    PythonOperator(task_id="validate_data", python_callable=check_interactions)
### REGION dagster_wrapper
@dg.asset(config_schema={"path": str})
def validated_interactions(context):
    frame = pd.read_pickle(context.op_config["path"])
    result = validate_interactions(frame)
    if not result.passed:
        raise dg.Failure(description="; ".join(result.problems), allow_retries=False)
    context.add_output_metadata({"row_count": result.row_count})
    return frame
### REGION prefect_wrapper
@prefect_task(retries=0, log_prints=True)
def validate_data_task(path):
    result = validate_interactions(pd.read_pickle(path))
    for problem in result.problems:
        print("problem:", problem)
    if not result.passed:
        raise ValueError(f"{len(result.problems)} rule(s) broken")
    return result.as_dict()


@flow
def validation_flow(path):
    return validate_data_task.submit(path).result()
