"""Offline metrics: recall@k for retrieval, NDCG@k for ranking, and the day's evaluations.

No orchestrator is imported here. Bring these functions from milestone 27.29.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from streamrec_core.models import recommend, score_interactions

K = 10


def recall_at_k(recommended: Sequence[int], relevant: Collection[int], k: int) -> float:
    """The share of the relevant items found among the first k recommended (0.0 if none is relevant)."""
    raise NotImplementedError("recall_at_k: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")


def ndcg_at_k(relevances: Sequence[float], k: int) -> float:
    """NDCG@k of a ranked list, given the relevance of each item in the order it was ranked:
    DCG@k = sum of rel_i / log2(i + 1) over positions i = 1..k, divided by the DCG@k of the best
    possible order of the same relevances (0.0 when that is 0)."""
    raise NotImplementedError("ndcg_at_k: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")


def evaluate_retrieval(model: pd.DataFrame, features: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """One row: k, users (test users with at least one click), recall_at_k (their mean recall@k
    of recommend(model, items they interacted with in train, k) against the items they clicked in test)."""
    raise NotImplementedError("evaluate_retrieval: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")


def evaluate_ranking(model: pd.DataFrame, features: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """One row: k, users (test users with both a click and a non-click), ndcg_at_k (their mean
    NDCG@k when their test events are ordered by the model's score, relevance = clicked), auc."""
    raise NotImplementedError("evaluate_ranking: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")
