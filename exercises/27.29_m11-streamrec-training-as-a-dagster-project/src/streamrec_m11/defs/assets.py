"""The eight assets of StreamRec's daily training pipeline.

raw_interactions -> validated_interactions -> training_features -> {retrieval_model, ranking_model}
-> {retrieval_evaluation, ranking_evaluation} -> registered_models

Every asset is partitioned by day. A run covers one day or a range of days (a backfill of a range
is one run), so every asset receives and returns a dict of tables keyed by day, for the days in
``context.partition_keys``. Each asset holds its tables to its data contract with a blocking check
before anything downstream reads them, and reports metadata that the Dagster UI shows.
"""
import dagster as dg
import numpy as np
import pandas as pd

from streamrec_m11.checks import contract_check, contract_specs
from streamrec_m11.data import InteractionSource
from streamrec_m11.features import build_training_features, validate_interactions
from streamrec_m11.metrics import K, evaluate_ranking, evaluate_retrieval
from streamrec_m11.models import MAX_NEIGHBORS, train_ranking_model, train_retrieval_model
from streamrec_m11.tracking import MlflowTracking, table_metadata

GROUP = "streamrec_training"
# A model is registered only if its evaluation clears its gate.
RETRIEVAL_MIN_RECALL = 0.2  # recall@10; recommending 10 items at random scores about 10 / n_items
RANKING_MIN_AUC = 0.55      # AUC of the click probability; a model that knows nothing scores 0.5

DAILY = None              # (b) one partition per day, the first on 2024-06-01
ONE_RUN_PER_RANGE = None  # (b) a backfill of a range of days runs as a single run

TRAINING_RETRY = None  # (d) the retry policy of the two training assets


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("raw_interactions"))
def raw_interactions(context: dg.AssetExecutionContext, interaction_source: InteractionSource):
    """The day's interaction events, as the source delivers them."""
    # (a) every day of the run (context.partition_keys) as interaction_source.load(day) delivers it;
    # return dg.MaterializeResult(value={day: table, ...}, metadata=... (f),
    #                             check_results=[...] (e))
    raise NotImplementedError("raw_interactions")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("validated_interactions"))
def validated_interactions(context: dg.AssetExecutionContext, raw_interactions: dict):
    """The day's events without duplicates, in time order."""
    # (a) validate_interactions on each day's raw table; metadata (f), contract check (e)
    raise NotImplementedError("validated_interactions")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("training_features"))
def training_features(context: dg.AssetExecutionContext, validated_interactions: dict,
                      interaction_source: InteractionSource):
    """One row per event with its label, its train/test split and the ranking features."""
    # (a) build_training_features on each day, with the catalogue interaction_source.items()
    raise NotImplementedError("training_features")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("retrieval_model"), retry_policy=TRAINING_RETRY)
def retrieval_model(context: dg.AssetExecutionContext, training_features: dict,
                    mlflow: MlflowTracking):
    """Item-to-item co-occurrence on the train split, one MLflow run per day."""
    # (a) train_retrieval_model per day; (f) one MLflow training run per day, its id in the metadata
    raise NotImplementedError("retrieval_model")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"scikitlearn"},
          check_specs=contract_specs("ranking_model"), retry_policy=TRAINING_RETRY)
def ranking_model(context: dg.AssetExecutionContext, training_features: dict,
                  mlflow: MlflowTracking):
    """A logistic regression of clicks on the features, one MLflow run per day."""
    # (a) train_ranking_model per day; (f) one MLflow training run per day, its id in the metadata
    raise NotImplementedError("ranking_model")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("retrieval_evaluation"))
def retrieval_evaluation(context: dg.AssetExecutionContext, retrieval_model: dict, training_features: dict,
                         mlflow: MlflowTracking):
    """recall@10 of the retrieval model on the test split, logged to its MLflow run."""
    # (a) evaluate_retrieval per day; (f) recall_at_10 as metadata and in the day's MLflow run
    raise NotImplementedError("retrieval_evaluation")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("ranking_evaluation"))
def ranking_evaluation(context: dg.AssetExecutionContext, ranking_model: dict, training_features: dict,
                       mlflow: MlflowTracking):
    """NDCG@10 and AUC of the ranking model on the test split, logged to its MLflow run."""
    # (a) evaluate_ranking per day; (f) ndcg_at_10 and auc as metadata and in the day's MLflow run
    raise NotImplementedError("ranking_evaluation")


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"mlflow"},
          check_specs=contract_specs("registered_models"))
def registered_models(context: dg.AssetExecutionContext, retrieval_evaluation: dict, ranking_evaluation: dict,
                      mlflow: MlflowTracking):
    """Each day's models, registered in MLflow when their evaluation clears its gate."""
    # (a) per day, register each model that clears its gate (mlflow.register), one row per model
    raise NotImplementedError("registered_models")
