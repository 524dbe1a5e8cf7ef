"""Tests of pipelinekit.contracts: each check alone, all of them together, and pandas 3 dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelinekit import ContractViolation, DataContract, Violation


def interactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [1, 2, 3, 4],
            "event": ["view", "click", "view", "like"],
            "watch_seconds": [5.0, 120.0, 3.0, 600.0],
            "timestamp": pd.to_datetime(["2024-06-01 10:00"] * 4, utc=True),
        }
    )


CONTRACT = DataContract(
    name="interactions",
    required_columns=["user_id", "event", "watch_seconds", "timestamp"],
    dtypes={"user_id": "int", "event": "string", "watch_seconds": "float", "timestamp": "datetime"},
    non_null=["user_id", "event"],
    min_rows=1,
    value_ranges={"watch_seconds": (0, 7200)},
)


def checks(violations: list[Violation]) -> list[tuple[str, str | None]]:
    return [(v.check, v.column) for v in violations]


def test_a_conforming_frame_has_no_violations() -> None:
    assert CONTRACT.validate(interactions()) == []


def test_check_returns_a_conforming_frame_unchanged() -> None:
    df = interactions()
    assert CONTRACT.check(df) is df


def test_a_missing_column_is_reported() -> None:
    violations = CONTRACT.validate(interactions().drop(columns="event"))
    assert checks(violations) == [("missing_column", "event")]
    assert violations[0].contract == "interactions" and "'event'" in violations[0].message


def test_a_wrong_dtype_kind_is_reported() -> None:
    df = interactions().assign(user_id=["1", "2", "3", "4"])
    violations = CONTRACT.validate(df)
    assert checks(violations) == [("dtype", "user_id")]
    assert "int" in violations[0].message and "str" in violations[0].message


def test_nulls_in_a_non_null_column_are_counted() -> None:
    df = interactions().assign(event=["view", None, None, "like"])
    violations = CONTRACT.validate(df)
    assert checks(violations) == [("nulls", "event")]
    assert "2 null" in violations[0].message


def test_too_few_rows_are_reported() -> None:
    violations = DataContract("daily", min_rows=10).validate(interactions())
    assert checks(violations) == [("min_rows", None)]
    assert "4 rows" in violations[0].message and "10" in violations[0].message


def test_values_out_of_range_are_counted_with_the_observed_extremes() -> None:
    df = interactions().assign(watch_seconds=[-3.0, 120.0, 9000.0, 8000.0])
    violations = CONTRACT.validate(df)
    assert checks(violations) == [("range", "watch_seconds")]
    message = violations[0].message
    assert "3 value" in message and "-3" in message and "9000" in message


def test_range_bounds_are_inclusive_and_none_is_unbounded() -> None:
    contract = DataContract("c", value_ranges={"x": (0, None), "y": (None, 1)})
    df = pd.DataFrame({"x": [0, 10**9], "y": [-(10**9), 1]})
    assert contract.validate(df) == []


def test_range_check_ignores_nulls() -> None:
    contract = DataContract("c", value_ranges={"x": (0, 1)})
    assert contract.validate(pd.DataFrame({"x": [0.5, np.nan, None]})) == []


def test_range_on_a_text_column_is_a_violation_not_a_crash() -> None:
    contract = DataContract("c", value_ranges={"event": (0, 1)})
    assert checks(contract.validate(interactions())) == [("range", "event")]


def test_every_violation_is_reported_in_the_documented_order() -> None:
    contract = DataContract(
        name="interactions",
        required_columns=["user_id", "item_id", "event"],
        dtypes={"event": "string", "user_id": "float"},
        non_null=["event", "user_id"],
        min_rows=5,
        value_ranges={"watch_seconds": (0, 100), "user_id": (2, None)},
    )
    df = interactions().assign(event=[None, "click", 3, "like"], user_id=[1, None, 3, 4])
    assert checks(contract.validate(df)) == [
        ("missing_column", "item_id"),
        ("dtype", "event"),
        ("nulls", "event"),
        ("nulls", "user_id"),
        ("min_rows", None),
        ("range", "watch_seconds"),
        ("range", "user_id"),
    ]


def test_a_missing_column_skips_its_other_checks_without_crashing() -> None:
    contract = DataContract(
        "c",
        required_columns=["user_id"],
        dtypes={"user_id": "int", "score": "float"},
        non_null=["user_id"],
        value_ranges={"user_id": (0, 10)},
    )
    violations = contract.validate(pd.DataFrame({"other": [1]}))
    assert checks(violations) == [("missing_column", "user_id"), ("missing_column", "score")]


def test_check_raises_with_every_violation_listed() -> None:
    df = interactions().drop(columns="event").assign(watch_seconds=[-1.0, 0.0, 1.0, 2.0])
    with pytest.raises(ContractViolation) as caught:
        CONTRACT.check(df)
    assert checks(caught.value.violations) == [("missing_column", "event"), ("range", "watch_seconds")]
    text = str(caught.value)
    assert "'interactions'" in text and "2 violations" in text and "event" in text and "watch_seconds" in text


def test_contract_violation_is_a_value_error() -> None:
    assert issubclass(ContractViolation, ValueError)


def test_pandas_3_default_str_dtype_counts_as_string() -> None:
    df = pd.DataFrame({"event": ["view", "click"]})
    assert str(df["event"].dtype) == "str"
    assert DataContract("c", dtypes={"event": "string"}).validate(df) == []


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["view", "click"], dtype="string"),
        pd.Series(["view", None], dtype=object),
        pd.Series(["view", "click"], dtype="str"),
    ],
    ids=["StringDtype", "object-with-strings", "str"],
)
def test_every_pandas_text_column_counts_as_string(column: pd.Series) -> None:
    assert DataContract("c", dtypes={"event": "string"}).validate(pd.DataFrame({"event": column})) == []


@pytest.mark.parametrize(
    "column",
    [pd.Series([1, 2]), pd.Series(["a", 1], dtype=object), pd.Series(["a", "b"], dtype="category")],
    ids=["int", "mixed-object", "category"],
)
def test_non_text_columns_are_not_string(column: pd.Series) -> None:
    assert checks(DataContract("c", dtypes={"x": "string"}).validate(pd.DataFrame({"x": column}))) == [("dtype", "x")]


@pytest.mark.parametrize(
    ("kind", "column"),
    [
        ("int", pd.Series([1, 2], dtype="Int64")),
        ("float", pd.Series([1.5])),
        ("numeric", pd.Series([1, 2], dtype="int32")),
        ("bool", pd.Series([True, False])),
        ("datetime", pd.Series(pd.to_datetime(["2024-06-01"]))),
        ("category", pd.Series(["a"], dtype="category")),
    ],
)
def test_each_dtype_kind_accepts_its_dtypes(kind: str, column: pd.Series) -> None:
    assert DataContract("c", dtypes={"x": kind}).validate(pd.DataFrame({"x": column})) == []


def test_a_bool_column_is_neither_int_nor_numeric() -> None:
    contract = DataContract("c", dtypes={"x": "int", "y": "numeric"})
    df = pd.DataFrame({"x": [True], "y": [False]})
    assert checks(contract.validate(df)) == [("dtype", "x"), ("dtype", "y")]


def test_an_exact_dtype_name_must_match_exactly() -> None:
    contract = DataContract("c", dtypes={"x": "int32"})
    assert contract.validate(pd.DataFrame({"x": np.array([1], dtype="int32")})) == []
    assert checks(contract.validate(pd.DataFrame({"x": np.array([1], dtype="int64")}))) == [("dtype", "x")]


def test_an_inverted_range_is_rejected_when_the_contract_is_made() -> None:
    with pytest.raises(ValueError, match="'x'"):
        DataContract("c", value_ranges={"x": (10, 0)})


def test_required_columns_given_as_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"\['user_id'\]"):
        DataContract("c", required_columns="user_id")  # type: ignore[arg-type]
