# A second correct solution: Kahn's algorithm peels off tasks with no remaining upstream task;
# the tasks it cannot peel each keep an upstream task among themselves, so walking upstream from
# any of them must come back to a task already seen, and that stretch, reversed, is a cycle.
# is_dag counts the peeled tasks instead of calling find_cycle.
### REGION find_cycle
tasks = list(dict.fromkeys([*graph, *(t for downstream in graph.values() for t in downstream)]))
upstream = {t: [] for t in tasks}
for task, downstream in graph.items():
    for child in downstream:
        upstream[child].append(task)
waiting = {t: len(upstream[t]) for t in tasks}
ready = [t for t in tasks if waiting[t] == 0]
left = set(tasks)
while ready:
    task = ready.pop()
    left.discard(task)
    for child in graph.get(task, []):
        waiting[child] -= 1
        if waiting[child] == 0:
            ready.append(child)
if not left:
    return None
walk = [next(t for t in tasks if t in left)]
seen_at = {walk[0]: 0}
while True:
    parent = next(p for p in upstream[walk[-1]] if p in left)
    if parent in seen_at:
        loop = walk[seen_at[parent]:]
        break
    seen_at[parent] = len(walk)
    walk.append(parent)
loop.reverse()
return tuple(loop + [loop[0]])
### REGION is_dag
indegree = {}
for task, downstream in graph.items():
    indegree.setdefault(task, 0)
    for child in downstream:
        indegree[child] = indegree.get(child, 0) + 1
queue = [t for t, d in indegree.items() if d == 0]
peeled = 0
while queue:
    task = queue.pop(0)
    peeled += 1
    for child in graph.get(task, []):
        indegree[child] -= 1
        if indegree[child] == 0:
            queue.append(child)
return peeled == len(indegree)
