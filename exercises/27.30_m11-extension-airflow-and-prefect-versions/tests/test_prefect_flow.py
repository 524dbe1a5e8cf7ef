"""The Prefect version: a task's function called bare (no Prefect runtime), then real flow runs."""
# (d) tests of the flow: a task's .fn called bare, and flow runs under prefect_test_harness()
