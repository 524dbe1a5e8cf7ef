# A second correct solution: GitPython for the code version, the table's history for the data
# version, one batch call for the tags, MLflow's fluent API (pointed at the tracker's own store)
# for the pipeline's run and its artifact, one dict holding the whole record, and a plain dict
# handed to Dagster, which turns it into a JSON metadata value.
### REGION init
import contextlib

import git

repo = git.Repo(code_dir, search_parent_directories=True)
self._record = {
    "pipeline_name": pipeline_name,
    "run_id": run_id,
    "git_sha": repo.head.commit.hexsha,
    "input_tables": {},
    "model_runs": {},
    "mlflow_run_id": None,
}
self._tracking_uri = tracking_uri


@contextlib.contextmanager
def tracking():
    """Point MLflow's fluent API at this tracker's store for the duration of a block."""
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(self._tracking_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(previous)


self._tracking = tracking
### REGION record_input_table
newest = DeltaTable(table_uri).history(limit=1)[0]
self._record["input_tables"][name] = {"uri": table_uri, "version": newest["version"]}
return newest["version"]
### REGION link_model_run
from mlflow.entities import RunTag

client = mlflow.MlflowClient(tracking_uri=self._tracking_uri)
client.get_run(mlflow_run_id)  # MlflowException when the id is unknown
client.log_batch(mlflow_run_id, tags=[
    RunTag("pipeline_name", self._record["pipeline_name"]),
    RunTag("pipeline_run_id", self._record["run_id"]),
    RunTag("git_sha", self._record["git_sha"]),
])
self._record["model_runs"][model_name] = mlflow_run_id
### REGION to_dict
return json.loads(json.dumps(self._record))
### REGION log_to_mlflow
with self._tracking():
    mlflow.set_experiment(self._record["pipeline_name"])
    with mlflow.start_run(run_name=f"pipeline run {self._record['run_id']}") as run:
        self._record["mlflow_run_id"] = run.info.run_id
        mlflow.log_text(json.dumps(self._record, indent=2, sort_keys=True), RECORD_ARTIFACT)
return self._record["mlflow_run_id"]
### REGION dagster_metadata
return {DAGSTER_METADATA_KEY: self.to_dict(), "mlflow_run": self._record["mlflow_run_id"] or "not logged yet"}
