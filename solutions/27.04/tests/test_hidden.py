"""Hidden tests for exercise 27.4 (conditional edges in a PipelineDAG).

The probes build small DAGs inside the learner's worker with the learner's own classes, attach
conditions written here (they record every call and answer a fixed True or False), and send back
plain data. What should happen is stated below, per scenario, and the stage numbers are computed
here from the scenario's edges: nothing expected ever enters the learner's process.
"""

from autograder.testing import expect, fail, graded


# ---- probes and their helpers: run in the learner's worker, return plain data -----------------
def task_class_facts(ns):
    import dataclasses

    from pipelinekit import PipelineTask

    cls = ns.ConditionalTask
    if not isinstance(cls, type):
        return {"is_class": False}
    facts = {"is_class": True, "subclass": issubclass(cls, PipelineTask), "dataclass": dataclasses.is_dataclass(cls)}
    names = [f.name for f in dataclasses.fields(cls)] if facts["dataclass"] else []
    facts["has_field"] = "condition" in names
    if not facts["has_field"]:
        return facts

    def rule(upstream):
        return True

    plain = cls("plain")
    gated = cls("gated", duration=4.0, retries=2, condition=rule)
    facts["default_is_none"] = plain.condition is None
    facts["keeps_condition"] = gated.condition is rule
    facts["keeps_other_fields"] = (gated.name, gated.duration, gated.retries) == ("gated", 4.0, 2)
    return facts


def add_task_facts(ns):
    def rule(upstream):
        return True

    dag = ns.ConditionalPipelineDAG("probe")
    first = dag.add_task("load", duration=3.0)
    try:
        second = dag.add_task("register", depends_on=["load"], condition=rule)
    except TypeError as exc:
        return {"refused": f"{type(exc).__name__}: {exc}"[:300]}
    ready = ns.ConditionalTask("notify", condition=rule)
    third = dag.add_task(ready, depends_on=["register"])
    tasks = dag.tasks
    return {
        "builds_conditional_tasks": isinstance(first, ns.ConditionalTask) and isinstance(second, ns.ConditionalTask),
        "returns_the_task": tasks.get("load") is first and tasks.get("register") is second and third is ready,
        "keeps_condition": getattr(tasks.get("register"), "condition", "missing") is rule,
        "no_condition_is_none": getattr(tasks.get("load"), "condition", "missing") is None,
        "keeps_other_fields": getattr(tasks.get("load"), "duration", None) == 3.0,
        "adds_ready_made": tasks.get("notify") is ready,
        "upstream": {name: list(dag.upstream(name)) for name in dag},
    }


def stages_data(stages):
    """The stages as sorted lists of names, or what is wrong with their form."""
    if not isinstance(stages, (list, tuple)):
        return {"problem": f"get_parallel_stages returned a {type(stages).__name__}, not a list of stages"}
    out = []
    for stage in stages:
        if not isinstance(stage, (list, tuple, set, frozenset)):
            return {"problem": f"a stage is a {type(stage).__name__}; each stage is a list (or set) of task names"}
        names = list(stage)
        if not all(isinstance(name, str) for name in names):
            return {"problem": "a stage holds something other than task names"}
        out.append(sorted(names))
    return {"stages": out}


def skipped_data(skipped):
    """The skipped tasks as a sorted list, or what is wrong with their form."""
    if not isinstance(skipped, (set, frozenset, list, tuple)):
        return {"problem": f"skipped_tasks returned a {type(skipped).__name__}, not a set of task names"}
    names = list(skipped)
    if not all(isinstance(name, str) for name in names):
        return {"problem": "skipped_tasks returned something other than task names"}
    return {"skipped": sorted(names)}


def build_probe_dag(ns, spec, calls):
    """A ConditionalPipelineDAG from [name, depends_on, verdict]; verdict None means no condition."""

    def recorder(name, verdict):
        def condition(upstream):
            calls.setdefault(name, []).append(dict(upstream))
            return verdict

        return condition

    dag = ns.ConditionalPipelineDAG("probe")
    for name, depends_on, verdict in spec:
        if verdict is None:
            dag.add_task(name, depends_on=depends_on)
        else:
            dag.add_task(name, depends_on=depends_on, condition=recorder(name, verdict))
    return dag


def run_with_results(ns, spec, results):
    calls = {}
    dag = build_probe_dag(ns, spec, calls)
    stages = stages_data(dag.get_parallel_stages(results))
    skipped = skipped_data(dag.skipped_tasks(results))
    return {"stages": stages, "skipped": skipped, "calls": calls}


def run_without_results(ns, spec):
    calls = {}
    dag = build_probe_dag(ns, spec, calls)
    return {
        "stages": stages_data(dag.get_parallel_stages()),
        "stages_none": stages_data(dag.get_parallel_stages(None)),
        "skipped": skipped_data(dag.skipped_tasks()),
        "skipped_none": skipped_data(dag.skipped_tasks(None)),
        "calls": calls,
    }


PROBE_HELPERS = (stages_data, skipped_data, build_probe_dag)


# ---- trusted helpers -------------------------------------------------------------------------
def levels(spec) -> dict[str, int]:
    """Each task's stage in the full DAG: the length of the longest dependency chain to it."""
    upstream = {name: deps for name, deps, _ in spec}
    memo: dict[str, int] = {}

    def level(task):
        if task not in memo:
            memo[task] = 1 + max((level(p) for p in upstream[task]), default=-1)
        return memo[task]

    return {name: level(name) for name in upstream}


def read_stages(data, where="get_parallel_stages") -> list[set[str]]:
    """Check the real type of what came back, then give the stages as sets."""
    expect(isinstance(data, dict), f"{where} could not be read")
    if "problem" in data:
        fail(str(data["problem"])[:300])
    stages = data.get("stages")
    ok = isinstance(stages, list) and all(
        isinstance(stage, list) and all(isinstance(name, str) for name in stage) for stage in stages
    )
    expect(ok, f"{where} should return a list of stages, each a list (or set) of task names")
    return [set(stage) for stage in stages]


def read_skipped(data) -> set[str]:
    expect(isinstance(data, dict), "skipped_tasks could not be read")
    if "problem" in data:
        fail(str(data["problem"])[:300])
    skipped = data.get("skipped")
    expect(isinstance(skipped, list) and all(isinstance(name, str) for name in skipped),
           "skipped_tasks should return a set of task names")
    return set(skipped)


def read_calls(data) -> dict[str, list[dict]]:
    calls = data.get("calls") if isinstance(data, dict) else None
    expect(isinstance(calls, dict) and all(isinstance(v, list) and all(isinstance(c, dict) for c in v)
                                           for v in calls.values()), "the conditions' calls could not be read")
    return calls


def names(tasks) -> str:
    return ", ".join(f"`{t}`" for t in sorted(tasks))


def is_are(tasks) -> str:
    return "is" if len(list(tasks)) == 1 else "are"


def check_stages(stages: list[set[str]], spec, skipped: set[str]) -> None:
    """The stages hold each running task once, at its full-DAG stage, with no empty stage."""
    want = levels(spec)
    upstream = {name: deps for name, deps, _ in spec}
    seen: dict[str, int] = {}
    for number, stage in enumerate(stages):
        expect(stage, f"stage {number} is empty: leave out the stages in which no task runs")
        for task in sorted(stage):
            expect(task not in seen, f"`{task}` is in stage {seen.get(task)} and again in stage {number}")
            seen[task] = number
    unknown = sorted(set(seen) - set(want))
    expect(not unknown, f"your stages hold {names(unknown)}, which is not a task of the DAG")
    left_in = sorted(set(seen) & skipped)
    expect(not left_in, f"{names(left_in)} {is_are(left_in)} in a stage, but skipped in this scenario")
    left_out = sorted(set(want) - skipped - set(seen))
    expect(not left_out, f"{names(left_out)} {is_are(left_out)} in none of your stages, but run in this scenario")
    for task in sorted(seen, key=want.get):
        for parent in upstream[task]:
            expect(seen[parent] < seen[task],
                   f"stage {seen[task]} holds `{task}`, but `{task}` depends on `{parent}`, in stage {seen[parent]}")
        expect(seen[task] == want[task],
               f"`{task}` is in stage {seen[task]}; a task that runs keeps the stage it has in the full DAG "
               "(the length of the longest chain of dependencies leading to it)")


# ---- (a) ------------------------------------------------------------------------------------------
@graded("a", points=1, hint="ConditionalTask is a @dataclass subclass of PipelineTask with one more field, "
                            "`condition`, whose default is None.")
def test_conditional_task_adds_a_condition_field(sub):
    facts = sub.run(task_class_facts)
    expect(facts.get("is_class"), "ConditionalTask should be a class")
    expect(facts.get("subclass"), "ConditionalTask should subclass pipelinekit's PipelineTask")
    expect(facts.get("dataclass"), "ConditionalTask should be a dataclass")
    expect(facts.get("has_field"), "ConditionalTask has no dataclass field named `condition`")
    expect(facts.get("default_is_none"), "a ConditionalTask made without a condition should have condition None")
    expect(facts.get("keeps_condition"), "ConditionalTask(name, condition=rule) should keep `rule` as its condition")
    expect(facts.get("keeps_other_fields"), "the fields of PipelineTask (name, duration, retries) should keep working")


@graded("a", points=1, hint="PipelineDAG.add_task builds a plain PipelineTask from a name; override add_task "
                            "so that a name and its fields become a ConditionalTask.")
def test_add_task_builds_conditional_tasks(sub):
    facts = sub.run(add_task_facts)
    expect("refused" not in facts,
           f"dag.add_task(name, depends_on=[...], condition=rule) raised {str(facts.get('refused'))[:200]}")
    expect(facts.get("builds_conditional_tasks"), "add_task(name, ...) should build a ConditionalTask")
    expect(facts.get("keeps_condition"), "the task added with condition=rule does not have `rule` as its condition")
    expect(facts.get("no_condition_is_none"), "a task added without condition= should have condition None")
    expect(facts.get("keeps_other_fields"), "add_task(name, duration=...) should keep the other task fields")
    expect(facts.get("adds_ready_made"), "add_task(ConditionalTask(...), depends_on=[...]) should add that very task")
    expect(facts.get("returns_the_task"), "add_task should return the task it added")
    upstream = facts.get("upstream")
    expect(upstream == {"load": [], "register": ["load"], "notify": ["register"]},
           "the tasks added through add_task do not have the dependencies given in depends_on")


# ---- (b) ------------------------------------------------------------------------------------------
# A task whose condition says no, and a root task whose condition says no (it is called with {}).
FALSE_CONDITION = [
    ["load_events", [], None],
    ["clean_events", ["load_events"], None],
    ["check_drift", ["clean_events"], False],
    ["train", ["clean_events"], True],
    ["fetch_holidays", [], False],
    ["summarise", ["load_events"], None],
]
FALSE_CONDITION_SKIPPED = {"check_drift", "fetch_holidays"}

# `validate` says no; below it `features` (joined with the running `calendar`), `train` (whose
# condition would say yes), `evaluate`, and `report` (joined with the running `profile`) never run.
PROPAGATION = [
    ["extract", [], None],
    ["calendar", [], None],
    ["validate", ["extract"], False],
    ["features", ["validate", "calendar"], None],
    ["train", ["features"], True],
    ["evaluate", ["train"], None],
    ["profile", ["extract"], None],
    ["report", ["profile", "evaluate"], None],
    ["archive", ["profile"], True],
]
PROPAGATION_SKIPPED = {"validate", "features", "train", "evaluate", "report"}

# Every condition says yes and records what it was given; results also hold an unrelated entry.
DIRECT_UPSTREAM = [
    ["raw_events", [], None],
    ["user_table", [], None],
    ["sessions", ["raw_events"], True],
    ["session_features", ["sessions", "user_table"], True],
    ["holidays", [], True],
    ["model", ["session_features", "holidays"], True],
]

# Conditions that would all say no: they must not be asked when there are no results.
NO_RESULTS = [
    ["ingest", [], False],
    ["schema", [], None],
    ["validate", ["ingest", "schema"], False],
    ["features", ["validate"], None],
    ["train", ["features"], False],
    ["audit", ["ingest"], None],
]
NO_CONDITIONS = [
    ["ingest", [], None],
    ["validate", ["ingest"], None],
    ["features", ["validate"], None],
    ["train", ["features"], None],
    ["audit", ["ingest"], None],
]

# A longer pipeline: skipping `register` empties the last two stages; skipping `backfill_check`
# leaves the stage it was in with another task.
STAGES = [
    ["ingest", [], None],
    ["schema", [], None],
    ["validate", ["ingest"], None],
    ["backfill_check", ["ingest"], True],
    ["features", ["validate", "schema"], None],
    ["train", ["features"], None],
    ["evaluate", ["train"], None],
    ["register", ["evaluate"], True],
    ["report", ["evaluate"], None],
    ["deploy", ["register"], None],
    ["monitor", ["deploy"], None],
]


def with_verdicts(spec, **verdicts):
    return [[name, deps, verdicts.get(name, verdict)] for name, deps, verdict in spec]


def results_for(spec, extra=()):
    """A distinct, plain result for every task of the scenario (and for `extra` names)."""
    return {name: {"task": name, "rows": 100 + i} for i, name in enumerate([*(n for n, _, _ in spec), *extra])}


@graded("b", points=1, hint="A task whose condition returns False is in skipped_tasks(results) and in no stage.")
def test_false_condition_skips_its_task(sub):
    got = sub.run(run_with_results, FALSE_CONDITION, results_for(FALSE_CONDITION), helpers=PROBE_HELPERS)
    skipped, stages = read_skipped(got["skipped"]), read_stages(got["stages"])
    in_stages = set().union(*stages) if stages else set()
    for task in sorted(FALSE_CONDITION_SKIPPED):
        expect(task in skipped, f"the condition of `{task}` returned False, but skipped_tasks does not list `{task}`")
        expect(task not in in_stages, f"the condition of `{task}` returned False, but `{task}` is still in a stage")
    runs = {name for name, _, _ in FALSE_CONDITION} - FALSE_CONDITION_SKIPPED
    for task in sorted(runs):
        expect(task not in skipped, f"`{task}` is listed as skipped, but nothing stops it from running")
        expect(task in in_stages, f"`{task}` runs in this scenario, but it is in none of your stages")


@graded("b", points=1, hint="Everything downstream of a skipped task is skipped too, and its condition is "
                            "not even called.")
def test_skip_reaches_every_downstream_task(sub):
    got = sub.run(run_with_results, PROPAGATION, results_for(PROPAGATION), helpers=PROBE_HELPERS)
    skipped, stages, calls = read_skipped(got["skipped"]), read_stages(got["stages"]), read_calls(got)
    upstream = {name: deps for name, deps, _ in PROPAGATION}
    for name, deps, verdict in PROPAGATION:  # in an order where upstream tasks come first
        if name in PROPAGATION_SKIPPED and name not in skipped:
            if verdict is False:
                fail(f"the condition of `{name}` returned False, but skipped_tasks does not list `{name}`")
            cause = next(d for d in upstream[name] if d in PROPAGATION_SKIPPED)
            fail(f"`{name}` depends on `{cause}`, which is skipped, but skipped_tasks does not list `{name}`")
    extra = sorted(skipped - PROPAGATION_SKIPPED)
    expect(not extra, f"{names(extra)} {is_are(extra)} listed as skipped, but no skipped task is upstream of "
                      f"{'it' if len(extra) == 1 else 'them'}")
    left_in = sorted(set().union(*stages) & PROPAGATION_SKIPPED) if stages else []
    expect(not left_in, f"{names(left_in)} {is_are(left_in)} skipped, but still in a stage")
    expect("train" not in calls,
           "the condition of `train` was called, but `train` is below a skipped task: it cannot run, "
           "and the input its condition would look at was never produced")


@graded("b", points=1, hint="A condition gets {name: results[name]} for the task's direct upstream tasks only.")
def test_condition_receives_only_direct_upstream_results(sub):
    results = results_for(DIRECT_UPSTREAM, extra=["yesterdays_model"])
    got = sub.run(run_with_results, DIRECT_UPSTREAM, results, helpers=PROBE_HELPERS)
    calls = read_calls(got)
    for name, deps, verdict in DIRECT_UPSTREAM:
        if verdict is None:
            continue
        received = calls.get(name, [])
        expect(received, f"the condition of `{name}` was never called")
        want = {dep: results[dep] for dep in deps}
        for argument in received:
            expect(set(argument) == set(want),
                   f"the condition of `{name}` received the results of {names(argument) or 'no task'}; "
                   f"it should get those of its direct upstream tasks, and only those")
            expect(argument == want, f"the condition of `{name}` received the right task names, "
                                     "but not the results those tasks produced")
    expect(read_skipped(got["skipped"]) == set(), "every condition said yes, yet some tasks are listed as skipped")


@graded("b", points=1, hint="Without results nothing has run: no condition is called and every task runs. "
                            "A task without a condition runs unless a task upstream of it is skipped.")
def test_nothing_skipped_without_results_or_conditions(sub):
    got = sub.run(run_without_results, NO_RESULTS, helpers=PROBE_HELPERS)
    expect(not read_calls(got), "a condition was called although there were no results (results=None)")
    for key, call in [("skipped", "skipped_tasks()"), ("skipped_none", "skipped_tasks(None)")]:
        expect(read_skipped(got[key]) == set(), f"{call} lists skipped tasks, but without results nothing is skipped")
    for key, call in [("stages", "get_parallel_stages()"), ("stages_none", "get_parallel_stages(None)")]:
        check_stages(read_stages(got[key], call), NO_RESULTS, set())

    got = sub.run(run_with_results, NO_CONDITIONS, results_for(NO_CONDITIONS), helpers=PROBE_HELPERS)
    expect(read_skipped(got["skipped"]) == set(), "in a DAG without conditions, skipped_tasks(results) lists tasks")
    check_stages(read_stages(got["stages"]), NO_CONDITIONS, set())


@graded("b", points=1, hint="Running tasks keep the stage they have in the full DAG; drop the stages left empty.")
def test_stages_of_running_tasks_follow_dependencies(sub):
    for verdicts, skipped in [
        ({"register": False}, {"register", "deploy", "monitor"}),
        ({"backfill_check": False}, {"backfill_check"}),
    ]:
        spec = with_verdicts(STAGES, **verdicts)
        got = sub.run(run_with_results, spec, results_for(spec), helpers=PROBE_HELPERS)
        check_stages(read_stages(got["stages"]), spec, skipped)


# ---- (c) ------------------------------------------------------------------------------------------
TRAINING = {  # the statement's table: task -> its direct upstream tasks
    "prepare_data": [],
    "train_retrieval": ["prepare_data"],
    "train_ranking": ["prepare_data"],
    "evaluate_retrieval": ["train_retrieval"],
    "evaluate_ranking": ["train_ranking"],
    "register_models": ["evaluate_retrieval", "evaluate_ranking"],
    "notify_serving": ["register_models"],
    "publish_report": ["evaluate_retrieval", "evaluate_ranking"],
}


def training_structure(ns):
    dag = ns.build_training_dag()
    return {
        "is_conditional_dag": isinstance(dag, ns.ConditionalPipelineDAG),
        "type": type(dag).__name__,
        "upstream": {name: list(dag.upstream(name)) for name in dag},
        "conditional": sorted(n for n, t in dag.tasks.items() if getattr(t, "condition", None) is not None),
    }


def training_night(ns, results):
    """Which tasks of the learner's training DAG a night with these results skips, by the rules of (b)
    applied here (so that (c) is graded on the DAG and its condition, not again on (b))."""
    dag = ns.build_training_dag()
    skipped, not_bool = set(), []
    for name in dag.topological_sort():
        parents = dag.upstream(name)
        if any(parent in skipped for parent in parents):
            skipped.add(name)
            continue
        condition = getattr(dag.tasks[name], "condition", None)
        if condition is None:
            continue
        verdict = condition({parent: results[parent] for parent in parents})
        if not isinstance(verdict, bool):
            not_bool.append(name)
        if not verdict:
            skipped.add(name)
    return {"skipped": sorted(skipped), "not_bool": not_bool}


def night(retrieval, ranking):
    """Results of one night; a failing model gets a higher metric than a passing one, so that only
    `passed` can tell them apart. Every task has a result, so that no condition lacks an input."""
    return {
        "prepare_data": {"rows": 1_250_000},
        "train_retrieval": {"model_uri": "runs:/retrieval/model"},
        "train_ranking": {"model_uri": "runs:/ranking/model"},
        "evaluate_retrieval": {"passed": retrieval, "metric": 0.12 if retrieval else 0.93},
        "evaluate_ranking": {"passed": ranking, "metric": 0.08 if ranking else 0.88},
        "register_models": {"version": 7},
        "notify_serving": {"notified": True},
        "publish_report": {"path": "reports/nightly.html"},
    }


def read_night(got) -> set[str]:
    expect(isinstance(got, dict) and isinstance(got.get("skipped"), list), "the training DAG could not be run")
    expect(not got.get("not_bool"), "the condition of register_models should return True or False")
    return set(got["skipped"])


@graded("c", points=1, hint="Eight tasks, each depending directly on exactly the tasks in the table; only "
                            "register_models has a condition.")
def test_training_dag_has_the_pinned_shape(sub):
    got = sub.run(training_structure)
    expect(got["is_conditional_dag"], f"build_training_dag() returned a {got['type']}, not a ConditionalPipelineDAG")
    upstream = got["upstream"]
    missing, extra = sorted(set(TRAINING) - set(upstream)), sorted(set(upstream) - set(TRAINING))
    expect(not missing, f"your DAG lacks {names(missing)}")
    expect(not extra, f"your DAG has tasks that are not in the table: {names(map(str, extra))}")
    for task, deps in TRAINING.items():
        have = set(upstream[task])
        for dep in sorted(set(deps) - have):
            expect(False, f"`{task}` does not depend directly on `{dep}`, but it uses that task's result")
        for dep in sorted(have - set(deps)):
            expect(False, f"`{task}` depends directly on `{dep}`, which the table does not ask for")
    expect(got["conditional"] == ["register_models"],
           f"the tasks with a condition are {names(got['conditional']) or 'none'}; only register_models has one")


@graded("c", points=1, hint="register_models runs when at least one evaluation says passed, even if the other fails.")
def test_registration_runs_when_a_model_passes(sub):
    for retrieval, ranking in [(True, False), (False, True), (True, True)]:
        skipped = read_night(sub.run(training_night, night(retrieval, ranking)))
        passed = " and ".join(m for m, ok in [("retrieval", retrieval), ("ranking", ranking)] if ok)
        expect(not skipped, f"on a night where {passed} passed, your pipeline skips {names(skipped)}")


@graded("c", points=1, hint="When neither model passes, register_models and what depends on it are skipped; "
                            "the report is still published.")
def test_registration_and_notification_skipped_when_no_model_passes(sub):
    skipped = read_night(sub.run(training_night, night(False, False)))
    for task in ("register_models", "notify_serving"):
        expect(task in skipped, f"on a night where no model passed, `{task}` still runs")
    extra = sorted(skipped - {"register_models", "notify_serving"})
    expect(not extra, f"on a night where no model passed, {names(extra)} {is_are(extra)} skipped, but should still run")
