# %% [markdown]
# Every night StreamRec retrains two models: a *retrieval* model, which picks a few hundred
# candidate items for each user, and a *ranking* model, which puts those candidates in order.
# Each model is then evaluated on held-out data. The team's rule for what happens next is short:
# push the models to the registry only if at least one of them passed its evaluation. If neither
# did, yesterday's models stay in service and the serving layer is not told anything.
#
# The `PipelineDAG` of section 27.2 can say "register *after* evaluating", but not "register
# *only if* the evaluation went well". In this exercise you extend it with **conditional tasks**.
# A task may carry a condition: a function of the results of the tasks it directly depends on.
# When the condition says no, the task is *skipped*, and so is every task that needs its output.

# %%
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipelinekit import PipelineDAG, PipelineTask

# %% [markdown] part="a"
# **(a)** Give tasks a condition, and let the DAG build such tasks.
#
# - **`ConditionalTask`** (the cell below) is a dataclass that subclasses `PipelineTask` and
#   adds one field, `condition: Callable[[dict[str, Any]], bool] | None = None`. The condition
#   receives a dict mapping the name of each task that this task *directly* depends on to that
#   task's result, and returns `True` when the task should run. `None`, the default, means
#   "no condition": the task always runs. Every field of `PipelineTask` (`fn`, `duration`,
#   `retries`, ...) keeps working.
# - **`ConditionalPipelineDAG`** is a subclass of `PipelineDAG` whose tasks are
#   `ConditionalTask`s. Write its `add_task(task, *, depends_on=(), **fields)`, in the class
#   after (b)'s statement (a class lives in one cell). It accepts
#   - a task name with any `ConditionalTask` fields, `condition` included:
#     `dag.add_task("register_models", depends_on=["evaluate_ranking"], condition=rule)` builds
#     `ConditionalTask("register_models", condition=rule)` and adds it;
#   - or a ready-made `ConditionalTask`:
#     `dag.add_task(ConditionalTask("register_models", condition=rule), depends_on=[...])`.
#
#   Either way the task is added after its dependencies exactly as `PipelineDAG.add_task` adds
#   one (same checks, same errors), and `add_task` returns the task it added.
#
# Before you write `add_task`, look at how the companion turns a name into a task:
# `print(inspect.getsource(PipelineDAG.add_task))`. Which class does it build?

# %% part="a"
@dataclass
class ConditionalTask(PipelineTask):
    """A pipeline task that runs only if its condition accepts the results of its direct upstream tasks."""

    ### BEGIN SOLUTION conditional_task
    # Called with {direct upstream task: its result}; False skips the task. None: always run.
    condition: Callable[[dict[str, Any]], bool] | None = None
    ### END SOLUTION
    ### BEGIN STARTER
    # pass  # replace this line with the `condition` field
    ### END STARTER

# %% [markdown] part="b"
# **(b)** Decide which tasks run. `results` maps the names of tasks that have already run to
# their results. Fill in two more methods of `ConditionalPipelineDAG`, in the cell below:
#
# - `skipped_tasks(results: Mapping[str, Any] | None = None) -> set[str]`: the names of the
#   tasks that will not run;
# - `get_parallel_stages(results: Mapping[str, Any] | None = None) -> list[list[str]]`: the
#   stages of the tasks that will run.
#
# The rules:
#
# 1. A task without a condition runs, unless rule 3 skips it.
# 2. A task with a condition is skipped when `condition(upstream)` returns `False`. `upstream`
#    is a new dict `{name: results[name]}` over the task's **direct** upstream tasks
#    (`dag.upstream(task)`) and no other task; a task with no upstream task gets `{}`.
# 3. A task that has a skipped upstream task is skipped too, whatever its condition would say,
#    and that condition is **not called**: the input it would look at was never produced. So a
#    skip travels all the way down the graph, and a task that joins a skipped branch and a
#    running one is skipped.
# 4. With `results=None` (the default) nothing has run yet: no condition is called, nothing is
#    skipped, and `get_parallel_stages()` gives the same stages as `PipelineDAG`.
#
# You may assume that `results` holds the result of every direct upstream task of each condition
# you call; it may hold the results of other tasks too.
#
# Stages mean what they mean in section 27.2: a task's stage number is the length of the longest
# chain of dependencies leading to it, so the tasks that need nothing form stage 0. Skipped tasks
# appear in no stage, a stage left without any task is dropped, and each task that runs keeps
# the stage number it has in the full DAG. (Recomputing the stages on the running tasks alone
# gives the same numbers. Why? Think of the tasks upstream of a running task.) Inside a stage the
# order does not matter, and a stage may be a list or a set.

# %% part="b"
class ConditionalPipelineDAG(PipelineDAG):
    """A PipelineDAG whose tasks may be skipped, depending on the results of the tasks upstream."""

    # ---- (a) --------------------------------------------------------------------------------
    def add_task(
        self, task: ConditionalTask | str, *, depends_on: Iterable[str] = (), **fields: Any
    ) -> ConditionalTask:
        """Add a ConditionalTask, or build one from a name and fields (condition= among them)."""
        ### BEGIN SOLUTION add_task
        if isinstance(task, str):
            # PipelineDAG.add_task would build a plain PipelineTask, which has no condition field.
            return super().add_task(ConditionalTask(task, **fields), depends_on=depends_on)
        # A ready-made task: the companion adds it, and refuses fields passed alongside it.
        return super().add_task(task, depends_on=depends_on, **fields)
        ### END SOLUTION

    # ---- (b) --------------------------------------------------------------------------------
    def skipped_tasks(self, results: Mapping[str, Any] | None = None) -> set[str]:
        """The tasks that will not run, given the results of the tasks that already ran."""
        ### BEGIN SOLUTION skipped_tasks
        if results is None:
            return set()  # nothing has run yet, so there is nothing to decide on
        tasks = self.tasks
        skipped: set[str] = set()
        for name in self.topological_sort():  # each task after all the tasks it depends on
            parents = self.upstream(name)
            if any(parent in skipped for parent in parents):
                skipped.add(name)  # an input will never exist: skip it without asking its condition
                continue
            condition = tasks[name].condition
            if condition is not None and not condition({parent: results[parent] for parent in parents}):
                skipped.add(name)
        return skipped
        ### END SOLUTION

    def get_parallel_stages(self, results: Mapping[str, Any] | None = None) -> list[list[str]]:
        """The stages of the tasks that will run; each keeps its stage number from the full DAG."""
        ### BEGIN SOLUTION get_parallel_stages
        skipped = self.skipped_tasks(results)
        # Every task upstream of a running task runs too, so the longest chain leading to it is the
        # same as in the full DAG: the full DAG's stages minus the skipped tasks are this run's.
        stages = [[name for name in stage if name not in skipped] for stage in super().get_parallel_stages()]
        return [stage for stage in stages if stage]
        ### END SOLUTION

# %% [markdown] part="c"
# **(c)** Build StreamRec's nightly training pipeline in `build_training_dag()`, a
# `ConditionalPipelineDAG` with exactly these tasks and these direct dependencies:
#
# | task | depends directly on | runs only if |
# | --- | --- | --- |
# | `prepare_data` | | |
# | `train_retrieval` | `prepare_data` | |
# | `train_ranking` | `prepare_data` | |
# | `evaluate_retrieval` | `train_retrieval` | |
# | `evaluate_ranking` | `train_ranking` | |
# | `register_models` | `evaluate_retrieval`, `evaluate_ranking` | at least one of the two models passed |
# | `notify_serving` | `register_models` | |
# | `publish_report` | `evaluate_retrieval`, `evaluate_ranking` | |
#
# `register_models` is the only task with a condition. The result of each evaluation task is a
# dict `{"passed": bool, "metric": float}`. Decide on `passed` alone: it already applies that
# model's own quality gate, and the two metrics (recall@100 for retrieval, NDCG@10 for ranking)
# are not on the same scale. The report is published every night, whatever the evaluations say.
#
# The cell after it shows the stages of two nights: one where a model passes, one where none does.

# %% part="c"
def build_training_dag() -> ConditionalPipelineDAG:
    """StreamRec's nightly training pipeline: the models are registered only if one of them passed."""
    ### BEGIN SOLUTION build_training_dag
    def any_model_passed(evaluations: dict[str, Any]) -> bool:
        """True if at least one evaluation result says its model passed."""
        return any(result["passed"] for result in evaluations.values())

    dag = ConditionalPipelineDAG("streamrec_training")
    dag.add_task("prepare_data")
    dag.add_task("train_retrieval", depends_on=["prepare_data"])
    dag.add_task("train_ranking", depends_on=["prepare_data"])
    dag.add_task("evaluate_retrieval", depends_on=["train_retrieval"])
    dag.add_task("evaluate_ranking", depends_on=["train_ranking"])
    dag.add_task("register_models", depends_on=["evaluate_retrieval", "evaluate_ranking"], condition=any_model_passed)
    dag.add_task("notify_serving", depends_on=["register_models"])
    dag.add_task("publish_report", depends_on=["evaluate_retrieval", "evaluate_ranking"])
    return dag
    ### END SOLUTION
    ### BEGIN STARTER
    # dag = ConditionalPipelineDAG("streamrec_training")
    # raise NotImplementedError("add the eight tasks, and the condition of register_models")
    ### END STARTER


# %% part="c"
ONE_MODEL_PASSED = {
    "prepare_data": {"rows": 1_250_000},
    "train_retrieval": {"model_uri": "runs:/retrieval-nightly/model"},
    "train_ranking": {"model_uri": "runs:/ranking-nightly/model"},
    "evaluate_retrieval": {"passed": True, "metric": 0.41},  # recall@100
    "evaluate_ranking": {"passed": False, "metric": 0.29},  # NDCG@10
}
NO_MODEL_PASSED = dict(ONE_MODEL_PASSED, evaluate_retrieval={"passed": False, "metric": 0.33})

training_dag = build_training_dag()
for night, results in [("one model passed", ONE_MODEL_PASSED), ("no model passed", NO_MODEL_PASSED)]:
    print(f"{night}:")
    for number, stage in enumerate(training_dag.get_parallel_stages(results)):
        print(f"  stage {number}: {', '.join(sorted(stage))}")
    print(f"  skipped: {', '.join(sorted(training_dag.skipped_tasks(results))) or 'nothing'}")
