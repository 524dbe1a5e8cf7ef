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
    ### BEGIN SOLUTION recall_at_k
    wanted = set(relevant)
    if not wanted:
        return 0.0
    return len(set(list(recommended)[:k]) & wanted) / len(wanted)
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("recall_at_k: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")
    ### END STARTER


def ndcg_at_k(relevances: Sequence[float], k: int) -> float:
    """NDCG@k of a ranked list, given the relevance of each item in the order it was ranked:
    DCG@k = sum of rel_i / log2(i + 1) over positions i = 1..k, divided by the DCG@k of the best
    possible order of the same relevances (0.0 when that is 0)."""
    ### BEGIN SOLUTION ndcg_at_k
    def dcg(values):
        return sum(float(rel) / math.log2(position + 2) for position, rel in enumerate(values[:k]))

    ideal = dcg(sorted(relevances, reverse=True))
    return dcg(list(relevances)) / ideal if ideal > 0 else 0.0
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("ndcg_at_k: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")
    ### END STARTER


def evaluate_retrieval(model: pd.DataFrame, features: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """One row: k, users (test users with at least one click), recall_at_k (their mean recall@k
    of recommend(model, items they interacted with in train, k) against the items they clicked in test)."""
    ### BEGIN SOLUTION evaluate_retrieval
    train = features[features["split"] == "train"]
    test = features[(features["split"] == "test") & (features["clicked"] == 1)]
    history = train.groupby("user_id")["item_id"].agg(set).to_dict()
    clicked = test.groupby("user_id")["item_id"].agg(set).to_dict()
    recalls = [recall_at_k(recommend(model, history.get(user, set()), k), items, k) for user, items in clicked.items()]
    return pd.DataFrame({"k": [k], "users": [len(recalls)],
                         "recall_at_k": [float(np.mean(recalls)) if recalls else 0.0]})
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("evaluate_retrieval: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")
    ### END STARTER


def evaluate_ranking(model: pd.DataFrame, features: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """One row: k, users (test users with both a click and a non-click), ndcg_at_k (their mean
    NDCG@k when their test events are ordered by the model's score, relevance = clicked), auc."""
    ### BEGIN SOLUTION evaluate_ranking
    from sklearn.metrics import roc_auc_score

    test = features[features["split"] == "test"].assign(score=lambda t: score_interactions(model, t))
    ranked = test.sort_values(["user_id", "score"], ascending=[True, False], kind="stable")
    lists = ranked.groupby("user_id", sort=False)["clicked"].agg(list)
    values = [ndcg_at_k(labels, k) for labels in lists if 0 < sum(labels) < len(labels)]
    both = test["clicked"].nunique() == 2
    auc = float(roc_auc_score(test["clicked"], test["score"])) if both else 0.5
    return pd.DataFrame({"k": [k], "users": [len(values)],
                         "ndcg_at_k": [float(np.mean(values)) if values else 0.0], "auc": [auc]})
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("evaluate_ranking: bring your own from milestone 27.29 (streamrec_m11/metrics.py)")
    ### END STARTER
