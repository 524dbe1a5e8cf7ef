# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.11: they check the form of your answer, not its values."""
from autograder.testing import expect, graded

COLUMNS = ["user_id", "n_interactions", "n_clicks", "click_rate", "watch_seconds", "active_days",
           "feature_date", "input_version"]


def form(ns):
    import datetime as dt

    import pandas as pd

    snapshot = pd.DataFrame({
        "user_id": [1, 1, 2], "item_id": [10, 11, 12],
        "timestamp": pd.to_datetime(["2024-06-09T10:00", "2024-06-10T11:00", "2024-06-10T12:00"], utc=True),
        "event": ["view", "click", "like"], "watch_seconds": [5, 300, 120], "clicked": [0, 1, 1],
    })
    result = ns.compute_engagement_features({1: snapshot}, 1, dt.date(2024, 6, 10))
    kind = "DataFrame" if isinstance(result, pd.DataFrame) else type(result).__name__
    if kind != "DataFrame":
        return {"type": kind}
    columns = list(map(str, result.columns)) + ([str(n) for n in result.index.names if n] if result.index.names else [])
    return {"type": "DataFrame", "columns": columns}


@graded("b", points=0, hint="compute_engagement_features returns a DataFrame with the eight columns of the statement.")
def test_compute_engagement_features_returns_the_columns(sub):
    got = sub.run(form)
    expect(got["type"] == "DataFrame", f"compute_engagement_features returned a {got['type']}, not a DataFrame")
    missing = [c for c in COLUMNS if c not in got["columns"]]
    expect(not missing, f"the result has no column {', '.join(missing)}")
