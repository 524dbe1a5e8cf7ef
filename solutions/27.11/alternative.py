# A second correct solution: no group-by. The window is chosen by calendar day (the UTC date of
# each timestamp between the first day and the logical date), and the features are accumulated
# user by user in plain dictionaries, then turned into a DataFrame.
### REGION features
try:
    snapshot = interactions_by_version[version]
except KeyError:
    raise KeyError(f"version {version} of the interactions table is not available") from None
first_day = logical_date - dt.timedelta(days=window_days - 1)
days = snapshot["timestamp"].dt.tz_convert("UTC").dt.date
chosen = snapshot.loc[(days >= first_day) & (days <= logical_date), ["user_id", "watch_seconds", "clicked"]]
per_user: dict[int, dict] = {}
for user, watch, clicked, day in zip(chosen["user_id"], chosen["watch_seconds"], chosen["clicked"], days[chosen.index]):
    entry = per_user.setdefault(int(user), {"n": 0, "clicks": 0, "watch": 0, "days": set()})
    entry["n"] += 1
    entry["clicks"] += int(clicked)
    entry["watch"] += int(watch)
    entry["days"].add(day)
return pd.DataFrame(
    [
        {"user_id": user, "n_interactions": e["n"], "n_clicks": e["clicks"], "click_rate": e["clicks"] / e["n"],
         "watch_seconds": e["watch"], "active_days": len(e["days"]), "feature_date": logical_date,
         "input_version": version}
        for user, e in sorted(per_user.items())
    ],
    columns=FEATURE_COLUMNS,
)
