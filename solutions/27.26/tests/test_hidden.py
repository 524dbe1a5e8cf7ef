"""Hidden tests for exercise 27.26 (c): compare_outputs, on pairs of outputs with known differences.

Every pair is built here from one base table of daily user features: the Dagster side is a copy to
which known edits are applied, and each edit adds the record(s) it must produce to the expected
report. The frames travel to the worker as plain data (values and dtypes) and are rebuilt there; the
learner's records come back normalised to plain values and are compared here as multisets, values
with a tolerance.
"""
import copy
import math
from collections import Counter

from autograder.testing import expect, fail, graded

CATEGORIES = ["action", "comedy", "documentary", "drama", "kids", "music", "news", "sports"]
DTYPES = {"user_id": "int64", "date": "str", "n_events": "int64", "click_rate": "float64",
          "top_category": "str", "is_premium": "bool"}


# ---- fixtures (trusted side) --------------------------------------------------------------------
def base_table(n_users=30, days=("2024-06-07",)):
    """Column-oriented data of a daily user-feature table; click_rate of the 5th user is null."""
    data = {c: [] for c in DTYPES}
    for day_number, day in enumerate(days):
        for i in range(n_users):
            data["user_id"].append(1000 + 7 * i)
            data["date"].append(day)
            data["n_events"].append(1 + (13 * i + 5 * day_number) % 40)
            data["click_rate"].append(None if i == 4 else round(0.05 + ((37 * i + 11 * day_number) % 90) / 100, 4))
            data["top_category"].append(CATEGORIES[(i + day_number) % 8])
            data["is_premium"].append(i % 4 == 0)
    return {"data": data, "dtypes": dict(DTYPES)}


def rows_of(table):
    data = table["data"]
    return [{c: data[c][r] for c in data} for r in range(len(next(iter(data.values()))))]


def from_rows(rows, dtypes):
    columns = list(dtypes)
    return {"data": {c: [row[c] for row in rows] for c in columns}, "dtypes": dict(dtypes)}


def key_of(row, keys):
    return {k: row[k] for k in keys}


# ---- shipped to the worker ----------------------------------------------------------------------
def compare(ns, airflow, dagster, key, options):
    """Rebuild both frames, run compare_outputs, and return its records as plain data."""
    import math

    import numpy as np
    import pandas as pd

    def build(spec):
        frame = pd.DataFrame({c: pd.Series(v, dtype=spec["dtypes"][c]) for c, v in spec["data"].items()})
        if spec.get("index") is not None:
            frame.index = spec["index"]
        return frame

    def plain(value):
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return repr(value)

    result = ns.compare_outputs(build(airflow), build(dagster), key, **options)
    if isinstance(result, (dict, str)) or not hasattr(result, "__iter__"):
        return {"not_a_list": type(result).__name__}
    return [plain(r) if isinstance(r, dict) else {"not_a_dict": type(r).__name__} for r in result]


# ---- trusted side: comparing reports ------------------------------------------------------------
def norm(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def key_tuple(key, keys):
    if isinstance(key, dict):
        return tuple(norm(key.get(k)) for k in keys)
    if isinstance(key, list):
        return tuple(norm(v) for v in key)
    return (norm(key),)


def canon(record, keys):
    kind = record.get("kind")
    if kind in ("missing_column", "extra_column"):
        return (kind, record.get("column"))
    if kind == "dtype":
        return (kind, record.get("column"), record.get("airflow"), record.get("dagster"))
    if kind in ("missing_row", "extra_row"):
        return (kind, key_tuple(record.get("key"), keys))
    if kind == "duplicate_key":
        return (kind, key_tuple(record.get("key"), keys), record.get("side"))
    if kind == "value":
        return (kind, key_tuple(record.get("key"), keys), record.get("column"))
    return ("unknown kind", str(kind))


def same_value(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


KIND_WORDS = {
    "missing_column": "columns only the Airflow output has",
    "extra_column": "columns only the Dagster output has",
    "dtype": "columns whose dtype differs",
    "missing_row": "rows only the Airflow output has",
    "extra_row": "rows only the Dagster output has",
    "duplicate_key": "keys duplicated on one side",
    "value": "values that differ",
}


def check_report(sub, airflow, dagster, keys, expected, situation, options=None):
    key = keys[0] if len(keys) == 1 else list(keys)
    got = sub.run(compare, airflow, dagster, key, options or {})
    if isinstance(got, dict):
        fail(f"compare_outputs should return a list of dicts, not a {got['not_a_list']}")
    bad = [r for r in got if "not_a_dict" in r]
    expect(not bad, f"compare_outputs should return a list of dicts; one of its items is a {bad[0]['not_a_dict'] if bad else ''}")
    unknown = sorted({str(r.get("kind")) for r in got} - set(KIND_WORDS))
    expect(not unknown, f"{situation}, your report has records of unknown kind: {', '.join(unknown)}")
    got_counts = Counter(canon(r, keys) for r in got)
    want_counts = Counter(canon(r, keys) for r in expected)
    repeated = [c for c, n in got_counts.items() if n > 1 and want_counts.get(c, 0) < n]
    expect(not repeated, f"{situation}, your report lists the same {repeated[0][0] if repeated else ''} difference more than once")
    for kind, words in KIND_WORDS.items():
        missed = sum(1 for c in want_counts if c[0] == kind and c not in got_counts)
        spurious = sum(1 for c in got_counts if c[0] == kind and c not in want_counts)
        expect(not missed, f"{situation}, your report misses {missed} record(s) of kind `{kind}` ({words})")
        expect(not spurious, f"{situation}, {spurious} of your `{kind}` records name no real difference "
                             "(something equal counted as different, or a wrong column, key or dtype)")
    wanted = {canon(r, keys): r for r in expected if r["kind"] == "value"}
    for record in got:
        if record.get("kind") == "value" and canon(record, keys) in wanted:
            want = wanted[canon(record, keys)]
            expect(same_value(record.get("airflow"), want["airflow"]) and same_value(record.get("dagster"), want["dagster"]),
                   f"{situation}, a `value` record for column `{record.get('column')}` does not carry the two "
                   "values that differ (Airflow's under \"airflow\", Dagster's under \"dagster\", a null as None)")


# ---- the pairs ----------------------------------------------------------------------------------
KEYS = ["user_id"]


@graded("c", points=1, hint="Rows are matched by key, not by position; column order and the index do not "
                            "count; two nulls are equal; floats are equal within the tolerance.")
def test_equivalent_outputs_give_an_empty_report(sub):
    base = base_table()
    check_report(sub, base, copy.deepcopy(base), KEYS, [], "for two identical outputs")

    rows = list(reversed(rows_of(base)))
    order = ["is_premium", "click_rate", "top_category", "user_id", "n_events", "date"]
    shuffled = from_rows(rows, {c: DTYPES[c] for c in order})
    shuffled["index"] = list(range(500, 500 + len(rows)))
    check_report(sub, base, shuffled, KEYS, [],
                 "for two outputs holding the same rows in another order, with the columns in another order")

    close = copy.deepcopy(base)
    close["data"]["click_rate"] = [None if v is None else v * (1 + 3e-13) for v in close["data"]["click_rate"]]
    check_report(sub, base, close, KEYS, [],
                 "for two outputs whose floats differ only in their last digits (and share a null)")


@graded("c", points=1, hint="A key of the Airflow output that the Dagster output lacks is a missing_row; "
                            "the reverse is an extra_row; the key is a dict of key column to value.")
def test_missing_and_extra_rows_are_reported(sub):
    base = base_table()
    rows = rows_of(base)
    expected = [{"kind": "missing_row", "key": key_of(rows[i], KEYS)} for i in (2, 17)]
    kept = [r for i, r in enumerate(rows) if i not in (2, 17)]
    new = []
    for j in range(3):
        row = dict(rows[j], user_id=5000 + j, n_events=3 + j)
        new.append(row)
        expected.append({"kind": "extra_row", "key": key_of(row, KEYS)})
    dagster = from_rows(kept[:10] + new + kept[10:], DTYPES)
    check_report(sub, base, dagster, KEYS, expected, "for two outputs with different rows")


def changed_values():
    """A pair whose Dagster side has changed values, with the records they must produce."""
    base = base_table()
    rows = rows_of(base)
    dagster = [dict(r) for r in rows]
    expected, loose_only = [], []

    def change(i, column, value, beyond_loose=True):
        record = {"kind": "value", "key": key_of(rows[i], KEYS), "column": column,
                  "airflow": rows[i][column], "dagster": value}
        dagster[i][column] = value
        expected.append(record)
        if not beyond_loose:
            loose_only.append(record)

    change(3, "n_events", rows[3]["n_events"] + 1)
    change(5, "top_category", "news" if rows[5]["top_category"] != "news" else "drama")
    change(6, "is_premium", not rows[6]["is_premium"])
    change(8, "click_rate", rows[8]["click_rate"] + 1e-4, beyond_loose=False)   # 1e-4 absolute: beyond 1e-9
    change(10, "click_rate", None)                                              # a value became null
    change(11, "top_category", None)
    change(4, "click_rate", 0.5)                                                # a null became a value
    dagster[9]["click_rate"] = rows[9]["click_rate"] * (1 + 1e-12)              # within the tolerance
    return base, from_rows(dagster, DTYPES), expected, loose_only


@graded("c", points=1, hint="Compare each non-key column of each matched row; a null against a value is a "
                            "difference; pass rtol and atol on to the float comparison.")
def test_changed_values_are_reported_beyond_the_tolerance(sub):
    base, dagster, expected, loose_only = changed_values()
    check_report(sub, base, dagster, KEYS, expected, "for two outputs with changed values")
    loose = [r for r in expected if r not in loose_only]
    check_report(sub, base, dagster, KEYS, loose, "with rtol=0.01, for two outputs with changed values",
                 options={"rtol": 1e-2, "atol": 1e-12})


@graded("c", points=1, hint="Columns of only one side are missing_column or extra_column records, and "
                            "produce no value records.")
def test_missing_and_extra_columns_are_reported(sub):
    base = base_table()
    dagster = copy.deepcopy(base)
    del dagster["data"]["is_premium"], dagster["dtypes"]["is_premium"]
    dagster["data"]["model_version"] = ["v2"] * len(dagster["data"]["user_id"])
    dagster["dtypes"]["model_version"] = "str"
    expected = [{"kind": "missing_column", "column": "is_premium"},
                {"kind": "extra_column", "column": "model_version"}]
    check_report(sub, base, dagster, KEYS, expected, "for two outputs with different columns")


@graded("c", points=1, hint="Compare str(dtype) of every column of both sides, the key column included; "
                            "equal numbers in an int and a float column are not a value difference.")
def test_dtype_differences_are_reported(sub):
    base = base_table()
    dagster = copy.deepcopy(base)
    dagster["dtypes"].update(n_events="float64", user_id="float64", top_category="object")
    expected = [{"kind": "dtype", "column": "n_events", "airflow": "int64", "dagster": "float64"},
                {"kind": "dtype", "column": "user_id", "airflow": "int64", "dagster": "float64"},
                {"kind": "dtype", "column": "top_category", "airflow": "str", "dagster": "object"}]
    check_report(sub, base, dagster, KEYS, expected, "for two outputs with the same values in other dtypes")


@graded("c", points=1, hint="With a key of several columns, a row is identified by all of them; a key "
                            "present twice on a side gets a duplicate_key record and nothing else.")
def test_every_difference_of_a_realistic_pair_is_reported(sub):
    keys = ["user_id", "date"]
    base = base_table(n_users=12, days=("2024-06-06", "2024-06-07"))
    rows = rows_of(base)
    dagster = [dict(r) for r in rows]
    expected = [{"kind": "missing_column", "column": "top_category"},
                {"kind": "dtype", "column": "n_events", "airflow": "int64", "dagster": "float64"}]
    # the same user on the other day is another key: one missing, one extra
    expected.append({"kind": "missing_row", "key": key_of(rows[14], keys)})
    extra = dict(rows[14], date="2024-06-08")
    expected.append({"kind": "extra_row", "key": key_of(extra, keys)})
    dagster[14] = extra
    # a changed float and a changed count (in a column that also changed dtype)
    dagster[3]["click_rate"] = rows[3]["click_rate"] + 0.02
    expected.append({"kind": "value", "key": key_of(rows[3], keys), "column": "click_rate",
                     "airflow": rows[3]["click_rate"], "dagster": dagster[3]["click_rate"]})
    dagster[20]["n_events"] = rows[20]["n_events"] + 2
    expected.append({"kind": "value", "key": key_of(rows[20], keys), "column": "n_events",
                     "airflow": rows[20]["n_events"], "dagster": rows[20]["n_events"] + 2})
    # a row written twice by Dagster (with another value), and a key Airflow wrote twice
    dagster.append(dict(rows[7], click_rate=0.99))
    expected.append({"kind": "duplicate_key", "key": key_of(rows[7], keys), "side": "dagster"})
    airflow_rows = rows + [dict(rows[18], is_premium=not rows[18]["is_premium"])]
    expected.append({"kind": "duplicate_key", "key": key_of(rows[18], keys), "side": "airflow"})
    dagster_dtypes = {c: t for c, t in DTYPES.items() if c != "top_category"}
    dagster_dtypes["n_events"] = "float64"
    airflow = from_rows(airflow_rows, DTYPES)
    check_report(sub, airflow, from_rows(dagster, dagster_dtypes), keys, expected,
                 "for two outputs keyed by (user_id, date) that differ in many ways")
