"""StreamRec's daily training pipeline as an Airflow 3 DAG (milestone M11, exercise 27.30).

One task per step, wired as the data flows; every task calls the shared, framework-free steps of
``streamrec_core`` and hands the next task the path of the file it wrote (a short string in XCom,
never a table). The day a run processes is its logical date, so a backfill of seven days is seven
runs that write seven partitions. The output root is $STREAMREC_OUTPUT_ROOT, read when a task runs.
"""
### BEGIN SOLUTION airflow_dag
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task

from streamrec_core import steps
from streamrec_core.storage import output_root

# The two training tasks: at most 2 retries, 10 s then 20 s apart.
TRAINING_RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=10), "retry_exponential_backoff": 2.0}


@dag(
    dag_id="streamrec_training",
    # Daily at midnight UTC. A data-interval timetable starts the run of day D once D is over
    # (at D+1 00:00), with D as its logical date; with schedule="@daily" Airflow 3 would start
    # it at D 00:00, before the day has any data.
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["streamrec", "m11"],
    doc_md=__doc__,
)
def streamrec_training():
    @task
    def raw_interactions(day: str) -> str:
        return steps.raw_interactions(day, output_root())

    @task
    def validated_interactions(raw_path: str, day: str) -> str:
        return steps.validated_interactions(raw_path, day, output_root())

    @task
    def training_features(validated_path: str, day: str) -> str:
        return steps.training_features(validated_path, day, output_root())

    @task(**TRAINING_RETRIES)
    def retrieval_model(features_path: str, day: str) -> str:
        return steps.retrieval_model(features_path, day, output_root())

    @task(**TRAINING_RETRIES)
    def ranking_model(features_path: str, day: str) -> str:
        return steps.ranking_model(features_path, day, output_root())

    @task
    def retrieval_evaluation(model_path: str, features_path: str, day: str) -> str:
        return steps.retrieval_evaluation(model_path, features_path, day, output_root())

    @task
    def ranking_evaluation(model_path: str, features_path: str, day: str) -> str:
        return steps.ranking_evaluation(model_path, features_path, day, output_root())

    @task
    def registered_models(retrieval_path: str, ranking_path: str, day: str) -> str:
        return steps.registered_models(retrieval_path, ranking_path, day, output_root())

    day = "{{ ds }}"  # rendered when each task runs: the run's logical date, YYYY-MM-DD
    features = training_features(validated_interactions(raw_interactions(day), day), day)
    retrieval_eval = retrieval_evaluation(retrieval_model(features, day), features, day)
    ranking_eval = ranking_evaluation(ranking_model(features, day), features, day)
    registered_models(retrieval_eval, ranking_eval, day)


streamrec_training()
### END SOLUTION
### BEGIN STARTER
# from airflow.sdk import dag, task
#
# from streamrec_core import steps
# from streamrec_core.storage import output_root
#
# # (a) the DAG `streamrec_training`: daily from 2024-06-01 (UTC), one task per step named after the
# # table it writes, wired as the data flows; each task processes its run's logical date and returns
# # the path it wrote. (the README pins the details)
### END STARTER
