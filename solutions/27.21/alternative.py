# A second correct solution: the task diff as an outer merge of two DataFrames, the configuration
# flattened with pandas.json_normalize, the table statistics with numpy and a crosstab, and the
# metric diff by unstacking a long table with vectorised statuses.
### REGION diff_tasks
def frame(tasks):
    return pd.DataFrame(
        [{"task": name, "code_hash": t["code_hash"], "upstream": frozenset(t["upstream"])} for name, t in tasks.items()],
        columns=["task", "code_hash", "upstream"],
    )

merged = frame(old_tasks).merge(frame(new_tasks), on="task", how="outer", suffixes=("_old", "_new"), indicator=True)
both = merged[merged["_merge"] == "both"]
return {
    "added": merged.loc[merged["_merge"] == "right_only", "task"].tolist(),
    "removed": merged.loc[merged["_merge"] == "left_only", "task"].tolist(),
    "code_changed": [t for t, a, b in zip(both["task"], both["code_hash_old"], both["code_hash_new"]) if a != b],
    "dependencies_changed": [t for t, a, b in zip(both["task"], both["upstream_old"], both["upstream_new"]) if a != b],
}
### REGION diff_config
def flat(config):
    if not config:
        return {}
    return pd.json_normalize(config, sep=".").to_dict(orient="records")[0]

old, new = flat(old_config), flat(new_config)
changes = [{"key": k, "change": "changed", "old": old[k], "new": new[k]}
           for k in old if k in new and old[k] != new[k]]
changes += [{"key": k, "change": "removed", "old": old[k], "new": None} for k in old if k not in new]
changes += [{"key": k, "change": "added", "old": None, "new": new[k]} for k in new if k not in old]
return changes
### REGION diff_table
import numpy as np

common = old.columns.intersection(new.columns, sort=False)
schema = {
    "added": list(new.columns.difference(old.columns)),
    "removed": list(old.columns.difference(new.columns)),
    "retyped": {c: [str(old[c].dtype), str(new[c].dtype)] for c in common if str(old[c].dtype) != str(new[c].dtype)},
}
numeric_records, categorical_records = [], []
for c in common:
    kind_old, kind_new = column_kind(old[c]), column_kind(new[c])
    if kind_old != kind_new or kind_old == "other":
        continue
    a, b = old[c].dropna(), new[c].dropna()
    null_old, null_new = 1 - len(a) / len(old), 1 - len(b) / len(new)
    if kind_old == "numeric":
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        shift = (y.mean() - x.mean()) / x.std(ddof=1)
        numeric_records.append({
            "column": c, "mean_old": x.mean(), "mean_new": y.mean(), "std_old": x.std(ddof=1),
            "std_new": y.std(ddof=1), "null_old": null_old, "null_new": null_new, "shift": shift,
            "drifted": bool(max(abs(shift) / SHIFT_LIMIT, abs(null_new - null_old) / NULL_LIMIT) > 1),
        })
    else:
        values = pd.concat([a.astype(object), b.astype(object)], ignore_index=True)
        sides = ["old"] * len(a) + ["new"] * len(b)
        table = pd.crosstab(values, np.array(sides), normalize="columns").reindex(columns=["old", "new"], fill_value=0.0)
        tvd = float((table["old"] - table["new"]).abs().sum() / 2)
        categorical_records.append({
            "column": c, "null_old": null_old, "null_new": null_new, "tvd": tvd,
            "unseen": len(set(b) - set(a)),
            "drifted": tvd > TVD_LIMIT or abs(null_new - null_old) > NULL_LIMIT,
        })
return {
    "rows": {"old": old.shape[0], "new": new.shape[0], "change": new.shape[0] - old.shape[0]},
    "schema": schema,
    "numeric": pd.DataFrame(numeric_records, columns=["column", *NUMERIC_COLUMNS]).set_index("column"),
    "categorical": pd.DataFrame(categorical_records, columns=["column", *CATEGORICAL_COLUMNS]).set_index("column"),
}
### REGION diff_metrics
import numpy as np

long = pd.concat([old.assign(side="old"), new.assign(side="new")], ignore_index=True)
wide = long.set_index(["model", "metric", "side"])["value"].unstack("side").reindex(columns=["old", "new"])
wide = wide.reset_index()
wide.columns.name = None
wide["change"] = wide["new"] - wide["old"]
lower = wide["metric"].isin(list(lower_is_better))
better = np.where(lower, wide["change"] < 0, wide["change"] > 0)
wide["status"] = np.select(
    [wide["old"].isna(), wide["new"].isna(), wide["change"].abs() <= tolerance, better],
    ["added", "removed", "unchanged", "improved"],
    default="degraded",
)
return wide[["model", "metric", "old", "new", "change", "status"]]
