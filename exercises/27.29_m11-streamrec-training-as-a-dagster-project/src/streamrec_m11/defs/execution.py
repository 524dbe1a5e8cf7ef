"""How runs execute: every step in the run's own process.

A day of StreamRec is small, so starting a process per step (Dagster's default executor) would
cost more than the steps themselves; retries work the same way in process.
"""
import dagster as dg


@dg.definitions
def execution() -> dg.Definitions:
    return dg.Definitions(executor=dg.in_process_executor)
