"""The data contract of every asset: what its table promises to the assets downstream of it.

Every asset of this pipeline is a table (one per day), the two models included, so one kind of
contract, ``pipelinekit.DataContract``, checks them all. The asset checks in
``checks.py`` look the contracts up here, by asset name.
"""
from __future__ import annotations

from pipelinekit import DataContract

from streamrec_m11.features import EVENT_COLUMNS, FEATURE_COLUMNS

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
    # (e) one DataContract per asset name in ASSETS; _events(name) above is a start for the event tables
}
