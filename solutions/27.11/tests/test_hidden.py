"""Hidden tests for exercise 27.11 (a rolling-window feature pinned to its inputs).

The snapshots are built twice from the same seeded StreamRec data: in the learner's worker by
the helper `streamrec_versions` (shipped with the probe) and here, where the expected features
are computed row by row in plain Python from the statement's definitions, a different route from
any pandas group-by. Only the learner's result comes back, as plain records.
"""
import datetime as dt
import math
from collections import defaultdict

from autograder.testing import expect, fail, graded

UTC = dt.timezone.utc
LOGICAL_DATE = dt.date(2024, 6, 10)


# ---- helpers shipped to the worker -------------------------------------------------------------
def streamrec_versions():
    """Snapshots of a StreamRec interactions table, 1-12 June 2024: version 1 lacks a fifth of the
    events of 8-10 June, which arrive late in version 2; version 3 adds 11 and 12 June."""
    import datetime as dt

    import pandas as pd

    from pipelinekit.streamrec import generate_interaction_range

    rows = generate_interaction_range("2024-06-01", "2024-06-12", n_interactions=300, n_users=40,
                                      n_items=60, seed=11)
    day = rows["timestamp"].dt.date
    late = ((day >= dt.date(2024, 6, 8)) & (day <= dt.date(2024, 6, 10))).to_numpy() & (rows.index.to_numpy() % 5 == 0)
    known = (day <= dt.date(2024, 6, 10)).to_numpy()
    on_time, arrived_late, newer = rows[known & ~late], rows[late], rows[~known]
    return {
        1: on_time.reset_index(drop=True),
        2: pd.concat([on_time, arrived_late], ignore_index=True),
        3: pd.concat([on_time, arrived_late, newer], ignore_index=True),
    }


def frame_from_rows(rows):
    """A snapshot from JSON rows: [user_id, iso timestamp, watch_seconds, clicked, event]."""
    import pandas as pd

    return pd.DataFrame({
        "user_id": [r[0] for r in rows],
        "item_id": [100 + i for i in range(len(rows))],
        "timestamp": pd.to_datetime([r[1] for r in rows], utc=True, format="ISO8601"),
        "event": [r[4] for r in rows],
        "watch_seconds": [r[2] for r in rows],
        "clicked": [r[3] for r in rows],
    })


def records_of(frame):
    """The learner's result as plain records, or what is wrong with its form."""
    import pandas as pd

    columns = ["user_id", "n_interactions", "n_clicks", "click_rate", "watch_seconds", "active_days",
               "feature_date", "input_version"]
    if not isinstance(frame, pd.DataFrame):
        return {"problem": f"compute_engagement_features returned a {type(frame).__name__}, not a DataFrame"}
    if "user_id" not in frame.columns and "user_id" in (frame.index.names or []):
        frame = frame.reset_index()
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        return {"problem": f"the result has no column {', '.join(missing)}"}

    def plain(value):
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            try:
                value = value.item()
            except (ValueError, TypeError):
                pass
        return value

    def as_day(value):
        try:
            return pd.Timestamp(value).date().isoformat()
        except (ValueError, TypeError):
            return repr(value)[:40]

    out = []
    for row in frame[columns].itertuples(index=False):
        record = dict(zip(columns, row))
        clean = {c: plain(record[c]) for c in columns if c != "feature_date"}
        clean["feature_date"] = as_day(record["feature_date"])
        for c, v in clean.items():
            if c != "feature_date" and not isinstance(v, (int, float)):
                clean[c] = repr(v)[:40]
        out.append(clean)
    return {"records": out}


def fingerprint(frame):
    import pandas as pd

    return [list(map(str, frame.columns)), len(frame), int(pd.util.hash_pandas_object(frame, index=True).sum() % (2**61))]


# ---- probes ------------------------------------------------------------------------------------
def features_on_streamrec(ns, version, logical_date, window_days):
    import datetime as dt

    versions = streamrec_versions()
    day = dt.date.fromisoformat(logical_date)
    if window_days is None:
        result = ns.compute_engagement_features(versions, version, day)
    else:
        result = ns.compute_engagement_features(versions, version, day, window_days)
    return records_of(result)


def features_on_rows(ns, rows, logical_date, window_days):
    import datetime as dt

    result = ns.compute_engagement_features({1: frame_from_rows(rows)}, 1, dt.date.fromisoformat(logical_date), window_days)
    return records_of(result)


def reruns(ns, logical_date, earlier_date):
    import datetime as dt

    versions = streamrec_versions()
    before = {v: fingerprint(f) for v, f in versions.items()}
    day, earlier = dt.date.fromisoformat(logical_date), dt.date.fromisoformat(earlier_date)
    first = records_of(ns.compute_engagement_features(versions, 2, day))
    backfill = records_of(ns.compute_engagement_features(versions, 2, earlier))
    again = records_of(ns.compute_engagement_features(versions, 2, day))
    after = {v: fingerprint(f) for v, f in versions.items()}
    return {"first": first, "backfill": backfill, "again": again,
            "untouched": [v for v in before if before[v] == after[v]], "touched": [v for v in before if before[v] != after[v]]}


def unknown_version(ns, logical_date):
    import datetime as dt

    versions = streamrec_versions()
    del versions[3]
    try:
        result = ns.compute_engagement_features(versions, 3, dt.date.fromisoformat(logical_date))
    except KeyError:
        return {"raised": "KeyError"}
    except Exception as exc:  # noqa: BLE001
        return {"raised": type(exc).__name__, "other": True}
    return {"returned": type(result).__name__}


SNAPSHOT_HELPERS = [streamrec_versions, records_of, fingerprint]
ROW_HELPERS = [frame_from_rows, records_of]


# ---- the expected features, computed here -------------------------------------------------------
def rows_of(frame):
    return [(int(u), t.to_pydatetime(), float(w), float(c))
            for u, t, w, c in zip(frame["user_id"], frame["timestamp"], frame["watch_seconds"], frame["clicked"])]


def expected_features(rows, logical_date, window_days, version):
    end = dt.datetime.combine(logical_date + dt.timedelta(days=1), dt.time(0), tzinfo=UTC)
    start = end - dt.timedelta(days=window_days)
    acc = defaultdict(lambda: {"n": 0, "clicks": 0.0, "watch": 0.0, "days": set()})
    for user, when, watch, clicked in rows:
        if start <= when < end:
            a = acc[user]
            a["n"] += 1
            a["clicks"] += clicked
            a["watch"] += watch
            a["days"].add(when.astimezone(UTC).date())
    return {user: {"n_interactions": a["n"], "n_clicks": a["clicks"], "click_rate": a["clicks"] / a["n"],
                   "watch_seconds": a["watch"], "active_days": len(a["days"]),
                   "feature_date": logical_date.isoformat(), "input_version": version}
            for user, a in acc.items()}


_VERSIONS = None


def trusted_versions():
    global _VERSIONS
    if _VERSIONS is None:
        _VERSIONS = {v: rows_of(f) for v, f in streamrec_versions().items()}
    return _VERSIONS


def compare(got, want, what):
    """Feedback on the first difference between the learner's records and the expected features."""
    expect("problem" not in got, got.get("problem", ""))
    records = got["records"]
    by_user = {}
    for r in records:
        expect(isinstance(r["user_id"], (int, float)) and float(r["user_id"]).is_integer(),
               f"{what}: a user_id is {r['user_id']}, not an integer")
        expect(int(r["user_id"]) not in by_user, f"{what}: user {int(r['user_id'])} has more than one row")
        by_user[int(r["user_id"])] = r
    extra = sorted(set(by_user) - set(want))
    expect(not extra, f"{what}: your result has rows for users with no interaction in the window (user {extra[0] if extra else ''})")
    missing = sorted(set(want) - set(by_user))
    expect(not missing, f"{what}: users with interactions in the window have no row in your result (user {missing[0] if missing else ''}, for one)")
    for user in sorted(want):
        mine, right = by_user[user], want[user]
        for column, value in right.items():
            got_value = mine[column]
            if column == "feature_date":
                ok = got_value == value
            else:
                ok = isinstance(got_value, (int, float)) and not isinstance(got_value, bool) and math.isclose(got_value, value, rel_tol=1e-9, abs_tol=1e-9)
            if not ok:
                fail(f"{what}: for user {user}, your {column} is {got_value}, which does not match the window's rows")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=2, hint="Filter the pinned snapshot to the window, group by user, and add the two lineage columns.")
def test_features_for_a_streamrec_week(sub):
    got = sub.run(features_on_streamrec, 3, LOGICAL_DATE.isoformat(), None, helpers=SNAPSHOT_HELPERS)
    want = expected_features(trusted_versions()[3], LOGICAL_DATE, 7, 3)
    compare(got, want, "the 7 days ending on 10 June, read from version 3")


# Rows right at the window's edges: [user, timestamp, watch_seconds, clicked, event].
EDGE_ROWS = [
    [1, "2024-03-08T00:00:00+00:00", 30, 1, "click"],          # first instant of the window
    [1, "2024-03-07T23:59:59.999999+00:00", 40, 1, "click"],   # just before it
    [2, "2024-03-10T23:59:59.999999+00:00", 50, 0, "view"],    # last instant of the logical date
    [2, "2024-03-11T00:00:00+00:00", 60, 1, "like"],           # the next day: after the window
    [3, "2024-03-11T06:00:00+00:00", 70, 1, "complete"],       # only after the window
    [4, "2024-03-09T12:00:00+00:00", 80, 1, "like"],
    [4, "2024-03-09T13:00:00+00:00", 90, 0, "view"],
    [4, "2024-03-10T01:00:00+00:00", 100, 1, "complete"],
    [5, "2024-03-02T09:00:00+00:00", 110, 1, "click"],         # long before the window
]


@graded("b", points=1, hint="The window is window_days whole UTC days ending with the logical date: start included, end excluded.")
def test_window_is_the_days_up_to_the_logical_date(sub):
    rows = [(r[0], dt.datetime.fromisoformat(r[1]), float(r[2]), float(r[3])) for r in EDGE_ROWS]
    for window_days in (3, 1, 10):
        logical_date = dt.date(2024, 3, 10)
        got = sub.run(features_on_rows, EDGE_ROWS, logical_date.isoformat(), window_days, helpers=ROW_HELPERS)
        compare(got, expected_features(rows, logical_date, window_days, 1),
                f"a window of {window_days} day(s) ending on 10 March, around its edges")


@graded("b", points=1, hint="Read the version you are given, even when a later one exists.")
def test_late_rows_count_only_from_the_version_that_holds_them(sub):
    v = trusted_versions()
    want_1 = expected_features(v[1], LOGICAL_DATE, 7, 1)
    want_2 = expected_features(v[2], LOGICAL_DATE, 7, 2)
    assert want_1 != want_2, "the test data must contain late rows inside the window"
    compare(sub.run(features_on_streamrec, 1, LOGICAL_DATE.isoformat(), 7, helpers=SNAPSHOT_HELPERS), want_1,
            "version 1 (before the late events arrived), with versions 2 and 3 present")
    compare(sub.run(features_on_streamrec, 2, LOGICAL_DATE.isoformat(), 7, helpers=SNAPSHOT_HELPERS), want_2,
            "version 2 (with the late events)")


@graded("b", points=1, hint="A rerun must see exactly the snapshot the first run saw: never change the frames you are given.")
def test_rerun_gives_identical_features(sub):
    earlier = LOGICAL_DATE - dt.timedelta(days=3)
    got = sub.run(reruns, LOGICAL_DATE.isoformat(), earlier.isoformat(), helpers=SNAPSHOT_HELPERS)
    v = trusted_versions()
    for key in ("first", "again", "backfill"):
        expect("problem" not in got[key], got[key].get("problem", ""))
    expect(not got["touched"], f"computing features changed the snapshot(s) of version {', '.join(map(str, got['touched']))} "
                               "(a column added, rows dropped or values changed): the next run reads what you left behind")
    compare(got["backfill"], expected_features(v[2], earlier, 7, 2),
            "a backfill of 7 June, run right after 10 June on the same snapshots")
    compare(got["again"], expected_features(v[2], LOGICAL_DATE, 7, 2),
            "a rerun of 10 June after that backfill")


@graded("b", points=1, hint="A version that is not in the dict is an error, not a reason to read another one.")
def test_unknown_version_is_refused(sub):
    got = sub.run(unknown_version, LOGICAL_DATE.isoformat(), helpers=SNAPSHOT_HELPERS)
    expect("returned" not in got, f"asked for a version that does not exist, your function returned a {got.get('returned')} "
                                  "instead of raising KeyError")
    expect(got.get("raised") == "KeyError", f"asked for a version that does not exist, your function raised {got.get('raised')}, not KeyError")
