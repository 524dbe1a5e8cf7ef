"""Validation and features: from the day's raw events to the table both models learn from.

Plain pandas, no Dagster: the assets in ``defs/assets.py`` call these functions, and the unit
tests call them directly.
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
    raise NotImplementedError("your code here")


def split_by_time(events: pd.DataFrame, test_fraction: float = TEST_FRACTION) -> pd.Series:
    """"train" for the earliest events of the day, "test" for the last `test_fraction` of them."""
    raise NotImplementedError("your code here")


def build_training_features(validated: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per validated event: user_id, item_id, timestamp, clicked, split, and the
    FEATURE_COLUMNS, every statistic computed on the train split only (no peeking at test labels)."""
    raise NotImplementedError("your code here")
