# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.6: each piece exists, has the right type and runs on the clean
fixture. They do not check the rules or the failure handling."""
from autograder.testing import expect, graded


def shared_form(ns):
    result = ns.validate_interactions(ns.clean_day)
    return {"type": type(result).__name__}


def airflow_form(ns):
    from airflow.sdk import DAG

    dag = ns.validation_dag
    if not isinstance(dag, DAG):
        return {"type": type(dag).__name__}
    run = ns.run_airflow_dag(dag, path=ns.CLEAN)
    return {"type": "DAG", "dag_id": dag.dag_id, "state": run["tasks"].get("validate_data")}


def dagster_form(ns):
    import dagster as dg

    asset = ns.validated_interactions
    if not isinstance(asset, dg.AssetsDefinition):
        return {"type": type(asset).__name__}
    result = dg.materialize([asset], run_config={"ops": {asset.op.name: {"config": {"path": ns.CLEAN}}}},
                            raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    return {"type": "AssetsDefinition", "success": result.success}


def prefect_form(ns):
    import prefect

    if not isinstance(ns.validation_flow, prefect.Flow) or not isinstance(ns.validate_data_task, prefect.Task):
        return {"type": f"{type(ns.validation_flow).__name__} and {type(ns.validate_data_task).__name__}"}
    return {"type": "Flow and Task", "state": ns.validation_flow(ns.CLEAN, return_state=True).type.value}


@graded("a", points=0, hint="validate_interactions(df) returns a ValidationResult.")
def test_validate_interactions_returns_a_validation_result(sub):
    got = sub.run(shared_form)
    expect(got["type"] == "ValidationResult", f"validate_interactions returned a {got['type']}")


@graded("b", points=0, hint="validation_dag is an Airflow DAG whose task validate_data runs on the clean fixture.")
def test_validation_dag_runs_on_the_clean_fixture(sub):
    got = sub.run(airflow_form, timeout=150)
    expect(got["type"] == "DAG", f"validation_dag is a {got['type']}, not an Airflow DAG")
    expect(got["dag_id"] == "streamrec_validation", f"validation_dag has the dag id {got['dag_id']!r}")
    expect(got["state"] == "success", f"on the clean fixture, validate_data ended as {got['state']}")


@graded("c", points=0, hint="validated_interactions is a Dagster asset that materializes the clean fixture.")
def test_validated_interactions_materializes_the_clean_fixture(sub):
    got = sub.run(dagster_form, timeout=150)
    expect(got["type"] == "AssetsDefinition", f"validated_interactions is a {got['type']}, not a Dagster asset")
    expect(got["success"], "materializing validated_interactions on the clean fixture failed")


@graded("d", points=0, hint="validation_flow is a Prefect flow and validate_data_task a Prefect task.")
def test_validation_flow_completes_on_the_clean_fixture(sub):
    got = sub.run(prefect_form, timeout=150)
    expect(got["type"] == "Flow and Task", f"validation_flow and validate_data_task are a {got['type']}")
    expect(got["state"] == "COMPLETED", f"on the clean fixture, validation_flow ended {got['state']}")
