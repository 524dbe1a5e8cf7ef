# %% [markdown]
# Section 27.10 tested the StreamRec pipeline in two ways: unit tests of single pieces such as a
# `DataContract`, and an integration test in which Feast and MLflow were replaced by mocks. Neither
# runs the real pipeline from the first stage to the last, so neither notices that a stage now
# drops a column the next one needs, or that a configuration value stopped reaching the code that
# should use it. A **smoke test** does: before any change is merged, it runs every stage of the real
# pipeline, on a small slice of real data and with small resources, and checks what flows between
# the stages.
#
# For StreamRec's training pipeline the team wants a smoke test that:
#
# - **(a)** samples **1% of the most recent day's interactions**, deterministically: the same seed
#   must give the same sample;
# - **(b)** runs every stage with **reduced resources**: **1 GPU instead of 4** and **1 epoch
#   instead of 10**, set as configuration values of the pipeline, not by editing its code;
# - **(c)** checks that **every inter-stage data contract** holds;
# - **(d)** **finishes within a time bound**. In production the target is **15 minutes** on the CI
#   machine. The pipeline in this notebook is small, so here the bound is `SMOKE_BUDGET_SECONDS`,
#   60 seconds;
# - **(e)** runs **automatically before every merge to the main branch** (CI integration; a written
#   answer at the end).
#
# It is written as a pytest file that calls the pipeline's **Dagster assets directly**, through
# `dagster.build_asset_context`: no run is launched and no IO manager stores anything; the asset
# functions are called like ordinary functions, with a context, their configuration, their
# resources and their inputs.
#
# Your tests are graded by what they catch. The pipeline below is **given**: you do not change it,
# you test it.

# %% [markdown]
# ## The pipeline under test
#
# The cell below is the StreamRec training pipeline, reduced to what fits in a notebook. As in
# exercise 27.6, the work of each stage is a plain function and the Dagster asset around it only
# passes configuration, resources and data along:
#
# ```
# raw_interactions ──► sampled_interactions ──────────────┐
#        │                                                ▼
#        ├──► user_features ─────────────────────► training_examples ──► ranking_model ──► predictions ──► ranking_metrics
#        └──► item_features ─────────────────────────────▲
# ```
#
# - `raw_interactions`: the last seven days of interactions, as the extract reads them from the
#   warehouse (here the course's seeded StreamRec generator; 20,000 interactions a day).
# - `sampled_interactions(config: SampleConfig)`: the interactions of the **most recent UTC day**
#   present, a share `config.fraction` of them drawn with `config.seed`. Production trains on the
#   whole day: `fraction=1.0`.
# - `user_features`, `item_features`: statistics of each user and item over the six days **before**
#   the most recent one; the item features also carry the category from the item catalogue.
# - `training_examples`: the sampled interactions joined with the features of their user and item;
#   the label is whether the interaction was a click.
# - `ranking_model(config: TrainingConfig, gpu_cluster: GpuCluster)`: a ranking model, a logistic
#   regression trained by gradient descent for `config.epochs` epochs, data-parallel over
#   `config.gpus` GPUs taken from the `gpu_cluster` resource. Production: 10 epochs on 4 GPUs.
#   Asking the cluster for more GPUs than it has raises an error, as a real scheduler would refuse.
# - `predictions`: the model's click probability (`score`) for every training example;
#   `ranking_metrics`: the AUC of those scores.
#
# One detail of the code: each asset carries a second decorator, `@typed`, under `@dg.asset`.
# Dagster reads the annotations of `context` and `config` itself and refuses them as strings, which
# is what every annotation becomes in a module that starts with `from __future__ import annotations`
# (the grader runs notebook cells that way). `typed` turns them back into the classes they name; in
# an ordinary notebook or module it changes nothing.

# %%
import functools
import time
import typing

import dagster as dg
import numpy as np
import pandas as pd

from pipelinekit import ContractViolation, DataContract
from pipelinekit.streamrec import generate_interaction_range, generate_items

SMOKE_BUDGET_SECONDS = 60        # the bound of this notebook's smoke test
PRODUCTION_BUDGET_MINUTES = 15   # the bound the team sets for the smoke test in CI, on production data

WINDOW = ("2024-06-01", "2024-06-07")
DAILY_INTERACTIONS, N_USERS, N_ITEMS, DATA_SEED = 20_000, 5_000, 2_000, 27
FEATURES = ["user_click_rate", "user_n_events", "item_click_rate", "item_n_events"]


# ---- the work of each stage: plain functions ------------------------------------------------------
@functools.cache
def _warehouse_window() -> pd.DataFrame:
    return generate_interaction_range(*WINDOW, n_interactions=DAILY_INTERACTIONS, n_users=N_USERS,
                                      n_items=N_ITEMS, seed=DATA_SEED)


def load_production_interactions() -> pd.DataFrame:
    """The last seven days of interactions, as the extract reads them from the warehouse."""
    return _warehouse_window().copy()


def load_item_catalogue() -> pd.DataFrame:
    """The current item catalogue: item_id, category, duration_seconds, release_date."""
    return generate_items(N_ITEMS, seed=DATA_SEED)


def utc_day(timestamps: pd.Series) -> pd.Series:
    return timestamps.dt.floor("D")


def sample_latest_day(interactions: pd.DataFrame, fraction: float, seed: int) -> pd.DataFrame:
    """A share `fraction` of the most recent UTC day's interactions, drawn with `seed`."""
    day = utc_day(interactions["timestamp"])
    latest = interactions[day == day.max()]
    sample = latest.sample(frac=fraction, random_state=seed)
    return sample.sort_values(["timestamp", "user_id"], kind="stable").reset_index(drop=True)


def history_before_latest_day(interactions: pd.DataFrame) -> pd.DataFrame:
    """The interactions of the days before the most recent one: what features are computed from."""
    day = utc_day(interactions["timestamp"])
    return interactions[day < day.max()]


def compute_user_features(history: pd.DataFrame) -> pd.DataFrame:
    """Per user: number of events, click rate and mean watch time over the history."""
    by_user = history.groupby("user_id")
    return pd.DataFrame({
        "n_events": by_user.size().astype("int64"),
        "click_rate": by_user["clicked"].mean().astype("float64"),
        "mean_watch_seconds": by_user["watch_seconds"].mean().astype("float64"),
    }).reset_index()


def compute_item_features(history: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Per item: number of events and click rate over the history, and its catalogue category."""
    by_item = history.groupby("item_id")
    stats = pd.DataFrame({
        "n_events": by_item.size().astype("int64"),
        "click_rate": by_item["clicked"].mean().astype("float64"),
    }).reset_index()
    return stats.merge(catalogue[["item_id", "category"]], on="item_id", how="left")


def build_training_examples(sample: pd.DataFrame, user_features: pd.DataFrame,
                            item_features: pd.DataFrame) -> pd.DataFrame:
    """The sampled interactions with the features of their user and item; label = clicked.
    A user or item without history gets 0 events and the sample's click rate."""
    users = user_features.rename(columns={"n_events": "user_n_events", "click_rate": "user_click_rate"})
    items = item_features.rename(columns={"n_events": "item_n_events", "click_rate": "item_click_rate"})
    examples = (sample[["user_id", "item_id", "clicked"]]
                .merge(users[["user_id", "user_n_events", "user_click_rate"]], on="user_id", how="left")
                .merge(items[["item_id", "item_n_events", "item_click_rate"]], on="item_id", how="left"))
    prior = float(sample["clicked"].mean()) if len(sample) else 0.0
    examples = examples.fillna({"user_n_events": 0, "item_n_events": 0,
                                "user_click_rate": prior, "item_click_rate": prior})
    examples = examples.astype({"user_n_events": "int64", "item_n_events": "int64"})
    return examples.rename(columns={"clicked": "label"})[
        ["user_id", "item_id", "user_n_events", "user_click_rate", "item_n_events", "item_click_rate", "label"]]


def _design_matrix(examples: pd.DataFrame, means=None, scales=None):
    x = examples[FEATURES].to_numpy(dtype="float64").copy()
    x[:, [1, 3]] = np.log1p(x[:, [1, 3]])  # counts on a log scale
    if means is None:
        means, scales = x.mean(axis=0), x.std(axis=0)
        scales[scales == 0] = 1.0
    return (x - means) / scales, means, scales


class GpuCluster(dg.ConfigurableResource):
    """The GPUs a run may use. Asking for more than there are fails, as on the real cluster."""

    available_gpus: int = 4

    def allocate(self, gpus: int) -> list[str]:
        if not 1 <= gpus <= self.available_gpus:
            raise RuntimeError(f"asked for {gpus} GPU(s), but this cluster has {self.available_gpus}")
        return [f"cuda:{i}" for i in range(gpus)]


def train_ranking_model(examples: pd.DataFrame, epochs: int, gpus: int, learning_rate: float,
                        cluster: GpuCluster) -> dict:
    """Logistic regression by full-batch gradient descent, each GPU computing the gradient of its shard."""
    devices = cluster.allocate(gpus)
    x, means, scales = _design_matrix(examples)
    y = examples["label"].to_numpy(dtype="float64")
    weights, bias, losses = np.zeros(x.shape[1]), 0.0, []
    shards = np.array_split(np.arange(len(y)), len(devices))
    for _ in range(epochs):
        grad_w, grad_b, loss = np.zeros_like(weights), 0.0, 0.0
        for shard in shards:
            p = 1.0 / (1.0 + np.exp(-(x[shard] @ weights + bias)))
            grad_w += x[shard].T @ (p - y[shard])
            grad_b += float((p - y[shard]).sum())
            loss -= float(np.sum(y[shard] * np.log(p + 1e-12) + (1 - y[shard]) * np.log(1 - p + 1e-12)))
        n = max(len(y), 1)
        weights -= learning_rate * grad_w / n
        bias -= learning_rate * grad_b / n
        losses.append(loss / n)
    return {"weights": weights.tolist(), "bias": bias, "means": means.tolist(), "scales": scales.tolist(),
            "epochs_run": len(losses), "gpus_used": len(devices), "devices": devices, "loss_history": losses}


def score_examples(model: dict, examples: pd.DataFrame) -> pd.DataFrame:
    """The model's click probability for every example."""
    x, _, _ = _design_matrix(examples, np.array(model["means"]), np.array(model["scales"]))
    scores = 1.0 / (1.0 + np.exp(-(x @ np.array(model["weights"]) + model["bias"])))
    return pd.DataFrame({"user_id": examples["user_id"], "item_id": examples["item_id"],
                         "label": examples["label"], "score": scores})


def ranking_auc(predictions: pd.DataFrame) -> float:
    """The probability that a random click is scored above a random non-click."""
    ranks = predictions["score"].rank()
    clicks = predictions["label"] == 1
    n_pos, n_neg = int(clicks.sum()), int((~clicks).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[clicks].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# ---- the orchestration: Dagster assets, configuration and resources -------------------------------
def typed(fn):
    """Resolve a function's string annotations to the objects they name, for Dagster (see above)."""
    fn.__annotations__ = typing.get_type_hints(fn)
    return fn


class SampleConfig(dg.Config):
    fraction: float = 1.0   # production trains on the whole day
    seed: int = 0


class TrainingConfig(dg.Config):
    epochs: int = 10        # production: 10 epochs
    gpus: int = 4           # on 4 GPUs
    learning_rate: float = 0.5


@dg.asset
@typed
def raw_interactions(context: dg.AssetExecutionContext) -> pd.DataFrame:
    return load_production_interactions()


@dg.asset
@typed
def sampled_interactions(context: dg.AssetExecutionContext, config: SampleConfig,
                         raw_interactions: pd.DataFrame) -> pd.DataFrame:
    return sample_latest_day(raw_interactions, config.fraction, config.seed)


@dg.asset
@typed
def user_features(context: dg.AssetExecutionContext, raw_interactions: pd.DataFrame) -> pd.DataFrame:
    return compute_user_features(history_before_latest_day(raw_interactions))


@dg.asset
@typed
def item_features(context: dg.AssetExecutionContext, raw_interactions: pd.DataFrame) -> pd.DataFrame:
    return compute_item_features(history_before_latest_day(raw_interactions), load_item_catalogue())


@dg.asset
@typed
def training_examples(context: dg.AssetExecutionContext, sampled_interactions: pd.DataFrame,
                      user_features: pd.DataFrame, item_features: pd.DataFrame) -> pd.DataFrame:
    return build_training_examples(sampled_interactions, user_features, item_features)


@dg.asset
@typed
def ranking_model(context: dg.AssetExecutionContext, config: TrainingConfig, gpu_cluster: GpuCluster,
                  training_examples: pd.DataFrame) -> dict:
    return train_ranking_model(training_examples, config.epochs, config.gpus, config.learning_rate, gpu_cluster)


@dg.asset
@typed
def predictions(context: dg.AssetExecutionContext, ranking_model: dict,
                training_examples: pd.DataFrame) -> pd.DataFrame:
    return score_examples(ranking_model, training_examples)


@dg.asset
@typed
def ranking_metrics(context: dg.AssetExecutionContext, predictions: pd.DataFrame) -> dict:
    return {"auc": ranking_auc(predictions), "n_examples": len(predictions)}


defs = dg.Definitions(
    assets=[raw_interactions, sampled_interactions, user_features, item_features, training_examples,
            ranking_model, predictions, ranking_metrics],
    resources={"gpu_cluster": GpuCluster()},  # production: 4 GPUs
)

# %% [markdown]
# Calling an asset directly looks like this: the context first, then the configuration, the
# resources and the inputs, by position or by name (a resource may also be given to
# `build_asset_context(resources={...})` instead of as an argument):
#
# ```python
# raw = raw_interactions(dg.build_asset_context())
# sample = sampled_interactions(dg.build_asset_context(), SampleConfig(fraction=0.5, seed=7), raw)
# model = ranking_model(dg.build_asset_context(), TrainingConfig(epochs=3, gpus=2),
#                       GpuCluster(available_gpus=2), training_examples=examples)
# ```
#
# ## What each stage promises
#
# These are the contracts between the stages: what a stage's output promises to the stages that
# read it, and to the other consumers of the same tables (the feature store serves the feature
# tables online; the ranking service reads the scores). A stage may keep a promise that no stage
# of this pipeline checks, and break it without crashing anything downstream. Dtypes are given as
# `DataContract` kinds.
#
# | asset | columns (kind) | no nulls in | rows | value ranges |
# | --- | --- | --- | --- | --- |
# | `sampled_interactions` | `user_id` (int), `item_id` (int), `timestamp` (datetime), `event` (string), `watch_seconds` (int), `clicked` (int) | every column | at least 1 | `watch_seconds` ≥ 0, `clicked` in [0, 1] |
# | `user_features` | `user_id` (int), `n_events` (int), `click_rate` (float), `mean_watch_seconds` (float) | every column | at least 1 | `n_events` ≥ 1, `click_rate` in [0, 1], `mean_watch_seconds` ≥ 0 |
# | `item_features` | `item_id` (int), `n_events` (int), `click_rate` (float), `category` (string) | every column | at least 1 | `n_events` ≥ 1, `click_rate` in [0, 1] |
# | `training_examples` | `user_id` (int), `item_id` (int), `user_n_events` (int), `user_click_rate` (float), `item_n_events` (int), `item_click_rate` (float), `label` (int) | every column | at least 1 | counts ≥ 0, rates in [0, 1], `label` in [0, 1] |
# | `predictions` | `user_id` (int), `item_id` (int), `label` (int), `score` (float) | every column | at least 1 | `score` in [0, 1] |
#
# `ranking_model` returns a dict, not a table: among its keys, `epochs_run` (the number of epochs it
# trained), `gpus_used` (the number of GPUs it trained on), `devices` (their names) and
# `loss_history` (one loss per epoch trained). `ranking_metrics` returns `{"auc": ..., "n_examples": ...}`.

# %% [markdown]
# ## Your task
#
# Write the smoke test of this pipeline as pytest test functions in the cell below: it covers
# (a) to (d) of the list at the top. In the repository the same functions would make up the file
# `tests/test_smoke_training.py`, importing the pipeline's names from the project's package.
#
# Rules, so that the grader can run your tests:
#
# - A test is a function at the top level of the notebook whose name starts with `test_` and that
#   takes no arguments (no pytest fixtures: build what a test needs inside it, or in helper
#   functions of your own). A test passes when it returns, and fails when it raises.
# - Call the assets **directly, with `dg.build_asset_context()`**; do not use `dg.materialize`.
#   Set the reduced resources through the pipeline's configuration (`SampleConfig`,
#   `TrainingConfig`) and resource (`GpuCluster`).
# - Reach the pipeline only through its names (the assets, `SampleConfig`, `TrainingConfig`,
#   `GpuCluster`, the stage functions, `SMOKE_BUDGET_SECONDS`), looked up when the test runs, the
#   way a test file that imports them would. Do not copy the pipeline's code, and do not keep an
#   asset's output from one test to the next: every test runs what it checks.
# - Write the contracts of the table above with `pipelinekit.DataContract`.
# - Time the run with `time.perf_counter()` (or `time.monotonic()`), and compare it with
#   `SMOKE_BUDGET_SECONDS`: do not type 60.
#
# A tip for speed: `dg.build_asset_context()` without arguments creates a throwaway in-memory
# Dagster instance each time, which costs a tenth of a second or more. Create one with
# `dg.DagsterInstance.ephemeral()` and pass it as `build_asset_context(instance=...)`: the grader
# runs your suite twelve times.
#
# **How your tests are graded.** First your tests run against the pipeline as given: every one of
# them must pass, they must call `build_asset_context`, and all of them together must finish within
# `SMOKE_BUDGET_SECONDS`. Otherwise the exercise scores zero: a smoke test that fails on a healthy
# pipeline blocks every merge, and one that takes too long gets switched off. Then they run against
# broken versions of the pipeline, eleven of them, each with one fault planted in one stage. A
# broken pipeline is caught when at least one of your tests fails on it; each one caught earns a
# point of its part:
#
# | part | the broken pipelines |
# | --- | --- |
# | (a), 3 points | a sampler that draws a different sample at every call, whatever the seed; one that samples a day other than the most recent; one that takes the wrong share of the day |
# | (b), 2 points | a training stage that ignores the configured number of epochs and trains the production number; one that ignores the configured number of GPUs and asks for the production number |
# | (c), 4 points | four stages (`user_features`, `item_features`, `training_examples`, `predictions`), each breaking one promise of its row in the table above, in a way that crashes no later stage |
# | (d), 2 points | two pipelines whose outputs are right but with one slow stage: the sampling in one, the training in the other. The grader does not wait for minutes: while the slow stage runs, it moves the clocks that `time.perf_counter()` and `time.monotonic()` read forward by several minutes |

# %%
### BEGIN SOLUTION smoke_tests
SMOKE_FRACTION = 0.01   # 1% of the most recent day
SMOKE_SEED = 20240607
SMOKE_EPOCHS = 1        # instead of 10
SMOKE_GPUS = 1          # instead of 4

CONTRACTS = {
    "sampled_interactions": DataContract(
        "sampled_interactions",
        required_columns=["user_id", "item_id", "timestamp", "event", "watch_seconds", "clicked"],
        dtypes={"user_id": "int", "item_id": "int", "timestamp": "datetime", "event": "string",
                "watch_seconds": "int", "clicked": "int"},
        non_null=["user_id", "item_id", "timestamp", "event", "watch_seconds", "clicked"],
        min_rows=1,
        value_ranges={"watch_seconds": (0, None), "clicked": (0, 1)},
    ),
    "user_features": DataContract(
        "user_features",
        required_columns=["user_id", "n_events", "click_rate", "mean_watch_seconds"],
        dtypes={"user_id": "int", "n_events": "int", "click_rate": "float", "mean_watch_seconds": "float"},
        non_null=["user_id", "n_events", "click_rate", "mean_watch_seconds"],
        min_rows=1,
        value_ranges={"n_events": (1, None), "click_rate": (0, 1), "mean_watch_seconds": (0, None)},
    ),
    "item_features": DataContract(
        "item_features",
        required_columns=["item_id", "n_events", "click_rate", "category"],
        dtypes={"item_id": "int", "n_events": "int", "click_rate": "float", "category": "string"},
        non_null=["item_id", "n_events", "click_rate", "category"],
        min_rows=1,
        value_ranges={"n_events": (1, None), "click_rate": (0, 1)},
    ),
    "training_examples": DataContract(
        "training_examples",
        required_columns=["user_id", "item_id", "user_n_events", "user_click_rate", "item_n_events",
                          "item_click_rate", "label"],
        dtypes={"user_id": "int", "item_id": "int", "user_n_events": "int", "user_click_rate": "float",
                "item_n_events": "int", "item_click_rate": "float", "label": "int"},
        non_null=["user_id", "item_id", "user_n_events", "user_click_rate", "item_n_events",
                  "item_click_rate", "label"],
        min_rows=1,
        value_ranges={"user_n_events": (0, None), "item_n_events": (0, None), "user_click_rate": (0, 1),
                      "item_click_rate": (0, 1), "label": (0, 1)},
    ),
    "predictions": DataContract(
        "predictions",
        required_columns=["user_id", "item_id", "label", "score"],
        dtypes={"user_id": "int", "item_id": "int", "label": "int", "score": "float"},
        non_null=["user_id", "item_id", "label", "score"],
        min_rows=1,
        value_ranges={"score": (0, 1)},
    ),
}


SMOKE_INSTANCE = dg.DagsterInstance.ephemeral()   # one in-memory instance for the whole file


def context() -> dg.AssetExecutionContext:
    return dg.build_asset_context(instance=SMOKE_INSTANCE)


def smoke_sample(seed: int = SMOKE_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw interactions and the smoke test's sample of them."""
    raw = raw_interactions(context())
    sample = sampled_interactions(context(), SampleConfig(fraction=SMOKE_FRACTION, seed=seed), raw)
    return raw, sample


def run_smoke_pipeline(seed: int = SMOKE_SEED) -> dict:
    """Every asset once, in order, with the smoke configuration; each table is checked against its
    contract before the next stage reads it (check() raises ContractViolation)."""
    raw, sample = smoke_sample(seed)
    out = {"sampled_interactions": CONTRACTS["sampled_interactions"].check(sample)}
    out["user_features"] = CONTRACTS["user_features"].check(user_features(context(), raw))
    out["item_features"] = CONTRACTS["item_features"].check(item_features(context(), raw))
    out["training_examples"] = CONTRACTS["training_examples"].check(
        training_examples(context(), out["sampled_interactions"], out["user_features"], out["item_features"]))
    out["ranking_model"] = ranking_model(
        context(), TrainingConfig(epochs=SMOKE_EPOCHS, gpus=SMOKE_GPUS),
        GpuCluster(available_gpus=SMOKE_GPUS), out["training_examples"])
    out["predictions"] = CONTRACTS["predictions"].check(
        predictions(context(), out["ranking_model"], out["training_examples"]))
    out["ranking_metrics"] = ranking_metrics(context(), out["predictions"])
    return out


def test_sample_is_one_percent_of_the_most_recent_day():
    raw, sample = smoke_sample()
    raw_days = raw["timestamp"].dt.floor("D")
    latest_day = raw_days.max()
    assert (sample["timestamp"].dt.floor("D") == latest_day).all(), "rows from another day than the latest"
    expected = SMOKE_FRACTION * int((raw_days == latest_day).sum())
    assert abs(len(sample) - expected) <= 1, f"{len(sample)} rows, not 1% of the day"


def test_same_seed_gives_the_same_sample():
    _, first = smoke_sample(seed=SMOKE_SEED)
    _, second = smoke_sample(seed=SMOKE_SEED)
    pd.testing.assert_frame_equal(first.reset_index(drop=True), second.reset_index(drop=True))


def test_training_runs_with_reduced_resources():
    model = run_smoke_pipeline()["ranking_model"]
    assert model["epochs_run"] == SMOKE_EPOCHS and len(model["loss_history"]) == SMOKE_EPOCHS
    assert model["gpus_used"] == SMOKE_GPUS and len(model["devices"]) == SMOKE_GPUS


def test_every_stage_keeps_its_contract():
    out = run_smoke_pipeline()
    assert out["ranking_metrics"]["n_examples"] == len(out["training_examples"])


def test_smoke_run_finishes_within_the_budget():
    start = time.perf_counter()
    run_smoke_pipeline()
    elapsed = time.perf_counter() - start
    assert elapsed < SMOKE_BUDGET_SECONDS, f"the smoke run took {elapsed:.0f} s"
### END SOLUTION
### BEGIN STARTER
# SMOKE_FRACTION = 0.01   # 1% of the most recent day
# SMOKE_SEED = 20240607
#
# CONTRACTS = {
#     # "sampled_interactions": DataContract("sampled_interactions", required_columns=[...], ...),
# }
#
#
# def test_sample_is_one_percent_of_the_most_recent_day():
#     raise NotImplementedError("sample through the sampled_interactions asset and check day and size")
#
#
# def test_same_seed_gives_the_same_sample():
#     raise NotImplementedError
#
#
# def test_training_runs_with_reduced_resources():
#     raise NotImplementedError
#
#
# def test_every_stage_keeps_its_contract():
#     raise NotImplementedError
#
#
# def test_smoke_run_finishes_within_the_budget():
#     raise NotImplementedError
### END STARTER

# %% [markdown]
# Run your tests: in the repository, `pytest tests/test_smoke_training.py` would collect them; here
# a few lines do the same for the functions of this notebook.

# %%
def run_my_tests() -> dict[str, str]:
    """Run every test_* function of this notebook; return each one's outcome."""
    outcomes = {}
    for name, function in list(globals().items()):
        if name.startswith("test_") and callable(function):
            try:
                function()
                outcomes[name] = "passed"
            except BaseException as exc:  # pytest.raises and pytest.fail raise BaseExceptions
                outcomes[name] = f"FAILED ({type(exc).__name__}: {str(exc)[:200]})"
    return outcomes


started = time.perf_counter()
for test_name, outcome in run_my_tests().items():
    print(f"{test_name}: {outcome}")
print(f"the whole suite took {time.perf_counter() - started:.1f} s (bound: {SMOKE_BUDGET_SECONDS} s)")

# %% [markdown]
# Now break the pipeline yourself and see whether your tests notice. The context manager below
# replaces one stage function while the `with` block runs; here the training stage forgets the
# configured number of epochs. Try other faults: a feature stage that drops a column, a sampler
# that ignores its seed, a stage that sleeps.

# %%
from contextlib import contextmanager


@contextmanager
def stage_replaced(name: str, replacement):
    """While active, the pipeline's stage function `name` is `replacement`."""
    correct = globals()[name]
    globals()[name] = replacement
    try:
        yield correct
    finally:
        globals()[name] = correct


with stage_replaced("train_ranking_model",
                    lambda examples, epochs, gpus, learning_rate, cluster:
                    correct_training(examples, 10, gpus, learning_rate, cluster)) as correct_training:
    caught_by = [name for name, outcome in run_my_tests().items() if outcome != "passed"]
print("a training stage that always runs 10 epochs is caught by:", caught_by or "none of your tests")

# %% [markdown] answer="e"
# **(e) Before every merge.** Describe how this smoke test runs automatically before every merge to
# the main branch: what triggers it and what blocks the merge, where the 1% sample comes from in CI
# and how it stays deterministic, and how the job fits the CI machine (hardware, the 15-minute bound,
# caching). A workflow file is welcome but not required.
#
### BEGIN SOLUTION
# **Trigger and gate.** The smoke test is a job of the CI workflow that runs on every pull request
# targeting `main` (and on every push to a pull request's branch). Branch protection on `main`
# lists it as a *required status check*, so the merge button stays disabled until it passes; with a
# merge queue, the job also runs on the merge commit itself, so two pull requests that pass apart
# cannot break `main` together. The same job runs nightly against `main` to catch drift in the data.
#
# ```yaml
# on:
#   pull_request: {branches: [main]}
#   merge_group: {}
#   schedule: [{cron: "0 4 * * *"}]
# jobs:
#   smoke:
#     runs-on: [self-hosted, gpu-1]          # one GPU: the smoke configuration, not production's 4
#     timeout-minutes: 20                     # the job's hard stop; the test itself asserts 15
#     steps:
#       - uses: actions/checkout@v4
#       - uses: actions/cache@v4               # the environment, keyed on the lock file
#         with: {path: ~/.cache/uv, key: uv-${{ hashFiles('uv.lock') }}}
#       - run: uv sync --frozen
#       - run: uv run python -m streamrec.ci.fetch_smoke_sample   # see below
#       - run: uv run pytest tests/test_smoke_training.py -x --junitxml=smoke.xml
#         env: {SMOKE_BUDGET_SECONDS: "900"}
#       - uses: actions/upload-artifact@v4
#         if: always()
#         with: {name: smoke-report, path: smoke.xml}
# ```
#
# **The sample.** The "most recent day" changes every day, so "same seed, same sample" must hold for
# a fixed partition. A scheduled job extracts, once a day, the 1% sample of the newest complete
# day with the fixed seed, anonymises it, and stores it as a versioned snapshot (e.g. a Delta table
# or an object-store path keyed by the date) that CI may read; CI never queries the production
# warehouse directly. The job records which partition and seed it used in its report, so a failure
# can be reproduced locally with the same snapshot. Because the sample is drawn with a fixed seed
# from a fixed partition, reruns of the same commit see the same rows, and a flaky smoke test
# points at the code, not at the data.
#
# **Fitting the machine.** The pipeline's configuration (1 GPU, 1 epoch, fraction 0.01) is what
# makes the job fit a single-GPU runner; the 15-minute bound is asserted by the test (the budget
# read from configuration, 900 s in CI) and backed by the job's timeout. Dependencies and the
# container image are cached on the lock file; the snapshot is cached per date, so only the first
# job of the day downloads it. Concurrent runs for the same pull request are cancelled
# (`concurrency: {group: smoke-${{ github.ref }}, cancel-in-progress: true}`) so that the GPU runner
# is not queued behind stale commits. If the job is slow, its report (the duration of each stage)
# shows which stage to blame before anyone raises the bound.
### END SOLUTION
