# %% [markdown]
# Section 3.1 described an ML pipeline as a **DAG**: tasks joined by arrows that say "this runs
# after that", with no way to follow the arrows back to where you started. An orchestrator can
# only run a pipeline whose graph has that property, so before anything runs it checks the graph.
# Airflow 3, for instance, does it every time it parses a DAG file (`DAG.check_cycle()`); a file
# whose tasks loop back on themselves never gets scheduled, it shows up as an import error in the
# `DagBag`. In this exercise you write that check yourself.
#
# **How a task graph is given.** A graph is a `dict` that maps a task name (a string) to the
# `list` of its *downstream* tasks, the tasks that run after it and read its output:
#
# ```python
# {"extract": ["clean"], "clean": ["train", "profile"], "train": ["evaluate"]}
# ```
#
# means `extract -> clean`, `clean -> train`, `clean -> profile` and `train -> evaluate`. A task
# may appear only inside a list (here `profile` and `evaluate`): it is a task with nothing
# downstream. A list may be empty, and a task may even list itself, which is a cycle of one task.

# %%
# The pipeline of Section 3.1's figure, in the format above.
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

# %% [markdown] part="a"
# **(a)** Write two functions.
#
# * `find_cycle(graph)` returns `None` when `graph` has no cycle. Otherwise it returns **one**
#   cycle as a list of task names that starts and ends with the same task, such as
#   `["train_model", "evaluate_model", "train_model"]`: every task in the list has the next one
#   among its downstream tasks, and no task appears twice except the first, which closes the
#   loop at the end. A task that lists itself gives a list of two, `["t", "t"]`. When the graph
#   has several cycles, any one of them is right.
# * `is_dag(graph)` returns `True` when the graph is a DAG and `False` otherwise.
#
# Write the search yourself (no `graphlib`, `networkx` or `pipelinekit`): a depth-first search
# that remembers which tasks are on the path it is currently following does it in one pass. Be
# careful with a task that can be reached along two different paths (a diamond): reaching it a
# second time is not a cycle. The grader runs your functions on a few hundred random graphs of up
# to 40 tasks and checks every cycle you return against the graph.

# %% part="a"
def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of `graph` as [t0, t1, ..., t0], or None when `graph` is a DAG."""
    ### BEGIN SOLUTION find_cycle
    NEW, ON_PATH, DONE = 0, 1, 2  # not visited yet, on the current path, fully explored
    state: dict[str, int] = {}
    tasks = list(graph)
    for downstream in graph.values():
        tasks.extend(downstream)
    for root in tasks:
        if state.get(root, NEW) != NEW:
            continue
        path = [root]
        pending = [iter(graph.get(root, []))]  # the downstream tasks still to look at, per level
        state[root] = ON_PATH
        while path:
            child = next(pending[-1], None)
            if child is None:  # everything below path[-1] explored: no cycle through it
                state[path.pop()] = DONE
                pending.pop()
            elif state.get(child, NEW) == ON_PATH:  # an arrow back into the current path
                start = path.index(child)
                return path[start:] + [child]
            elif state.get(child, NEW) == NEW:
                state[child] = ON_PATH
                path.append(child)
                pending.append(iter(graph.get(child, [])))
    return None
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("search the graph depth first, remembering the current path")
    ### END STARTER


def is_dag(graph: dict[str, list[str]]) -> bool:
    """True when `graph` has no cycle."""
    ### BEGIN SOLUTION is_dag
    return find_cycle(graph) is None
    ### END SOLUTION


# %% [markdown] part="a"
# Try it on the chapter's pipeline, then on a version where someone "closes the loop" by sending
# the evaluation back to training whenever the score is too low. Orchestrators forbid that arrow:
# a retraining loop belongs in the schedule (the next run) or inside one task, not in the graph.

# %% part="a"
print("chapter pipeline is a DAG:", is_dag(CHAPTER_PIPELINE))
print("cycle found:", find_cycle(CHAPTER_PIPELINE))

with_feedback = {task: list(downstream) for task, downstream in CHAPTER_PIPELINE.items()}
with_feedback["evaluate_model"].append("train_model")
print("with the retraining arrow, a DAG:", is_dag(with_feedback))
print("cycle found:", " -> ".join(find_cycle(with_feedback)))

# %% [markdown] answer="a.written"
# In a few sentences of your own: what is a DAG, and why do pipeline tools insist on one? Give at
# least two reasons.
#
### BEGIN SOLUTION
# A DAG (directed acyclic graph) is a set of nodes joined by arrows that each point one way, from
# a task to a task that depends on it, arranged so that following the arrows never leads back to
# a node already visited. In a pipeline the nodes are tasks and an arrow means "runs after, and
# reads the output of".
#
# Pipelines rely on that structure because (1) a graph without cycles always has a topological
# order, so the orchestrator can compute when every task may start and is sure the run ends;
# with a cycle, each task of the loop waits for another and nothing can start; (2) tasks with no
# path between them (the training and tuning branches of Section 3.1) can run in parallel;
# (3) after a failure only the failed task and what lies downstream of it has to be rerun,
# because everything upstream already produced its output; and (4) the graph documents the data
# lineage: which inputs every result came from.
### END SOLUTION
