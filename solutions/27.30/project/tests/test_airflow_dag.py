"""The Airflow version: the DAG file's integrity (no database needed), then a real run with dag.test()."""
### BEGIN SOLUTION airflow_tests
import pendulum
import pytest

from streamrec_core.storage import TABLES, output_path

from .conftest import DAY, ROOT


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags["streamrec_training"]


def test_the_dag_has_one_task_per_table_wired_as_the_data_flows(dag):
    assert set(dag.task_ids) == set(TABLES)
    assert dag.get_task("training_features").upstream_task_ids == {"validated_interactions"}
    assert dag.get_task("ranking_evaluation").upstream_task_ids == {"ranking_model", "training_features"}
    assert dag.get_task("registered_models").upstream_task_ids == {"retrieval_evaluation", "ranking_evaluation"}


def test_only_training_retries(dag):
    assert {t.task_id for t in dag.tasks if t.retries} == {"retrieval_model", "ranking_model"}


def test_dag_test_writes_the_day_of_its_logical_date(dag, airflow_db, output_root):
    run = dag.test(logical_date=pendulum.datetime(2024, 6, 3, tz="UTC"))
    assert str(run.state) == "success"
    assert all(output_path(str(output_root), t, DAY).is_file() for t in TABLES)


def test_a_broken_export_fails_the_run_before_the_features(dag, airflow_db, output_root, broken_export):
    run = dag.test(logical_date=pendulum.datetime(2024, 6, 3, tz="UTC"))
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert str(run.state) == "failed" and states["raw_interactions"] == "failed"
    assert states["training_features"] == "upstream_failed"
### END SOLUTION
### BEGIN STARTER
# # (d) tests of the DAG: a DagBag integrity test, and a dag.test() run (fixture airflow_db)
### END STARTER
