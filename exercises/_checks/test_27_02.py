# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.2: they check the form of your answers, not their values."""
from autograder.testing import expect, graded

SCENARIOS = ["daily", "weekly", "backfill", "file_arrival"]
FIELDS = ["logical_date", "data_interval_start", "data_interval_end", "run_after", "start_date"]


def form(ns):
    import datetime as dt

    table = ns.RUN_DATES
    if not isinstance(table, dict):
        return {"type": type(table).__name__}
    out = {}
    for name, run in table.items():
        if not isinstance(run, dict):
            out[str(name)] = type(run).__name__
            continue
        out[str(name)] = {str(field): ("aware" if isinstance(v, dt.datetime) and v.utcoffset() is not None
                                       else "naive" if isinstance(v, dt.datetime)
                                       else "None" if v is None else type(v).__name__)
                          for field, v in run.items()}
    return {"type": "dict", "runs": out}


@graded("b", points=0, hint="RUN_DATES maps each of the four runs to a dict of five timezone-aware datetimes.")
def test_run_dates_holds_five_aware_datetimes_per_run(sub):
    got = sub.run(form)
    expect(got["type"] == "dict", f"RUN_DATES should be a dict, not a {got['type']}")
    for name in SCENARIOS:
        expect(name in got["runs"], f"RUN_DATES has no entry \"{name}\"")
        run = got["runs"][name]
        expect(isinstance(run, dict), f"RUN_DATES[\"{name}\"] should be a dict of five datetimes, not a {run}")
        for field in FIELDS:
            expect(field in run, f"RUN_DATES[\"{name}\"] has no \"{field}\"")
            expect(run[field] != "naive", f"RUN_DATES[\"{name}\"][\"{field}\"] has no time zone (add tzinfo=UTC)")
            expect(run[field] == "aware", f"RUN_DATES[\"{name}\"][\"{field}\"] is a {run[field]}, not a datetime")
