"""Tests of pipelinekit.streamrec: seeded, reproducible, well-typed data with learnable structure."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipelinekit.streamrec import (
    CATEGORIES,
    generate_interaction_range,
    generate_interactions,
    generate_items,
    generate_users,
    streamrec_training_dag,
)
from pipelinekit.streamrec import _user_tastes  # the hidden truth, to check the data honours it

DAY = dt.date(2024, 6, 1)


def with_categories(interactions: pd.DataFrame) -> pd.DataFrame:
    return interactions.merge(generate_items()[["item_id", "category"]], on="item_id", how="left")


# ---------------------------------------------------------------------- reproducibility


def test_same_seed_and_date_give_identical_frames() -> None:
    pd.testing.assert_frame_equal(generate_interactions(DAY, seed=3), generate_interactions(DAY, seed=3))


def test_an_iso_string_date_equals_a_date_object() -> None:
    pd.testing.assert_frame_equal(generate_interactions("2024-06-01"), generate_interactions(DAY))


def test_different_dates_give_different_events() -> None:
    first, second = generate_interactions(DAY), generate_interactions(DAY + dt.timedelta(days=1))
    assert not first[["user_id", "item_id"]].equals(second[["user_id", "item_id"]])


def test_different_seeds_give_different_events() -> None:
    assert not generate_interactions(DAY, seed=0)["item_id"].equals(generate_interactions(DAY, seed=1)["item_id"])


def test_users_and_items_are_reproducible() -> None:
    pd.testing.assert_frame_equal(generate_users(seed=5), generate_users(seed=5))
    pd.testing.assert_frame_equal(generate_items(seed=5), generate_items(seed=5))


def test_a_date_that_is_not_iso_is_rejected() -> None:
    with pytest.raises(ValueError, match="ISO"):
        generate_interactions("01/06/2024")


# ---------------------------------------------------------------------- shape and types


def test_interactions_have_the_documented_columns_and_dtypes() -> None:
    df = generate_interactions(DAY, n_interactions=200)
    assert len(df) == 200
    assert {column: str(dtype) for column, dtype in df.dtypes.items()} == {
        "user_id": "int64",
        "item_id": "int64",
        "timestamp": "datetime64[us, UTC]",
        "event": "str",
        "watch_seconds": "int64",
        "clicked": "int64",
    }


def test_interactions_fall_within_their_utc_day_in_time_order() -> None:
    stamps = generate_interactions(DAY)["timestamp"]
    start = pd.Timestamp(DAY, tz="UTC")
    assert stamps.is_monotonic_increasing
    assert stamps.min() >= start and stamps.max() < start + pd.Timedelta(days=1)


def test_ids_are_within_the_user_and_item_ranges() -> None:
    df = generate_interactions(DAY, n_users=50, n_items=20)
    assert df["user_id"].between(0, 49).all() and df["item_id"].between(0, 19).all()


def test_clicked_is_one_exactly_when_the_event_is_not_a_plain_view() -> None:
    df = generate_interactions(DAY)
    assert set(df["event"]) == {"view", "click", "like", "complete"}
    assert (df["clicked"] == (df["event"] != "view").astype("int64")).all()


def test_watch_time_is_between_zero_and_the_video_length() -> None:
    df = generate_interactions(DAY).merge(generate_items(), on="item_id")
    assert (df["watch_seconds"] >= 0).all() and (df["watch_seconds"] <= df["duration_seconds"]).all()
    completed = df[df["event"] == "complete"]
    assert (completed["watch_seconds"] == completed["duration_seconds"]).all()


def test_users_have_the_documented_columns() -> None:
    users = generate_users(n_users=300)
    assert list(users.columns) == ["user_id", "signup_date", "country", "age_bucket", "plan"]
    assert users["user_id"].tolist() == list(range(300))
    assert str(users["signup_date"].dtype).startswith("datetime64")
    assert set(users["plan"]) == {"free", "premium"}
    assert 3 <= users["country"].nunique() <= 8


def test_items_have_the_documented_columns_and_eight_categories() -> None:
    items = generate_items()
    assert list(items.columns) == ["item_id", "category", "duration_seconds", "release_date"]
    assert items["item_id"].tolist() == list(range(500))
    assert set(items["category"]) == set(CATEGORIES) and len(CATEGORIES) == 8
    assert (items["duration_seconds"] > 0).all()


def test_zero_interactions_give_an_empty_frame_with_the_same_columns() -> None:
    empty, full = generate_interactions(DAY, n_interactions=0), generate_interactions(DAY, n_interactions=5)
    assert len(empty) == 0 and (empty.dtypes == full.dtypes).all()


def test_a_range_concatenates_every_day_inclusive() -> None:
    df = generate_interaction_range("2024-06-01", "2024-06-03", n_interactions=100)
    assert len(df) == 300 and df.index.tolist() == list(range(300))
    assert df["timestamp"].dt.date.astype(str).unique().tolist() == ["2024-06-01", "2024-06-02", "2024-06-03"]
    pd.testing.assert_frame_equal(
        df.iloc[100:200].reset_index(drop=True), generate_interactions("2024-06-02", n_interactions=100)
    )


def test_a_range_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValueError, match="before start"):
        generate_interaction_range("2024-06-03", "2024-06-01")


# ---------------------------------------------------------------------- learnable structure
# The seed is fixed, so these are not flaky; the margins are several times the observed noise.


def test_clicks_are_far_more_likely_on_a_users_preferred_categories() -> None:
    df = with_categories(generate_interaction_range("2024-06-01", "2024-06-07"))
    preferred, _ = _user_tastes(1000, 0)
    names = np.array(CATEGORIES)
    users = df["user_id"].to_numpy()
    liked = (names[preferred[users, 0]] == df["category"]) | (names[preferred[users, 1]] == df["category"])
    on, off = df.loc[liked, "clicked"].mean(), df.loc[~liked, "clicked"].mean()
    assert on > 2.5 * off, f"click rate {on:.3f} on preferred categories vs {off:.3f} elsewhere"


def test_a_simple_per_user_model_beats_chance_on_later_days() -> None:
    # "Model": each user's two most-clicked categories in the first week. Check on the second week.
    train = with_categories(generate_interaction_range("2024-06-01", "2024-06-07"))
    test = with_categories(generate_interaction_range("2024-06-08", "2024-06-14"))
    counts = train[train["clicked"] == 1].groupby(["user_id", "category"]).size().rename("n").reset_index()
    top = counts.sort_values(["user_id", "n", "category"], ascending=[True, False, True]).groupby("user_id").head(2)
    predicted = test.merge(top.assign(predicted=True), on=["user_id", "category"], how="left")["predicted"]
    predicted = predicted.fillna(False).astype(bool).to_numpy()
    on, off = test.loc[predicted, "clicked"].mean(), test.loc[~predicted, "clicked"].mean()
    assert on > 2 * off, f"held-out click rate {on:.3f} where the model predicts interest vs {off:.3f} elsewhere"


def test_item_popularity_is_heavy_tailed() -> None:
    counts = generate_interaction_range("2024-06-01", "2024-06-07")["item_id"].value_counts()
    top_tenth = counts.iloc[: len(generate_items()) // 10].sum() / counts.sum()
    assert top_tenth > 0.4, f"the top 10% of items get {top_tenth:.0%} of the events (uniform would be 10%)"


# ---------------------------------------------------------------------- the chapter's DAG


def test_streamrec_dag_has_the_chapters_tasks_durations_and_edges() -> None:
    dag = streamrec_training_dag()
    assert [(name, task.duration) for name, task in dag.tasks.items()] == [
        ("extract_interactions", 25),
        ("extract_user_profiles", 10),
        ("extract_item_catalog", 8),
        ("validate_data", 12),
        ("compute_features", 40),
        ("train_retrieval", 90),
        ("train_ranking", 120),
        ("evaluate_retrieval", 15),
        ("evaluate_ranking", 20),
        ("register_models", 5),
    ]
    assert dag.edges() == [
        ("extract_interactions", "validate_data"),
        ("extract_user_profiles", "validate_data"),
        ("extract_item_catalog", "validate_data"),
        ("validate_data", "compute_features"),
        ("compute_features", "train_retrieval"),
        ("compute_features", "train_ranking"),
        ("train_retrieval", "evaluate_retrieval"),
        ("train_ranking", "evaluate_ranking"),
        ("evaluate_retrieval", "register_models"),
        ("evaluate_ranking", "register_models"),
    ]
