"""Integration tests: the whole pipeline, materialized by Dagster for a day."""
# (g) At least one integration test of the whole pipeline: materialize a day with
# dagster.materialize(..., partition_key=...), in the environment of the `local_env` fixture, and
# check that the run succeeded and what it produced.
