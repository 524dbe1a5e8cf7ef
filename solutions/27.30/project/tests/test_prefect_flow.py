"""The Prefect version: a task's function called bare (no Prefect runtime), then real flow runs."""
### BEGIN SOLUTION prefect_tests
import pytest

from streamrec_core.storage import TABLES, output_path

from .conftest import DAY


@pytest.fixture(scope="module")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():  # a temporary local server and database
        yield


def test_a_task_runs_as_a_plain_function(output_root):
    from streamrec_prefect import flow

    path = flow.raw_interactions.fn(DAY, str(output_root))
    assert path == str(output_path(str(output_root), "raw_interactions", DAY))


def test_a_flow_run_writes_every_table(prefect_server, tmp_path):
    from streamrec_prefect.flow import streamrec_training

    paths = streamrec_training(day=DAY, output_root=str(tmp_path))
    assert sorted(paths) == sorted(TABLES)
    assert all(output_path(str(tmp_path), t, DAY).is_file() for t in TABLES)


def test_a_broken_export_fails_the_flow_run(prefect_server, tmp_path, broken_export):
    from streamrec_prefect.flow import streamrec_training

    state = streamrec_training(day=broken_export, output_root=str(tmp_path), return_state=True)
    assert state.is_failed()
    assert not output_path(str(tmp_path), "training_features", broken_export).exists()


def test_the_backfill_makes_a_partition_per_day(prefect_server, tmp_path):
    from streamrec_prefect.flow import backfill

    assert set(backfill("2024-06-01", "2024-06-03", output_root=str(tmp_path)).values()) == {"Completed"}
    assert sorted(p.name for p in (tmp_path / "registered_models").iterdir()) == [
        "partition=2024-06-01", "partition=2024-06-02", "partition=2024-06-03"]
### END SOLUTION
### BEGIN STARTER
# # (d) tests of the flow: a task's .fn called bare, and flow runs under prefect_test_harness()
### END STARTER
