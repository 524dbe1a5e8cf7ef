"""Which of a day's models may be served: each must clear its evaluation gate.

The Dagster version of milestone M11 also registered the models in MLflow; that call would be the
same in all three orchestrators, so this comparison keeps only the decision. Given: use it as it is.
"""
from __future__ import annotations

import pandas as pd

RETRIEVAL_MIN_RECALL = 0.2  # recall@10; recommending 10 items at random scores about 10 / n_items
RANKING_MIN_AUC = 0.55      # AUC of the click probability; a model that knows nothing scores 0.5


def registration_decisions(retrieval_evaluation: pd.DataFrame, ranking_evaluation: pd.DataFrame) -> pd.DataFrame:
    """One row per model: model, metric, value, threshold, registered (value >= threshold)."""
    gates = pd.DataFrame({"model": ["retrieval", "ranking"], "metric": ["recall_at_k", "auc"],
                          "value": [float(retrieval_evaluation["recall_at_k"].iloc[0]),
                                    float(ranking_evaluation["auc"].iloc[0])],
                          "threshold": [RETRIEVAL_MIN_RECALL, RANKING_MIN_AUC]})
    gates["registered"] = gates["value"] >= gates["threshold"]
    return gates
