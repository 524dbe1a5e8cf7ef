# A second correct design: PipelineTask objects spelled out one by one, an extra task that archives
# the EDC snapshot to write-once storage beside the criteria step, tighter timeouts (about 1.5x),
# exact dtype names instead of kinds where the dtype is fixed, a propensity contract trimmed away
# from 0 and 1, retry policies that retry OSError (ConnectionError and TimeoutError are OSErrors)
# or give up on data errors, and output paths written as f-strings for an object store.
### REGION build_medicore_dag
def output(dataset):
    return f"s3://medicore-analytics/{dataset}/month={{month}}/part-0.parquet"


def data_error_policy(max_retries):
    return RetryConfig(max_retries=max_retries, initial_delay=10, give_up_on=(ValueError, KeyError))


extract_columns = {"patient_id": "string", "site_id": "string", "age": "int64", "sex": "string",
                   "diagnosis_confirmed": "bool", "consent_withdrawn": "bool", "prior_therapy_lines": "int64",
                   "baseline_severity": "float64", "comorbidity_index": "int64", "treatment": "int64",
                   "outcome": "float64"}
cohort_columns = {c: extract_columns[c] for c in ["patient_id", "treatment", "age", "sex", "baseline_severity",
                                                  "comorbidity_index", "outcome"]}
scored_columns = {**cohort_columns, "propensity_score": "float64"}
estimate_columns = {"estimand": "string", "estimate": "float64", "ci_lower": "float64", "ci_upper": "float64",
                    "n_treated": "int64", "n_control": "int64"}
summary_columns = {"month": "string", "estimand": "string", "estimate": "float64", "ci_lower": "float64",
                   "ci_upper": "float64", "report_file": "string"}

tasks = [
    (PipelineTask(
        "extract_edc", duration=45, timeout_minutes=70,
        metadata={"retry": RetryConfig(max_retries=5, initial_delay=30, backoff_factor=3, max_delay=1200,
                                       retry_on=(OSError,)),
                  "idempotency": "snapshot_at_cutoff", "output": output("edc_snapshot"),
                  "contract": DataContract("edc_snapshot", required_columns=list(extract_columns),
                                           dtypes=extract_columns, non_null=["patient_id", "site_id"],
                                           min_rows=1)}), []),
    (PipelineTask(
        "archive_snapshot", duration=5, timeout_minutes=30,
        metadata={"retry": RetryConfig(max_retries=3, initial_delay=20, retry_on=(OSError,)),
                  "idempotency": "skip_if_complete", "output": output("audit/edc_snapshot_manifest"),
                  "contract": DataContract("snapshot_manifest",
                                           required_columns=["month", "object_key", "sha256", "row_count"],
                                           non_null=["month", "object_key", "sha256"], min_rows=1)}),
     ["extract_edc"]),
    (PipelineTask(
        "apply_criteria", duration=10, timeout_minutes=15,
        metadata={"retry": data_error_policy(0), "idempotency": "overwrite_partition",
                  "output": output("analysis_cohort"),
                  "contract": DataContract("analysis_cohort", required_columns=list(cohort_columns),
                                           dtypes=cohort_columns, non_null=list(cohort_columns), min_rows=10)}),
     ["extract_edc"]),
    (PipelineTask(
        "compute_propensity", duration=30, timeout_minutes=45,
        metadata={"retry": data_error_policy(1), "idempotency": "overwrite_partition",
                  "output": output("scored_cohort"),
                  "contract": DataContract("scored_cohort", required_columns=list(scored_columns),
                                           dtypes=scored_columns, non_null=["patient_id", "propensity_score"],
                                           min_rows=10, value_ranges={"propensity_score": (0.01, 0.99)})}),
     ["apply_criteria"]),
    (PipelineTask(
        "estimate_effect", duration=120, timeout_minutes=180,
        metadata={"retry": data_error_policy(1), "idempotency": "overwrite_partition",
                  "output": output("effect_estimates"),
                  "contract": DataContract("effect_estimates", required_columns=list(estimate_columns),
                                           dtypes=estimate_columns, min_rows=1,
                                           value_ranges={"n_treated": (1, None), "n_control": (1, None)})}),
     ["compute_propensity"]),
    (PipelineTask(
        "generate_report", duration=20, timeout_minutes=30,
        metadata={"retry": data_error_policy(2), "idempotency": "skip_if_complete",
                  "output": output("regulatory_report"),
                  "contract": DataContract("report_summary", required_columns=list(summary_columns),
                                           dtypes=summary_columns, non_null=["month", "report_file"],
                                           min_rows=1)}),
     ["estimate_effect", "apply_criteria"]),
]
dag = PipelineDAG("medicore_monthly")
for task, parents in tasks:
    dag.add_task(task, depends_on=parents)
return dag
