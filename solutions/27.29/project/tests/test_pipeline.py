"""Integration tests: the whole pipeline, materialized by Dagster for a day."""
### BEGIN SOLUTION integration_tests
import dagster as dg

from streamrec_m11.data import InteractionSource

from .conftest import DAY, SMALL

ASSETS = [
    "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
    "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
]


def load_definitions() -> dg.Definitions:
    from streamrec_m11.definitions import defs

    return defs()


def materialize(defs: dg.Definitions, day: str, source: InteractionSource) -> dg.ExecuteInProcessResult:
    resources = {**defs.resources, "interaction_source": source}
    return dg.materialize(list(defs.assets), partition_key=day, resources=resources, raise_on_error=False)


def test_a_day_materializes_every_asset_and_registers_the_models(local_env):
    defs = load_definitions()
    result = materialize(defs, DAY, InteractionSource(**SMALL))
    assert result.success
    assert {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()} == set(ASSETS)
    assert all(check.passed for check in result.get_asset_check_evaluations())
    registered = defs.load_asset_value("registered_models", partition_key=DAY)[DAY]
    assert set(registered["model"]) == {"retrieval", "ranking"}
    raw = result.asset_materializations_for_node("raw_interactions")[0]
    assert raw.metadata["row_count"].value == SMALL["n_interactions"]


def test_a_broken_export_is_stopped_by_the_contract(local_env, day_events):
    broken = day_events.copy()
    broken.loc[broken.index[:5], "watch_seconds"] = -10
    raw_dir = local_env / "exports"
    raw_dir.mkdir()
    broken.to_csv(raw_dir / f"{DAY}.csv", index=False)
    source = InteractionSource(raw_dir=str(raw_dir), n_items=SMALL["n_items"], seed=SMALL["seed"])
    result = materialize(load_definitions(), DAY, source)
    assert not result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [c.asset_key.to_user_string() for c in failed] == ["raw_interactions"]
    assert not [e for e in result.get_asset_materialization_events()
                if e.asset_key.to_user_string() == "training_features"]
### END SOLUTION
### BEGIN STARTER
# # (g) At least one integration test of the whole pipeline: materialize a day with
# # dagster.materialize(..., partition_key=...), in the environment of the `local_env` fixture, and
# # check that the run succeeded and what it produced.
### END STARTER
