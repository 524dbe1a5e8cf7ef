# A second correct suite: frames cut from the seeded StreamRec generator instead of built by hand,
# every test going through check() and ContractViolation, and exact lists of (check, column)
# pairs instead of membership, with the "several problems" case breaking three promises.
### REGION tests
from pipelinekit.streamrec import generate_interactions

CONTRACT_COLUMNS = ["user_id", "item_id", "timestamp", "event", "watch_seconds"]


def streamrec_day(rows=25):
    day = generate_interactions("2024-06-01", n_interactions=rows, n_users=40, n_items=30, seed=7)
    return day[CONTRACT_COLUMNS].copy()


def problems_in(frame):
    """The (check, column) pairs check() raises about, or [] when it hands the frame back."""
    try:
        returned = interactions_contract().check(frame)
    except ContractViolation as error:
        return [(v.check, v.column) for v in error.violations]
    assert returned is frame, "check() should hand back the very frame it was given"
    return []


def test_streamrec_day_is_accepted():
    assert problems_in(streamrec_day()) == []


def test_dropped_item_column_is_reported_alone():
    assert problems_in(streamrec_day().drop(columns=["item_id"])) == [("missing_column", "item_id")]


def test_float_item_ids_are_a_dtype_problem():
    frame = streamrec_day()
    frame["item_id"] = frame["item_id"].astype("float64")
    assert problems_in(frame) == [("dtype", "item_id")]


def test_a_missing_user_is_a_null_problem():
    frame = streamrec_day()
    frame["user_id"] = frame["user_id"].astype("Int64")  # a nullable integer dtype keeps "int"
    frame.loc[frame.index[5], "user_id"] = pd.NA
    assert problems_in(frame) == [("nulls", "user_id")]


def test_a_nearly_empty_day_is_a_row_count_problem():
    assert problems_in(streamrec_day(rows=3)) == [("min_rows", None)]


def test_three_broken_promises_are_all_reported():
    frame = streamrec_day(rows=5).drop(columns=["event"])
    frame.loc[frame.index[0], "timestamp"] = pd.NaT
    assert sorted(problems_in(frame), key=str) == sorted(
        [("missing_column", "event"), ("nulls", "timestamp"), ("min_rows", None)], key=str)
