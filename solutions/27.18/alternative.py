# A second correct solution: the planner schedules every day as LATE as possible (its batch is set
# by the longest chain of days that read it, counted from the end), which is a different plan from
# the reference's as-early-as-possible stages whenever some day has slack; (c) counts on the planner.
### REGION plan
later = {}   # for each day, the length of the longest chain of days that starts with it
for day in sorted(days, reverse=True):
    readers = [other for other in days if day + 1 <= other <= day + window]
    later[day] = 1 + max((later[r] for r in readers), default=0)
batches: list[list[int]] = [[] for _ in range(max(later.values(), default=0))]
for day in days:
    batches[len(batches) - later[day]].append(day)
return batches
### REGION batches
return len(plan_backfill(list(range(n)), w))
### REGION parallelism
return max(len(batch) for batch in plan_backfill(list(range(n)), w))
