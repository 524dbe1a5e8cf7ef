"""The Airflow version: the DAG file's integrity (no database needed), then a real run with dag.test()."""
# (d) tests of the DAG: a DagBag integrity test, and a dag.test() run (fixture airflow_db)
