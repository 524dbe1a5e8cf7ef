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
    ### BEGIN SOLUTION save_step
    check_contract(name, table)
    return write_table(table, root, name, day)
    ### END SOLUTION


def raw_interactions(day: str, root: str) -> str:
    """The day's export, as delivered."""
    ### BEGIN SOLUTION step_raw
    return _save(extract_interactions(day), "raw_interactions", day, root)
    ### END SOLUTION


def validated_interactions(raw_path: str, day: str, root: str) -> str:
    """The day's events without duplicates, in time order."""
    ### BEGIN SOLUTION step_validated
    return _save(validate_interactions(read_table(raw_path)), "validated_interactions", day, root)
    ### END SOLUTION


def training_features(validated_path: str, day: str, root: str) -> str:
    """One row per validated event: label, train/test split, ranking features."""
    ### BEGIN SOLUTION step_features
    features = build_training_features(read_table(validated_path), load_items())
    return _save(features, "training_features", day, root)
    ### END SOLUTION


def retrieval_model(features_path: str, day: str, root: str) -> str:
    """Item-to-item co-occurrence on the train split."""
    ### BEGIN SOLUTION step_retrieval
    return _save(train_retrieval_model(read_table(features_path)), "retrieval_model", day, root)
    ### END SOLUTION


def ranking_model(features_path: str, day: str, root: str) -> str:
    """Logistic regression of clicks on the features, as a table of weights."""
    ### BEGIN SOLUTION step_ranking
    return _save(train_ranking_model(read_table(features_path)), "ranking_model", day, root)
    ### END SOLUTION


def retrieval_evaluation(model_path: str, features_path: str, day: str, root: str) -> str:
    """recall@10 of the retrieval model on the test split."""
    ### BEGIN SOLUTION step_retrieval_evaluation
    table = evaluate_retrieval(read_table(model_path), read_table(features_path), K)
    return _save(table, "retrieval_evaluation", day, root)
    ### END SOLUTION


def ranking_evaluation(model_path: str, features_path: str, day: str, root: str) -> str:
    """NDCG@10 and AUC of the ranking model on the test split."""
    ### BEGIN SOLUTION step_ranking_evaluation
    table = evaluate_ranking(read_table(model_path), read_table(features_path), K)
    return _save(table, "ranking_evaluation", day, root)
    ### END SOLUTION


def registered_models(retrieval_evaluation_path: str, ranking_evaluation_path: str, day: str, root: str) -> str:
    """Each model's gate and whether it cleared it."""
    ### BEGIN SOLUTION step_registered
    table = registration_decisions(read_table(retrieval_evaluation_path), read_table(ranking_evaluation_path))
    return _save(table, "registered_models", day, root)
    ### END SOLUTION
