"""The eight steps of the pipeline as plain functions of paths: read inputs, compute, check, write.

Each step reads the tables it needs from the files earlier steps wrote, calls the business logic,
holds its result to its data contract (a broken table raises ``ContractViolation`` and is never
written), writes it to ``<root>/<table>/partition=<day>/data.csv`` and returns that path. So an
orchestrator only has to call the steps in order, for a day, and hand paths (short strings) from
one task to the next. Nothing here imports an orchestrator.

This module is a suggestion: the wrappers may do this work themselves instead, as long as every
orchestrator writes the same files.
"""
from __future__ import annotations

from streamrec_core.contracts import check_contract
from streamrec_core.data import extract_interactions, load_items
from streamrec_core.features import build_training_features, validate_interactions
from streamrec_core.metrics import K, evaluate_ranking, evaluate_retrieval
from streamrec_core.models import train_ranking_model, train_retrieval_model
from streamrec_core.registry import registration_decisions
from streamrec_core.storage import read_table, write_table


def _save(table, name: str, day: str, root: str) -> str:
    """Hold the table to its contract, then write it; the path it was written to."""
    raise NotImplementedError("your code here")


def raw_interactions(day: str, root: str) -> str:
    """The day's export, as delivered."""
    raise NotImplementedError("your code here")


def validated_interactions(raw_path: str, day: str, root: str) -> str:
    """The day's events without duplicates, in time order."""
    raise NotImplementedError("your code here")


def training_features(validated_path: str, day: str, root: str) -> str:
    """One row per validated event: label, train/test split, ranking features."""
    raise NotImplementedError("your code here")


def retrieval_model(features_path: str, day: str, root: str) -> str:
    """Item-to-item co-occurrence on the train split."""
    raise NotImplementedError("your code here")


def ranking_model(features_path: str, day: str, root: str) -> str:
    """Logistic regression of clicks on the features, as a table of weights."""
    raise NotImplementedError("your code here")


def retrieval_evaluation(model_path: str, features_path: str, day: str, root: str) -> str:
    """recall@10 of the retrieval model on the test split."""
    raise NotImplementedError("your code here")


def ranking_evaluation(model_path: str, features_path: str, day: str, root: str) -> str:
    """NDCG@10 and AUC of the ranking model on the test split."""
    raise NotImplementedError("your code here")


def registered_models(retrieval_evaluation_path: str, ranking_evaluation_path: str, day: str, root: str) -> str:
    """Each model's gate and whether it cleared it."""
    raise NotImplementedError("your code here")
