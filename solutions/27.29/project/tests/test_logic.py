"""Unit tests of the pipeline's logic: plain functions on small tables, no Dagster run needed."""
### BEGIN SOLUTION unit_tests
import math

import pandas as pd
import pytest

from streamrec_m11.contracts import CONTRACTS
from streamrec_m11.features import FEATURE_COLUMNS, build_training_features, validate_interactions
from streamrec_m11.metrics import evaluate_ranking, ndcg_at_k, recall_at_k
from streamrec_m11.models import recommend, train_ranking_model, train_retrieval_model
from streamrec_m11.storage import StreamRecIOManager, io_manager_for


def test_validation_drops_exact_duplicates_and_sorts_by_time(day_events):
    doubled = pd.concat([day_events.iloc[::-1], day_events.iloc[[0, 1]]], ignore_index=True)
    validated = validate_interactions(doubled)
    assert len(validated) == len(day_events)
    assert validated["timestamp"].is_monotonic_increasing
    assert list(validated.index) == list(range(len(validated)))


def test_features_split_by_time_and_ignore_test_labels(day_events, items):
    validated = validate_interactions(day_events)
    features = build_training_features(validated, items)
    test = features["split"] == "test"
    assert abs(test.mean() - 0.2) < 0.01
    assert features.loc[~test, "timestamp"].max() <= features.loc[test, "timestamp"].min()
    flipped = validated.copy()
    late = flipped["timestamp"] >= features.loc[test, "timestamp"].min()
    flipped.loc[late, "clicked"] = 1 - flipped.loc[late, "clicked"]
    again = build_training_features(flipped, items)
    pd.testing.assert_frame_equal(features[FEATURE_COLUMNS], again[FEATURE_COLUMNS])


def test_recall_at_k_is_the_share_of_relevant_items_found():
    assert recall_at_k([10, 20, 30, 40], {20, 40, 99}, k=2) == pytest.approx(1 / 3)
    assert recall_at_k([10, 20, 30, 40], {20, 40, 99}, k=4) == pytest.approx(2 / 3)
    assert recall_at_k([1, 2, 3], set(), k=3) == 0.0


def test_ndcg_at_k_is_one_for_the_best_order_and_discounts_late_hits():
    assert ndcg_at_k([1, 1, 0], k=3) == pytest.approx(1.0)
    assert ndcg_at_k([0, 1], k=2) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k([0, 0, 0], k=3) == 0.0


def test_the_raw_contract_rejects_nulls_and_negative_watch_times(day_events):
    contract = CONTRACTS["raw_interactions"]
    assert contract.validate(day_events) == []
    broken = day_events.copy()
    broken["watch_seconds"] = broken["watch_seconds"].where(broken.index > 3, -1)
    broken["user_id"] = broken["user_id"].astype(float).where(broken.index != 7)
    checks = {violation.check for violation in contract.validate(broken)}
    assert {"range", "nulls"} <= checks


def test_every_asset_has_a_contract():
    assert set(CONTRACTS) == {
        "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
        "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
    }


def test_retrieval_recommends_what_co_occurs_then_what_is_popular():
    features = pd.DataFrame({
        "user_id": [1, 1, 2, 2, 3, 4, 4],
        "item_id": [10, 11, 10, 11, 12, 12, 13],
        "split": ["train"] * 7,
    })
    model = train_retrieval_model(features)
    assert recommend(model, {10}, k=2) == [10, 11]
    assert recommend(model, set(), k=1) in ([10], [11], [12])
    assert len(recommend(model, {13}, k=10)) == len(set(features["item_id"]))


def test_the_ranking_model_ranks_clicks_above_chance(day_events, items):
    features = build_training_features(validate_interactions(day_events), items)
    model = train_ranking_model(features)
    assert model["weight"].notna().all()
    evaluation = evaluate_ranking(model, features)
    assert evaluation["auc"].iloc[0] > 0.52
    assert 0 < evaluation["ndcg_at_k"].iloc[0] <= 1


def test_the_deployment_chooses_the_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("STREAMREC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STREAMREC_S3_BUCKET", "somewhere")
    dev, prod = io_manager_for("dev"), io_manager_for("prod")
    assert isinstance(dev, StreamRecIOManager) and dev.storage == "local" and dev.base_dir == str(tmp_path)
    assert prod.storage == "s3" and prod.bucket == "somewhere"
    with pytest.raises(ValueError):
        io_manager_for("staging")
### END SOLUTION
### BEGIN STARTER
# # (g) At least five unit tests of the pipeline's logic: validation, features, both models, both
# # metrics, the contracts, the storage. The fixtures in conftest.py give you a day of events.
# #
# # def test_recall_at_k_...():
# #     assert recall_at_k([10, 20, 30], {20, 99}, k=2) == ...
### END STARTER
