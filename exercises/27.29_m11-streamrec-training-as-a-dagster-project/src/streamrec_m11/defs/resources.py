"""The resources every run gets, chosen by configuration (environment variables; see the README).

- ``io_manager``: where asset values are stored; STREAMREC_DEPLOYMENT picks it ("dev", the
  default: a local folder; "prod": S3).
- ``interaction_source``: where raw_interactions reads a day of events.
- ``mlflow``: the MLflow tracking store for training runs and registered models.
"""
import os

import dagster as dg

from streamrec_m11.data import InteractionSource
from streamrec_m11.storage import io_manager_for
from streamrec_m11.tracking import MlflowTracking, default_tracking_uri


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={
        "io_manager": io_manager_for(os.environ.get("STREAMREC_DEPLOYMENT", "dev")),
        "interaction_source": InteractionSource(),
        "mlflow": MlflowTracking(tracking_uri=default_tracking_uri()),
    })
