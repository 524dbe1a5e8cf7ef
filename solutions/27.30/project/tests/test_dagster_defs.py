"""The Dagster version: one partition materialized in an ephemeral instance."""
### BEGIN SOLUTION dagster_tests
from streamrec_core.storage import TABLES, output_path

from .conftest import DAY


def test_materializing_a_partition_writes_every_table(output_root):
    import dagster as dg

    from streamrec_dagster.definitions import defs

    assets = list(defs.assets)
    result = dg.materialize(assets, partition_key=DAY, instance=dg.DagsterInstance.ephemeral())
    assert result.success
    assert all(output_path(str(output_root), t, DAY).is_file() for t in TABLES)
### END SOLUTION
### BEGIN STARTER
# # (d) tests of your Dagster port, if you made one: dg.materialize(..., partition_key=...)
### END STARTER
