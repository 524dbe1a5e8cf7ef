"""Hidden tests for exercise 3.4 (three models trained concurrently with Prefect 3).

One probe runs the learner's flow for real, against the Prefect server started for the grading run,
twice with seed 7: not the flow's default seed (42), so that a flow that ignores its `seed` parameter
is caught, and twice, to check that the same seed gives the same models. For each run it evaluates
the returned models itself on the held-out rows of that seed (the split is rebuilt in the probe from
the statement's recipe, not with the learner's load_data), and for the first run it reads the
training task runs' start and end times from the Prefect server. The result is cached here, so one grading runs the flow twice.
"""
from autograder.testing import expect, graded

MODEL_CLASSES = {"random_forest": "RandomForestClassifier", "xgboost": "XGBClassifier",
                 "lightgbm": "LGBMClassifier"}
SEEDS = [7, 7]  # not the default seed, twice
POLL_SECONDS = 20  # how long to wait for the server to record the task runs (it does so from events)
TOLERANCE = 1e-9

_CACHE: dict = {}


# ---- the probe and its helpers: they run in the learner's worker and return plain data ----------
def held_out_split(seed):
    """The statement's data recipe, rebuilt here so that the evaluation does not use learner code."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples=600, n_features=20, n_informative=8, n_redundant=4, random_state=seed)
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)


def training_task_runs(flow_run_id, expected, seconds):
    """The flow run's task runs whose name starts with train_, once the server has recorded them."""
    import time

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + seconds
    training, problem = [], None
    with get_client(sync_client=True) as client:
        while True:
            try:
                runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
                training = [r for r in runs if r.name.startswith("train_")]
                problem = None
            except Exception as exc:  # noqa: BLE001 - a busy server: ask again until the deadline
                problem = f"{type(exc).__name__}: {exc}"[:300]
            finished = [r for r in training if r.start_time is not None and r.end_time is not None]
            if problem is None and len(finished) >= expected and len(finished) == len(training):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.25)
    if problem is not None:
        raise RuntimeError(f"the Prefect server did not list the task runs: {problem}")
    return [{"name": r.name, "state": r.state_type.value if r.state_type else None,
             "start": r.start_time.timestamp() if r.start_time else None,
             "end": r.end_time.timestamp() if r.end_time else None} for r in training]


def describe_models(models, seed):
    from sklearn.metrics import accuracy_score

    X_train, X_test, y_train, y_test = held_out_split(seed)
    out = {}
    for name, model in models.items():
        estimator = model.steps[-1][1] if hasattr(model, "steps") else model  # a Pipeline's last step
        info = {"class": type(estimator).__name__}
        try:
            info["accuracy"] = float(accuracy_score(y_test, model.predict(X_test)))
            info["proba"] = [float(p) for p in model.predict_proba(X_test)[:, 1]]
        except Exception as exc:  # noqa: BLE001 - the learner's object may not be a fitted model
            info["error"] = f"{type(exc).__name__}: {exc}"[:300]
        out[str(name)] = info
    return out


def run_flows(ns, seeds, poll_seconds):
    import prefect

    flow = ns.train_and_select
    if not isinstance(flow, prefect.Flow):
        return {"flow": type(flow).__name__, "runs": []}
    out = {"flow": "Flow", "runs": []}
    for number, seed in enumerate(seeds):
        run = {"seed": seed}
        out["runs"].append(run)
        try:
            state = flow(seed=seed, return_state=True)
        except Exception as exc:  # noqa: BLE001 - e.g. a flow without a `seed` parameter
            run["state"], run["message"] = "CRASHED", f"{type(exc).__name__}: {exc}"[:500]
            continue
        run["state"] = str(state.type.value)
        if not state.is_completed():
            run["message"] = str(state.message)[:500]
            continue
        value = state.result()
        if not isinstance(value, dict):
            run["value_type"] = type(value).__name__
            continue
        run["keys"] = sorted(str(k) for k in value)
        accuracies, models, best = value.get("accuracies"), value.get("models"), value.get("best")
        if isinstance(accuracies, dict):
            run["accuracies"] = {str(k): float(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                 else repr(v)[:80] for k, v in accuracies.items()}
        run["best"] = best if isinstance(best, str) else repr(best)[:80]
        if isinstance(models, dict):
            run["models"] = describe_models(models, seed)
        if number == 0:
            expected = len(models) if isinstance(models, dict) and models else 3
            run["task_runs"] = training_task_runs(state.state_details.flow_run_id, expected, poll_seconds)
    return out


def result(sub):
    if "runs" not in _CACHE:
        try:
            _CACHE["runs"] = ("ok", sub.run(run_flows, SEEDS, POLL_SECONDS,
                                            helpers=[held_out_split, training_task_runs, describe_models],
                                            timeout=300))
        except Exception as exc:  # noqa: BLE001 - a learner error, or a broken probe: report it once per test
            _CACHE["runs"] = ("error", exc)
    status, value = _CACHE["runs"]
    if status == "error":
        raise value
    return value


def completed_runs(sub) -> list[dict]:
    """The runs, after checking that the flow is a Prefect flow that completed and returned the dict."""
    got = result(sub)
    expect(got["flow"] == "Flow", f"train_and_select is a {got['flow']}, not a Prefect flow (decorate it with @flow)")
    for run in got["runs"]:
        expect(run["state"] == "COMPLETED",
               f"train_and_select(seed={run['seed']}) ended {run['state']}: {run.get('message')}")
        expect("value_type" not in run, f"train_and_select returned a {run.get('value_type')}, not a dict")
        missing = sorted({"accuracies", "best", "models"} - set(run["keys"]))
        expect(not missing, f"the dict train_and_select returns has no key {', '.join(missing)}")
        expect("accuracies" in run, "the value under \"accuracies\" is not a dict")
        expect("models" in run, "the value under \"models\" is not a dict")
    return got["runs"]


def usable_models(run) -> dict:
    for name, info in run["models"].items():
        expect("error" not in info, f"the model returned under {name!r} cannot predict on the held-out rows: "
                                    f"{info.get('error')}")
    return run["models"]


# ---- (a) the three models, trained on seeded data -------------------------------------------------
@graded("a", points=2, hint="Train a RandomForestClassifier, an XGBClassifier and an LGBMClassifier, and return "
                            "each under its name in both dicts.")
def test_the_three_models_are_trained(sub):
    run = completed_runs(sub)[0]
    for what, names in [("accuracies", set(run["accuracies"])), ("models", set(run["models"]))]:
        missing, extra = sorted(set(MODEL_CLASSES) - names), sorted(names - set(MODEL_CLASSES))
        expect(not missing, f"your flow's {what!r} has no entry for {', '.join(missing)}")
        expect(not extra, f"your flow's {what!r} has entries that are not model names: {', '.join(extra)}")
    for name, wanted in MODEL_CLASSES.items():
        got = run["models"][name]["class"]
        expect(got == wanted, f"the model returned under {name!r} is a {got}")


@graded("a", points=2, hint="Pass the seed to load_data and to every model's random_state.")
def test_same_seed_same_results(sub):
    runs = completed_runs(sub)
    first, second = runs[0], runs[1]
    seed = first["seed"]
    for name in sorted(set(first["models"]) & set(second["models"])):
        a, b = first["models"][name], second["models"][name]
        same = ("proba" in a and "proba" in b and len(a["proba"]) == len(b["proba"])
                and all(abs(x - y) <= TOLERANCE for x, y in zip(a["proba"], b["proba"])))
        expect(same, f"two runs with seed={seed} returned {name} models that predict differently: is every "
                     "source of randomness seeded?")
    for name in sorted(set(first["accuracies"]) & set(second["accuracies"])):
        expect(first["accuracies"][name] == second["accuracies"][name],
               f"two runs with seed={seed} report different accuracies for {name}")


# ---- (b) training runs concurrently ------------------------------------------------------------------
@graded("b", points=1, hint="Each model trains in a Prefect task run of its own, from a task whose name starts "
                            "with train_.")
def test_each_model_trains_in_its_own_task_run(sub):
    run = completed_runs(sub)[0]
    runs = run["task_runs"]
    expect(len(runs) == len(MODEL_CLASSES),
           f"the flow run has {len(runs)} task run(s) whose name starts with train_; the statement asks for one per model")
    for task_run in runs:
        expect(task_run["state"] == "COMPLETED", f"the task run {task_run['name']} ended {task_run['state']}")


@graded("b", points=3, hint="Submit all three trainings (task.submit or task.map) before waiting for any result.")
def test_the_trainings_overlap_in_time(sub):
    run = completed_runs(sub)[0]
    runs = [r for r in run["task_runs"] if r["start"] is not None and r["end"] is not None]
    expect(len(runs) >= 2, f"the flow run has {len(runs)} finished task run(s) whose name starts with train_: "
                           "nothing ran concurrently")
    zero = min(r["start"] for r in runs)
    timeline = ", ".join(f"{r['start'] - zero:.2f}-{r['end'] - zero:.2f} s"
                         for r in sorted(runs, key=lambda r: r["start"]))
    expect(max(r["start"] for r in runs) < min(r["end"] for r in runs),
           f"your training task runs were not all running at the same moment (they ran {timeline}, counted from "
           "the first start): one waited for another")


# ---- (c) picking the most accurate --------------------------------------------------------------------
@graded("c", points=2, hint="Score each model by accuracy_score on the 150 held-out rows (X_test, y_test), not on "
                            "the training rows and not by another metric.")
def test_accuracies_are_held_out_accuracies(sub):
    runs = completed_runs(sub)
    for run in runs:
        models = usable_models(run)
        for name, reported in sorted(run["accuracies"].items()):
            expect(isinstance(reported, float), f"for seed={run['seed']} the accuracy of {name} is {reported}, "
                                                "not a number")
            expect(name in models, f"for seed={run['seed']} you report an accuracy for {name} but return no such model")
            expect(abs(reported - models[name]["accuracy"]) <= TOLERANCE,
                   f"for seed={run['seed']} you report an accuracy of {reported:.4f} for {name}, which is not the "
                   "accuracy of the returned model on that seed's held-out rows")


@graded("c", points=2, hint="The best model is the one with the highest held-out accuracy.")
def test_best_is_the_most_accurate(sub):
    runs = completed_runs(sub)
    for run in runs:
        models = usable_models(run)
        expect(run["best"] in models, f"for seed={run['seed']} your best model is {run['best']}, which is not one of "
                                      "the returned models")
        top = max(info["accuracy"] for info in models.values())
        expect(models[run["best"]]["accuracy"] >= top - TOLERANCE,
               f"for seed={run['seed']} you chose {run['best']}, but another returned model is more accurate on the "
               "held-out rows")
