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

### BEGIN SOLUTION partitions
DAILY = dg.DailyPartitionsDefinition(start_date="2024-06-01")
ONE_RUN_PER_RANGE = dg.BackfillPolicy.single_run()
### END SOLUTION
### BEGIN STARTER
# DAILY = None              # (b) one partition per day, the first on 2024-06-01
# ONE_RUN_PER_RANGE = None  # (b) a backfill of a range of days runs as a single run
### END STARTER

### BEGIN SOLUTION training_retry
TRAINING_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)
### END SOLUTION
### BEGIN STARTER
# TRAINING_RETRY = None  # (d) the retry policy of the two training assets
### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("raw_interactions"))
def raw_interactions(context: dg.AssetExecutionContext, interaction_source: InteractionSource):
    """The day's interaction events, as the source delivers them."""
    ### BEGIN SOLUTION raw_interactions
    tables = {day: interaction_source.load(day) for day in context.partition_keys}
    return dg.MaterializeResult(value=tables, metadata=table_metadata(tables),
                                check_results=[contract_check("raw_interactions", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) every day of the run (context.partition_keys) as interaction_source.load(day) delivers it;
    # # return dg.MaterializeResult(value={day: table, ...}, metadata=... (f),
    # #                             check_results=[...] (e))
    # raise NotImplementedError("raw_interactions")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("validated_interactions"))
def validated_interactions(context: dg.AssetExecutionContext, raw_interactions: dict):
    """The day's events without duplicates, in time order."""
    ### BEGIN SOLUTION validated_interactions
    tables = {day: validate_interactions(raw_interactions[day]) for day in context.partition_keys}
    dropped = sum(len(raw_interactions[day]) - len(tables[day]) for day in tables)
    return dg.MaterializeResult(value=tables, metadata={**table_metadata(tables), "duplicates_dropped": dropped},
                                check_results=[contract_check("validated_interactions", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) validate_interactions on each day's raw table; metadata (f), contract check (e)
    # raise NotImplementedError("validated_interactions")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("training_features"))
def training_features(context: dg.AssetExecutionContext, validated_interactions: dict,
                      interaction_source: InteractionSource):
    """One row per event with its label, its train/test split and the ranking features."""
    ### BEGIN SOLUTION training_features
    items = interaction_source.items()
    tables = {day: build_training_features(validated_interactions[day], items) for day in context.partition_keys}
    return dg.MaterializeResult(value=tables, metadata=table_metadata(tables),
                                check_results=[contract_check("training_features", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) build_training_features on each day, with the catalogue interaction_source.items()
    # raise NotImplementedError("training_features")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("retrieval_model"), retry_policy=TRAINING_RETRY)
def retrieval_model(context: dg.AssetExecutionContext, training_features: dict,
                    mlflow: MlflowTracking):
    """Item-to-item co-occurrence on the train split, one MLflow run per day."""
    ### BEGIN SOLUTION retrieval_model
    tables, runs = {}, {}
    for day in context.partition_keys:
        tables[day] = train_retrieval_model(training_features[day])
        runs[day] = mlflow.log_training_run(
            "retrieval", day, {"method": "item co-occurrence", "max_neighbors": MAX_NEIGHBORS}, tables[day])
    metadata = {"row_count": sum(len(t) for t in tables.values()), "mlflow_run_ids": dg.MetadataValue.json(runs)}
    return dg.MaterializeResult(value=tables, metadata=metadata,
                                check_results=[contract_check("retrieval_model", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) train_retrieval_model per day; (f) one MLflow training run per day, its id in the metadata
    # raise NotImplementedError("retrieval_model")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"scikitlearn"},
          check_specs=contract_specs("ranking_model"), retry_policy=TRAINING_RETRY)
def ranking_model(context: dg.AssetExecutionContext, training_features: dict,
                  mlflow: MlflowTracking):
    """A logistic regression of clicks on the features, one MLflow run per day."""
    ### BEGIN SOLUTION ranking_model
    tables, runs = {}, {}
    for day in context.partition_keys:
        tables[day] = train_ranking_model(training_features[day])
        runs[day] = mlflow.log_training_run(
            "ranking", day, {"method": "logistic regression", "C": 1.0, "standardised": True}, tables[day])
    metadata = {"row_count": sum(len(t) for t in tables.values()), "mlflow_run_ids": dg.MetadataValue.json(runs)}
    return dg.MaterializeResult(value=tables, metadata=metadata,
                                check_results=[contract_check("ranking_model", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) train_ranking_model per day; (f) one MLflow training run per day, its id in the metadata
    # raise NotImplementedError("ranking_model")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("retrieval_evaluation"))
def retrieval_evaluation(context: dg.AssetExecutionContext, retrieval_model: dict, training_features: dict,
                         mlflow: MlflowTracking):
    """recall@10 of the retrieval model on the test split, logged to its MLflow run."""
    ### BEGIN SOLUTION retrieval_evaluation
    tables, runs = {}, {}
    for day in context.partition_keys:
        tables[day] = evaluate_retrieval(retrieval_model[day], training_features[day], K)
        runs[day] = mlflow.find_training_run("retrieval", day)
        mlflow.log_metrics(runs[day], {f"recall_at_{K}": tables[day]["recall_at_k"].iloc[0]})
    recall = float(np.mean([t["recall_at_k"].iloc[0] for t in tables.values()]))
    metadata = {f"recall_at_{K}": recall, "users": int(sum(t["users"].iloc[0] for t in tables.values())),
                "mlflow_run_ids": dg.MetadataValue.json(runs)}
    return dg.MaterializeResult(value=tables, metadata=metadata,
                                check_results=[contract_check("retrieval_evaluation", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) evaluate_retrieval per day; (f) recall_at_10 as metadata and in the day's MLflow run
    # raise NotImplementedError("retrieval_evaluation")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"pandas"},
          check_specs=contract_specs("ranking_evaluation"))
def ranking_evaluation(context: dg.AssetExecutionContext, ranking_model: dict, training_features: dict,
                       mlflow: MlflowTracking):
    """NDCG@10 and AUC of the ranking model on the test split, logged to its MLflow run."""
    ### BEGIN SOLUTION ranking_evaluation
    tables, runs = {}, {}
    for day in context.partition_keys:
        tables[day] = evaluate_ranking(ranking_model[day], training_features[day], K)
        runs[day] = mlflow.find_training_run("ranking", day)
        mlflow.log_metrics(runs[day], {f"ndcg_at_{K}": tables[day]["ndcg_at_k"].iloc[0],
                                       "auc": tables[day]["auc"].iloc[0]})
    metadata = {f"ndcg_at_{K}": float(np.mean([t["ndcg_at_k"].iloc[0] for t in tables.values()])),
                "auc": float(np.mean([t["auc"].iloc[0] for t in tables.values()])),
                "users": int(sum(t["users"].iloc[0] for t in tables.values())),
                "mlflow_run_ids": dg.MetadataValue.json(runs)}
    return dg.MaterializeResult(value=tables, metadata=metadata,
                                check_results=[contract_check("ranking_evaluation", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) evaluate_ranking per day; (f) ndcg_at_10 and auc as metadata and in the day's MLflow run
    # raise NotImplementedError("ranking_evaluation")
    ### END STARTER


@dg.asset(partitions_def=DAILY, backfill_policy=ONE_RUN_PER_RANGE, group_name=GROUP, kinds={"mlflow"},
          check_specs=contract_specs("registered_models"))
def registered_models(context: dg.AssetExecutionContext, retrieval_evaluation: dict, ranking_evaluation: dict,
                      mlflow: MlflowTracking):
    """Each day's models, registered in MLflow when their evaluation clears its gate."""
    ### BEGIN SOLUTION registered_models
    tables, versions = {}, {}
    for day in context.partition_keys:
        rows = []
        gates = [("retrieval", retrieval_evaluation[day], "recall_at_k", RETRIEVAL_MIN_RECALL),
                 ("ranking", ranking_evaluation[day], "auc", RANKING_MIN_AUC)]
        for model, evaluation, metric, threshold in gates:
            value = float(evaluation[metric].iloc[0])
            run_id = mlflow.find_training_run(model, day)
            version = mlflow.register(model, run_id) if value >= threshold else None
            rows.append({"model": model, "metric": metric, "value": value, "threshold": threshold,
                         "registered": version is not None, "version": version, "mlflow_run_id": run_id})
        tables[day] = pd.DataFrame(rows).astype({"version": "Int64", "registered": "bool"})
        versions[day] = {row["model"]: row["version"] for row in rows}
    metadata = {"registered": dg.MetadataValue.json(versions),
                "row_count": sum(len(t) for t in tables.values())}
    return dg.MaterializeResult(value=tables, metadata=metadata,
                                check_results=[contract_check("registered_models", tables)])
    ### END SOLUTION
    ### BEGIN STARTER
    # # (a) per day, register each model that clears its gate (mlflow.register), one row per model
    # raise NotImplementedError("registered_models")
    ### END STARTER
