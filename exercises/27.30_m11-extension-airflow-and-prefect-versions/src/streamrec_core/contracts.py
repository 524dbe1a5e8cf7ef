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


CONTRACTS: dict[str, DataContract] = {
    # one DataContract per table name in ASSETS: bring them from milestone 27.29; registered_models
    # here has the columns model, metric, value, threshold, registered (no version, no MLflow run id)
}


def check_contract(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The table itself if it honours the contract of `name`; else raises pipelinekit.ContractViolation
    listing every broken promise (given)."""
    return CONTRACTS[name].check(table)
