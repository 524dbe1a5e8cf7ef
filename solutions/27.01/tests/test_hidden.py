"""Hidden tests for exercise 27.1 (fraud-detection DAG)."""

from autograder.testing import expect, graded

TASKS = [
    "extract_transactions", "extract_user_profiles", "join_transactions_profiles",
    "compute_features", "train_model", "evaluate_model", "register_model", "update_feature_store",
]
# What each task reads, from the statement's table (the data flow, not an answer printed by code).
READS = {
    "join_transactions_profiles": ["extract_transactions", "extract_user_profiles"],
    "compute_features": ["join_transactions_profiles"],
    "train_model": ["compute_features"],
    "evaluate_model": ["train_model"],
    "register_model": ["evaluate_model"],
    "update_feature_store": ["compute_features"],
}


def reachability(upstream: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Every (a, b) such that b transitively depends on a."""
    pairs = set()

    def ancestors(task, seen):
        for parent in upstream.get(task, []):
            if parent not in seen:
                seen.add(parent)
                ancestors(parent, seen)
        return seen

    for task in upstream:
        pairs |= {(a, task) for a in ancestors(task, set())}
    return pairs


def levels(upstream: dict[str, list[str]]) -> dict[str, int]:
    memo: dict[str, int] = {}

    def level(task):
        if task not in memo:
            memo[task] = 1 + max((level(p) for p in upstream.get(task, [])), default=-1)
        return memo[task]

    return {t: level(t) for t in TASKS}


# ---- probes: run in the learner's worker, return plain data ------------------------------------
def hand_stages(ns):
    return [list(stage) for stage in ns.STAGES_BY_HAND]


def dag_structure(ns):
    dag = ns.build_fraud_dag()
    return {"tasks": [name for name in dag], "upstream": {name: list(dag.upstream(name)) for name in dag}}


def time_saved(ns, durations):
    return ns.extraction_time_saved(durations)


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="List each of the eight tasks exactly once, by the names in the table.")
def test_hand_stages_name_every_task_once(sub):
    stages = sub.run(hand_stages)
    names = [t for stage in stages for t in stage]
    expect(all(isinstance(t, str) for t in names), "each stage should be a list of task names (strings)")
    expect(sorted(names) == sorted(TASKS),
           f"your stages name {len(names)} tasks ({len(set(names))} distinct); there are {len(TASKS)}")


@graded("a", points=1, hint="A task goes in the stage right after the latest stage of the tasks it reads from.")
def test_hand_stages_follow_the_dependencies(sub):
    stages = sub.run(hand_stages)
    want = levels(READS)
    for number, stage in enumerate(stages):
        for task in stage:
            if task in want and want[task] != number:
                expect(False, f"`{task}` is in stage {number}; check what it reads and where those tasks are")
    expect(len(stages) == max(want.values()) + 1, f"you have {len(stages)} stages; count the longest chain of steps")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="Add every task of the table, spelled exactly as there.")
def test_dag_has_the_eight_tasks(sub):
    got = sub.run(dag_structure)["tasks"]
    missing = sorted(set(TASKS) - set(got))
    extra = sorted(set(got) - set(TASKS))
    expect(not missing, f"your DAG lacks {', '.join(missing)}")
    expect(not extra, f"your DAG has tasks not in the statement: {', '.join(map(str, extra))}")


@graded("b", points=2, hint="Each task depends on the tasks whose output it reads, and on nothing else.")
def test_dag_dependencies_match_the_data_flow(sub):
    got = sub.run(dag_structure)["upstream"]
    have, want = reachability(got), reachability(READS)
    for a, b in sorted(want - have):
        expect(False, f"`{b}` can start before `{a}` has finished, but it needs its output")
    for a, b in sorted(have - want):
        expect(False, f"`{b}` waits for `{a}`, but it does not need its output: they could run in parallel")


# ---- (c) ----------------------------------------------------------------------------------------
TODAY = {
    "extract_transactions": 45, "extract_user_profiles": 45, "join_transactions_profiles": 15,
    "compute_features": 40, "train_model": 60, "evaluate_model": 20, "register_model": 15,
    "update_feature_store": 10,
}


def expected_saving(durations):
    """Critical path with the extractions in sequence minus the one with them in parallel."""
    tail = durations["join_transactions_profiles"] + durations["compute_features"] + max(
        durations["train_model"] + durations["evaluate_model"] + durations["register_model"],
        durations["update_feature_store"],
    )
    a, b = durations["extract_transactions"], durations["extract_user_profiles"]
    return (a + b + tail) - (max(a, b) + tail)


@graded("c", points=1, hint="Compare the end-to-end time with the extractions in sequence and in parallel.")
def test_time_saved_for_todays_pipeline(sub):
    got = sub.run(time_saved, TODAY)
    expect(isinstance(got, (int, float)) and not isinstance(got, bool), "return a number of minutes")
    expect(abs(got - expected_saving(TODAY)) < 1e-6, f"for today's pipeline your function returns {got:g} minutes")




@graded("c", points=1, hint="Your function must work for any durations, not only today's.")
def test_time_saved_for_other_durations(sub):
    for a, b, train in [(30, 50, 60), (80, 20, 60), (45, 45, 5)]:
        durations = dict(TODAY, extract_transactions=a, extract_user_profiles=b, train_model=train)
        got = sub.run(time_saved, durations)
        expect(isinstance(got, (int, float)) and not isinstance(got, bool), "return a number of minutes")
        expect(abs(got - expected_saving(durations)) < 1e-6,
               f"with extractions of {a} and {b} minutes your function returns {got:g}")
