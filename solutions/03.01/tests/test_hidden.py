"""Hidden tests for exercise 3.1 (is this task graph a DAG, and if not, which cycle?)."""
import random

from autograder.testing import expect, graded


# ---- the trusted side's own view of a graph ----------------------------------------------------
def all_tasks(graph: dict[str, list[str]]) -> set[str]:
    return set(graph) | {t for downstream in graph.values() for t in downstream}


def has_cycle(graph: dict[str, list[str]]) -> bool:
    """Kahn's algorithm: the graph is a DAG exactly when every task can be peeled off."""
    tasks = all_tasks(graph)
    indegree = {t: 0 for t in tasks}
    for downstream in graph.values():
        for t in downstream:
            indegree[t] += 1
    ready = [t for t in tasks if indegree[t] == 0]
    peeled = 0
    while ready:
        t = ready.pop()
        peeled += 1
        for child in graph.get(t, []):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return peeled < len(tasks)


def cycle_problem(graph: dict[str, list[str]], cycle) -> str | None:
    """Why `cycle` is not a cycle of `graph` (a sentence for the learner), or None if it is one."""
    if not isinstance(cycle, list) or not all(isinstance(t, str) for t in cycle):
        return "find_cycle should return a list of task names (or None)"
    if len(cycle) < 2:
        return f"find_cycle returned {cycle}: a cycle lists at least one task and repeats the first at the end"
    if cycle[0] != cycle[-1] and cycle[-1] in cycle[:-1]:
        return (f"the list you returned starts with tasks that only lead into the loop (`{cycle[0]}` is not "
                "on it): return the loop alone, starting and ending with the same task")
    if cycle[0] != cycle[-1]:
        return (f"the cycle you returned starts at `{cycle[0]}` but ends at `{cycle[-1]}`: repeat the first "
                "task at the end to close the loop")
    inner = cycle[:-1]
    repeated = sorted({t for t in inner if inner.count(t) > 1})
    if repeated:
        return (f"`{repeated[0]}` appears twice in the cycle you returned before the loop closes: return "
                "only the loop itself, not the path that led to it")
    for upstream, downstream in zip(cycle, cycle[1:]):
        if upstream not in all_tasks(graph):
            return f"the cycle you returned names `{upstream}`, which is not a task of the graph"
        if downstream not in graph.get(upstream, []):
            return (f"the cycle you returned goes from `{upstream}` to `{downstream}`, but `{downstream}` is "
                    f"not downstream of `{upstream}` (check the direction of the arrows)")
    return None


# ---- probes: run in the learner's worker, return plain data ------------------------------------
def verdicts(ns, graphs):
    out = []
    for graph in graphs:
        dag = ns.is_dag(graph)
        cycle = ns.find_cycle(graph)
        if cycle is not None and not isinstance(cycle, str):
            cycle = list(cycle)
        out.append({"is_dag": dag if isinstance(dag, bool) else repr(dag), "cycle": cycle})
    return out


def check_all(sub, named_graphs: list[tuple[str, dict]]) -> None:
    """Run the learner's functions on every graph and check each answer against the graph."""
    got = sub.run(verdicts, [g for _, g in named_graphs])
    for (what, graph), answer in zip(named_graphs, got):
        cyclic = has_cycle(graph)
        expect(isinstance(answer["is_dag"], bool), "is_dag should return True or False")
        if cyclic:
            expect(answer["cycle"] is not None, f"find_cycle returned None for {what}, which has a cycle")
            problem = cycle_problem(graph, answer["cycle"])
            expect(problem is None, f"for {what}: {problem}")
            expect(answer["is_dag"] is False, f"is_dag returned True for {what}, which has a cycle")
        else:
            expect(answer["cycle"] is None,
                   f"find_cycle returned {answer['cycle']} for {what}, which has no cycle"
                   + (" (reaching a task a second time along another path is not a cycle)"
                      if isinstance(answer["cycle"], list) else ""))
            expect(answer["is_dag"] is True, f"is_dag returned False for {what}, which has no cycle")


# ---- graphs named in feedback ------------------------------------------------------------------
CHAPTER_PIPELINE = {
    "acquire_data": ["validate_data"],
    "validate_data": ["preprocess"],
    "preprocess": ["engineer_features"],
    "engineer_features": ["split_train_test"],
    "split_train_test": ["train_model", "tune_hyperparameters"],
    "train_model": ["evaluate_model"],
    "tune_hyperparameters": ["evaluate_model"],
    "evaluate_model": ["register_model", "send_alert"],
    "register_model": ["deploy_model"],
}

DAGS = [
    ("an empty graph", {}),
    ("a single task with nothing downstream", {"train": []}),
    ("a chain of three tasks", {"extract": ["clean"], "clean": ["train"]}),
    ("a diamond (`a` feeds `b` and `c`, which both feed `d`)",
     {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}),
    ("a diamond listed bottom-up (`d` first)", {"d": [], "c": ["d"], "b": ["d"], "a": ["c", "b"]}),
    ("a graph whose leaf tasks appear only inside the lists", {"extract": ["train", "report"]}),
    ("two separate chains", {"a": ["b"], "c": ["d"], "e": ["f", "b"]}),
    ("the chapter's pipeline", CHAPTER_PIPELINE),
    ("a task reached from many tasks (`sink` is downstream of all)",
     {"s1": ["s2", "sink"], "s2": ["s3", "sink"], "s3": ["sink"], "sink": []}),
]

CYCLIC = [
    ("a task that lists itself", {"train": ["train"]}),
    ("two tasks that wait for each other", {"a": ["b"], "b": ["a"]}),
    ("the chapter's pipeline with an arrow from evaluation back to training",
     {**CHAPTER_PIPELINE, "evaluate_model": ["register_model", "send_alert", "train_model"]}),
    ("a graph where the loop `b -> c -> d -> b` is reached through `a`",
     {"a": ["b"], "b": ["c"], "c": ["d"], "d": ["b"]}),
    ("a graph whose first tasks form a DAG and whose loop lies in a separate part",
     {"a": ["b"], "b": [], "x": ["y"], "y": ["z"], "z": ["x"]}),
    ("a graph with a self-loop behind a diamond",
     {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": ["e"], "e": ["e"]}),
    ("a loop whose arrow back starts at a leaf of a longer branch",
     {"root": ["m", "n"], "m": ["p"], "n": ["p"], "p": ["q"], "q": ["r"], "r": ["n"]}),
]


def random_graphs(count: int, seed: int) -> list[dict[str, list[str]]]:
    """Random task graphs: half built acyclic from a hidden order, half with arrows either way."""
    rng = random.Random(seed)
    graphs = []
    for number in range(count):
        n = rng.randint(1, 40)
        names = [f"task_{i:02d}" for i in range(n)]
        rng.shuffle(names)  # names[i] comes before names[j] in the hidden order when i < j
        edges: dict[str, list[str]] = {}
        density = rng.choice([0.03, 0.08, 0.15, 0.3])
        acyclic = number % 2 == 0
        for i in range(n):
            for j in range(n):
                if (i < j or (not acyclic and i != j and rng.random() < 0.15)) and rng.random() < density:
                    edges.setdefault(names[i], []).append(names[j])
        if not acyclic and rng.random() < 0.2:
            loop = rng.choice(names)
            edges.setdefault(loop, []).append(loop)
        keys = list(edges)
        rng.shuffle(keys)
        graph = {k: edges[k] for k in keys}
        for name in names:  # some tasks with nothing downstream are keys, some only appear in lists
            if name not in graph and rng.random() < 0.5:
                graph[name] = []
        graphs.append(graph)
    return graphs


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="A task reached again after its whole subtree was explored is not a cycle; "
                             "only an arrow back to a task on the current path is.")
def test_dags_are_recognised(sub):
    check_all(sub, DAGS)


@graded("a", points=1, hint="Return just the loop, from a task back to that same task, following the arrows "
                             "downstream; start a search from every task, not only the first.")
def test_cycles_are_found_and_valid(sub):
    check_all(sub, CYCLIC)


@graded("a", points=1, hint="Your functions must work on any graph in the statement's format.")
def test_random_graphs(sub):
    graphs = sorted(random_graphs(300, seed=20250301), key=lambda g: len(all_tasks(g)))
    assert sum(has_cycle(g) for g in graphs) > 50  # the generator makes both kinds
    # Smallest graphs first, so that the feedback names the smallest graph that goes wrong.
    named = [(f"the graph {g}" if len(all_tasks(g)) <= 8 else f"a random graph of {len(all_tasks(g))} tasks", g)
             for g in graphs]
    check_all(sub, named)
