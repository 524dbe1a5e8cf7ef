"""StreamRec's daily training pipeline as an Airflow 3 DAG (milestone M11, exercise 27.30).

One task per step, wired as the data flows; every task calls the shared, framework-free steps of
``streamrec_core`` and hands the next task the path of the file it wrote (a short string in XCom,
never a table). The day a run processes is its logical date, so a backfill of seven days is seven
runs that write seven partitions. The output root is $STREAMREC_OUTPUT_ROOT, read when a task runs.
"""
from airflow.sdk import dag, task

from streamrec_core import steps
from streamrec_core.storage import output_root

# (a) the DAG `streamrec_training`: daily from 2024-06-01 (UTC), one task per step named after the
# table it writes, wired as the data flows; each task processes its run's logical date and returns
# the path it wrote. (the README pins the details)
