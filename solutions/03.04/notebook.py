# %% [markdown]
# Three candidate models for the same binary classification problem: a random forest
# (scikit-learn), gradient-boosted trees with XGBoost, and gradient-boosted trees with LightGBM.
# Training them is independent work, so a workflow engine can run the three at the same time and
# then keep the most accurate. This exercise builds on Section 3.4 (Prefect 3): flows and tasks,
# futures from `.submit()` and `.map()`, and the task runner that runs submitted tasks
# concurrently.
#
# **Prefect 3, not Prefect 2.** A call such as `train_model(...)` inside a flow runs the task right
# there and waits for it: calling tasks one after another in a loop trains the models *one after
# another*, whatever task runner the flow names. Concurrency comes from **submitting** work:
# `train_model.submit(...)` (or `train_model.map(...)`) hands the task to the flow's task runner and
# returns at once with a `PrefectFuture`; `future.result()` waits for it. The default task runner of
# a Prefect 3 flow is `ThreadPoolTaskRunner` (Prefect 2's `ConcurrentTaskRunner` is now only an
# alias of it), so a flow needs no `task_runner=` argument to run submitted tasks side by side.
# Also unlike some older examples, do not fall back to a random forest when XGBoost or LightGBM
# cannot be imported: all three libraries are installed, and a fallback would silently compare a
# forest with itself.
#
# ## The data
#
# `load_data(seed)` below is given: a seeded synthetic data set of 600 rows and 20 features
# (`make_classification` with 8 informative and 4 redundant features, `random_state=seed`), split
# by `train_test_split` into 450 training rows and 150 held-out rows (`test_size=0.25`, stratified,
# `random_state=seed`). The same seed always gives the same split.
#
# ## What to write
#
# 1. A Prefect task that trains **one** model, given its name (one of `MODEL_NAMES`), the training
#    rows and the seed, and returns the fitted estimator: `RandomForestClassifier`
#    (`sklearn.ensemble`), `XGBClassifier` (`xgboost`) or `LGBMClassifier` (`lightgbm`). Give the
#    task a name that starts with `train_` (the function name `train_model` does that; no other
#    task of yours should start with `train_`). Pass the seed to each model's `random_state`, and
#    keep the models small: 50 estimators and `n_jobs=1` are plenty here.
# 2. A Prefect flow `train_and_select(seed: int = 42) -> dict` that loads the data with
#    `load_data(seed)`, trains the three models **concurrently** (each in its own task run, all three
#    submitted before waiting for any), scores each by its **accuracy on the 150 held-out rows**, and
#    returns a dict with these keys:
#    - `"accuracies"`: `{model name: held-out accuracy as a float}` for the three names;
#    - `"best"`: the name of the most accurate model (any of them, if two tie);
#    - `"models"`: `{model name: the fitted estimator}`.
#
# The same seed must give the same accuracies and the same models, run after run.
#
# **How it is graded.** The grader runs your flow for real, against a Prefect server started for
# the grading run, twice with the same seed (not the default one). It checks which models came back;
# evaluates the returned models itself on the held-out rows of that seed and compares with your
# accuracies and your choice; compares the two runs with the same seed; and reads the start and end
# times of your flow run's training task runs from the Prefect server, to see whether the three
# trainings overlapped in time.

# %%
import os

from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

MODEL_NAMES = ["random_forest", "xgboost", "lightgbm"]


def load_data(seed: int):
    """The seeded data set, split: X_train (450 x 20), X_test (150 x 20), y_train, y_test."""
    X, y = make_classification(n_samples=600, n_features=20, n_informative=8, n_redundant=4,
                               random_state=seed)
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)


# The grader runs your flow itself; it skips the demonstrations below.
DEMO = not os.environ.get("AUTOGRADER_WORKER")
# Without a PREFECT_API_URL, Prefect starts a temporary server for this notebook; a busy laptop may
# need more than the default 20 s for that.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

# %% [markdown]
# **(a)** The training task: one model per task run, seeded.
#
# **(b)** The flow: the three trainings submitted together, so that they run concurrently.
#
# **(c)** The choice: held-out accuracy of each model, and the most accurate one.

# %% part="a"
from prefect import flow, task

### BEGIN SOLUTION train_model
from lightgbm import LGBMClassifier
from sklearn.ensemble import RandomForestClassifier
from xgboost import XGBClassifier


@task
def train_model(name: str, X_train, y_train, seed: int):
    """Fit one of the three candidate models on the training rows."""
    if name == "random_forest":
        model = RandomForestClassifier(n_estimators=50, random_state=seed, n_jobs=1)
    elif name == "xgboost":
        model = XGBClassifier(n_estimators=50, max_depth=3, random_state=seed, n_jobs=1)
    elif name == "lightgbm":
        model = LGBMClassifier(n_estimators=50, random_state=seed, n_jobs=1, verbose=-1)
    else:
        raise ValueError(f"unknown model {name!r}")
    return model.fit(X_train, y_train)
### END SOLUTION
### BEGIN STARTER
# @task
# def train_model(name: str, X_train, y_train, seed: int):
#     """Fit one of the three candidate models on the training rows."""
#     raise NotImplementedError("build the model called `name`, seeded, and fit it")
### END STARTER


# %% part="b"
### BEGIN SOLUTION train_and_select
@flow
def train_and_select(seed: int = 42) -> dict:
    """Train the three models concurrently and keep the most accurate on the held-out rows."""
    X_train, X_test, y_train, y_test = load_data(seed)
    futures = {name: train_model.submit(name, X_train, y_train, seed) for name in MODEL_NAMES}
    models = {name: future.result() for name, future in futures.items()}
    accuracies = {name: float(accuracy_score(y_test, model.predict(X_test))) for name, model in models.items()}
    best = max(accuracies, key=accuracies.get)
    return {"accuracies": accuracies, "best": best, "models": models}
### END SOLUTION
### BEGIN STARTER
# # @flow
# # def train_and_select(seed: int = 42):
# #     data = load_data(seed)  # X_train, X_test, y_train, y_test
# #     ...
# #     return {"accuracies": ..., "best": ..., "models": ...}
### END STARTER


# %% [markdown] part="b"
# Run the flow and look at what it returns, then at the task runs the Prefect server recorded for
# it: their start and end times, in seconds after the first training started. Concurrent training
# shows three intervals that overlap. (Without a `PREFECT_API_URL`, Prefect starts a temporary
# server of its own for the notebook; that takes a few seconds the first time.)

# %% part="b"
if DEMO:
    import time

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    state = train_and_select(seed=42, return_state=True)
    outcome = state.result()
    print("held-out accuracy:", {name: round(value, 4) for name, value in outcome["accuracies"].items()})
    print("best:", outcome["best"])
    time.sleep(2)  # the server records task runs from events, a moment after they happen
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    training = sorted((r for r in runs if r.name.startswith("train_") and r.start_time and r.end_time),
                      key=lambda r: r.start_time)
    if training:
        zero = training[0].start_time
        for r in training:
            print(f"{r.name:<20} {(r.start_time - zero).total_seconds():6.3f} s -> "
                  f"{(r.end_time - zero).total_seconds():6.3f} s")
