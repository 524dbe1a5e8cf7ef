"""StreamRec's daily training pipeline as a Prefect 3 flow (milestone M11, exercise 27.30).

One task per step, each calling the shared, framework-free steps of ``streamrec_core``; tasks hand
each other the paths of the files they wrote. A flow run processes the day it is given, so a
backfill is one flow run per day. Run one day with ``python -m streamrec_prefect.flow 2024-06-03``
or a range with ``python -m streamrec_prefect.flow 2024-06-01 2024-06-07``.
"""
from __future__ import annotations

### BEGIN SOLUTION prefect_flow
import datetime as dt
import sys

from prefect import flow, task
from prefect.tasks import exponential_backoff

from streamrec_core import steps
from streamrec_core.storage import output_root as default_output_root

# The two training tasks: at most 2 retries, 10 s then 20 s apart.
TRAINING_RETRIES = {"retries": 2, "retry_delay_seconds": exponential_backoff(backoff_factor=10)}

raw_interactions = task(steps.raw_interactions, name="raw_interactions")
validated_interactions = task(steps.validated_interactions, name="validated_interactions")
training_features = task(steps.training_features, name="training_features")
retrieval_model = task(steps.retrieval_model, name="retrieval_model", **TRAINING_RETRIES)
ranking_model = task(steps.ranking_model, name="ranking_model", **TRAINING_RETRIES)
retrieval_evaluation = task(steps.retrieval_evaluation, name="retrieval_evaluation")
ranking_evaluation = task(steps.ranking_evaluation, name="ranking_evaluation")
registered_models = task(steps.registered_models, name="registered_models")


@flow(name="streamrec-training", log_prints=True)
def streamrec_training(day: str, output_root: str | None = None) -> dict[str, str]:
    """Train and evaluate one day's models; the paths written, by table name."""
    day = dt.date.fromisoformat(day).isoformat()
    root = output_root or default_output_root()
    raw = raw_interactions(day, root)
    validated = validated_interactions(raw, day, root)
    features = training_features(validated, day, root)
    retrieval = retrieval_model(features, day, root)
    ranking = ranking_model(features, day, root)
    retrieval_eval = retrieval_evaluation(retrieval, features, day, root)
    ranking_eval = ranking_evaluation(ranking, features, day, root)
    registered = registered_models(retrieval_eval, ranking_eval, day, root)
    return {"raw_interactions": raw, "validated_interactions": validated, "training_features": features,
            "retrieval_model": retrieval, "ranking_model": ranking, "retrieval_evaluation": retrieval_eval,
            "ranking_evaluation": ranking_eval, "registered_models": registered}


def backfill(start: str, end: str, output_root: str | None = None) -> dict[str, str]:
    """One flow run per day from start to end (inclusive), oldest first; each day's final state."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    states = {}
    for offset in range((last - first).days + 1):
        day = (first + dt.timedelta(days=offset)).isoformat()
        state = streamrec_training(day=day, output_root=output_root, return_state=True)
        states[day] = state.name
    return states


if __name__ == "__main__":
    if len(sys.argv) == 2:
        streamrec_training(sys.argv[1])
    elif len(sys.argv) == 3:
        print(backfill(sys.argv[1], sys.argv[2]))
    else:
        sys.exit("usage: python -m streamrec_prefect.flow DAY  |  python -m streamrec_prefect.flow FIRST_DAY LAST_DAY")
### END SOLUTION
### BEGIN STARTER
# from prefect import flow, task
#
# from streamrec_core import steps
# from streamrec_core.storage import output_root as default_output_root
#
# # (b) the flow `streamrec_training(day, output_root=None)`, named "streamrec-training", one task per
# # step named after the table it writes; (e) backfill(start, end, output_root=None): one flow run
# # per day. (the README pins the details)
### END STARTER
