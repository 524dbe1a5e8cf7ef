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
    raise NotImplementedError("validate_interactions: bring your own from milestone 27.29 (streamrec_m11/features.py)")


def split_by_time(events: pd.DataFrame, test_fraction: float = TEST_FRACTION) -> pd.Series:
    """"train" for the earliest events of the day, "test" for the last `test_fraction` of them."""
    raise NotImplementedError("split_by_time: bring your own from milestone 27.29 (streamrec_m11/features.py)")


def build_training_features(validated: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per validated event: user_id, item_id, timestamp, clicked, split, and the
    FEATURE_COLUMNS, every statistic computed on the train split only (no peeking at test labels)."""
    raise NotImplementedError("build_training_features: bring your own from milestone 27.29 (streamrec_m11/features.py)")
