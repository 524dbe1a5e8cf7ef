"""StreamRec's daily training pipeline as a Prefect 3 flow (milestone M11, exercise 27.30).

One task per step, each calling the shared, framework-free steps of ``streamrec_core``; tasks hand
each other the paths of the files they wrote. A flow run processes the day it is given, so a
backfill is one flow run per day. Run one day with ``python -m streamrec_prefect.flow 2024-06-03``
or a range with ``python -m streamrec_prefect.flow 2024-06-01 2024-06-07``.
"""
from __future__ import annotations

from prefect import flow, task

from streamrec_core import steps
from streamrec_core.storage import output_root as default_output_root

# (b) the flow `streamrec_training(day, output_root=None)`, named "streamrec-training", one task per
# step named after the table it writes; (e) backfill(start, end, output_root=None): one flow run
# per day. (the README pins the details)
