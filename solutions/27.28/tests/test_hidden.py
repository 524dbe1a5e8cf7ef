"""Hidden tests for exercise 27.28 (list scheduling a DAG on k slots; duration estimates).

Random DAGs are generated here with a fixed seed; small ones are solved exactly here, by
enumerating every serial schedule (each precedence-respecting task order, each task placed at
the earliest time it fits), a set known to contain an optimal schedule.
"""
import math
import random

from autograder.testing import expect, graded

EPS = 1e-9


# ---- instances -------------------------------------------------------------------------------------
def random_case(rng, n, p, k, dmax=9):
    names = [f"t{i:02d}" for i in range(n)]
    upstream = {names[j]: [names[i] for i in range(j) if rng.random() < p] for j in range(n)}
    return {"order": names, "upstream": upstream, "durations": {v: rng.randint(1, dmax) for v in names}, "k": k}


def random_cases():
    rng = random.Random(2728)
    cases = []
    for _ in range(40):
        n = rng.randint(4, 26)
        cases.append(random_case(rng, n, rng.choice([0.05, 0.1, 0.2, 0.35, 0.5]), rng.randint(1, 5), rng.choice([3, 9])))
    # two extremes: no edges at all, and one chain
    cases.append(random_case(rng, 15, 0.0, 3))
    chain = random_case(rng, 8, 0.0, 2)
    chain["upstream"] = {v: ([chain["order"][i - 1]] if i else []) for i, v in enumerate(chain["order"])}
    cases.append(chain)
    return cases


def hand_case(durations, edges, k):
    names = list(durations)
    upstream = {v: [u for u, w in edges if w == v] for v in names}
    return {"order": names, "upstream": upstream, "durations": dict(durations), "k": k}


def small_cases():
    rng = random.Random(82)
    cases = [
        # independent tasks where LPT is not optimal (7 against 6)
        hand_case({"a": 3, "b": 3, "c": 2, "d": 2, "e": 2}, [], 2),
        # a long task beside a chain of short ones
        hand_case({"long": 6, "c1": 1, "c2": 1, "c3": 1, "c4": 1, "c5": 1, "c6": 1},
                  [("c1", "c2"), ("c2", "c3"), ("c3", "c4"), ("c4", "c5"), ("c5", "c6")], 2),
        # six independent unit tasks on three slots
        hand_case({f"u{i}": 1 for i in range(6)}, [], 3),
        # the short head of a long chain
        hand_case({"h": 1, "g": 20, "u1": 10, "u2": 10}, [("h", "g")], 2),
    ]
    for _ in range(22):
        cases.append(random_case(rng, rng.randint(3, 6), rng.choice([0.0, 0.15, 0.3, 0.5]), rng.randint(2, 3), 6))
    return cases


RANDOM = random_cases()
SMALL = small_cases()


def optimal_makespan(case):
    """Exact minimum makespan: the best serial schedule over every precedence-respecting order."""
    names, upstream, d, k = case["order"], case["upstream"], case["durations"], case["k"]
    placed = {}
    best = [float(sum(d.values()))]  # one slot after the other is always feasible

    def earliest(v):
        ready = max((placed[u][1] for u in upstream[v]), default=0)
        for t in sorted({ready} | {f for _, f in placed.values() if f > ready}):
            points = [t] + [s for s, _ in placed.values() if t < s < t + d[v]]
            if all(sum(1 for s, f in placed.values() if s <= x < f) < k for x in points):
                return t
        raise AssertionError("unreachable")

    def search(makespan):
        if len(placed) == len(names):
            best[0] = min(best[0], makespan)
            return
        for v in names:
            if v not in placed and all(u in placed for u in upstream[v]):
                t = earliest(v)
                if max(makespan, t + d[v]) < best[0]:
                    placed[v] = (t, t + d[v])
                    search(max(makespan, t + d[v]))
                    del placed[v]

    search(0)
    return best[0]


# ---- probe ------------------------------------------------------------------------------------------
def schedules(ns, cases):
    from pipelinekit import PipelineDAG

    def plain(v):
        if hasattr(v, "item") and not isinstance(v, (str, bytes)):
            v = v.item()
        return v if isinstance(v, (int, float)) else repr(v)

    out = []
    for case in cases:
        dag = PipelineDAG("random")
        for name in case["order"]:
            dag.add_task(name, depends_on=case["upstream"][name])
        result = ns.list_schedule(dag, dict(case["durations"]), case["k"])
        if not isinstance(result, dict):
            return {"error": f"list_schedule should return a dict, not a {type(result).__name__}"}
        entry = {}
        for name, value in result.items():
            ok = isinstance(value, (list, tuple)) and len(value) == 2
            entry[str(name)] = [plain(value[0]), plain(value[1])] if ok else None
        out.append(entry)
    return {"schedules": out}


def _schedules(sub, cases):
    got = sub.run(schedules, cases)
    expect("error" not in got, got.get("error", ""))
    return got["schedules"]


def _label(number, case, kind=""):
    return f"{kind}DAG #{number} ({len(case['order'])} tasks, k = {case['k']})"


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def form_problem(case, sched):
    """Why a schedule is not a start time and a slot for each task exactly once, or None."""
    missing = [v for v in case["order"] if v not in sched]
    if missing:
        return f"task `{missing[0]}` is not in your schedule"
    extra = [v for v in sched if v not in case["durations"]]
    if extra:
        return f"your schedule has a task `{extra[0]}` that is not in the DAG"
    for v in case["order"]:
        value = sched[v]
        if value is None:
            return f"the entry of `{v}` should be a pair (start, slot)"
        start, slot = value
        if not _is_number(start) or start < -EPS:
            return f"`{v}` has the start time {start!r}; start times are numbers >= 0"
        if not isinstance(slot, int) or isinstance(slot, bool) or not 0 <= slot < case["k"]:
            return f"`{v}` is on slot {slot!r}; slots are numbered 0 to k - 1"
    return None


def precedence_problem(case, sched):
    d = case["durations"]
    for v in case["order"]:
        for u in case["upstream"][v]:
            if sched[v][0] < sched[u][0] + d[u] - EPS:
                return f"`{v}` starts at {sched[v][0]:g}, before its upstream task `{u}` has finished"
    return None


def overlap_problem(case, sched):
    d = case["durations"]
    for slot in range(case["k"]):
        runs = sorted((sched[v][0], v) for v in case["order"] if sched[v][1] == slot)
        for (s1, v1), (s2, v2) in zip(runs, runs[1:]):
            if s2 < s1 + d[v1] - EPS:
                return f"`{v1}` and `{v2}` overlap on slot {slot}"
    return None


def validity_problem(case, sched):
    return form_problem(case, sched) or precedence_problem(case, sched) or overlap_problem(case, sched)


def _each_valid(sub, cases, check):
    result = _schedules(sub, cases)
    for number, (case, sched) in enumerate(zip(cases, result), start=1):
        problem = form_problem(case, sched) if check is not form_problem else None
        if problem:
            expect(False, f"{_label(number, case)}: {problem}")
        problem = check(case, sched)
        expect(problem is None, f"{_label(number, case)}: {problem}")
    return result


# ---- (c) --------------------------------------------------------------------------------------------
@graded("c", points=1, hint="Every task once, as (start, slot), with a slot from 0 to k - 1.")
def test_each_task_runs_once_on_a_valid_slot(sub):
    _each_valid(sub, RANDOM, form_problem)


@graded("c", points=1, hint="A task may start only when every task it depends on has finished.")
def test_dependencies_are_respected(sub):
    _each_valid(sub, RANDOM, precedence_problem)


@graded("c", points=1, hint="A slot runs one task at a time: a task starts on a slot only once the slot's previous task has ended.")
def test_slots_never_overlap(sub):
    _each_valid(sub, RANDOM, overlap_problem)


def _valid_schedules(sub, cases, kind=""):
    result = _schedules(sub, cases)
    for number, (case, sched) in enumerate(zip(cases, result), start=1):
        problem = validity_problem(case, sched)
        expect(problem is None, f"{_label(number, case, kind)}: your schedule is not valid ({problem})")
    return result


def _ready_time(case, sched, v):
    d = case["durations"]
    return max((sched[u][0] + d[u] for u in case["upstream"][v]), default=0)


@graded("c", points=1, hint="A list scheduler never leaves a slot idle while some task is ready.")
def test_no_slot_idles_while_a_task_is_ready(sub):
    result = _valid_schedules(sub, RANDOM)
    for number, (case, sched) in enumerate(zip(RANDOM, result), start=1):
        d = case["durations"]
        intervals = [(sched[v][0], sched[v][0] + d[v]) for v in case["order"]]
        moments = sorted({0} | {s for s, _ in intervals} | {f for _, f in intervals})
        for v in case["order"]:
            ready, start = _ready_time(case, sched, v), sched[v][0]
            for x in moments:
                if ready - EPS <= x < start - EPS:
                    busy = sum(1 for s, f in intervals if s - EPS <= x < f - EPS)
                    expect(busy >= case["k"],
                           f"{_label(number, case)}: at minute {x:g} only {busy} of the {case['k']} slots are busy, "
                           f"while `{v}` is ready and waits until {start:g}")


@graded("c", points=1, hint="When a slot frees, the longest ready task goes first; finish every task ending at that moment before choosing.")
def test_longest_ready_task_starts_first(sub):
    result = _valid_schedules(sub, RANDOM)
    for number, (case, sched) in enumerate(zip(RANDOM, result), start=1):
        d = case["durations"]
        for u in case["order"]:
            t = sched[u][0]
            for v in case["order"]:
                if v != u and _ready_time(case, sched, v) <= t + EPS and sched[v][0] > t + EPS:
                    expect(d[v] <= d[u],
                           f"{_label(number, case)}: at minute {t:g} your scheduler starts `{u}` ({d[u]:g} min) "
                           f"while `{v}` ({d[v]:g} min) is also ready and has to wait")


@graded("c", points=1, hint="Any list schedule finishes within (2 - 1/k) times the optimal makespan.")
def test_makespan_within_grahams_bound(sub):
    result = _valid_schedules(sub, SMALL, "small ")
    for number, (case, sched) in enumerate(zip(SMALL, result), start=1):
        d, k = case["durations"], case["k"]
        makespan = max(sched[v][0] + d[v] for v in case["order"])
        best = optimal_makespan(case)
        label = _label(number, case, "small ")
        expect(makespan >= best - EPS, f"{label}: your makespan {makespan:g} beats every valid schedule")
        expect(makespan <= (2 - 1 / k) * best + EPS,
               f"{label}: your makespan {makespan:g} is more than (2 - 1/k) times the optimum")


# ---- (d) --------------------------------------------------------------------------------------------
def quantile(values, q):
    xs = sorted(values)
    p = q * (len(xs) - 1)
    lo, hi = math.floor(p), math.ceil(p)
    return xs[lo] * (1 - (p - lo)) + xs[hi] * (p - lo)


def expected_estimates(history, q, window, min_runs, default):
    tasks = {r["task"] for r in history}
    out = {}
    for task in tasks:
        ok = sorted((r["run_date"], r["minutes"]) for r in history if r["task"] == task and r["state"] == "success")
        if len(ok) < min_runs:
            out[task] = default
        else:
            out[task] = quantile([m for _, m in ok[-window:]], q)
    return out


def dates(n, start_day=1):
    return [f"2024-{1 + (start_day + i - 1) // 28:02d}-{1 + (start_day + i - 1) % 28:02d}" for i in range(n)]


def clean_history():
    """Successful runs only, fewer than any window: the quantile itself is what is checked."""
    rng = random.Random(281)
    history = []
    for task, runs, centre in [("extract", 12, 25.0), ("features", 7, 40.0), ("train", 3, 120.0), ("report", 10, 5.0)]:
        for day in dates(runs):
            history.append({"task": task, "run_date": day, "state": "success",
                            "minutes": round(centre * rng.uniform(0.7, 1.6), 2)})
    rng.shuffle(history)
    return history


def messy_history():
    """Failed runs (some hung until a timeout) and a recent slowdown, records shuffled."""
    rng = random.Random(282)
    history = []
    for task, centre in [("extract", 25.0), ("train", 120.0), ("evaluate", 15.0)]:
        for i, day in enumerate(dates(40)):
            slow = 1.6 if i >= 32 else 1.0
            if rng.random() < 0.2:
                minutes = 240.0 if rng.random() < 0.5 else round(centre * rng.uniform(0.05, 0.3), 2)
                history.append({"task": task, "run_date": day, "state": "failed", "minutes": minutes})
            else:
                history.append({"task": task, "run_date": day, "state": "success",
                                "minutes": round(centre * slow * rng.uniform(0.85, 1.3), 2)})
    rng.shuffle(history)
    return history


def sparse_history():
    """New and flaky tasks next to established ones."""
    history = []
    for i, day in enumerate(dates(12)):
        history.append({"task": "established", "run_date": day, "state": "success", "minutes": 30.0 + i})
    for i, day in enumerate(dates(3)):
        history.append({"task": "three_runs", "run_date": day, "state": "success", "minutes": 10.0 + 4 * i})
    for i, day in enumerate(dates(2)):
        history.append({"task": "brand_new", "run_date": day, "state": "success", "minutes": 90.0 + i})
    for i, day in enumerate(dates(6)):
        history.append({"task": "flaky", "run_date": day, "state": "success" if i in (1, 4) else "failed",
                        "minutes": 50.0 + i})
    for day in dates(4):
        history.append({"task": "never_succeeded", "run_date": day, "state": "failed", "minutes": 240.0})
    random.Random(283).shuffle(history)
    return history


def estimates(ns, history, kwargs):
    result = ns.estimate_durations(history, **kwargs)
    if not isinstance(result, dict):
        return {"error": f"estimate_durations should return a dict, not a {type(result).__name__}"}
    out = {}
    for task, value in result.items():
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        out[str(task)] = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return {"estimates": out}


def _check_estimates(sub, history, kwargs, only=None):
    got = sub.run(estimates, history, kwargs)
    expect("error" not in got, got.get("error", ""))
    got = got["estimates"]
    want = expected_estimates(history, **{"q": 0.9, "window": 20, "min_runs": 3, "default": 60.0, **kwargs})
    settings = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or "the defaults"
    for task in sorted(want):
        if only is not None and task not in only:
            continue
        expect(task in got, f"with {settings}: there is no estimate for `{task}`")
        expect(got[task] is not None, f"with {settings}: the estimate for `{task}` is not a number")
        expect(math.isclose(got[task], want[task], rel_tol=1e-9, abs_tol=1e-9),
               f"with {settings}: your estimate for `{task}` is {got[task]:g}")
    for task in sorted(set(got) - set(want)):
        expect(False, f"`{task}` is not a task of the history")


@graded("d", points=1, hint="The q-quantile with linear interpolation between the two nearest sorted durations.")
def test_quantile_of_successful_runs(sub):
    history = clean_history()
    for kwargs in ({}, {"q": 0.5}, {"q": 0.75, "window": 50}):
        _check_estimates(sub, history, kwargs)


@graded("d", points=1, hint="Leave out failed runs, then keep each task's `window` most recent successful runs by run_date.")
def test_failed_and_old_runs_are_ignored(sub):
    history = messy_history()
    for kwargs in ({}, {"window": 8}, {"window": 5, "q": 0.8}):
        _check_estimates(sub, history, kwargs)


@graded("d", points=1, hint="Every task of the history gets an estimate; fewer than min_runs successful runs means the default.")
def test_sparse_tasks_get_the_default(sub):
    history = sparse_history()
    for kwargs in ({}, {"min_runs": 2, "default": 45.0}, {"min_runs": 12, "default": 30.0, "q": 0.5}):
        _check_estimates(sub, history, kwargs)
