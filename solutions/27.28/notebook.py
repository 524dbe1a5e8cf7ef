# %% [markdown]
# Section 27.2 computes when each task of a pipeline can run if there are as many workers as
# tasks: `PipelineDAG.schedule()` starts every task the moment its upstream tasks have finished,
# and `makespan()` is the length of the critical path. A real orchestrator has a fixed number of
# **slots**: the executor's `parallelism` and the pools of Airflow, the `max_concurrent` of a
# Dagster run, the GPU quota of a Kubernetes namespace. With k slots, ready tasks may have to
# wait, and *which* waiting task gets the next free slot changes when the pipeline finishes.
# This exercise treats that choice as the scheduling problem it is: its formal statement, its
# complexity, a greedy algorithm with a proven guarantee, and the duration estimates the greedy
# needs.
#
# Throughout, a pipeline is a DAG G = (V, E) whose edge (u, v) means that v reads u's output and
# may start only once u has finished; every task v has a duration d_v > 0; the k slots are
# identical; a task occupies one slot from its start to its end, without interruption.

# %% [markdown] answer="a"
# **(a)** Formalise the question an orchestrator faces: with the DAG G = (V, E), the durations
# d_v of its tasks, k slots and a deadline T, is there a way to run every task so that the last
# one ends no later than T? Call it the **pipeline scheduling problem**. Say precisely what a
# schedule is, when it is feasible, and what the yes/no question asks. Give the optimisation
# version too (minimum makespan), with two lower bounds on its optimum.
#
### BEGIN SOLUTION
# **Instance.** A DAG G = (V, E), durations d: V → ℚ_{>0}, a number of slots k ∈ ℕ, k ≥ 1,
# and a deadline T ≥ 0.
#
# **Schedule.** A start time s_v ≥ 0 and a slot m_v ∈ {1, ..., k} for every task v; the task
# runs on its slot during [s_v, s_v + d_v), without interruption.
#
# **Feasible** when (1) *precedence*: s_v ≥ s_u + d_u for every edge (u, v) ∈ E; and
# (2) *capacity*: two tasks on the same slot never overlap: m_u = m_v, u ≠ v implies
# s_u + d_u ≤ s_v or s_v + d_v ≤ s_u. (Equivalently, at most k tasks run at any instant: such
# a set of intervals can always be given slots, since an interval graph whose largest clique
# has k intervals is k-colourable.)
#
# **Makespan** C = max_v (s_v + d_v). **Decision question (PIPELINE-SCHED):** is there a
# feasible schedule with C ≤ T?
#
# **Optimisation version:** find a feasible schedule of minimum makespan C*. Two lower bounds:
# C* ≥ L, the length of the longest path of G weighted by durations (the chain must run one
# task after another), and C* ≥ W / k with W = Σ_v d_v (k slots cannot do more than k units of
# work per unit of time).
### END SOLUTION

# %% [markdown] answer="b"
# **(b)** Show that the decision problem of (a) is NP-hard, reducing **multiprocessor
# scheduling** to it. State the source problem, give the reduction, prove that it preserves the
# answer in both directions, and say what the reduction lets you conclude.
#
### BEGIN SOLUTION
# **Source problem, MULTIPROCESSOR SCHEDULING (decision version).** Given n jobs with positive
# integer lengths p_1, ..., p_n, a number of machines m and a bound D: can the jobs be assigned
# to the m machines so that every machine's total length is at most D? It is NP-complete
# (Garey and Johnson, problem SS8); already for m = 2 it contains PARTITION, and with m part of
# the input it is strongly NP-complete (by reduction from 3-PARTITION).
#
# **Reduction.** Map (p_1..p_n, m, D) to the pipeline instance with one task v_i per job, **no
# edges** (E = ∅), d_{v_i} = p_i, k = m and T = D. It is computed in time linear in the size of
# the input.
#
# **Equivalence.** (⇒) Given an assignment with every machine's load ≤ D, put the jobs of
# machine j on slot j one after another from time 0. There are no edges, so precedence holds;
# tasks on one slot do not overlap; the slot finishes at its load ≤ D = T. (⇐) Given a feasible
# schedule with makespan ≤ T, assign each job to the slot its task ran on. The tasks of one slot
# occupy disjoint intervals inside [0, T], so their lengths add up to at most T = D.
#
# **Conclusion.** The reduction goes *from* the known NP-complete problem *to* pipeline
# scheduling: a polynomial algorithm for pipeline scheduling would decide multiprocessor
# scheduling in polynomial time. So PIPELINE-SCHED is NP-hard; it is also in NP (a schedule is a
# certificate checked in polynomial time), hence NP-complete, and the optimisation version is
# NP-hard. Hardness does not even need the DAG: independent tasks on two slots suffice. (With
# unit durations the precedence constraints alone make it NP-hard when k is part of the input,
# Ullman 1975.)
### END SOLUTION

# %% [markdown] part="c"
# **(c) A longest-first list scheduler.** The question this exercise comes from describes the
# greedy heuristic of Airflow's scheduler as *longest processing time first*. That is not what
# Airflow does. Airflow's scheduler never looks at durations: each loop it takes the task
# instances in the `scheduled` state, orders them by **`priority_weight`** (highest first), then
# by their DAG run's `logical_date`, then by `map_index`, and queues as many as the open **pool**
# slots, the DAG's `max_active_tasks`, the task's `max_active_tis_per_dag` and the executor's
# `parallelism` allow. A task's effective weight comes from its `weight_rule`: by default
# `"downstream"`, its own `priority_weight` (1 unless set) plus that of every task downstream of
# it; `"upstream"` and `"absolute"` are the alternatives, and since Airflow 2.9 a custom
# `PriorityWeightStrategy` (registered by a plugin) can compute it. Durations enter only if you
# put them into the weights yourself, which is what (d) is about.
#
# The greedy the question has in mind is still the classic one, and it is what you implement:
# **list scheduling, longest ready task first** (LPT). Simulate time from 0:
#
# - a task is **ready** at time t when every task it depends on has finished at or before t;
# - whenever a slot is free and some task is ready and not started, start the ready task with the
#   **longest** duration on a free slot; repeat while both a free slot and a ready task remain
#   (equal durations may be taken in any order);
# - then move time forward to the next moment a running task finishes. Every task that finishes at
#   that moment frees its slot, and the tasks it makes ready join the ready ones, **before** the
#   next choice is made.
#
# Write `list_schedule(dag, durations, k)`: `dag` is a `PipelineDAG` (section 27.2), `durations`
# maps every task name to its duration in minutes (use it, not the tasks' own `duration`), and `k`
# is the number of slots. Return a dict mapping every task name to a pair `(start, slot)`: its
# start time in minutes and the number of the slot it runs on, from `0` to `k - 1`.

# %% part="c"
import heapq
import math

from pipelinekit import PipelineDAG


def list_schedule(dag: PipelineDAG, durations: dict[str, float], k: int) -> dict[str, tuple[float, int]]:
    """Longest-ready-task-first list schedule of `dag` on k slots: task -> (start, slot)."""
    ### BEGIN SOLUTION list_schedule
    dag.topological_sort()  # raises CycleError on a cycle instead of leaving tasks unscheduled
    waiting = {name: len(dag.upstream(name)) for name in dag}
    ready = [name for name in dag if waiting[name] == 0]
    free = list(range(k))
    running: list[tuple[float, int, str]] = []  # (finish, slot, task), a heap
    schedule: dict[str, tuple[float, int]] = {}
    now = 0.0
    while ready or running:
        ready.sort(key=lambda name: durations[name], reverse=True)
        while ready and free:
            name = ready.pop(0)
            slot = min(free)
            free.remove(slot)
            schedule[name] = (now, slot)
            heapq.heappush(running, (now + durations[name], slot, name))
        now = running[0][0]
        while running and running[0][0] == now:
            _, slot, name = heapq.heappop(running)
            free.append(slot)
            for child in dag.downstream(name):
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
    return schedule
    ### END SOLUTION

# %% [markdown] part="c"
# The StreamRec training pipeline of the chapter, with its typical durations, on one, two and
# three slots; with unlimited workers it takes `dag.makespan()` minutes.

# %% part="c"
from pipelinekit.streamrec import streamrec_training_dag

streamrec = streamrec_training_dag()
minutes = {name: task.duration for name, task in streamrec.tasks.items()}


def show(schedule: dict, durations: dict, k: int) -> float:
    finish = max(start + durations[name] for name, (start, _) in schedule.items())
    print(f"k = {k}: makespan {finish:g} min")
    for slot in range(k):
        runs = sorted((start, name) for name, (start, s) in schedule.items() if s == slot)
        print(f"  slot {slot}: " + ", ".join(f"{name} {start:g}-{start + durations[name]:g}" for start, name in runs))
    return finish


for k in (1, 2, 3):
    show(list_schedule(streamrec, minutes, k), minutes, k)
print(f"unlimited workers: {streamrec.makespan():g} min")

# %% [markdown] answer="c.written"
# **(c.written)** Describe the greedy and compare it with how Airflow's scheduler actually picks
# among ready tasks. Then analyse its approximation ratio for the makespan: prove the bound that
# holds for list scheduling with precedence constraints, say how it changes for independent
# tasks, and give an instance where the greedy is worse than the optimum, relating it to the bound.
#
### BEGIN SOLUTION
# **The greedy.** Whenever a slot frees up, start the longest task among those whose upstream
# tasks have all finished; never leave a slot idle while a task is ready. Airflow also never
# idles a slot it may fill, but it ranks ready task instances by `priority_weight` (by default
# 1 + the number of downstream tasks, a count of tasks and not of minutes), then logical date,
# within the limits of pools, `max_active_tasks` and `parallelism`. Durations play no part.
#
# **Ratio with precedence: C ≤ (2 − 1/k) C\*** (Graham 1966), for *any* priority rule, LPT
# included. Let C be the greedy's makespan. Split [0, C) into the times B when all k slots are
# busy and the times I when at least one slot is idle. *Idle times lie on a chain:* let j₁ be a
# task that finishes at C, and j₂ the upstream task of j₁ that finished last. j₁ is ready from
# j₂'s end on, and the greedy never idles while a task is ready, so no slot is idle between
# j₂'s end and j₁'s start: every idle moment before j₁ runs lies before j₂'s end. Repeat from j₂
# until a task with no upstream task (ready at 0, so nothing idles before it starts). Every idle
# moment then falls inside the run of some task of the chain j_r → ... → j₁, so
# |I| ≤ Σ_chain d ≤ L ≤ C\*. *Work:* in B all k slots work, in I at least the chain's task does,
# so W ≥ k|B| + |I|. Hence C = |B| + |I| ≤ (W − |I|)/k + |I| = W/k + (1 − 1/k)|I|
# ≤ C\* + (1 − 1/k) C\* = (2 − 1/k) C\*.
#
# The bound is tight for LPT: with k slots, take a chain h → g where h lasts ε and g lasts k,
# plus k(k − 1) independent tasks of length 1. LPT prefers the unit tasks to h, so h waits until
# k − 1 and the pipeline ends at 2k − 1 + ε; the optimum runs h then g on one slot and the unit
# tasks on the other k − 1 slots, ending at k + ε. The ratio tends to 2 − 1/k. Preferring long
# tasks is the wrong signal here: h is short but heads the critical path, which is what
# Airflow's default downstream weight (h has a downstream task, the unit tasks none) would
# favour.
#
# **Independent tasks:** LPT then guarantees C ≤ (4/3 − 1/(3k)) C\* (Graham 1969). Tight
# example, k = 2, durations 3, 3, 2, 2, 2: LPT puts 3 and 3 on the two slots, then 2 and 2, then
# the last 2 on one slot: makespan 7. The optimum is 3 + 3 on one slot and 2 + 2 + 2 on the other:
# 6. The ratio 7/6 equals 4/3 − 1/6, the bound for k = 2, and is well inside 2 − 1/2 = 3/2.
### END SOLUTION

# %% [markdown] part="d"
# **(d) Durations from past runs.** A scheduler that uses durations needs estimates it can trust.
# Write `estimate_durations(history, q=0.9, window=20, min_runs=3, default=60.0)`. `history` is a
# list of past task runs, in no particular order, each a dict
#
# ```python
# {"task": "train_ranking", "run_date": "2024-05-28", "state": "success", "minutes": 118.5}
# ```
#
# (`run_date` is an ISO date, so dates sort as strings; a task runs at most once per date;
# `state` is `"success"` or `"failed"`). Return a dict with an estimate in minutes for **every
# task that appears in `history`**, in any state:
#
# 1. only successful runs count (a failed run stops early, or hangs until a timeout);
# 2. of a task's successful runs, only its `window` most recent ones (by `run_date`) count;
# 3. the estimate is the `q`-quantile of those durations with **linear interpolation**: sort the m
#    durations x_0 ≤ ... ≤ x_{m−1}, let p = q·(m − 1), and interpolate between x_⌊p⌋ and x_⌈p⌉
#    (this is the default of `numpy.quantile` and of pandas' `quantile`);
# 4. a task with fewer than `min_runs` successful runs in the whole history gets `default`.
#
# A high quantile rather than the mean makes the estimate robust: one slow run moves it little,
# and a schedule built on it is rarely too optimistic.

# %% part="d"
def estimate_durations(history: list[dict], q: float = 0.9, window: int = 20, min_runs: int = 3,
                       default: float = 60.0) -> dict[str, float]:
    """A robust duration estimate per task: a high quantile of its recent successful runs."""
    ### BEGIN SOLUTION estimate_durations
    runs: dict[str, list[float]] = {record["task"]: [] for record in history}
    for record in sorted(history, key=lambda r: r["run_date"]):
        if record["state"] == "success":
            runs[record["task"]].append(float(record["minutes"]))
    estimates = {}
    for task, minutes in runs.items():
        if len(minutes) < min_runs:
            estimates[task] = float(default)
            continue
        recent = sorted(minutes[-window:])
        position = q * (len(recent) - 1)
        low = math.floor(position)
        high = min(low + 1, len(recent) - 1)
        estimates[task] = recent[low] + (recent[high] - recent[low]) * (position - low)
    return estimates
    ### END SOLUTION

# %% [markdown] part="d"
# Thirty days of StreamRec history, made up around the chapter's durations: runs vary by up to
# 30%, one run in twenty fails, and `train_ranking` has just got slower. The estimates then feed
# the scheduler.

# %% part="d"
import datetime as dt
import random

rng = random.Random(27)
history = []
for day in range(30):
    run_date = (dt.date(2024, 5, 1) + dt.timedelta(days=day)).isoformat()
    for name, task in streamrec.tasks.items():
        typical = task.duration * (1.25 if name == "train_ranking" and day >= 25 else 1.0)
        failed = rng.random() < 0.05
        history.append({"task": name, "run_date": run_date, "state": "failed" if failed else "success",
                        "minutes": round(typical * rng.uniform(0.85, 1.3) * (0.3 if failed else 1.0), 1)})
rng.shuffle(history)

estimates = estimate_durations(history, window=10)
for name in streamrec:
    print(f"{name:<22} typical {streamrec.tasks[name].duration:>5g}   estimate {estimates[name]:6.1f}")
show(list_schedule(streamrec, estimates, 2), estimates, 2);

# %% [markdown] answer="d.written"
# **(d.written)** Suggest a change to the way Airflow picks the next ready task that makes use of
# duration estimates such as those of (d). What exactly changes, how would you deploy it in
# Airflow 3, and where do estimates trustworthy enough to act on come from?
#
### BEGIN SOLUTION
# **Change: rank ready tasks by their estimated remaining critical path, not by a task count.**
# For each task compute its *bottom level* b(v) = d̂_v + max over downstream tasks w of b(w)
# (d̂ the estimate), the minutes from v's start to the end of the DAG run if nothing waited.
# Give ready tasks priority by b(v), ties broken by longer d̂_v. This is the critical-path list
# scheduler (HLFET): it starts the short task that heads a long chain before long tasks that
# end nothing, which is exactly where LPT fails, and keeps Graham's 2 − 1/k guarantee since it
# is still a list schedule. In Airflow 3 this needs no change to the scheduler loop: write a
# `PriorityWeightStrategy` whose `get_weight(ti)` returns b(v) in whole minutes from a table of
# estimates, register it in a plugin's `priority_weight_strategies`, and pass it as the
# `weight_rule` of the DAG's tasks (for instance through `default_args`). The strategy must be
# stateless, so it reads the estimates from a file or a table refreshed by a daily job.
# Pools stay as they are; across DAGs the weights become comparable minutes instead of task
# counts.
#
# **Reliable estimates.** Use the metadata database's task-instance history: per (dag_id,
# task_id), the run duration of successful attempts only (not queued time, not failed or
# timed-out attempts), over a recent window, so that a code change (a new code hash, see 27.21)
# or a growing input resets or ages out old runs; where duration scales with input, regress it
# on the partition's row count. Take a high quantile (p80 to p90) rather than the mean: robust
# to outliers, and on the safe side. A task with too little history gets a default: the estimate
# of similar tasks (same operator, same pool) or its `execution_timeout` scaled down. Track the
# estimate's error (predicted versus actual) and alert when it drifts, since a stale estimate
# silently reorders the queue.
### END SOLUTION
