# A second correct solution: an ExternalTaskSensor instead of asset scheduling, classic operators
# with default_args and explicit xcom_pull, an environment variable read when the DAG file is
# parsed, three explicit evaluation tasks with all_done; in Dagster an asset sensor with a job,
# MaterializeResult metadata read back from the instance, a resource instead of an IO manager,
# and the evaluation run inside each model's own step through check_specs.
### REGION wait_airflow
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor


# Same schedule as the ingestion DAG, so the sensor looks for the ingestion run of the same logical date.
@dag(dag_id="streamrec_training", schedule="0 1 * * *",
     start_date=pendulum.datetime(2024, 6, 1, tz="UTC"), catchup=False)
def streamrec_training():
    wait = ExternalTaskSensor(task_id="wait_for_ingestion", external_dag_id="streamrec_ingestion",
                              external_task_id="publish_interactions", mode="reschedule",
                              poke_interval=300, timeout=6 * 3600)

    @task
    def extract():
        print("extracting the freshly published interactions")

    @task
    def train():
        print("training")

    wait >> extract() >> train()


streamrec_training()
### REGION wait_dagster
@dg.asset(deps=[raw_interactions])
def training_interactions() -> None:
    print("extracting the freshly published interactions")


training_job = dg.define_asset_job("training_job", selection=[training_interactions])


@dg.asset_sensor(asset_key=raw_interactions.key, job=training_job)
def on_new_raw_interactions(context, asset_event):
    return dg.RunRequest()


defs_wait_for_ingestion = dg.Definitions(assets=[raw_interactions, training_interactions], jobs=[training_job],
                                         sensors=[on_new_raw_interactions])
### REGION gpu_airflow
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

GPU_DEFAULTS = {"pool": "gpu_training"}  # every task of these DAGs draws a slot from the shared GPU pool


def train_on(model_name):
    print(f"training the {model_name} on a GPU")


with DAG(dag_id="streamrec_retrieval_training", schedule="@daily", start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
         catchup=False, default_args=GPU_DEFAULTS):
    PythonOperator(task_id="train_on_gpu", python_callable=train_on, op_args=["two-tower retrieval model"])

with DAG(dag_id="streamrec_ranking_training", schedule="@daily", start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
         catchup=False, default_args=GPU_DEFAULTS):
    PythonOperator(task_id="train_on_gpu", python_callable=train_on, op_args=["ranking model"])
### REGION gpu_airflow_pool
from airflow.models.pool import Pool
from airflow.utils.session import create_session

with create_session() as session:
    pool = session.query(Pool).filter(Pool.pool == "gpu_training").one_or_none() or Pool(pool="gpu_training")
    pool.slots, pool.include_deferred = 4, False
    pool.description = "the shared GPUs: 4 training jobs at most, whatever DAG they belong to"
    session.add(pool)
### REGION gpu_dagster
GPU_POOL = "gpu_training"


def gpu_training_asset(name, what):
    @dg.asset(name=name, pool=GPU_POOL)
    def train() -> None:
        print(f"training the {what} on a GPU")

    return train


retrieval_model = gpu_training_asset("retrieval_model", "two-tower retrieval model")
ranking_model = gpu_training_asset("ranking_model", "ranking model")


def limit_dagster_gpu_pool(instance):
    instance.event_log_storage.set_concurrency_slots(GPU_POOL, 4)


defs_gpu_training = dg.Definitions(
    assets=[retrieval_model, ranking_model],
    jobs=[dg.define_asset_job("retrieval", selection=["retrieval_model"]),
          dg.define_asset_job("ranking", selection=["ranking_model"])],
)
### REGION metadata_airflow
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def _extract(ds):
    path, rows = extract_interactions(ds, "streamrec-data")
    return {"data_path": path, "row_count": rows}


def _train(ti):
    extracted = ti.xcom_pull(task_ids="extract")
    return {"model_path": train_popularity(extracted["data_path"], "streamrec-data"),
            "trained_on": extracted["data_path"]}


def _evaluate(ti):
    trained = ti.xcom_pull(task_ids="train")
    return {"model_path": trained["model_path"],
            "hit_rate_at_10": evaluate_popularity(trained["model_path"], trained["trained_on"])}


with DAG(dag_id="streamrec_metadata", schedule="@daily", start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
         catchup=False):
    extract = PythonOperator(task_id="extract", python_callable=_extract)
    train = PythonOperator(task_id="train", python_callable=_train)
    evaluate = PythonOperator(task_id="evaluate", python_callable=_evaluate)
    extract >> train >> evaluate
### REGION metadata_dagster
def upstream_metadata(context, asset_name):
    """The metadata the upstream asset recorded on its latest materialization."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey(asset_name))
    return {key: entry.value for key, entry in event.asset_materialization.metadata.items()}


@dg.asset
def extracted_interactions():
    path, rows = extract_interactions(DAY, "streamrec-data")
    return dg.MaterializeResult(metadata={"data_path": path, "row_count": rows})


@dg.asset(deps=[extracted_interactions])
def trained_model(context):
    data_path = upstream_metadata(context, "extracted_interactions")["data_path"]
    return dg.MaterializeResult(metadata={"model_path": train_popularity(data_path, "streamrec-data"),
                                          "trained_on": data_path})


@dg.asset(deps=[trained_model])
def model_evaluation(context):
    upstream = upstream_metadata(context, "trained_model")
    hit_rate = evaluate_popularity(upstream["model_path"], upstream["trained_on"])
    return dg.MaterializeResult(metadata={"model_path": upstream["model_path"], "hit_rate_at_10": hit_rate})


defs_metadata = dg.Definitions(assets=[extracted_interactions, trained_model, model_evaluation])
### REGION deployments
DEPLOYMENTS = {
    "development": {"STREAMREC_STORAGE_ROOT": "streamrec-data"},
    "production": {"STREAMREC_STORAGE_ROOT": "s3://streamrec-prod"},
}
### REGION storage_airflow
import os

# Each deployment's scheduler and workers have their own environment: the file is the same everywhere.
STORAGE_ROOT = os.environ.get("STREAMREC_STORAGE_ROOT", "streamrec-data")


@dag(dag_id="streamrec_storage", schedule="@daily", start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
     catchup=False)
def streamrec_storage():
    @task
    def save_features(ds=None):
        return store(STORAGE_ROOT, f"features/ds={ds}/features.csv", b"user_id,clicks_7d\\n1,3\\n2,0\\n")

    save_features()


streamrec_storage()
### REGION storage_dagster
class FeatureStore(dg.ConfigurableResource):
    """Where the feature tables live: a local folder or an s3:// root, from configuration."""

    root: str

    def save(self, key, value):
        return store(self.root, key, pickle.dumps(value))

    def load(self, key):
        return pickle.loads(fetch(f"{self.root.rstrip('/')}/{key}"))


@dg.asset
def daily_features(feature_store: FeatureStore):
    frame = pd.DataFrame({"user_id": [1, 2, 3], "clicks_7d": [3, 0, 7]})
    return dg.MaterializeResult(metadata={"location": feature_store.save("features/daily_features.pkl", frame)})


@dg.asset(deps=[daily_features])
def feature_summary(feature_store: FeatureStore):
    frame = feature_store.load("features/daily_features.pkl")
    summary = {"users": len(frame), "clicks_7d": int(frame["clicks_7d"].sum())}
    return dg.MaterializeResult(metadata={"location": feature_store.save("features/feature_summary.pkl", summary)})


def storage_definitions():
    return dg.Definitions(assets=[daily_features, feature_summary],
                          resources={"feature_store": FeatureStore(root=dg.EnvVar("STREAMREC_STORAGE_ROOT"))})
### REGION registration_airflow
@dag(dag_id="streamrec_registration", schedule="@daily", start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
     catchup=False)
def streamrec_registration():
    evaluations = []
    for candidate in CANDIDATES:
        @task(task_id=f"evaluate_{candidate}")
        def evaluate(model=candidate):
            return evaluate_candidate(model)

        evaluations.append(evaluate())

    # all_done: wait for every evaluation, whether it succeeded or failed.
    @task(trigger_rule=TriggerRule.ALL_DONE)
    def register(ti=None):
        results = ti.xcom_pull(task_ids=[f"evaluate_{m}" for m in CANDIDATES])
        return sorted(r["model"] for r in results if r and r["passed"])

    evaluations >> register()


streamrec_registration()
### REGION registration_dagster
def evaluated_candidate(model):
    """The model's asset; its step evaluates the model too and reports the result as a check."""

    @dg.asset(name=f"{model}_model", check_specs=[dg.AssetCheckSpec("offline_evaluation", asset=f"{model}_model")])
    def candidate():
        yield dg.Output({"model": model})
        try:
            result = evaluate_candidate(model)
        except Exception as exc:
            yield dg.AssetCheckResult(check_name="offline_evaluation", passed=False, metadata={"error": str(exc)})
        else:
            yield dg.AssetCheckResult(check_name="offline_evaluation", passed=result["passed"],
                                      metadata={"hit_rate_at_10": result["hit_rate_at_10"]})

    return candidate


candidate_assets = [evaluated_candidate(model) for model in CANDIDATES]


@dg.asset(deps=candidate_assets)
def registered_models(context):
    passed = []
    for model in CANDIDATES:
        record = context.instance.get_latest_asset_check_evaluation_record(
            dg.AssetCheckKey(dg.AssetKey(f"{model}_model"), "offline_evaluation"))
        if record and record.run_id == context.run_id and record.status.value == "SUCCEEDED":
            passed.append(model)
    return sorted(passed)


defs_registration = dg.Definitions(assets=[*candidate_assets, registered_models])
