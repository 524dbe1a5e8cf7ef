"""Hidden tests for exercise 27.2 (logical dates, data intervals and run times).

The expected instants are derived here from the statement's facts with plain datetime arithmetic
(a daily window is the previous UTC day and the DAG fires two hours after it ends; a weekly window
is the Monday-to-Sunday week before the Monday run; a backfilled run keeps its scheduled dates;
an event-started run is dated by the data the file holds). They were checked, when the exercise
was written, against the DagRunInfo of a small custom Airflow 3 timetable (whole-day windows, a
run two or six hours after the window ends; logical_date = data_interval.start); importing Airflow here would cost seconds per grading run, so the test does not.
Instants are compared, not representations: any time zone is accepted.
"""
from datetime import date, datetime, time, timedelta, timezone

from autograder.testing import expect, graded

UTC = timezone.utc
FIELDS = ["logical_date", "data_interval_start", "data_interval_end", "run_after", "start_date"]
DAY = timedelta(days=1)


def midnight(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=UTC)


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=UTC)


def daily_run(data_day: date) -> dict:
    """The daily DAG's run for one day of data: fires at 02:00 the next day."""
    start, end = midnight(data_day), midnight(data_day + DAY)
    return {"logical_date": start, "data_interval_start": start, "data_interval_end": end,
            "run_after": at(data_day + DAY, 2), "start_date": at(data_day + DAY, 2)}


def expected_runs() -> dict:
    today, monday = date(2025, 3, 15), date(2025, 3, 17)
    assert monday.weekday() == 0, "the statement says 17 March 2025 is a Monday"
    week_start = monday - timedelta(days=7)
    backfilled = daily_run(date(2025, 3, 10))
    file_day, arrival = date(2025, 3, 14), at(date(2025, 3, 15), 11, 47)
    return {
        "daily": daily_run(today - DAY),
        "weekly": {"logical_date": midnight(week_start), "data_interval_start": midnight(week_start),
                   "data_interval_end": midnight(monday), "run_after": at(monday, 6), "start_date": at(monday, 6)},
        "backfill": dict(backfilled, start_date=at(date(2025, 3, 20), 9, 30)),
        "file_arrival": {"logical_date": midnight(file_day), "data_interval_start": midnight(file_day),
                         "data_interval_end": midnight(file_day + DAY), "run_after": arrival, "start_date": arrival},
    }


EXPECTED = expected_runs()


# ---- probe: runs in the learner's worker, returns plain data -----------------------------------
def run_dates(ns, scenario, fields):
    import datetime as dt

    table = ns.RUN_DATES
    if not isinstance(table, dict):
        return {"problem": f"RUN_DATES should be a dict, not a {type(table).__name__}"}
    if scenario not in table:
        return {"problem": f"RUN_DATES has no entry \"{scenario}\""}
    run = table[scenario]
    if not isinstance(run, dict):
        return {"problem": f"RUN_DATES[\"{scenario}\"] should be a dict of the five dates, not a {type(run).__name__}"}
    out = {}
    for field in fields:
        if field not in run:
            out[field] = {"problem": "is missing"}
            continue
        value = run[field]
        if value is None:
            out[field] = {"problem": "is not filled in yet (None)"}
        elif not isinstance(value, dt.datetime):
            out[field] = {"problem": f"is a {type(value).__name__}, not a datetime"}
        elif value.tzinfo is None or value.utcoffset() is None:
            out[field] = {"problem": "is a naive datetime: give it a time zone (tzinfo=UTC)"}
        else:
            utc = value.astimezone(dt.timezone.utc)
            out[field] = {"utc": dt.datetime(*utc.timetuple()[:6], utc.microsecond, tzinfo=dt.timezone.utc).isoformat()}
    return {"fields": out}


def check(sub, scenario, fields, why):
    got = sub.run(run_dates, scenario, fields)
    expect("problem" not in got, got.get("problem", ""))
    wrong = []
    for field in fields:
        entry = got["fields"][field]
        expect("problem" not in entry, f"\"{scenario}\": {field} {entry.get('problem')}")
        value = datetime.fromisoformat(entry["utc"])
        if value != EXPECTED[scenario][field]:
            wrong.append(f"{field} ({value:%Y-%m-%d %H:%M} UTC)")
    expect(not wrong, f"\"{scenario}\": {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not right; {why}")


DATA = ["logical_date", "data_interval_start", "data_interval_end"]
TIMES = ["run_after", "start_date"]


# ---- (b) daily ----------------------------------------------------------------------------------
@graded("b", points=1, hint="The run covers yesterday as a half-open window of whole UTC days; the logical date is where it starts.")
def test_daily_data_interval_and_logical_date(sub):
    check(sub, "daily", DATA, "which day's data does today's run process, and where does that window end?")


@graded("b", points=1, hint="A scheduled run may start at its scheduled time, and here starts then.")
def test_daily_run_after_and_start_date(sub):
    check(sub, "daily", TIMES, "when is today's run scheduled?")


# ---- (c) weekly ---------------------------------------------------------------------------------
@graded("c", points=1, hint="The window is the previous Monday-to-Sunday week, whole days, half-open.")
def test_weekly_data_interval_and_logical_date(sub):
    check(sub, "weekly", DATA, "which seven days does this Monday's run process?")


@graded("c", points=1, hint="A scheduled run may start at its scheduled time, and here starts then.")
def test_weekly_run_after_and_start_date(sub):
    check(sub, "weekly", TIMES, "when is this Monday's run scheduled?")


# ---- (d) backfill -------------------------------------------------------------------------------
@graded("d", points=1, hint="A backfilled run is dated by the data it reprocesses, not by the day you launch it.")
def test_backfill_data_interval_and_logical_date(sub):
    check(sub, "backfill", DATA, "which day's data does the backfilled run reprocess?")


@graded("d", points=1, hint="Airflow 3 recreates a backfilled run as it was scheduled; only its actual start moves.")
def test_backfill_run_after_and_start_date(sub):
    check(sub, "backfill", TIMES, "run_after is what the timetable computed for that day; start_date is when it really ran")


# ---- (e) file arrival ---------------------------------------------------------------------------
@graded("e", points=1, hint="Date the run by the day the file holds, not by the moment the file arrived.")
def test_file_arrival_data_interval_and_logical_date(sub):
    check(sub, "file_arrival", DATA, "which day of data does the file hold?")


@graded("e", points=1, hint="An event-started run may start when the event happens, and starts then.")
def test_file_arrival_run_after_and_start_date(sub):
    check(sub, "file_arrival", TIMES, "when did the event that started the run happen?")
