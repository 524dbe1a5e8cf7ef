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
    ### BEGIN SOLUTION train_retrieval_model
    train = features.loc[features["split"] == "train", ["user_id", "item_id"]].drop_duplicates()
    pairs = train.merge(train, on="user_id", suffixes=("", "_other"))
    table = (pairs.groupby(["item_id", "item_id_other"]).size().rename("score").reset_index()
             .rename(columns={"item_id_other": "neighbor_id"}))
    table["score"] = table["score"].astype("float64")
    table = table.sort_values(["item_id", "score", "neighbor_id"], ascending=[True, False, True], kind="stable")
    table = table.groupby("item_id", sort=False).head(max_neighbors)
    diagonal = table["item_id"] == table["neighbor_id"]
    missing = set(train["item_id"]) - set(table.loc[diagonal, "item_id"])
    if missing:  # an item always co-occurs with itself; keep its popularity even past the cut
        own = pairs[pairs["item_id"] == pairs["item_id_other"]].groupby("item_id").size()
        extra = pd.DataFrame({"item_id": sorted(missing), "neighbor_id": sorted(missing),
                              "score": [float(own[i]) for i in sorted(missing)]})
        table = pd.concat([table, extra], ignore_index=True)
    return table.astype({"item_id": "int64", "neighbor_id": "int64"}).reset_index(drop=True)
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("train_retrieval_model: bring your own from milestone 27.29 (streamrec_m11/models.py)")
    ### END STARTER


def recommend(model: pd.DataFrame, seen: Collection[int], k: int) -> list[int]:
    """The k best items for a user who interacted with `seen` in the train split: items scored by
    their summed co-occurrence with `seen`, then by popularity, then by id; distinct ids."""
    ### BEGIN SOLUTION recommend
    item = model["item_id"].to_numpy(dtype=np.int64)
    neighbor = model["neighbor_id"].to_numpy(dtype=np.int64)
    score = model["score"].to_numpy(dtype=float)
    if len(model) == 0 or k <= 0:
        return []
    size = int(max(item.max(), neighbor.max())) + 1
    own = item == neighbor
    popularity = np.zeros(size)
    popularity[item[own]] = score[own]
    voting = np.isin(item, np.fromiter(set(seen), dtype=np.int64, count=len(set(seen))))
    votes = np.bincount(neighbor[voting], weights=score[voting], minlength=size)
    known = np.zeros(size, dtype=bool)
    known[item] = True
    known[neighbor] = True
    ids = np.flatnonzero(known)
    order = np.lexsort((ids, -popularity[ids], -votes[ids]))
    return [int(i) for i in ids[order][:k]]
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("recommend: bring your own from milestone 27.29 (streamrec_m11/models.py)")
    ### END STARTER


def train_ranking_model(features: pd.DataFrame) -> pd.DataFrame:
    """Columns feature, weight, mean, scale: a logistic regression of clicked on FEATURE_COLUMNS,
    fitted on the train split; a row per feature and an INTERCEPT row (mean 0, scale 1)."""
    ### BEGIN SOLUTION train_ranking_model
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    train = features[features["split"] == "train"]
    scaler = StandardScaler().fit(train[FEATURE_COLUMNS].to_numpy(dtype=float))
    x = scaler.transform(train[FEATURE_COLUMNS].to_numpy(dtype=float))
    classifier = LogisticRegression(C=1.0, max_iter=1000).fit(x, train["clicked"].to_numpy())
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    rows = pd.DataFrame({"feature": FEATURE_COLUMNS, "weight": classifier.coef_[0],
                         "mean": scaler.mean_, "scale": scale})
    intercept = pd.DataFrame({"feature": [INTERCEPT], "weight": [float(classifier.intercept_[0])],
                              "mean": [0.0], "scale": [1.0]})
    return pd.concat([rows, intercept], ignore_index=True)
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("train_ranking_model: bring your own from milestone 27.29 (streamrec_m11/models.py)")
    ### END STARTER


def score_interactions(model: pd.DataFrame, features: pd.DataFrame) -> np.ndarray:
    """The ranking model's click probability for each row of `features`."""
    ### BEGIN SOLUTION score_interactions
    table = model.set_index("feature")
    names = [name for name in table.index if name != INTERCEPT]
    x = (features[names].to_numpy(dtype=float) - table.loc[names, "mean"].to_numpy()) / table.loc[names, "scale"].to_numpy()
    logit = x @ table.loc[names, "weight"].to_numpy() + float(table.loc[INTERCEPT, "weight"])
    return 1.0 / (1.0 + np.exp(-logit))
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("score_interactions: bring your own from milestone 27.29 (streamrec_m11/models.py)")
    ### END STARTER
