# A second correct solution: the durations by simulating the runs one by one (a heap of finish
# times, limited by places and GPUs), and the plan by walking the days newest first.
### REGION sequential
clock = 0.0
for _day in range(first_day, last_day + 1):
    clock += hours_per_run
return clock
### REGION parallel
import heapq

running: list[float] = []   # finish times of the runs in progress
free_gpus, clock, end = gpus_total, 0.0, 0.0
for _day in range(first_day, last_day + 1):
    while len(running) >= max_parallel or free_gpus < gpus_per_run:
        clock = heapq.heappop(running)
        free_gpus += gpus_per_run
    free_gpus -= gpus_per_run
    heapq.heappush(running, clock + hours_per_run)
    end = max(end, clock + hours_per_run)
return end
### REGION plan
readers = set(range(corrupt, corrupt + lookback))   # the runs whose window holds the corrupt day
skipped = [d for d in days if d in readers]
batches: list[list[int]] = []
for day in sorted(days, reverse=True):
    if day in done or day in readers:
        continue
    if not batches or len(batches[-1]) == max_parallel:
        batches.append([])
    batches[-1].append(day)
return {"batches": batches, "skipped": tuple(skipped)}
