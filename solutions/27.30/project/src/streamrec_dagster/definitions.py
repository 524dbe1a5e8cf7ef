"""StreamRec's daily training pipeline as Dagster assets on the shared logic (for the comparison).

Your milestone 27.29 project, ported onto ``streamrec_core``: the same eight tables, one daily
partition per day, each asset calling a shared step and handing its downstream assets the path of
the file it wrote (the default IO manager stores that short string). Only the orchestration is
Dagster's, so the line counts of the three versions compare like with like. Not graded
automatically; ``dagster dev -m streamrec_dagster.definitions`` serves it.
"""
### BEGIN SOLUTION dagster_port
import dagster as dg

from streamrec_core import steps
from streamrec_core.storage import output_root

DAILY = dg.DailyPartitionsDefinition(start_date="2024-06-01", timezone="UTC")
TRAINING_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)
GROUP = "streamrec_training"


@dg.asset(partitions_def=DAILY, group_name=GROUP)
def raw_interactions(context: dg.AssetExecutionContext) -> str:
    return steps.raw_interactions(context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP)
def validated_interactions(context: dg.AssetExecutionContext, raw_interactions: str) -> str:
    return steps.validated_interactions(raw_interactions, context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP)
def training_features(context: dg.AssetExecutionContext, validated_interactions: str) -> str:
    return steps.training_features(validated_interactions, context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP, retry_policy=TRAINING_RETRY)
def retrieval_model(context: dg.AssetExecutionContext, training_features: str) -> str:
    return steps.retrieval_model(training_features, context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP, retry_policy=TRAINING_RETRY)
def ranking_model(context: dg.AssetExecutionContext, training_features: str) -> str:
    return steps.ranking_model(training_features, context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP)
def retrieval_evaluation(context: dg.AssetExecutionContext, retrieval_model: str, training_features: str) -> str:
    return steps.retrieval_evaluation(retrieval_model, training_features, context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP)
def ranking_evaluation(context: dg.AssetExecutionContext, ranking_model: str, training_features: str) -> str:
    return steps.ranking_evaluation(ranking_model, training_features, context.partition_key, output_root())


@dg.asset(partitions_def=DAILY, group_name=GROUP)
def registered_models(context: dg.AssetExecutionContext, retrieval_evaluation: str, ranking_evaluation: str) -> str:
    return steps.registered_models(retrieval_evaluation, ranking_evaluation, context.partition_key, output_root())


defs = dg.Definitions(assets=[raw_interactions, validated_interactions, training_features, retrieval_model,
                              ranking_model, retrieval_evaluation, ranking_evaluation, registered_models])
### END SOLUTION
### BEGIN STARTER
# import dagster as dg
#
# # Port your 27.29 assets here, each calling a step of streamrec_core (optional, not graded: it makes
# # the line counts of the three versions comparable).
# defs = dg.Definitions(assets=[])
### END STARTER
