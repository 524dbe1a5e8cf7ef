"""Hidden tests for exercise 27.24: the learner's smoke tests, graded by the broken pipelines they catch.

The learner's test_* functions run in the worker, first against the pipeline as the notebook gives
it, then against a broken version of it. A broken version replaces one stage function of the
notebook (the plain function an asset calls) by a wrapper around the correct one that plants one
fault; the learner's tests reach the stage through the assets or directly, either way through the
notebook's globals, which are restored afterwards. The slow pipelines move the clocks that
time.perf_counter() and time.monotonic() read forward while the slow stage runs, instead of
sleeping. A part's point for a broken pipeline is earned when some learner test fails on it,
provided every learner test passes on the given pipeline, calls build_asset_context, and the suite
finishes within SMOKE_BUDGET_SECONDS.
"""

from autograder.testing import LearnerError, expect, fail, graded

BUDGET_SECONDS = 60   # SMOKE_BUDGET_SECONDS of the statement

# What each broken pipeline gets wrong, in the words the learner reads.
FAULTS = {
    "sampler_ignores_the_seed": "whose sampler draws a different sample at every call, even with the same seed",
    "sampler_takes_the_oldest_day": "whose sampler samples another day than the most recent one",
    "sampler_reads_the_fraction_as_percent": "whose sampler takes the wrong share of the day",
    "training_ignores_epochs": "whose training stage ignores the configured number of epochs",
    "training_ignores_gpus": "whose training stage ignores the configured number of GPUs",
    "user_features_drop_a_column": "whose `user_features` stage breaks one of its promises",
    "item_features_from_a_stale_catalogue": "whose `item_features` stage breaks one of its promises",
    "training_examples_with_float_counts": "whose `training_examples` stage breaks one of its promises",
    "predictions_as_logits": "whose `predictions` stage breaks one of its promises",
    "slow_sampling": "whose sampling stage takes ten minutes",
    "slow_training": "whose training stage takes twenty minutes",
}


# ---- shipped to the worker --------------------------------------------------------------------
def broken_stages(g, fault, clock):
    """Replacements for the notebook's stage functions (in globals `g`) that plant one fault."""
    import math
    import secrets

    sample = g["sample_latest_day"]
    users = g["compute_user_features"]
    items = g["compute_item_features"]
    examples = g["build_training_examples"]
    train = g["train_ranking_model"]
    score = g["score_examples"]

    if fault == "sampler_ignores_the_seed":
        def sample_latest_day(interactions, fraction, seed):
            return sample(interactions, fraction, secrets.randbelow(2**31))
        return {"sample_latest_day": sample_latest_day}
    if fault == "sampler_takes_the_oldest_day":
        def sample_latest_day(interactions, fraction, seed):
            day = interactions["timestamp"].dt.floor("D")
            return sample(interactions[day == day.min()], fraction, seed)
        return {"sample_latest_day": sample_latest_day}
    if fault == "sampler_reads_the_fraction_as_percent":
        def sample_latest_day(interactions, fraction, seed):
            return sample(interactions, fraction / 100, seed)
        return {"sample_latest_day": sample_latest_day}
    if fault == "training_ignores_epochs":
        def train_ranking_model(examples, epochs, gpus, learning_rate, cluster):
            return train(examples, 10, gpus, learning_rate, cluster)
        return {"train_ranking_model": train_ranking_model}
    if fault == "training_ignores_gpus":
        def train_ranking_model(examples, epochs, gpus, learning_rate, cluster):
            return train(examples, epochs, 4, learning_rate, cluster)
        return {"train_ranking_model": train_ranking_model}
    if fault == "user_features_drop_a_column":
        def compute_user_features(history):
            return users(history).drop(columns=["mean_watch_seconds"])
        return {"compute_user_features": compute_user_features}
    if fault == "item_features_from_a_stale_catalogue":
        def compute_item_features(history, catalogue):
            return items(history, catalogue.iloc[: len(catalogue) // 2])  # newer items have no category
        return {"compute_item_features": compute_item_features}
    if fault == "training_examples_with_float_counts":
        def build_training_examples(sample, user_features, item_features):
            out = examples(sample, user_features, item_features)
            return out.astype({"user_n_events": "float64", "item_n_events": "float64"})
        return {"build_training_examples": build_training_examples}
    if fault == "predictions_as_logits":
        def score_examples(model, examples):
            out = score(model, examples)
            p = out["score"].clip(1e-12, 1 - 1e-12)
            out["score"] = [math.log(v / (1 - v)) for v in p]
            return out
        return {"score_examples": score_examples}
    if fault == "slow_sampling":
        def sample_latest_day(interactions, fraction, seed):
            clock["offset"] += 600.0
            return sample(interactions, fraction, seed)
        return {"sample_latest_day": sample_latest_day}
    if fault == "slow_training":
        def train_ranking_model(examples, epochs, gpus, learning_rate, cluster):
            clock["offset"] += 1200.0
            return train(examples, epochs, gpus, learning_rate, cluster)
        return {"train_ranking_model": train_ranking_model}
    raise ValueError(fault)


def run_suite(ns, fault):
    """Run every test_* function of the notebook against the pipeline, broken by `fault` (or not)."""
    import inspect
    import sys
    import time

    import dagster

    module = getattr(ns, "_module", None) or sys.modules["submission"]
    g = module.__dict__
    tests, needs_arguments = [], []
    for name in ns.names():
        function = g[name]
        if not (name.startswith("test_") and inspect.isfunction(function)):
            continue
        required = [p.name for p in inspect.signature(function).parameters.values()
                    if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        (needs_arguments if required else tests).append(name)

    saved_globals, saved_attrs = {}, []

    def patch_global(name, value):
        if name not in saved_globals:
            saved_globals[name] = g[name]
        g[name] = value

    def patch_attr(owner, name, value):
        saved_attrs.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    calls = {"build_asset_context": 0}
    real_build = dagster.build_asset_context

    def build_asset_context(*args, **kwargs):
        calls["build_asset_context"] += 1
        return real_build(*args, **kwargs)

    clock = {"offset": 0.0}
    real_clocks = {n: getattr(time, n) for n in ("perf_counter", "monotonic", "time")}
    real_clocks_ns = {n: getattr(time, n) for n in ("perf_counter_ns", "monotonic_ns", "time_ns")}
    wall = real_clocks["perf_counter"]
    outcomes = {}
    started = wall()
    try:
        patch_attr(dagster, "build_asset_context", build_asset_context)
        for name in list(g):
            if g[name] is real_build:
                patch_global(name, build_asset_context)
        if fault is not None:
            for name, replacement in broken_stages(g, fault, clock).items():
                patch_global(name, replacement)
        if fault in ("slow_sampling", "slow_training"):
            fakes = {n: (lambda f=f: f() + clock["offset"]) for n, f in real_clocks.items()}
            fakes.update({n: (lambda f=f: f() + int(clock["offset"] * 1e9)) for n, f in real_clocks_ns.items()})
            originals = {id(f): n for n, f in {**real_clocks, **real_clocks_ns}.items()}
            for n, fake in fakes.items():
                patch_attr(time, n, fake)
            for name in list(g):
                if id(g[name]) in originals and callable(g[name]):
                    patch_global(name, fakes[originals[id(g[name])]])
        for name in tests:
            try:
                g[name]()
                outcomes[name] = None
            except BaseException as exc:  # pytest.raises and pytest.fail raise BaseExceptions
                kind = type(exc).__name__
                if kind == "GraderTimeout" or isinstance(exc, KeyboardInterrupt):
                    raise
                text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
                outcomes[name] = None if kind == "Skipped" else f"{kind}: {text}" if text else kind
    finally:
        seconds = wall() - started
        for owner, name, value in reversed(saved_attrs):
            setattr(owner, name, value)
        g.update(saved_globals)
    return {"tests": tests, "needs_arguments": needs_arguments, "outcomes": outcomes,
            "build_asset_context_calls": calls["build_asset_context"], "seconds": seconds}


# ---- trusted side -------------------------------------------------------------------------------
_BASELINE = {}


def suite(sub, fault):
    return sub.run(run_suite, fault, helpers=[broken_stages], timeout=BUDGET_SECONDS + 60)


def baseline(sub):
    """The suite on the pipeline as given, run once per grading; fail unless it is a usable smoke test."""
    if "run" not in _BASELINE:
        try:
            _BASELINE["run"] = suite(sub, None)
        except LearnerError as error:
            _BASELINE["run"] = error
    got = _BASELINE["run"]
    if isinstance(got, LearnerError):
        raise got
    needs = got["needs_arguments"]
    expect(not needs, f"{', '.join(f'`{n}`' for n in needs)} {'takes' if len(needs) == 1 else 'take'} "
                      "arguments; the grader calls each test with none (pytest fixtures are not available): "
                      "build what the test needs inside it")
    expect(got["tests"], "your notebook defines no test functions (top-level functions whose names start with `test_`)")
    for name, error in sorted(got["outcomes"].items()):
        if error is not None:
            fail(f"your test `{name}` fails on the pipeline as given ({error}); until every test passes on "
                 "the healthy pipeline, no broken pipeline counts as caught")
    expect(got["build_asset_context_calls"] > 0,
           "your tests never call `dg.build_asset_context`: call the assets directly with a context built by it")
    expect(got["seconds"] < BUDGET_SECONDS,
           f"your suite took {got['seconds']:.0f} s on the pipeline as given, more than SMOKE_BUDGET_SECONDS")
    return got


def caught(sub, fault):
    tests = baseline(sub)["tests"]
    got = suite(sub, fault)
    failing = [name for name, error in got["outcomes"].items() if error is not None]
    expect(failing, f"none of your {len(tests)} test(s) fails on a pipeline {FAULTS[fault]}")


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Draw the sample twice with the same seed and compare the two samples row for row.")
def test_suite_catches_a_sampler_that_ignores_the_seed(sub):
    caught(sub, "sampler_ignores_the_seed")


@graded("a", points=1, hint="Check that every sampled interaction is from the most recent day of the raw data.")
def test_suite_catches_a_sampler_that_samples_another_day(sub):
    caught(sub, "sampler_takes_the_oldest_day")


@graded("a", points=1, hint="Compare the sample's size with 1% of the most recent day's interactions.")
def test_suite_catches_a_sampler_that_takes_the_wrong_share(sub):
    caught(sub, "sampler_reads_the_fraction_as_percent")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="Configure 1 epoch, and check in the trained model how many epochs it really ran.")
def test_suite_catches_a_training_stage_that_ignores_epochs(sub):
    caught(sub, "training_ignores_epochs")


@graded("b", points=1, hint="Configure 1 GPU and give the run a cluster of 1 GPU, or check how many GPUs "
                            "the model really used.")
def test_suite_catches_a_training_stage_that_ignores_gpus(sub):
    caught(sub, "training_ignores_gpus")


# ---- (c) ----------------------------------------------------------------------------------------
@graded("c", points=1, hint="Check the contract of user_features (every column of its row in the table) "
                            "on the output of that stage.")
def test_suite_catches_user_features_breaking_their_contract(sub):
    caught(sub, "user_features_drop_a_column")


@graded("c", points=1, hint="Check the contract of item_features, nulls included, on the output of that stage.")
def test_suite_catches_item_features_breaking_their_contract(sub):
    caught(sub, "item_features_from_a_stale_catalogue")


@graded("c", points=1, hint="Check the contract of training_examples, dtypes included, on the output of that stage.")
def test_suite_catches_training_examples_breaking_their_contract(sub):
    caught(sub, "training_examples_with_float_counts")


@graded("c", points=1, hint="Check the contract of predictions, value ranges included, on the output of that stage.")
def test_suite_catches_predictions_breaking_their_contract(sub):
    caught(sub, "predictions_as_logits")


# ---- (d) ----------------------------------------------------------------------------------------
@graded("d", points=1, hint="Time the whole run, from the first stage to the last, with time.perf_counter().")
def test_suite_catches_a_slow_sampling_stage(sub):
    caught(sub, "slow_sampling")


@graded("d", points=1, hint="Time the whole run, training included, and compare it with SMOKE_BUDGET_SECONDS.")
def test_suite_catches_a_slow_training_stage(sub):
    caught(sub, "slow_training")
