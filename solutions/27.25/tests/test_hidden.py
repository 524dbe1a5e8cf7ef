"""Hidden tests for exercise 27.25 (MediCore's monthly causal-analysis DAG).

One probe describes the learner's DAG as plain data (dependencies, timeouts, what each retry
policy does with typical errors, strategies, output paths for two months, contract columns);
another runs each contract on a seeded sample month built in the worker by a copy of the
notebook's `sample_month`, and on broken versions of it. Every rule checked here is stated in
the notebook.
"""

from autograder.testing import expect, fail, graded

TASKS = ["extract_edc", "apply_criteria", "compute_propensity", "estimate_effect", "generate_report"]
TYPICAL_MINUTES = {"extract_edc": 45, "apply_criteria": 10, "compute_propensity": 30,
                   "estimate_effect": 120, "generate_report": 20}
HEADROOM = (1.5, 4.0)
MAX_EXTRA_TIMEOUT = 24 * 60
STRATEGIES = {"snapshot_at_cutoff", "overwrite_partition", "skip_if_complete"}
MONTHS = ["2025-03", "2025-04"]
# The statement's table: the columns each output's reader takes from it.
READER = {"extract_edc": "apply_criteria", "apply_criteria": "compute_propensity",
          "compute_propensity": "estimate_effect", "estimate_effect": "generate_report",
          "generate_report": "the regulatory submission system"}
READS = {
    "extract_edc": ["patient_id", "age", "diagnosis_confirmed", "consent_withdrawn", "prior_therapy_lines",
                    "treatment", "sex", "baseline_severity", "comorbidity_index", "outcome"],
    "apply_criteria": ["patient_id", "treatment", "age", "sex", "baseline_severity", "comorbidity_index",
                       "outcome"],
    "compute_propensity": ["patient_id", "treatment", "outcome", "propensity_score", "age", "sex",
                           "baseline_severity", "comorbidity_index"],
    "estimate_effect": ["estimand", "estimate", "ci_lower", "ci_upper", "n_treated", "n_control"],
    "generate_report": ["month", "estimand", "estimate", "ci_lower", "ci_upper", "report_file"],
}
PATIENT_LEVEL = ["extract_edc", "apply_criteria", "compute_propensity"]


# ---- shipped to the worker --------------------------------------------------------------------
def sample_month(month="2025-03", n_patients=60, seed=0):
    """The notebook's sample month, copied here so that the learner's copy cannot change it."""
    import numpy as np
    import pandas as pd

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


def describe_dag(ns, months):
    import pipelinekit as pk

    dag = ns.build_medicore_dag()
    if not isinstance(dag, pk.PipelineDAG):
        return {"type": type(dag).__name__}
    try:
        dag.topological_sort()
        cycle = None
    except ValueError as exc:
        cycle = str(exc)
    errors = {"ConnectionError": ConnectionError("connection reset by peer"),
              "TimeoutError": TimeoutError("read timed out"), "ValueError": ValueError("bad value"),
              "ContractViolation": pk.ContractViolation([]), "KeyError": KeyError("outcome")}

    def number(value):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    tasks = {}
    for name, task in dag.tasks.items():
        meta = task.metadata if isinstance(task.metadata, dict) else {}
        info = {"upstream": list(dag.upstream(name)), "timeout": number(task.timeout_minutes)}
        retry = meta.get("retry")
        if isinstance(retry, pk.RetryConfig):
            info["retry"] = {"max_retries": retry.max_retries, "initial_delay": number(retry.initial_delay),
                             "backoff_factor": number(retry.backoff_factor),
                             "retries": {kind: bool(retry.should_retry(exc)) for kind, exc in errors.items()}}
        else:
            info["retry"] = {"type": type(retry).__name__}
        strategy = meta.get("idempotency")
        info["idempotency"] = strategy if isinstance(strategy, str) else {"type": type(strategy).__name__}
        output = meta.get("output")
        if hasattr(output, "__fspath__"):  # a pathlib.Path template is fine too
            output = str(output)
        if isinstance(output, str):
            paths = []
            for month in months:
                try:
                    paths.append(str(output.format(month=month)))
                except Exception as exc:  # noqa: BLE001 - a template with other placeholders
                    paths.append({"error": f"{type(exc).__name__}: {exc}"})
            info["output"] = paths
        else:
            info["output"] = {"type": type(output).__name__}
        contract = meta.get("contract")
        if isinstance(contract, pk.DataContract):
            info["contract"] = {"required_columns": [str(c) for c in contract.required_columns]}
        else:
            info["contract"] = {"type": type(contract).__name__}
        tasks[str(name)] = info
    return {"type": "PipelineDAG", "cycle": cycle, "tasks": tasks}


def contracts_on_data(ns, producers, patient_level):
    import pipelinekit as pk

    sample = sample_month()
    dag = ns.build_medicore_dag()
    tasks = dag.tasks

    def problems(contract, frame):
        try:
            return [f"[{v.check}] {v.message}" for v in contract.validate(frame)]
        except Exception as exc:  # noqa: BLE001
            return [f"validate raised {type(exc).__name__}: {exc}"]

    found = {}
    for name in producers:
        contract = tasks[name].metadata.get("contract") if name in tasks else None
        if not isinstance(contract, pk.DataContract):
            continue
        table = sample[name]
        result = {"good": problems(contract, table), "empty": bool(problems(contract, table.iloc[0:0]))}
        if name in patient_level:
            broken = table.copy()
            broken.loc[3, "patient_id"] = None
            result["null_patient"] = bool(problems(contract, broken))
        if name == "compute_propensity":
            for label, value in (("above_one", 1.2), ("below_zero", -0.1)):
                broken = table.copy()
                broken.loc[2, "propensity_score"] = value
                result[label] = bool(problems(contract, broken))
        found[name] = result
    return found


# ---- trusted side -------------------------------------------------------------------------------
def get_dag(sub) -> dict:
    got = sub.run(describe_dag, MONTHS)
    expect(got.get("type") == "PipelineDAG", f"build_medicore_dag() returned a {got.get('type')}, not a PipelineDAG")
    return got


def pinned(got: dict, name: str) -> dict:
    expect(name in got["tasks"], f"your DAG has no task `{name}` (use the task names of the table)")
    return got["tasks"][name]


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def retry_of(name: str, task: dict) -> dict:
    retry = task["retry"]
    expect("retries" in retry, f"`metadata[\"retry\"]` of `{name}` is a {retry.get('type')}, not a RetryConfig")
    return retry


def ancestors(upstream: dict[str, list[str]], task: str) -> set[str]:
    seen, todo = set(), list(upstream.get(task, []))
    while todo:
        parent = todo.pop()
        if parent not in seen:
            seen.add(parent)
            todo.extend(upstream.get(parent, []))
    return seen


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Give every task timeout_minutes: 1.5 to 4 times the typical duration for "
                            "the five steps, at most 24 hours for a task you add.")
def test_every_task_has_a_timeout_with_headroom(sub):
    got = get_dag(sub)
    low, high = HEADROOM
    for name in TASKS:
        minutes = pinned(got, name)["timeout"]
        expect(is_number(minutes), f"`{name}` has no timeout (timeout_minutes is not set)")
        expect(minutes >= low * TYPICAL_MINUTES[name],
               f"the timeout of `{name}` ({minutes:g} min) leaves too little headroom over its typical duration")
        expect(minutes <= high * TYPICAL_MINUTES[name],
               f"the timeout of `{name}` ({minutes:g} min) is so long that a hung run would go unnoticed "
               "for too long (minutes, not seconds?)")
    for name, task in got["tasks"].items():
        if name not in TASKS:
            minutes = task["timeout"]
            expect(is_number(minutes) and 0 < minutes <= MAX_EXTRA_TIMEOUT,
                   f"your task `{name}` needs a timeout between 0 and 24 hours")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="extract_edc: retry ConnectionError and TimeoutError at least 3 times, "
                            "with a positive initial delay that grows (backoff_factor > 1).")
def test_the_extraction_retries_transient_failures_with_backoff(sub):
    got = get_dag(sub)
    retry = retry_of("extract_edc", pinned(got, "extract_edc"))
    for kind in ("ConnectionError", "TimeoutError"):
        expect(retry["retries"][kind], f"the retry policy of `extract_edc` does not retry a {kind}")
    expect(retry["max_retries"] >= 3, f"`extract_edc` retries {retry['max_retries']} time(s): too few for "
                                      "an API that fails under month-end load")
    expect(is_number(retry["initial_delay"]) and retry["initial_delay"] > 0,
           "`extract_edc` retries at once: give it a positive initial_delay")
    expect(is_number(retry["backoff_factor"]) and retry["backoff_factor"] > 1,
           "the delay between the retries of `extract_edc` does not grow (backoff_factor is 1)")


@graded("b", points=1, hint="A ValueError (ContractViolation included) or a KeyError repeats on a rerun: "
                            "rule them out with retry_on/give_up_on, or use max_retries=0.")
def test_no_task_retries_a_data_error(sub):
    got = get_dag(sub)
    for name in TASKS:
        pinned(got, name)
    for name, task in got["tasks"].items():
        retry = retry_of(name, task)
        if retry["max_retries"] == 0:
            continue
        for kind in ("ValueError", "ContractViolation", "KeyError"):
            expect(not retry["retries"][kind], f"`{name}` would retry a {kind}, which fails again on the same data")


# ---- (c) ----------------------------------------------------------------------------------------
@graded("c", points=1, hint="metadata['idempotency'] is one of IDEMPOTENCY_STRATEGIES, and the extraction "
                            "reads a live system.")
def test_every_task_has_a_known_strategy_and_the_extraction_reads_a_snapshot(sub):
    got = get_dag(sub)
    for name in TASKS:
        pinned(got, name)
    for name, task in got["tasks"].items():
        strategy = task["idempotency"]
        expect(isinstance(strategy, str), f"`metadata[\"idempotency\"]` of `{name}` is not a strategy name")
        expect(strategy in STRATEGIES, f"`{name}` uses the strategy {strategy!r}, which is not one of "
                                       "IDEMPOTENCY_STRATEGIES")
    expect(got["tasks"]["extract_edc"]["idempotency"] == "snapshot_at_cutoff",
           "a rerun of `extract_edc` would read whatever the live EDC holds by then, not the same records")


@graded("c", points=1, hint="metadata['output'] is a path template with {month}: one path per month, "
                            "a different one for every task.")
def test_every_output_has_one_location_per_month(sub):
    got = get_dag(sub)
    for name in TASKS:
        pinned(got, name)
    owners: dict[str, str] = {}
    for name, task in got["tasks"].items():
        paths = task["output"]
        if not isinstance(paths, list):
            fail(f"`metadata[\"output\"]` of `{name}` is a {paths.get('type')}, not a path template")
        for path in paths:
            expect(isinstance(path, str), f"the output template of `{name}` cannot be filled with a month "
                                          f"({path.get('error') if isinstance(path, dict) else path})")
        expect(paths[0] != paths[1], f"`{name}` writes every month to the same place, `{paths[0]}`: "
                                     "a rerun of one month would overwrite another")
        for path in paths:
            expect(path not in owners, f"`{name}` and `{owners.get(path)}` both write `{path}`")
            owners[path] = name


# ---- (d) ----------------------------------------------------------------------------------------
@graded("d", points=1, hint="Each of the five steps runs after the step whose output it reads; no cycle.")
def test_the_dag_follows_the_data(sub):
    got = get_dag(sub)
    expect(got["cycle"] is None, f"your DAG cannot run: {got['cycle']}")
    for name in TASKS:
        pinned(got, name)
    upstream = {name: task["upstream"] for name, task in got["tasks"].items()}
    for before, after in zip(TASKS, TASKS[1:]):
        expect(before in ancestors(upstream, after),
               f"`{after}` can start before `{before}` has finished, but it reads its output")


@graded("d", points=1, hint="metadata['contract'] is a DataContract whose required_columns hold every "
                            "column the reader takes (the table in the statement).")
def test_each_contract_names_what_its_reader_takes(sub):
    got = get_dag(sub)
    for name, task in got["tasks"].items():
        expect("required_columns" in task["contract"],
               f"`metadata[\"contract\"]` of `{name}` is a {task['contract'].get('type')}, not a DataContract")
    for name in TASKS:
        named = set(pinned(got, name)["contract"]["required_columns"])
        missing = [column for column in READS[name] if column not in named]
        expect(not missing, f"the contract of `{name}` does not require {', '.join(f'`{c}`' for c in missing)}, "
                            f"which {READER[name]} reads")


@graded("d", points=1, hint="Each contract accepts its table of the sample month and rejects an empty table; "
                            "patient_id is never null; propensity_score stays within [0, 1].")
def test_contracts_accept_the_sample_month_and_reject_broken_data(sub):
    found = sub.run(contracts_on_data, TASKS, PATIENT_LEVEL, helpers=[sample_month], timeout=20)
    for name in TASKS:
        expect(name in found, f"`{name}` has no DataContract in metadata[\"contract\"]")
        result = found[name]
        expect(not result["good"], f"the contract of `{name}` rejects the sample month's table: "
                                   + "; ".join(result["good"][:3]))
        expect(result["empty"], f"the contract of `{name}` accepts an empty table")
        if name in PATIENT_LEVEL:
            expect(result["null_patient"], f"the contract of `{name}` accepts a row whose patient_id is null")
    scored = found["compute_propensity"]
    expect(scored["above_one"], "the contract of `compute_propensity` accepts a propensity score of 1.2")
    expect(scored["below_zero"], "the contract of `compute_propensity` accepts a negative propensity score")
