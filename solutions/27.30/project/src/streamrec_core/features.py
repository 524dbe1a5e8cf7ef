"""Validation and features: from the day's raw events to the table both models learn from.

Plain pandas, no orchestrator: the Airflow tasks, the Prefect tasks and the Dagster assets all
call these functions, and unit tests call them directly. Bring them from milestone 27.29.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

EVENT_COLUMNS = ["user_id", "item_id", "timestamp", "event", "watch_seconds", "clicked"]
# The numeric columns the ranking model learns from; every one is computed from the train split only.
FEATURE_COLUMNS = ["item_popularity", "item_ctr", "user_activity", "user_ctr", "category_affinity"]
TEST_FRACTION = 0.2


def validate_interactions(raw: pd.DataFrame) -> pd.DataFrame:
    """The raw events without exact duplicates (same user, item, timestamp and event), keeping the
    first copy, sorted by timestamp, with a fresh 0..n-1 index and the six event columns."""
    ### BEGIN SOLUTION validate_interactions
    events = raw[EVENT_COLUMNS].drop_duplicates(subset=["user_id", "item_id", "timestamp", "event"], keep="first")
    return events.sort_values("timestamp", kind="stable").reset_index(drop=True)
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("validate_interactions: bring your own from milestone 27.29 (streamrec_m11/features.py)")
    ### END STARTER


def split_by_time(events: pd.DataFrame, test_fraction: float = TEST_FRACTION) -> pd.Series:
    """"train" for the earliest events of the day, "test" for the last `test_fraction` of them."""
    ### BEGIN SOLUTION split_by_time
    order = events["timestamp"].rank(method="first").to_numpy()
    n_train = int(np.floor(len(events) * (1.0 - test_fraction)))
    return pd.Series(np.where(order <= n_train, "train", "test"), index=events.index, name="split")
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("split_by_time: bring your own from milestone 27.29 (streamrec_m11/features.py)")
    ### END STARTER


def build_training_features(validated: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per validated event: user_id, item_id, timestamp, clicked, split, and the
    FEATURE_COLUMNS, every statistic computed on the train split only (no peeking at test labels)."""
    ### BEGIN SOLUTION build_training_features
    events = validated.sort_values("timestamp", kind="stable").reset_index(drop=True)
    split = split_by_time(events)
    category = events["item_id"].map(items.set_index("item_id")["category"]).fillna("unknown")
    train = events[split == "train"].assign(category=category[split == "train"])
    prior = train["clicked"].mean() if len(train) else 0.0

    item_counts = train.groupby("item_id")["clicked"].agg(["size", "sum"])
    user_counts = train.groupby("user_id")["clicked"].agg(["size", "sum"])
    user_category = train.groupby(["user_id", "category"]).size()
    n_categories = max(items["category"].nunique(), 1)

    item_size = events["item_id"].map(item_counts["size"]).fillna(0.0)
    item_clicks = events["item_id"].map(item_counts["sum"]).fillna(0.0)
    user_size = events["user_id"].map(user_counts["size"]).fillna(0.0)
    user_clicks = events["user_id"].map(user_counts["sum"]).fillna(0.0)
    pairs = pd.MultiIndex.from_arrays([events["user_id"], category])
    in_category = pd.Series(user_category.reindex(pairs).to_numpy(), index=events.index).fillna(0.0)

    smoothing = 5.0  # pseudo-events at the day's click rate, so rare items and users are not extreme
    features = pd.DataFrame({
        "user_id": events["user_id"].astype("int64"),
        "item_id": events["item_id"].astype("int64"),
        "timestamp": events["timestamp"],
        "clicked": events["clicked"].astype("int64"),
        "split": split.astype(str),
        "item_popularity": item_size / max(len(train), 1),
        "item_ctr": (item_clicks + smoothing * prior) / (item_size + smoothing),
        "user_activity": np.log1p(user_size),
        "user_ctr": (user_clicks + smoothing * prior) / (user_size + smoothing),
        "category_affinity": (in_category + 1.0) / (user_size + n_categories),
    })
    return features
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("build_training_features: bring your own from milestone 27.29 (streamrec_m11/features.py)")
    ### END STARTER
