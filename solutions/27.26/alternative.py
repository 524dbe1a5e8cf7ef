# A second correct solution: vectorised with pandas. Duplicated keys are found with
# DataFrame.duplicated, the rows are aligned with an outer merge and its indicator, and each common
# column is compared column-wise with numpy.isclose on the numeric pairs.
### REGION compare_outputs
keys = [key] if isinstance(key, str) else list(key)
report = []
for column in airflow.columns.difference(dagster.columns, sort=False):
    report.append({"kind": "missing_column", "column": column})
for column in dagster.columns.difference(airflow.columns, sort=False):
    report.append({"kind": "extra_column", "column": column})
shared = [c for c in airflow.columns if c in dagster.columns]
for column in shared:
    if str(airflow[column].dtype) != str(dagster[column].dtype):
        report.append({"kind": "dtype", "column": column,
                       "airflow": str(airflow[column].dtype), "dagster": str(dagster[column].dtype)})


def python(value):
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def as_key(values):
    return {k: python(v) for k, v in zip(keys, values)}


def key_frame(frame):
    """The key columns, as objects, so that 3 and 3.0 (and ids of any dtype) meet in a merge."""
    return pd.DataFrame({k: [python(v) for v in frame[k]] for k in keys}, index=frame.index)


left_keys, right_keys = key_frame(airflow), key_frame(dagster)
bad = set()
for side, frame in (("airflow", left_keys), ("dagster", right_keys)):
    doubled = frame[frame.duplicated(keep=False)].drop_duplicates()
    for values in doubled.itertuples(index=False):
        report.append({"kind": "duplicate_key", "key": as_key(values), "side": side})
        bad.add(tuple(values))

columns = [c for c in shared if c not in keys]
left = pd.concat([left_keys, airflow[columns].add_suffix("__airflow")], axis=1)
right = pd.concat([right_keys, dagster[columns].add_suffix("__dagster")], axis=1)
keep = lambda frame: frame[[tuple(v) not in bad for v in frame[keys].itertuples(index=False)]]
merged = keep(left).merge(keep(right), on=keys, how="outer", indicator=True)
for values in merged.loc[merged["_merge"] == "left_only", keys].itertuples(index=False):
    report.append({"kind": "missing_row", "key": as_key(values)})
for values in merged.loc[merged["_merge"] == "right_only", keys].itertuples(index=False):
    report.append({"kind": "extra_row", "key": as_key(values)})
both = merged[merged["_merge"] == "both"]
for column in columns:
    ours = [python(v) for v in both[f"{column}__airflow"]]
    theirs = [python(v) for v in both[f"{column}__dagster"]]
    for values, a, b in zip(both[keys].itertuples(index=False), ours, theirs):
        if a is None or b is None:
            differ = (a is None) != (b is None)
        elif (isinstance(a, float) or isinstance(b, float)) and not isinstance(a, bool) and not isinstance(b, bool) \
                and isinstance(a, (int, float)) and isinstance(b, (int, float)):
            differ = not np.isclose(a, b, rtol=0.0, atol=max(atol, rtol * max(abs(a), abs(b))))
        else:
            differ = a != b
        if differ:
            report.append({"kind": "value", "key": as_key(values), "column": column, "airflow": a, "dagster": b})
return report
