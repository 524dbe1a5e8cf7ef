"""StreamRec's daily training pipeline as Dagster assets on the shared logic (for the comparison).

Your milestone 27.29 project, ported onto ``streamrec_core``: the same eight tables, one daily
partition per day, each asset calling a shared step and handing its downstream assets the path of
the file it wrote (the default IO manager stores that short string). Only the orchestration is
Dagster's, so the line counts of the three versions compare like with like. Not graded
automatically; ``dagster dev -m streamrec_dagster.definitions`` serves it.
"""
import dagster as dg

# Port your 27.29 assets here, each calling a step of streamrec_core (optional, not graded: it makes
# the line counts of the three versions comparable).
defs = dg.Definitions(assets=[])
