# A second correct solution: the condition checked in __post_init__, add_task pulling the
# condition out of the fields, the skip set grown by a depth-first walk from each task whose
# condition fails, and stages recomputed on the running tasks alone by peeling Kahn's
# algorithm level by level, returned as sets.
### REGION conditional_task
condition: Callable[..., bool] | None = None

def __post_init__(self) -> None:
    super().__post_init__()
    if self.condition is not None and not callable(self.condition):
        raise TypeError(f"task {self.name!r}: condition must be callable or None, got {self.condition!r}")
### REGION add_task
if not isinstance(task, str):
    return super().add_task(task, depends_on=depends_on, **fields)
condition = fields.pop("condition", None)
built = ConditionalTask(task, condition=condition, **fields)
super().add_task(built, depends_on=depends_on)
return self.tasks[built.name]
### REGION skipped_tasks
skipped: set[str] = set()
if results is None:
    return skipped
order = self.topological_sort()


def skip_with_descendants(start: str) -> None:
    stack = [start]
    while stack:
        current = stack.pop()
        if current not in skipped:
            skipped.add(current)
            stack.extend(self.downstream(current))


for name in order:
    if name in skipped:
        continue  # reached from a skipped ancestor: its condition is never asked
    condition = getattr(self.tasks[name], "condition", None)
    if condition is None:
        continue
    inputs = {}
    for parent in self.upstream(name):
        inputs[parent] = results[parent]
    if not condition(inputs):
        skip_with_descendants(name)
return skipped
### REGION get_parallel_stages
self.topological_sort()  # a cycle is reported, not silently dropped
skipped = self.skipped_tasks(results)
waiting = {name: len(self.upstream(name)) for name in self if name not in skipped}
frontier = {name for name, count in waiting.items() if count == 0}
stages: list[set[str]] = []
while frontier:
    stages.append(frontier)
    following: set[str] = set()
    for name in frontier:
        for child in self.downstream(name):
            if child in waiting:
                waiting[child] -= 1
                if waiting[child] == 0:
                    following.add(child)
    frontier = following
return stages
### REGION build_training_dag
dag = ConditionalPipelineDAG("streamrec_training")
for name, parents in [
    ("prepare_data", []),
    ("train_ranking", ["prepare_data"]),
    ("train_retrieval", ["prepare_data"]),
    ("evaluate_ranking", ["train_ranking"]),
    ("evaluate_retrieval", ["train_retrieval"]),
    ("publish_report", ["evaluate_ranking", "evaluate_retrieval"]),
]:
    dag.add_task(name, depends_on=parents)
gate = ConditionalTask(
    "register_models",
    condition=lambda evaluations: sum(bool(e["passed"]) for e in evaluations.values()) >= 1,
)
dag.add_task(gate, depends_on=["evaluate_ranking", "evaluate_retrieval"])
dag.add_task(ConditionalTask("notify_serving"), depends_on=["register_models"])
return dag
