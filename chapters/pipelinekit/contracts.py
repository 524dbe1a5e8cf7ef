"""Data contracts: what a table must look like before the next task is allowed to use it.

A contract lists required columns, their types, the columns that may not hold nulls, a
minimum row count and value ranges. validate() reports every broken promise at once, so one
run tells the data's producer everything that must be fixed. pandas is imported only when a
table is checked, which keeps `import pipelinekit` fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Violation", "ContractViolation", "DataContract", "DTYPE_KINDS"]

#: Names accepted in DataContract.dtypes as a family of dtypes; anything else is an exact dtype name.
DTYPE_KINDS = ("int", "float", "numeric", "string", "bool", "datetime", "category")

CHECKS = ("missing_column", "dtype", "nulls", "min_rows", "range")


@dataclass(frozen=True)
class Violation:
    """One broken promise of a contract: which contract, which check, which column, and how."""

    contract: str
    check: str
    column: str | None
    message: str


class ContractViolation(ValueError):
    """Raised by DataContract.check with every violation found, listed in its message."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations: list[Violation] = list(violations)
        contract = self.violations[0].contract if self.violations else "?"
        count = len(self.violations)
        lines = [f"data contract {contract!r} failed with {count} violation{'s' if count != 1 else ''}:"]
        lines += [f"  - [{v.check}] {v.message}" for v in self.violations]
        super().__init__("\n".join(lines))


def _matches_kind(series: pd.Series, kind: str) -> bool:
    """Whether a column's dtype belongs to one of the DTYPE_KINDS families."""
    import pandas as pd
    from pandas.api import types

    dtype = series.dtype
    categorical = isinstance(dtype, pd.CategoricalDtype)
    if kind == "int":
        return types.is_integer_dtype(dtype)  # bool is not an integer dtype in pandas
    if kind == "float":
        return types.is_float_dtype(dtype)
    if kind == "numeric":
        return types.is_numeric_dtype(dtype) and not types.is_bool_dtype(dtype)
    if kind == "bool":
        return types.is_bool_dtype(dtype) and not categorical
    if kind == "datetime":
        return types.is_datetime64_any_dtype(dtype)
    if kind == "category":
        return categorical
    if kind == "string":
        if categorical:
            return False
        if types.is_object_dtype(dtype):
            # Older pandas stored text as object columns; accept them when they hold only strings.
            return types.infer_dtype(series, skipna=True) in ("string", "empty")
        return types.is_string_dtype(dtype)  # pandas 3's default `str` dtype and StringDtype
    raise AssertionError(f"unhandled dtype kind {kind!r}")


def _bound(value: float | None, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"


def _number(value: Any) -> str:
    try:
        return f"{value:g}"
    except (TypeError, ValueError):
        return str(value)


@dataclass
class DataContract:
    """The promises a table makes to the tasks downstream of it.

    dtypes map a column to a kind among DTYPE_KINDS or to an exact dtype name such as "int32";
    value_ranges are inclusive (low, high) bounds where None means unbounded.
    """

    name: str
    required_columns: list[str] = field(default_factory=list)
    dtypes: dict[str, str] = field(default_factory=dict)
    non_null: list[str] = field(default_factory=list)
    min_rows: int = 0
    value_ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for attribute in ("required_columns", "non_null"):
            value = getattr(self, attribute)
            if isinstance(value, str):
                raise TypeError(
                    f"contract {self.name!r}: {attribute} must be a list of column names, not the string "
                    f"{value!r}; write {attribute}=[{value!r}]"
                )
            setattr(self, attribute, list(value))
        if isinstance(self.min_rows, bool) or not isinstance(self.min_rows, int) or self.min_rows < 0:
            raise ValueError(f"contract {self.name!r}: min_rows must be an integer >= 0, got {self.min_rows!r}")
        for column, expected in self.dtypes.items():
            if not isinstance(expected, str):
                raise TypeError(
                    f"contract {self.name!r}: the dtype of column {column!r} must be written as a string "
                    f"(a kind among {', '.join(DTYPE_KINDS)}, or a dtype name such as 'int64'), got {expected!r}"
                )
        for column, bounds in self.value_ranges.items():
            if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
                raise ValueError(
                    f"contract {self.name!r}: the range of column {column!r} must be a (low, high) pair, got {bounds!r}"
                )
            low, high = bounds
            if low is not None and high is not None and low > high:
                raise ValueError(
                    f"contract {self.name!r}: the range of column {column!r} has low {low!r} > high {high!r}"
                )

    def _referenced_columns(self) -> list[str]:
        """Every column the contract mentions, required ones first, each once."""
        return list(dict.fromkeys([*self.required_columns, *self.dtypes, *self.non_null, *self.value_ranges]))

    def _violation(self, check: str, column: str | None, message: str) -> Violation:
        return Violation(self.name, check, column, message)

    def validate(self, df: pd.DataFrame) -> list[Violation]:
        """Every violation of the contract by `df`, in a fixed order, without raising.

        Order: missing columns, dtypes, nulls, row count, ranges; columns as the contract lists them.
        A check on a missing column is skipped: the missing_column violation already says it all.
        """
        import pandas as pd
        from pandas.api import types

        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"contract {self.name!r} validates a pandas DataFrame, got {type(df).__name__}")
        present = set(df.columns)
        listing = ", ".join(map(str, df.columns)) or "no columns"
        found: list[Violation] = []

        for column in self._referenced_columns():
            if column not in present:
                found.append(
                    self._violation(
                        "missing_column",
                        column,
                        f"column {column!r} is missing (the table has: {listing})",
                    )
                )

        for column, expected in self.dtypes.items():
            if column not in present:
                continue
            actual = str(df[column].dtype)
            if expected in DTYPE_KINDS:
                if not _matches_kind(df[column], expected):
                    found.append(
                        self._violation(
                            "dtype", column, f"column {column!r} should be {expected}, but its dtype is {actual}"
                        )
                    )
            elif actual != expected:
                found.append(
                    self._violation(
                        "dtype",
                        column,
                        f"column {column!r} should have dtype {expected!r}, but has {actual!r} (an exact dtype "
                        f"name, since {expected!r} is not one of the kinds {', '.join(DTYPE_KINDS)})",
                    )
                )

        for column in self.non_null:
            if column not in present:
                continue
            nulls = int(df[column].isna().sum())
            if nulls:
                found.append(
                    self._violation(
                        "nulls",
                        column,
                        f"column {column!r} has {nulls} null value(s) in {len(df)} rows, but must have none",
                    )
                )

        if len(df) < self.min_rows:
            found.append(
                self._violation(
                    "min_rows", None, f"the table has {len(df)} rows, fewer than the {self.min_rows} required"
                )
            )

        for column, (low, high) in self.value_ranges.items():
            if column not in present:
                continue
            series = df[column]
            bounds = f"[{_bound(low, '-inf')}, {_bound(high, 'inf')}]"
            if not (types.is_numeric_dtype(series.dtype) and not types.is_bool_dtype(series.dtype)):
                found.append(
                    self._violation(
                        "range",
                        column,
                        f"column {column!r} has dtype {series.dtype}, so its values cannot be compared with the "
                        f"numeric range {bounds}",
                    )
                )
                continue
            values = series.dropna()
            outside = values.lt(-math.inf if low is None else low) | values.gt(math.inf if high is None else high)
            count = int(outside.sum())
            if count:
                found.append(
                    self._violation(
                        "range",
                        column,
                        f"column {column!r} has {count} value(s) outside {bounds} (observed min "
                        f"{_number(values.min())}, max {_number(values.max())})",
                    )
                )
        return found

    def check(self, df: pd.DataFrame) -> pd.DataFrame:
        """Return `df` unchanged if it honours the contract; otherwise raise ContractViolation
        listing every violation, so a pipeline task can stop bad data at its boundary."""
        violations = self.validate(df)
        if violations:
            raise ContractViolation(violations)
        return df
