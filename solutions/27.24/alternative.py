# A second correct suite: the contracts generated from one table of (column, kind, low, high) rows,
# one context carrying the GPU cluster as a resource for every asset, violations listed with
# validate() instead of check(), samples compared by a hash of their rows, and the budget checked
# on the sum of per-stage durations measured with time.monotonic().
### REGION smoke_tests
import hashlib

SMOKE = {"fraction": 0.01, "seed": 7, "epochs": 1, "gpus": 1}
INSTANCE = dg.DagsterInstance.ephemeral()

# Every column listed is required and may not hold nulls; None leaves a side of the range open.
SPEC = {
    "sampled_interactions": [("user_id", "int", None, None), ("item_id", "int", None, None),
                             ("timestamp", "datetime", None, None), ("event", "string", None, None),
                             ("watch_seconds", "int", 0, None), ("clicked", "int", 0, 1)],
    "user_features": [("user_id", "int", None, None), ("n_events", "int", 1, None),
                      ("click_rate", "float", 0, 1), ("mean_watch_seconds", "float", 0, None)],
    "item_features": [("item_id", "int", None, None), ("n_events", "int", 1, None),
                      ("click_rate", "float", 0, 1), ("category", "string", None, None)],
    "training_examples": [("user_id", "int", None, None), ("item_id", "int", None, None),
                          ("user_n_events", "int", 0, None), ("user_click_rate", "float", 0, 1),
                          ("item_n_events", "int", 0, None), ("item_click_rate", "float", 0, 1),
                          ("label", "int", 0, 1)],
    "predictions": [("user_id", "int", None, None), ("item_id", "int", None, None),
                    ("label", "int", None, None), ("score", "float", 0, 1)],
}


def contract_for(table: str) -> DataContract:
    rows = SPEC[table]
    return DataContract(
        table,
        required_columns=[column for column, *_ in rows],
        dtypes={column: kind for column, kind, *_ in rows},
        non_null=[column for column, *_ in rows],
        min_rows=1,
        value_ranges={column: (low, high) for column, _, low, high in rows if (low, high) != (None, None)},
    )


def checked(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    problems = contract_for(table).validate(frame)
    assert not problems, f"{table}: " + "; ".join(p.message for p in problems)
    return frame


def smoke_run(seed: int = SMOKE["seed"]) -> tuple[dict, dict]:
    """All assets in dependency order, every table checked; returns the outputs and each stage's seconds."""
    ctx = dg.build_asset_context(instance=INSTANCE,
                                 resources={"gpu_cluster": GpuCluster(available_gpus=SMOKE["gpus"])})
    outputs, seconds = {}, {}

    def stage(name, call):
        began = time.monotonic()
        outputs[name] = call()
        seconds[name] = time.monotonic() - began
        if name in SPEC:
            checked(name, outputs[name])

    stage("raw_interactions", lambda: raw_interactions(ctx))
    stage("sampled_interactions", lambda: sampled_interactions(
        ctx, SampleConfig(fraction=SMOKE["fraction"], seed=seed), raw_interactions=outputs["raw_interactions"]))
    stage("user_features", lambda: user_features(ctx, raw_interactions=outputs["raw_interactions"]))
    stage("item_features", lambda: item_features(ctx, raw_interactions=outputs["raw_interactions"]))
    stage("training_examples", lambda: training_examples(
        ctx, sampled_interactions=outputs["sampled_interactions"], user_features=outputs["user_features"],
        item_features=outputs["item_features"]))
    stage("ranking_model", lambda: ranking_model(
        ctx, TrainingConfig(epochs=SMOKE["epochs"], gpus=SMOKE["gpus"]),
        training_examples=outputs["training_examples"]))
    stage("predictions", lambda: predictions(
        ctx, ranking_model=outputs["ranking_model"], training_examples=outputs["training_examples"]))
    stage("ranking_metrics", lambda: ranking_metrics(ctx, predictions=outputs["predictions"]))
    return outputs, seconds


def draw(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ctx = dg.build_asset_context(instance=INSTANCE)
    raw = raw_interactions(ctx)
    return raw, sampled_interactions(ctx, SampleConfig(fraction=SMOKE["fraction"], seed=seed), raw)


def fingerprint(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()


def test_the_sample_holds_only_the_most_recent_day():
    raw, sample = draw(SMOKE["seed"])
    assert set(sample["timestamp"].dt.date) == {raw["timestamp"].dt.date.max()}


def test_the_sample_is_one_percent_of_that_day():
    raw, sample = draw(SMOKE["seed"])
    day = raw["timestamp"].dt.date
    assert len(sample) == round(SMOKE["fraction"] * int((day == day.max()).sum()))


def test_a_seed_always_gives_the_same_rows():
    assert fingerprint(draw(11)[1]) == fingerprint(draw(11)[1])


def test_the_model_trained_one_epoch_on_one_gpu():
    model = smoke_run()[0]["ranking_model"]
    assert (model["epochs_run"], model["gpus_used"], len(model["loss_history"])) == (SMOKE["epochs"], SMOKE["gpus"], 1)


def test_every_table_between_stages_keeps_its_contract():
    outputs, _ = smoke_run()
    assert set(SPEC) <= set(outputs)


def test_the_stages_fit_in_the_budget():
    _, seconds = smoke_run()
    assert sum(seconds.values()) < SMOKE_BUDGET_SECONDS, {k: round(v, 1) for k, v in seconds.items()}
