# A second correct repair: the TaskFlow API (@dag, @task) instead of operators in a `with` block, a
# cron schedule at 06:00 UTC and a timezone-aware start date, `ds` instead of `logical_date`, and the
# retries given per task rather than through default_args.
### REGION fixed_dag
"""example, rewritten with the TaskFlow API of Airflow 3."""
import datetime as dt

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import dag, task

RETRY = {"retries": 1, "retry_delay": dt.timedelta(minutes=5)}


@dag(
    dag_id="example",
    schedule="0 6 * * *",
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    tags=["repaired"],
)
def example():
    @task(**RETRY)
    def task_a(ds=None):
        print(f"Task A for {ds}")

    @task(**RETRY)
    def task_b():
        print("Task B")

    @task(**RETRY)
    def clean_tmp():
        print("Temporary files removed")

    task_a() >> task_b() >> EmptyOperator(task_id="end", **RETRY)
    clean_tmp()


example()
