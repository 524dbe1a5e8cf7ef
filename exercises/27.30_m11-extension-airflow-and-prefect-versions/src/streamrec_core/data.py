"""Where the pipeline's data comes from: one day's interaction export, and the item catalogue.

By default a day's export is made by ``pipelinekit.streamrec`` from a fixed seed, so the three
orchestrators (and the grader) see the same events for the same day on any machine. Like a real
export it is delivered at least once: a few events arrive twice, and the rows are not in time
order; ``validate_interactions`` repairs both. With ``STREAMREC_RAW_DIR`` set, the day's export is
read from ``$STREAMREC_RAW_DIR/<YYYY-MM-DD>.csv`` instead (a hand-made or deliberately broken
day). This module is given: use it, do not change it.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
from pipelinekit import streamrec

SEED = 0
N_INTERACTIONS = 400   # events per day: small on purpose, a run takes seconds
N_USERS = 100
N_ITEMS = 60
REDELIVERED = 0.04     # share of a day's events that the export delivers twice


def extract_interactions(day: str) -> pd.DataFrame:
    """The raw export of one UTC day (an ISO date such as "2024-06-03"), duplicates and all."""
    raw_dir = os.environ.get("STREAMREC_RAW_DIR", "")
    if raw_dir:
        frame = pd.read_csv(Path(raw_dir) / f"{day}.csv")
        if "timestamp" in frame.columns:
            frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        return frame
    events = streamrec.generate_interactions(day, n_interactions=N_INTERACTIONS, n_users=N_USERS,
                                             n_items=N_ITEMS, seed=SEED)
    rng = np.random.default_rng([SEED, dt.date.fromisoformat(day).toordinal(), 99])
    again = rng.choice(len(events), size=int(len(events) * REDELIVERED), replace=False)
    export = pd.concat([events, events.iloc[np.sort(again)]], ignore_index=True)
    return export.iloc[rng.permutation(len(export))].reset_index(drop=True)


def load_items() -> pd.DataFrame:
    """The item catalogue: item_id, category, duration_seconds, release_date."""
    return streamrec.generate_items(N_ITEMS, seed=SEED)
