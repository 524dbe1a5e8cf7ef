# %% [markdown]
# Section 27.10 gave the StreamRec pipeline a `DataContract`: a list of promises a table makes to
# the task that reads it, checked at the boundary between two tasks. In this exercise the class is
# not what you write. You write its **unit tests**, and your tests are graded by the bugs they
# catch.
#
# What the class promises (all of it is in `pipelinekit.DataContract`):
#
# - `DataContract(name, required_columns=[...], dtypes={...}, non_null=[...], min_rows=...)`
#   describes a table. A dtype is written as a kind (`"int"`, `"float"`, `"numeric"`, `"string"`,
#   `"bool"`, `"datetime"`, `"category"`) or as an exact dtype name such as `"int32"`.
# - `contract.validate(df)` returns a list of `Violation`s, empty when the frame keeps every
#   promise. Each violation has `.check` (one of `"missing_column"`, `"dtype"`, `"nulls"`,
#   `"min_rows"`, `"range"`), `.column` (the column concerned, `None` for the row count) and a
#   `.message`. It reports **every** broken promise, not only the first one.
# - `contract.check(df)` returns `df` unchanged when it keeps the contract, and otherwise raises
#   `ContractViolation`, whose `.violations` is that same list.
#
# The cell below builds the contract that StreamRec's validation task holds a day of interactions
# to. Your tests may use it, or build other contracts with `DataContract(...)`.

# %%
import pandas as pd
import pytest

from pipelinekit import ContractViolation, DataContract, Violation


def interactions_contract() -> DataContract:
    """What the feature task downstream relies on in one day of StreamRec interactions."""
    return DataContract(
        name="interactions",
        required_columns=["user_id", "item_id", "timestamp", "event", "watch_seconds"],
        dtypes={"user_id": "int", "item_id": "int", "timestamp": "datetime", "event": "string",
                "watch_seconds": "numeric"},
        non_null=["user_id", "item_id", "timestamp"],
        min_rows=10,
    )


# %% [markdown]
# **Your task.** Write unit tests for `DataContract` that cover these six situations:
#
# | part | the frame under test | what a correct contract does |
# | --- | --- | --- |
# | (a) | keeps every promise of the contract | reports nothing, and `check` hands the frame back |
# | (b) | lacks a required column | reports that column as missing |
# | (c) | has a column of the wrong dtype | reports that column's dtype |
# | (d) | has nulls in a column that must have none | reports the nulls in that column |
# | (e) | has fewer rows than the minimum | reports the row count |
# | (f) | breaks several promises at once | reports every one of them, not just the first |
#
# Rules, so that the grader can run your tests:
#
# - A test is a function defined at the top level of this notebook whose name starts with
#   `test_` and that takes no arguments (no pytest fixtures: build frames and contracts inside
#   the test, or in helper functions of your own, whose names do not start with `test_`). A test
#   passes when it returns, and fails when it raises: a failed `assert`, `pytest.raises` seeing
#   nothing raised, or any other error.
# - Use the chapter's class through the names imported above (`DataContract`, or
#   `interactions_contract()`), and call `validate` or `check` on a contract. Do not copy the class
#   into the notebook.
# - Write as many tests as you like; six, one per situation, is a good start.
#
# **How your tests are graded.** First they all run against the correct `DataContract`: every one
# of them must pass, otherwise the exercise scores zero, because a test that fails on correct code
# catches nothing. Then they run against six faulty versions of the class, one per row of the table:
# (a) one that reports problems in a frame that has none, (b) one that never reports a missing
# column, (c) one that never checks dtypes, (d) one that never notices nulls, (e) one that never
# counts rows, (f) one that stops at the first problem it finds. A faulty version is caught when
# at least one of your tests fails on it, and each version caught earns the point of its part.
# This is *mutation testing*: the faults are planted on purpose, to measure what a test suite
# would notice.

# %%
### BEGIN SOLUTION tests
def good_frame(n_rows: int = 12) -> pd.DataFrame:
    """A day of interactions that keeps every promise of interactions_contract()."""
    return pd.DataFrame({
        "user_id": [100 + i for i in range(n_rows)],
        "item_id": [(7 * i) % 5 for i in range(n_rows)],
        "timestamp": pd.date_range("2024-06-01 08:00", periods=n_rows, freq="min", tz="UTC"),
        "event": ["view", "click", "like"] * (n_rows // 3) + ["view"] * (n_rows % 3),
        "watch_seconds": [12.5 * (i % 4) for i in range(n_rows)],
    })


def reported(violations: list[Violation]) -> set[tuple[str, str | None]]:
    """The (check, column) pairs of a list of violations."""
    return {(v.check, v.column) for v in violations}


def test_a_frame_meeting_the_contract_passes():
    contract = interactions_contract()
    frame = good_frame()
    assert contract.validate(frame) == []
    assert contract.check(frame) is frame


def test_a_missing_required_column_is_reported():
    frame = good_frame().drop(columns=["event"])
    assert ("missing_column", "event") in reported(interactions_contract().validate(frame))


def test_a_wrong_dtype_is_reported():
    frame = good_frame()
    frame["user_id"] = frame["user_id"].astype(str)  # ids read from a CSV as text
    assert ("dtype", "user_id") in reported(interactions_contract().validate(frame))


def test_nulls_in_a_non_null_column_are_reported():
    frame = good_frame()
    frame.loc[3, "timestamp"] = pd.NaT
    assert ("nulls", "timestamp") in reported(interactions_contract().validate(frame))


def test_too_few_rows_are_reported():
    frame = good_frame(n_rows=9)
    assert ("min_rows", None) in reported(interactions_contract().validate(frame))


def test_every_broken_promise_is_reported_at_once():
    frame = good_frame(n_rows=4)
    frame.loc[1, "timestamp"] = pd.NaT
    with pytest.raises(ContractViolation) as caught:
        interactions_contract().check(frame)
    assert {v.check for v in caught.value.violations} >= {"nulls", "min_rows"}
### END SOLUTION
### BEGIN STARTER
# def test_a_frame_meeting_the_contract_passes():
#     raise NotImplementedError("build a frame that keeps every promise and check that it passes")
#
#
# def test_a_missing_required_column_is_reported():
#     raise NotImplementedError
#
#
# def test_a_wrong_dtype_is_reported():
#     raise NotImplementedError
#
#
# def test_nulls_in_a_non_null_column_are_reported():
#     raise NotImplementedError
#
#
# def test_too_few_rows_are_reported():
#     raise NotImplementedError
#
#
# def test_every_broken_promise_is_reported_at_once():
#     raise NotImplementedError
### END STARTER

# %% [markdown]
# Run your tests. In a project they would live in a file such as `tests/test_contracts.py` and
# `pytest` would collect them; here a few lines do the same for the functions of this notebook.

# %%
def run_my_tests() -> dict[str, str]:
    """Run every test_* function of this notebook; return each one's outcome."""
    outcomes = {}
    for name, function in list(globals().items()):
        if name.startswith("test_") and callable(function):
            try:
                function()
                outcomes[name] = "passed"
            except BaseException as exc:  # pytest.raises signals with a BaseException
                outcomes[name] = f"FAILED ({type(exc).__name__}{': ' if str(exc) else ''}{exc})"
    return outcomes


for name, outcome in run_my_tests().items():
    print(f"{name}: {outcome}")

# %% [markdown]
# Now plant a fault yourself and see whether your suite notices. The context manager below makes
# the class forget one kind of check while the `with` block runs. With a good suite, at least one
# test that passes on the correct class fails inside the block; try the other kinds of check too.

# %%
from contextlib import contextmanager


@contextmanager
def contract_forgetting(check_kind: str):
    """While active, DataContract drops every violation of one kind (e.g. "nulls")."""
    correct = DataContract.validate
    DataContract.validate = lambda self, df: [v for v in correct(self, df) if v.check != check_kind]
    try:
        yield
    finally:
        DataContract.validate = correct


passing = [name for name, outcome in run_my_tests().items() if outcome == "passed"]
with contract_forgetting("nulls"):
    caught_by = [name for name, outcome in run_my_tests().items() if outcome != "passed" and name in passing]
print("a contract that forgets nulls is caught by:", caught_by or "none of your passing tests")
