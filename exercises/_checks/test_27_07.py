# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.7: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def uri_type(ns):
    import datetime as dt

    return type(ns.partition_uri("b", "d", dt.date(2024, 6, 1))).__name__


@graded("a", points=0, hint="partition_uri(bucket, dataset, logical_date) returns a string.")
def test_partition_uri_returns_a_string(sub):
    got = sub.run(uri_type)
    expect(got == "str", f"partition_uri returned a {got}, not a str")


def dag_file_loads(ns, folder):
    import pathlib
    import sys

    ns.export_helpers(folder)
    pathlib.Path(folder, "streamrec_handoff.py").write_text(ns.DAG_FILE)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder)
    return {"errors": [str(e).strip().splitlines()[-1] if str(e).strip() else "?" for e in bag.import_errors.values()],
            "dag_ids": sorted(bag.dag_ids)}


@graded("d", points=0, hint="DAG_FILE loads in a DagBag and defines the DAG streamrec_handoff.")
def test_dag_file_defines_the_dag(sub, services):
    got = sub.run(dag_file_loads, services["dags_folder"], timeout=120)
    expect(not got["errors"], f"your DAG file does not load: {'; '.join(got['errors'])}")
    expect("streamrec_handoff" in got["dag_ids"], "your DAG file defines no DAG with dag_id 'streamrec_handoff'")
