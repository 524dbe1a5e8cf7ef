# A second correct solution: Graham's formulation, a fixed priority list (longest first) scanned
# at every event time, with slots that remember when they become free (and the highest-numbered
# free slot taken); the estimates with pandas (sort, keep the tail of each group, groupby quantile).
### REGION list_schedule
priority = sorted(dag, key=lambda name: -durations[name])
slot_free_at = [0.0] * k
finish: dict[str, float] = {}
placed: dict[str, tuple[float, int]] = {}
now = 0.0
while len(placed) < len(priority):
    for name in priority:
        if name in placed:
            continue
        if not all(p in finish and finish[p] <= now for p in dag.upstream(name)):
            continue
        free = [s for s in range(k) if slot_free_at[s] <= now]
        if not free:
            break
        slot = free[-1]
        placed[name] = (now, slot)
        finish[name] = now + durations[name]
        slot_free_at[slot] = finish[name]
    later = [f for f in finish.values() if f > now]
    if len(placed) < len(priority):
        if not later:
            raise ValueError("the DAG has a cycle: some tasks can never become ready")
        now = min(later)
return placed
### REGION estimate_durations
import pandas as pd

runs = pd.DataFrame(history, columns=["task", "run_date", "state", "minutes"])
ok = runs[runs["state"] == "success"].sort_values("run_date")
recent = ok.groupby("task").tail(window)
value = recent.groupby("task")["minutes"].quantile(q)
count = ok.groupby("task").size()
result = {}
for task in runs["task"].unique():
    enough = count.get(task, 0) >= min_runs
    result[task] = float(value[task]) if enough else float(default)
return result
