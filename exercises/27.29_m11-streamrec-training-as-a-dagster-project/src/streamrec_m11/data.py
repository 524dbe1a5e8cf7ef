"""Where the pipeline's raw data comes from: the resource behind ``raw_interactions``.

By default it generates one day of seeded synthetic StreamRec events with
``pipelinekit.streamrec`` (the same seed and date give the same events on any machine). With
``raw_dir`` set it reads the day's export from ``<raw_dir>/<YYYY-MM-DD>.csv`` instead, which is
how a test (or an upstream system) hands the pipeline a particular day, broken ones included.
This module is given: you use it, you do not need to change it.
"""
from pathlib import Path

import dagster as dg
import pandas as pd
from pipelinekit import streamrec


class InteractionSource(dg.ConfigurableResource):
    """One day of StreamRec interaction events, and the item catalogue they refer to."""

    seed: int = 0
    n_interactions: int = 10_000
    n_users: int = 500
    n_items: int = 200
    raw_dir: str = ""

    def load(self, day: str) -> pd.DataFrame:
        """The events of one UTC day (an ISO date such as "2024-06-03"), as delivered."""
        if self.raw_dir:
            path = Path(self.raw_dir) / f"{day}.csv"
            frame = pd.read_csv(path)
            if "timestamp" in frame.columns:
                frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
            return frame
        return streamrec.generate_interactions(
            day, n_interactions=self.n_interactions, n_users=self.n_users, n_items=self.n_items, seed=self.seed
        )

    def items(self) -> pd.DataFrame:
        """The item catalogue: item_id, category, duration_seconds, release_date."""
        return streamrec.generate_items(self.n_items, seed=self.seed)
