"""The Dagster version: one partition materialized in an ephemeral instance."""
# (d) tests of your Dagster port, if you made one: dg.materialize(..., partition_key=...)
