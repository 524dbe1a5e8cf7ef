# A second correct solution: the dates derived by two small functions from each DAG's rule, with
# pendulum, and some instants written in another time zone (New York, already on daylight time
# in mid-March). The tests compare instants, so the time zone a value is written in does not matter.
### REGION run_dates
import pendulum


def daily_window(data_day, fires_at_hour=2):
    """Dates of the daily DAG's run for one whole UTC day of data."""
    start = pendulum.datetime(2025, 3, data_day, tz="UTC")
    end = start.add(days=1)
    return {"logical_date": start, "data_interval_start": start, "data_interval_end": end,
            "run_after": end.add(hours=fires_at_hour), "start_date": end.add(hours=fires_at_hour)}


def weekly_window(run_monday):
    end = pendulum.datetime(2025, 3, run_monday, tz="UTC")
    start = end.subtract(weeks=1)
    fire = end.add(hours=6).in_timezone("America/New_York")  # 02:00 EDT is 06:00 UTC
    return {"logical_date": start, "data_interval_start": start, "data_interval_end": end,
            "run_after": fire, "start_date": fire}


arrival = pendulum.datetime(2025, 3, 15, 7, 47, tz="America/New_York")  # 11:47 UTC
RUN_DATES = {
    "daily": daily_window(14),
    "weekly": weekly_window(17),
    "backfill": {**daily_window(10), "start_date": pendulum.datetime(2025, 3, 20, 9, 30, tz="UTC")},
    "file_arrival": {**daily_window(14), "run_after": arrival, "start_date": arrival},
}
