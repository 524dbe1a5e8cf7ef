# %% [markdown]
# MediCore, the pharmaceutical company of the chapter's second case study, runs a causal analysis
# of its clinical-trial data once a month. One run has five steps, and this exercise uses exactly
# these task names:
#
# | # | task name | what it does | typical minutes |
# | --- | --- | --- | --- |
# | 1 | `extract_edc` | pull the trial's records out of the EDC (Electronic Data Capture) system through its API | 45 |
# | 2 | `apply_criteria` | apply the protocol's inclusion and exclusion criteria, giving the analysis cohort | 10 |
# | 3 | `compute_propensity` | compute the covariates and fit the propensity-score model | 30 |
# | 4 | `estimate_effect` | estimate the treatment effect with a doubly robust estimator (Chapter 18), bootstrap intervals included | 120 |
# | 5 | `generate_report` | write the regulatory report for the month | 20 |
#
# Each step reads what the step before it wrote. Your job is to design this pipeline as a DAG in
# which **every task states four things**: (a) its timeout, (b) its retry policy, (c) how it stays
# idempotent, and (d) the data contract it honours towards the task that reads its output. It
# combines the pieces of the chapter: `PipelineDAG` and `PipelineTask` (Section 27.2),
# `partition_path` and `idempotent_write` (Section 27.6), `RetryConfig` (Section 27.7) and
# `DataContract` (Section 27.10).
#
# The cell below also gives you a small, seeded sample month: the five tables a run hands from
# step to step, with the column types a real month has. Use it to try your contracts.

# %%
import numpy as np
import pandas as pd

from pipelinekit import (ContractViolation, DataContract, PipelineDAG, PipelineTask, RetryConfig,
                         partition_path)

TASKS = ["extract_edc", "apply_criteria", "compute_propensity", "estimate_effect", "generate_report"]
TYPICAL_MINUTES = {"extract_edc": 45, "apply_criteria": 10, "compute_propensity": 30,
                   "estimate_effect": 120, "generate_report": 20}
IDEMPOTENCY_STRATEGIES = ("snapshot_at_cutoff", "overwrite_partition", "skip_if_complete")


def sample_month(month: str = "2025-03", n_patients: int = 60, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The output of each task for one small synthetic month, keyed by the producing task."""
    rng = np.random.default_rng(seed)
    severity = rng.normal(50, 10, size=n_patients).round(1)
    extract = pd.DataFrame({
        "patient_id": [f"MC-{month}-{i:04d}" for i in range(n_patients)],
        "site_id": rng.choice(["S01", "S02", "S03", "S04", "S05"], size=n_patients),
        "age": rng.integers(18, 90, size=n_patients),
        "sex": rng.choice(["F", "M"], size=n_patients),
        "diagnosis_confirmed": rng.random(n_patients) < 0.9,
        "consent_withdrawn": rng.random(n_patients) < 0.05,
        "prior_therapy_lines": rng.integers(0, 4, size=n_patients),
        "baseline_severity": severity,
        "comorbidity_index": rng.integers(0, 6, size=n_patients),
        "treatment": (rng.random(n_patients) < 1 / (1 + np.exp(-(severity - 50) / 10))).astype(np.int64),
        "outcome": rng.normal(5, 2, size=n_patients).round(2),
    })
    keep = (extract["diagnosis_confirmed"] & ~extract["consent_withdrawn"]
            & extract["age"].between(18, 80) & (extract["prior_therapy_lines"] <= 2))
    cohort = extract.loc[keep, ["patient_id", "treatment", "age", "sex", "baseline_severity",
                                "comorbidity_index", "outcome"]].reset_index(drop=True)
    scored = cohort.assign(
        propensity_score=(1 / (1 + np.exp(-(cohort["baseline_severity"] - 50) / 10))).clip(0.05, 0.95).round(3))
    treated = scored["treatment"] == 1
    difference = scored.loc[treated, "outcome"].mean() - scored.loc[~treated, "outcome"].mean()
    estimates = pd.DataFrame({
        "estimand": ["ATE"], "estimate": [round(difference, 3)],
        "ci_lower": [round(difference - 1.2, 3)], "ci_upper": [round(difference + 1.2, 3)],
        "n_treated": [int(treated.sum())], "n_control": [int((~treated).sum())],
    })
    summary = estimates[["estimand", "estimate", "ci_lower", "ci_upper"]].assign(
        month=month, report_file=f"reports/{month}/medicore_causal_report.pdf")
    return {"extract_edc": extract, "apply_criteria": cohort, "compute_propensity": scored,
            "estimate_effect": estimates, "generate_report": summary}


SAMPLE = sample_month()
for producer, table in SAMPLE.items():
    print(f"{producer:>18} -> {len(table):>2} rows: {', '.join(f'{c} ({t})' for c, t in table.dtypes.astype(str).items())}")

# %% [markdown]
# Write `build_medicore_dag() -> PipelineDAG`. It holds the five tasks above (you may add tasks of
# your own, such as an archiving step, as long as they too carry everything below), with
# dependencies that follow the data: each step runs after the step whose output it reads. Every
# task of the DAG is a `PipelineTask` that carries:
#
# - `timeout_minutes`: the timeout, a number of minutes;
# - `metadata["retry"]`: its retry policy, a `RetryConfig`;
# - `metadata["idempotency"]`: its idempotency strategy, one of `IDEMPOTENCY_STRATEGIES`;
# - `metadata["output"]`: where it writes its output, a path template holding `{month}`;
# - `metadata["contract"]`: the `DataContract` its output keeps for the task that reads it.
#
# (`PipelineTask` also has a plain `retries` count; it cannot say *what* to retry or how long to
# wait, so the policy lives in `metadata["retry"]`.) The requirements, part by part:
#
# **(a) Timeouts.** A timeout leaves headroom for a slow month but still catches a hung task
# within the working day: each of the five steps gets a timeout of at least 1.5 and at most 4
# times its typical duration in the table. Any task you add gets a positive timeout of at most
# 24 hours.
#
# **(b) Retry policies.** The EDC's API drops connections and times out under month-end load,
# and such a failure usually clears within minutes: `extract_edc` retries `ConnectionError` and
# `TimeoutError` at least 3 times, with a delay that grows (`backoff_factor` above 1) from a
# positive `initial_delay`. A `ValueError` (a `ContractViolation` is one) or a `KeyError` (a column
# that is not there) means the data or the code is wrong, and running the same task again on the
# same data fails the same way: **no** task of the DAG may retry them, either because its
# `retry_on`/`give_up_on` rule them out or because it never retries at all (`max_retries=0`).
#
# **(c) Idempotency.** Running a month twice must leave the same result as running it once.
#
# | strategy | what the task does |
# | --- | --- |
# | `"snapshot_at_cutoff"` | reads its source as it stood at the month's data cut-off (the EDC keeps an audit trail), so a rerun reads exactly the same records even after sites have entered more data |
# | `"overwrite_partition"` | writes the month's whole output to that month's own location with `idempotent_write`, so a rerun replaces it with the same content |
# | `"skip_if_complete"` | finds the month's output already complete (a finished, signed document) and leaves it untouched |
#
# `extract_edc` reads a live system, so it must use `"snapshot_at_cutoff"`. Every task's
# `metadata["output"]` names one location per month: formatted with `.format(month="2025-03")`
# it gives that month's path, two months never share a path, and no two tasks write to the same
# path. `str(partition_path("medicore", "cohort", "{month}"))` from Section 27.6 builds such a
# template.
#
# **(d) The DAG and its contracts.** Besides the dependencies above, each producing task's
# contract names, in its `required_columns`, every column its reader takes from that output:
#
# | the output of | is read by | which takes the columns |
# | --- | --- | --- |
# | `extract_edc` | `apply_criteria` | `patient_id`, `age`, `diagnosis_confirmed`, `consent_withdrawn`, `prior_therapy_lines` to select patients, and passes on `treatment`, `sex`, `baseline_severity`, `comorbidity_index`, `outcome` |
# | `apply_criteria` | `compute_propensity` | `patient_id`, `treatment`, `age`, `sex`, `baseline_severity`, `comorbidity_index`, and passes on `outcome` |
# | `compute_propensity` | `estimate_effect` | `patient_id`, `treatment`, `outcome`, `propensity_score`, `age`, `sex`, `baseline_severity`, `comorbidity_index` |
# | `estimate_effect` | `generate_report` | `estimand`, `estimate`, `ci_lower`, `ci_upper`, `n_treated`, `n_control` |
# | `generate_report` | the regulatory submission system | `month`, `estimand`, `estimate`, `ci_lower`, `ci_upper`, `report_file` |
#
# The contracts must also do their job on data: each one accepts its table of the sample month
# above (so declare dtypes the real tables have) and rejects an empty table; in the three
# patient-level tables `patient_id` may never be null; and because a doubly robust estimator
# divides by the propensity score and by one minus it, the contract that `compute_propensity`
# honours keeps `propensity_score` within [0, 1] (tighter bounds, trimmed away from 0 and 1, are
# fine).

# %% part="d"
def build_medicore_dag() -> PipelineDAG:
    """MediCore's monthly causal-analysis pipeline, every task with its operating promises."""
    ### BEGIN SOLUTION build_medicore_dag
    patient_dtypes = {"patient_id": "string", "treatment": "int", "age": "int", "sex": "string",
                      "baseline_severity": "float", "comorbidity_index": "int", "outcome": "float"}
    covariates = ["age", "sex", "baseline_severity", "comorbidity_index"]
    contracts = {
        "extract_edc": DataContract(
            "trial_extract",
            required_columns=["patient_id", "site_id", "age", "diagnosis_confirmed", "consent_withdrawn",
                              "prior_therapy_lines", "treatment", "sex", "baseline_severity",
                              "comorbidity_index", "outcome"],
            dtypes={**patient_dtypes, "diagnosis_confirmed": "bool", "consent_withdrawn": "bool",
                    "prior_therapy_lines": "int"},
            non_null=["patient_id", "treatment", "consent_withdrawn"],
            min_rows=30,
            value_ranges={"age": (0, 120)},
        ),
        "apply_criteria": DataContract(
            "cohort",
            required_columns=["patient_id", "treatment", *covariates, "outcome"],
            dtypes=patient_dtypes,
            non_null=["patient_id", "treatment", *covariates],
            min_rows=20,
            value_ranges={"treatment": (0, 1), "age": (18, 80)},
        ),
        "compute_propensity": DataContract(
            "scored_cohort",
            required_columns=["patient_id", "treatment", "outcome", "propensity_score", *covariates],
            dtypes={**patient_dtypes, "propensity_score": "float"},
            non_null=["patient_id", "treatment", "propensity_score"],
            min_rows=20,
            value_ranges={"propensity_score": (0.0, 1.0), "treatment": (0, 1)},
        ),
        "estimate_effect": DataContract(
            "effect_estimates",
            required_columns=["estimand", "estimate", "ci_lower", "ci_upper", "n_treated", "n_control"],
            dtypes={"estimand": "string", "estimate": "float", "ci_lower": "float", "ci_upper": "float",
                    "n_treated": "int", "n_control": "int"},
            non_null=["estimand", "estimate", "ci_lower", "ci_upper"],
            min_rows=1,
            value_ranges={"n_treated": (1, None), "n_control": (1, None)},
        ),
        "generate_report": DataContract(
            "report_summary",
            required_columns=["month", "estimand", "estimate", "ci_lower", "ci_upper", "report_file"],
            dtypes={"month": "string", "estimand": "string", "estimate": "float", "report_file": "string"},
            non_null=["month", "estimand", "estimate", "report_file"],
            min_rows=1,
        ),
    }
    datasets = {"extract_edc": "trial_extract", "apply_criteria": "cohort", "compute_propensity": "scored_cohort",
                "estimate_effect": "effect_estimates", "generate_report": "report_summary"}
    timeouts = {"extract_edc": 90, "apply_criteria": 20, "compute_propensity": 60, "estimate_effect": 240,
                "generate_report": 40}
    retries = {
        # The EDC API: transient network trouble, retried with exponential backoff and jitter.
        "extract_edc": RetryConfig(max_retries=4, initial_delay=60, backoff_factor=2, max_delay=900, jitter=0.1,
                                   retry_on=(ConnectionError, TimeoutError)),
        # Pure computations on a pinned snapshot: a failure repeats itself, so fail fast.
        "apply_criteria": RetryConfig(max_retries=0),
        "compute_propensity": RetryConfig(max_retries=0),
        # Long, but only a storage hiccup while reading or writing is worth one more try.
        "estimate_effect": RetryConfig(max_retries=1, initial_delay=120, retry_on=(OSError,)),
        "generate_report": RetryConfig(max_retries=2, initial_delay=30, retry_on=(OSError,),
                                       give_up_on=(ValueError, KeyError)),
    }
    strategies = {"extract_edc": "snapshot_at_cutoff", "apply_criteria": "overwrite_partition",
                  "compute_propensity": "overwrite_partition", "estimate_effect": "overwrite_partition",
                  "generate_report": "skip_if_complete"}

    dag = PipelineDAG("medicore_monthly_causal_analysis")
    previous: list[str] = []
    for name in TASKS:
        dag.add_task(
            name,
            depends_on=previous,
            duration=TYPICAL_MINUTES[name],
            timeout_minutes=timeouts[name],
            retries=retries[name].max_retries,
            metadata={
                "retry": retries[name],
                "idempotency": strategies[name],
                "output": str(partition_path("medicore", datasets[name], "{month}")),
                "contract": contracts[name],
            },
        )
        previous = [name]
    return dag
    ### END SOLUTION
    ### BEGIN STARTER
    # dag = PipelineDAG("medicore_monthly_causal_analysis")
    # # dag.add_task("extract_edc", duration=TYPICAL_MINUTES["extract_edc"], timeout_minutes=...,
    # #              metadata={"retry": RetryConfig(...), "idempotency": ..., "output": ...,
    # #                        "contract": DataContract(...)})
    # raise NotImplementedError("add the five tasks, each with its timeout, retry policy, strategy and contract")
    ### END STARTER


# %% part="d"
medicore = build_medicore_dag()
print("run order:", " -> ".join(medicore.topological_sort()))
for name, task in medicore.tasks.items():
    retry, contract = task.metadata["retry"], task.metadata["contract"]
    problems = contract.validate(SAMPLE[name]) if name in SAMPLE else []
    print(f"{name}: timeout {task.timeout_minutes} min, max_retries={retry.max_retries}, "
          f"{task.metadata['idempotency']}, writes {task.metadata['output'].format(month='2025-03')}, "
          f"contract {contract.name!r} on the sample month: {problems or 'kept'}")

# %% [markdown] answer="e"
# **(e)** Justify your choices in a short paragraph per aspect: how you chose each timeout and
# what happens when one fires; which failures you retry and which you do not, and why; and how
# idempotency and the contracts serve a regulated analysis, whose report must be reproducible
# from the data as it stood at the cut-off.
#
### BEGIN SOLUTION
# *Timeouts.* Each timeout is about twice the task's typical time: a heavier month (more sites,
# more bootstrap resamples) still finishes, while a hung API call or a stuck solver is stopped
# the same day instead of holding a worker for a week. A timeout counts as a failure of that
# attempt: the extraction, whose hangs are network trouble, goes to its retry policy; any other
# task fails the run, the tasks downstream do not start, and the on-call analyst is alerted with
# the month and the task.
#
# *Retries.* Only failures that can go away are retried. The EDC's API times out and drops
# connections at month end, so the extraction retries `ConnectionError` and `TimeoutError` four
# times with exponential backoff and jitter (1, 2, 4, 8 minutes, capped at 15). The criteria and
# the propensity model are deterministic computations on a pinned snapshot: a crash there is a
# bug or bad data, and a retry would only fail again and hide the alert, so they never retry. The
# estimation and the report retry a storage `OSError` once or twice, and never a `ValueError` or a
# `KeyError`, which includes a broken data contract: bad data needs a person, not another attempt.
#
# *Idempotency and contracts.* A regulator may ask to reproduce a report years later, so every
# run must be a function of the month alone. The extraction reads the EDC as it stood at the
# month's data cut-off, using its audit trail, so a rerun reads the same records even after
# sites enter late data or resolve queries; the snapshot is stored under the month's partition.
# The intermediate tables are overwritten atomically per month, so a rerun after a failure
# replaces a partial or stale result and never appends duplicates. A report that has been
# completed and signed is never overwritten: a rerun skips it, and a correction is issued as a
# new, versioned report with its reason recorded. The contracts stop bad data at each boundary
# before it reaches the estimator: identifiers never null, treatment coded 0/1, the cohort within
# the protocol's age range, propensity scores within [0, 1] so the inverse weights exist, and at
# least one treated and one control patient behind every estimate; each contract's violations
# are logged with the run, which becomes part of the audit trail.
### END SOLUTION
