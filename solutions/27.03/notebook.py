# %% [markdown]
# Section 27.2's `PipelineDAG.topological_sort()` puts a pipeline's tasks in a run order with
# **Kahn's algorithm**. In this exercise you are the algorithm: you run it with pencil and paper
# on the StreamRec training pipeline and write down what it holds after every step. Doing it once
# by hand shows why no task can come before the tasks it needs, and why breaking ties first in,
# first out gives the same order on every run.
#
# Kahn's algorithm has several variants. Use exactly this one, which is what `topological_sort()`
# does (in its code the queue is the deque `ready` and the result list is `order`):
#
# 1. **In-degrees.** The in-degree of a task is the number of tasks it directly depends on (its
#    upstream tasks).
# 2. **Start.** The queue holds every task whose in-degree is zero, in the order the tasks were
#    added to the DAG. The result list is empty.
# 3. **Iterate** while the queue is not empty. One iteration:
#    1. take the task at the **front** of the queue out of the queue (the *popped* task), and
#       append it to the end of the result list;
#    2. go through the popped task's downstream tasks, in the order their edges were added to
#       the DAG: subtract 1 from each one's in-degree, and when that brings it to zero, append
#       that task to the **back** of the queue.
# 4. **Stop** when the queue is empty. The result list is the run order.
#
# Here is a small example, to fix the form of the answers. A four-task DAG is built in this order:
# `load`; then `clean` and `stats`, both depending on `load`; then `report`, depending on `clean`
# and `stats`. Only `load` has in-degree zero, so the queue starts as `["load"]`, and:
#
# | iteration | popped | in-degrees that change | queue after it (front first) | result after it |
# | --- | --- | --- | --- | --- |
# | 1 | `load` | `clean` 1 → 0, joins the queue; `stats` 1 → 0, joins | `["clean", "stats"]` | `["load"]` |
# | 2 | `clean` | `report` 2 → 1 | `["stats"]` | `["load", "clean"]` |
# | 3 | `stats` | `report` 1 → 0, joins | `["report"]` | `["load", "clean", "stats"]` |
# | 4 | `report` | none (nothing is downstream of it) | `[]` | `["load", "clean", "stats", "report"]` |

# %% [markdown]
# The StreamRec training pipeline of the chapter has ten tasks. The cell below lists them in the
# order they were added to the DAG, each with its upstream and downstream tasks in the order those
# edges were added. That is all you need; the drawing after it shows the same graph (read the
# edge order from the list, not from the picture).

# %%
from pipelinekit.streamrec import streamrec_training_dag

dag = streamrec_training_dag()

for number, name in enumerate(dag, start=1):
    print(f"{number:>2}. {name}")
    print(f"      upstream:   {', '.join(dag.upstream(name)) or '(none)'}")
    print(f"      downstream: {', '.join(dag.downstream(name)) or '(none)'}")

# %%
from pipelinekit.plotting import draw_dag

draw_dag(dag);

# %% [markdown] part="a"
# **(a)** Which tasks are in the queue before the first iteration, front first? Write them as the
# list `INITIAL_QUEUE`, using the task names above. Work it out from the list of tasks, not by
# running code.

# %% part="a"
### BEGIN SOLUTION initial_queue
INITIAL_QUEUE = ["extract_interactions", "extract_user_profiles", "extract_item_catalog"]
### END SOLUTION
### BEGIN STARTER
# INITIAL_QUEUE = []
### END STARTER

# %% [markdown] part="b"
# **(b)** Now run the iterations by hand, until the queue is empty. Write `TRACE`: a list with one
# entry per iteration, in order, where the entry of iteration *k* is a dict
#
# ```python
# {"popped": "<the task popped in iteration k>",
#  "queue": [<the queue after iteration k, front first>],
#  "result": [<the result list after iteration k>]}
# ```
#
# "After" means once the whole iteration is done: the popped task has left the queue and joined
# the result, and every task whose in-degree reached zero in this iteration has joined the back of
# the queue. In the small example above, the entry of iteration 2 would be
# `{"popped": "clean", "queue": ["stats"], "result": ["load", "clean"]}`.
#
# Each iteration is graded on its own. The order of the queue matters: it is first in, first out.
# As in (a), this is a trace made by hand: do not call `topological_sort()` or write code that
# runs the algorithm for you.

# %% part="b"
### BEGIN SOLUTION trace
TRACE = [
    {"popped": "extract_interactions",  # iteration 1
     "queue": ["extract_user_profiles", "extract_item_catalog"],
     "result": ["extract_interactions"]},
    {"popped": "extract_user_profiles",  # iteration 2
     "queue": ["extract_item_catalog"],
     "result": ["extract_interactions", "extract_user_profiles"]},
    {"popped": "extract_item_catalog",  # iteration 3
     "queue": ["validate_data"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog"]},
    {"popped": "validate_data",  # iteration 4
     "queue": ["compute_features"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data"]},
    {"popped": "compute_features",  # iteration 5
     "queue": ["train_retrieval", "train_ranking"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data", "compute_features"]},
    {"popped": "train_retrieval",  # iteration 6
     "queue": ["train_ranking", "evaluate_retrieval"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data", "compute_features", "train_retrieval"]},
    {"popped": "train_ranking",  # iteration 7
     "queue": ["evaluate_retrieval", "evaluate_ranking"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data", "compute_features", "train_retrieval", "train_ranking"]},
    {"popped": "evaluate_retrieval",  # iteration 8
     "queue": ["evaluate_ranking"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data", "compute_features", "train_retrieval", "train_ranking",
                "evaluate_retrieval"]},
    {"popped": "evaluate_ranking",  # iteration 9
     "queue": ["register_models"],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data", "compute_features", "train_retrieval", "train_ranking",
                "evaluate_retrieval", "evaluate_ranking"]},
    {"popped": "register_models",  # iteration 10
     "queue": [],
     "result": ["extract_interactions", "extract_user_profiles", "extract_item_catalog",
                "validate_data", "compute_features", "train_retrieval", "train_ranking",
                "evaluate_retrieval", "evaluate_ranking", "register_models"]},
]
### END SOLUTION
### BEGIN STARTER
# TRACE = [
#     # {"popped": "...", "queue": ["...", ...], "result": ["...", ...]},  # iteration 1
# ]
### END STARTER

# %% part="b"
# Your trace, one line per iteration, to read it at a glance. This only shows what you wrote:
# it checks nothing.
print(f"{'':>4}  {'popped':<20}  queue after the iteration, front first")
for number, step in enumerate(TRACE, start=1):
    if isinstance(step, dict):
        print(f"{number:>4}  {str(step.get('popped')):<20}  {list(step.get('queue') or [])}")
