"""Seeded synthetic data for StreamRec, the course's running example of a video recommender.

Users, items and one day of interactions at a time, the way a daily pipeline would extract
them. The data has structure a model can learn: every user prefers two categories, item
popularity follows a Zipf-like law, users are drawn to their categories, and clicks are
much more likely there. The same (seed, date) always gives the same frame, on any machine.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import numpy as np
import pandas as pd

from .dag import PipelineDAG

__all__ = [
    "CATEGORIES",
    "EVENTS",
    "generate_users",
    "generate_items",
    "generate_interactions",
    "generate_interaction_range",
    "streamrec_training_dag",
]

CATEGORIES = ("action", "comedy", "documentary", "drama", "kids", "music", "news", "sports")
_CATEGORY_SHARE = np.array([0.15, 0.15, 0.09, 0.17, 0.10, 0.12, 0.08, 0.14])
# Typical length of a video in each category, in seconds (a log-normal spread around it).
_CATEGORY_MEDIAN_SECONDS = np.array([2700, 1200, 2400, 2700, 600, 240, 180, 1500])
COUNTRIES = ("US", "GB", "DE", "IN", "BR", "JP")
_COUNTRY_SHARE = np.array([0.34, 0.12, 0.10, 0.20, 0.14, 0.10])
AGE_BUCKETS = ("18-24", "25-34", "35-44", "45-54", "55+")
_AGE_SHARE = np.array([0.22, 0.30, 0.22, 0.15, 0.11])
PLANS = ("free", "premium")
_PREMIUM_SHARE = 0.25
EVENTS = ("view", "click", "like", "complete")
# Share of each hour of the UTC day in the traffic: quiet nights, an evening peak.
_HOURLY = np.array([3, 2, 1.5, 1, 1, 1.5, 2.5, 3.5, 4, 4, 4, 4.5, 5, 5, 5, 5, 5.5, 6, 7, 8, 8.5, 8, 6, 4.5])
_HOURLY = _HOURLY / _HOURLY.sum()

_SIGNUP_RANGE = (dt.date(2020, 1, 1), dt.date(2024, 12, 31))
_RELEASE_RANGE = (dt.date(2010, 1, 1), dt.date(2024, 12, 31))
_ZIPF_EXPONENT = 1.1
_PREVIEW_SECONDS = 15

# Independent random streams for the static tables; a day's interactions use [seed, ordinal].
_USERS, _ITEMS, _TASTES = 1, 2, 3


def _check_count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _static_rng(seed: int, stream: int) -> np.random.Generator:
    seed = _check_count(seed, "seed", 0)
    return np.random.default_rng([seed, 0, stream])


def _as_date(value: dt.date | str, name: str = "date") -> dt.date:
    """Accept a date, a datetime (its date is used) or an ISO string such as '2024-06-01'."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be an ISO date such as '2024-06-01', got {value!r}") from None
    raise TypeError(f"{name} must be a datetime.date or an ISO date string, got {type(value).__name__}")


def _days_between(rng: np.random.Generator, bounds: tuple[dt.date, dt.date], size: int) -> np.ndarray:
    first, last = bounds
    offsets = rng.integers(0, (last - first).days + 1, size=size)
    return (np.datetime64(first.isoformat(), "D") + offsets).astype("datetime64[us]")


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for array in arrays:
        array.setflags(write=False)
    return arrays


@functools.lru_cache(maxsize=16)
def _user_table(n_users: int, seed: int) -> dict[str, np.ndarray]:
    rng = _static_rng(seed, _USERS)
    return dict(
        zip(
            ("signup_date", "country", "age_bucket", "premium"),
            _frozen(
                _days_between(rng, _SIGNUP_RANGE, n_users),
                rng.choice(len(COUNTRIES), size=n_users, p=_COUNTRY_SHARE),
                rng.choice(len(AGE_BUCKETS), size=n_users, p=_AGE_SHARE),
                rng.random(n_users) < _PREMIUM_SHARE,
            ),
        )
    )


@functools.lru_cache(maxsize=16)
def _user_tastes(n_users: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hidden truth: each user's two preferred category codes, and how active the user is."""
    rng = _static_rng(seed, _TASTES)
    # Two categories per user without replacement, weighted by category share (Gumbel top-k).
    keys = np.log(_CATEGORY_SHARE) + rng.gumbel(size=(n_users, len(CATEGORIES)))
    preferred = np.argsort(-keys, axis=1, kind="stable")[:, :2]
    activity = rng.gamma(shape=2.0, scale=1.0, size=n_users)
    return _frozen(np.ascontiguousarray(preferred), activity / activity.sum())


@functools.lru_cache(maxsize=16)
def _item_table(n_items: int, seed: int) -> dict[str, np.ndarray]:
    rng = _static_rng(seed, _ITEMS)
    category = rng.choice(len(CATEGORIES), size=n_items, p=_CATEGORY_SHARE)
    seconds = _CATEGORY_MEDIAN_SECONDS[category] * rng.lognormal(0.0, 0.45, size=n_items)
    duration = np.clip(np.round(seconds), 30, 4 * 3600).astype(np.int64)
    release = _days_between(rng, _RELEASE_RANGE, n_items)
    rank = rng.permutation(n_items)  # 0 = the most popular item
    popularity = 1.0 / (rank + 1.0) ** _ZIPF_EXPONENT
    return dict(
        zip(
            ("category", "duration_seconds", "release_date", "popularity"),
            _frozen(category, duration, release, popularity / popularity.sum()),
        )
    )


def generate_users(n_users: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The user table: user_id 0..n_users-1, signup_date, country, age_bucket and plan."""
    n_users = _check_count(n_users, "n_users", 0)
    table = _user_table(n_users, seed)
    return pd.DataFrame(
        {
            "user_id": np.arange(n_users, dtype=np.int64),
            "signup_date": table["signup_date"].copy(),
            "country": np.array(COUNTRIES)[table["country"]],
            "age_bucket": np.array(AGE_BUCKETS)[table["age_bucket"]],
            "plan": np.where(table["premium"], PLANS[1], PLANS[0]),
        }
    )


def generate_items(n_items: int = 500, seed: int = 0) -> pd.DataFrame:
    """The item catalogue: item_id 0..n_items-1, category, duration_seconds and release_date."""
    n_items = _check_count(n_items, "n_items", 0)
    table = _item_table(n_items, seed)
    return pd.DataFrame(
        {
            "item_id": np.arange(n_items, dtype=np.int64),
            "category": np.array(CATEGORIES)[table["category"]],
            "duration_seconds": table["duration_seconds"].copy(),
            "release_date": table["release_date"].copy(),
        }
    )


def _pick_items(
    rng: np.random.Generator, users: np.ndarray, preferred: np.ndarray, items: dict[str, np.ndarray]
) -> np.ndarray:
    """Which item each event is about: 55% from one of the user's categories, else anything,
    always weighted by popularity."""
    n = users.size
    popularity = items["popularity"]
    picked = np.empty(n, dtype=np.int64)
    from_taste = rng.random(n) < 0.55
    wanted = preferred[users, rng.integers(0, 2, size=n)]
    anywhere = ~from_taste
    for code in range(len(CATEGORIES)):
        members = np.flatnonzero(items["category"] == code)
        mask = from_taste & (wanted == code)
        if members.size == 0:  # a tiny catalogue may lack the category: pick from all items
            anywhere |= mask
            continue
        weights = popularity[members] / popularity[members].sum()
        picked[mask] = rng.choice(members, size=int(mask.sum()), p=weights)
    picked[anywhere] = rng.choice(popularity.size, size=int(anywhere.sum()), p=popularity)
    return picked


def generate_interactions(
    date: dt.date | str, n_interactions: int = 5000, n_users: int = 1000, n_items: int = 500, seed: int = 0
) -> pd.DataFrame:
    """One UTC day of events, sorted by timestamp: user_id, item_id, timestamp, event
    ("view", "click", "like", "complete"), watch_seconds and clicked (1 unless a plain view)."""
    day = _as_date(date)
    n = _check_count(n_interactions, "n_interactions", 0)
    n_users = _check_count(n_users, "n_users", 1)
    n_items = _check_count(n_items, "n_items", 1)
    preferred, activity = _user_tastes(n_users, seed)
    premium = _user_table(n_users, seed)["premium"]
    items = _item_table(n_items, seed)
    rng = np.random.default_rng([_check_count(seed, "seed", 0), day.toordinal()])

    users = rng.choice(n_users, size=n, p=activity)
    item_ids = _pick_items(rng, users, preferred, items)
    category = items["category"][item_ids]
    likes_it = (preferred[users, 0] == category) | (preferred[users, 1] == category)
    duration = items["duration_seconds"][item_ids]

    # Click probability: mostly taste, a little popularity, a little plan.
    relative_popularity = items["popularity"][item_ids] / items["popularity"].max()
    logit = -2.5 + 1.9 * likes_it + 0.12 * np.log(relative_popularity) + 0.3 * premium[users]
    clicked = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))

    fraction = rng.beta(2.0 + 2.0 * likes_it, 2.0)
    completed = clicked & (fraction > 0.85)
    liked = clicked & ~completed & (rng.random(n) < np.where(likes_it, 0.35, 0.10))
    preview = rng.integers(0, _PREVIEW_SECONDS + 1, size=n)
    watch = np.where(clicked, np.round(fraction * duration).astype(np.int64), np.minimum(preview, duration))
    watch = np.where(completed, duration, watch)
    event = np.select([completed, liked, clicked], [3, 2, 1], default=0)

    seconds = rng.choice(24, size=n, p=_HOURLY) * 3600 + rng.integers(0, 3600, size=n)
    micros = seconds * 1_000_000 + rng.integers(0, 1_000_000, size=n)
    order = np.argsort(micros, kind="stable")
    midnight = np.datetime64(day.isoformat(), "us")
    timestamp = pd.DatetimeIndex(midnight + micros[order].astype("timedelta64[us]")).tz_localize("UTC")
    return pd.DataFrame(
        {
            "user_id": users[order].astype(np.int64),
            "item_id": item_ids[order],
            "timestamp": timestamp,
            "event": np.array(EVENTS)[event[order]],
            "watch_seconds": watch[order].astype(np.int64),
            "clicked": clicked[order].astype(np.int64),
        }
    )


def generate_interaction_range(start: dt.date | str, end: dt.date | str, **kwargs: Any) -> pd.DataFrame:
    """generate_interactions for every day from start to end inclusive, concatenated in date order."""
    first, last = _as_date(start, "start"), _as_date(end, "end")
    if last < first:
        raise ValueError(f"end ({last}) is before start ({first}): the range is inclusive and must not be empty")
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    return pd.concat([generate_interactions(day, **kwargs) for day in days], ignore_index=True)


def streamrec_training_dag() -> PipelineDAG:
    """The chapter's StreamRec training pipeline: extract, validate, featurise, train two
    models in parallel, evaluate each, register; durations are typical minutes per run."""
    dag = PipelineDAG("streamrec_training")
    extractions = ["extract_interactions", "extract_user_profiles", "extract_item_catalog"]
    dag.add_task("extract_interactions", duration=25, description="yesterday's interaction events")
    dag.add_task("extract_user_profiles", duration=10, description="current user profiles")
    dag.add_task("extract_item_catalog", duration=8, description="current item catalogue")
    dag.add_task("validate_data", depends_on=extractions, duration=12, description="data contracts on all inputs")
    dag.add_task("compute_features", depends_on=["validate_data"], duration=40, description="user and item features")
    dag.add_task("train_retrieval", depends_on=["compute_features"], duration=90, description="two-tower retrieval")
    dag.add_task("train_ranking", depends_on=["compute_features"], duration=120, description="ranking model")
    dag.add_task("evaluate_retrieval", depends_on=["train_retrieval"], duration=15, description="recall@k offline")
    dag.add_task("evaluate_ranking", depends_on=["train_ranking"], duration=20, description="NDCG offline")
    dag.add_task(
        "register_models",
        depends_on=["evaluate_retrieval", "evaluate_ranking"],
        duration=5,
        description="register both models if they pass evaluation",
    )
    return dag
