"""The two models, each kept as a plain table so that any storage and any contract can handle it.

- Retrieval: item-to-item co-occurrence. ``score`` of (i, j) is the number of users who
  interacted with both i and j in the train split; the diagonal (i, i) counts the users of i,
  its popularity, which is what a user without history gets.
- Ranking: a scikit-learn logistic regression of ``clicked`` on the FEATURE_COLUMNS, on
  standardised features, exported as one row per feature plus an ``(intercept)`` row.

No orchestrator is imported here. Bring these functions from milestone 27.29.
"""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from streamrec_core.features import FEATURE_COLUMNS

MAX_NEIGHBORS = 30
INTERCEPT = "(intercept)"


def train_retrieval_model(features: pd.DataFrame, max_neighbors: int = MAX_NEIGHBORS) -> pd.DataFrame:
    """Columns item_id, neighbor_id, score: for each item of the train split its `max_neighbors`
    strongest co-occurring items (itself included, with its popularity as score)."""
    raise NotImplementedError("train_retrieval_model: bring your own from milestone 27.29 (streamrec_m11/models.py)")


def recommend(model: pd.DataFrame, seen: Collection[int], k: int) -> list[int]:
    """The k best items for a user who interacted with `seen` in the train split: items scored by
    their summed co-occurrence with `seen`, then by popularity, then by id; distinct ids."""
    raise NotImplementedError("recommend: bring your own from milestone 27.29 (streamrec_m11/models.py)")


def train_ranking_model(features: pd.DataFrame) -> pd.DataFrame:
    """Columns feature, weight, mean, scale: a logistic regression of clicked on FEATURE_COLUMNS,
    fitted on the train split; a row per feature and an INTERCEPT row (mean 0, scale 1)."""
    raise NotImplementedError("train_ranking_model: bring your own from milestone 27.29 (streamrec_m11/models.py)")


def score_interactions(model: pd.DataFrame, features: pd.DataFrame) -> np.ndarray:
    """The ranking model's click probability for each row of `features`."""
    raise NotImplementedError("score_interactions: bring your own from milestone 27.29 (streamrec_m11/models.py)")
