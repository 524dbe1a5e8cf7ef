"""The data contract of every step's table: what it promises to the steps downstream of it.

Every table of this pipeline (one per day), the two models included, is checked by one kind of
contract, ``pipelinekit.DataContract``, looked up here by the table's name. Bring CONTRACTS from
milestone 27.29; only registered_models changed (no MLflow columns here). ``check_contract`` is
what the wrappers of every orchestrator call before a table is written.
"""
from __future__ import annotations

import pandas as pd
from pipelinekit import DataContract

from streamrec_core.features import EVENT_COLUMNS, FEATURE_COLUMNS

ASSETS = [
    "raw_interactions", "validated_interactions", "training_features", "retrieval_model",
    "ranking_model", "retrieval_evaluation", "ranking_evaluation", "registered_models",
]


def _events(name: str) -> DataContract:
    return DataContract(
        name=name,
        required_columns=list(EVENT_COLUMNS),
        dtypes={"user_id": "int", "item_id": "int", "timestamp": "datetime", "event": "string",
                "watch_seconds": "int", "clicked": "int"},
        non_null=list(EVENT_COLUMNS),
        min_rows=100,
        value_ranges={"user_id": (0, None), "item_id": (0, None), "watch_seconds": (0, None), "clicked": (0, 1)},
    )


### BEGIN SOLUTION contracts
CONTRACTS: dict[str, DataContract] = {
    "raw_interactions": _events("raw_interactions"),
    "validated_interactions": _events("validated_interactions"),
    "training_features": DataContract(
        name="training_features",
        required_columns=["user_id", "item_id", "timestamp", "clicked", "split", *FEATURE_COLUMNS],
        dtypes={"user_id": "int", "item_id": "int", "clicked": "int", "split": "string",
                **{column: "numeric" for column in FEATURE_COLUMNS}},
        non_null=["user_id", "item_id", "clicked", "split", *FEATURE_COLUMNS],
        min_rows=100,
        value_ranges={"clicked": (0, 1), "item_popularity": (0, 1), "item_ctr": (0, 1), "user_ctr": (0, 1),
                      "category_affinity": (0, 1), "user_activity": (0, None)},
    ),
    "retrieval_model": DataContract(
        name="retrieval_model",
        required_columns=["item_id", "neighbor_id", "score"],
        dtypes={"item_id": "int", "neighbor_id": "int", "score": "numeric"},
        non_null=["item_id", "neighbor_id", "score"],
        min_rows=1,
        value_ranges={"score": (0, None)},
    ),
    "ranking_model": DataContract(
        name="ranking_model",
        required_columns=["feature", "weight", "mean", "scale"],
        dtypes={"feature": "string", "weight": "float", "mean": "float", "scale": "float"},
        non_null=["feature", "weight", "mean", "scale"],
        min_rows=len(FEATURE_COLUMNS) + 1,
        value_ranges={"scale": (1e-12, None)},
    ),
    "retrieval_evaluation": DataContract(
        name="retrieval_evaluation",
        required_columns=["k", "users", "recall_at_k"],
        dtypes={"k": "int", "users": "int", "recall_at_k": "float"},
        non_null=["k", "users", "recall_at_k"],
        min_rows=1,
        value_ranges={"k": (1, None), "users": (1, None), "recall_at_k": (0, 1)},
    ),
    "ranking_evaluation": DataContract(
        name="ranking_evaluation",
        required_columns=["k", "users", "ndcg_at_k", "auc"],
        dtypes={"k": "int", "users": "int", "ndcg_at_k": "float", "auc": "float"},
        non_null=["k", "users", "ndcg_at_k", "auc"],
        min_rows=1,
        value_ranges={"k": (1, None), "users": (1, None), "ndcg_at_k": (0, 1), "auc": (0, 1)},
    ),
    "registered_models": DataContract(
        name="registered_models",
        required_columns=["model", "metric", "value", "threshold", "registered"],
        dtypes={"model": "string", "value": "float", "threshold": "float", "registered": "bool"},
        non_null=["model", "metric", "value", "threshold", "registered"],
        min_rows=2,
    ),
}
### END SOLUTION
### BEGIN STARTER
# CONTRACTS: dict[str, DataContract] = {
#     # one DataContract per table name in ASSETS: bring them from milestone 27.29; registered_models
#     # here has the columns model, metric, value, threshold, registered (no version, no MLflow run id)
# }
### END STARTER


def check_contract(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The table itself if it honours the contract of `name`; else raises pipelinekit.ContractViolation
    listing every broken promise (given)."""
    return CONTRACTS[name].check(table)
