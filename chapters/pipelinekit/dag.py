"""Pipelines as directed acyclic graphs: tasks, dependencies, ordering and timing.

The DAG owns the edges; a task only describes one unit of work. Everything the chapter
computes about a pipeline (a run order, the stages that can run in parallel, the earliest
schedule, the critical path) is derived from the graph here, deterministically, so the
numbers printed in the chapter are the numbers a learner gets.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CycleError", "UnknownTaskError", "PipelineTask", "PipelineDAG"]


class CycleError(ValueError):
    """Raised when a pipeline's dependencies loop back on themselves, so no run order exists."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle: list[str] = list(cycle)
        super().__init__("the pipeline has a cycle: " + " -> ".join(self.cycle))


class UnknownTaskError(KeyError):
    """Raised when a task name is not in the DAG; its message says which name and why."""

    def __init__(self, message: str, task: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.task = task

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message and wrap it in quotes.
        return self.message


@dataclass
class PipelineTask:
    """One unit of work in a pipeline, with its expected duration in minutes.

    Dependencies are not stored here: the PipelineDAG that holds the task owns the edges.
    """

    name: str
    fn: Callable[..., Any] | None = None
    duration: float = 0.0
    retries: int = 0
    timeout_minutes: float | None = None
    description: str = ""
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a task name must be a non-empty string, got {self.name!r}")
        if self.fn is not None and not callable(self.fn):
            raise TypeError(f"task {self.name!r}: fn must be callable or None, got {self.fn!r}")
        if isinstance(self.duration, bool) or not isinstance(self.duration, (int, float)):
            raise TypeError(f"task {self.name!r}: duration must be a number of minutes, got {self.duration!r}")
        if not math.isfinite(self.duration) or self.duration < 0:
            raise ValueError(
                f"task {self.name!r}: duration must be a finite number >= 0 minutes, got {self.duration!r}"
            )
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise ValueError(f"task {self.name!r}: retries must be an integer >= 0, got {self.retries!r}")
        timeout = self.timeout_minutes
        timeout_is_number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
        if timeout is not None and not (timeout_is_number and timeout > 0):
            raise ValueError(
                f"task {self.name!r}: timeout_minutes must be > 0 or None (no timeout), got {self.timeout_minutes!r}"
            )


class PipelineDAG:
    """A pipeline's tasks and the dependency edges between them, kept in insertion order."""

    def __init__(self, name: str = "pipeline") -> None:
        self.name = name
        self._tasks: dict[str, PipelineTask] = {}
        self._upstream: dict[str, list[str]] = {}
        self._downstream: dict[str, list[str]] = {}
        self._edges: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ building

    def add_task(
        self, task: PipelineTask | str, *, depends_on: Iterable[str] = (), **fields: Any
    ) -> PipelineTask:
        """Add a task (or build one from a name and fields) after the tasks it depends on.

        Requiring dependencies to exist first keeps every graph built this way acyclic.
        """
        if isinstance(task, str):
            task = PipelineTask(task, **fields)
        elif isinstance(task, PipelineTask):
            if fields:
                raise TypeError(
                    f"add_task got a PipelineTask ({task.name!r}) and also the fields "
                    f"{sorted(fields)}: set those on the PipelineTask itself, or pass a name instead"
                )
        else:
            raise TypeError(f"add_task expects a PipelineTask or a task name, got {type(task).__name__}")
        if isinstance(depends_on, str):
            raise TypeError(
                f"task {task.name!r}: depends_on must be a list of task names, not the string "
                f"{depends_on!r}; write depends_on=[{depends_on!r}]"
            )
        if task.name in self._tasks:
            raise ValueError(f"the DAG already has a task named {task.name!r}: task names must be unique")
        parents = list(dict.fromkeys(depends_on))
        for parent in parents:
            if parent not in self._tasks:
                raise UnknownTaskError(
                    f"task {task.name!r} depends on {parent!r}, which is not in the DAG yet: add it first",
                    parent,
                )
        self._tasks[task.name] = task
        self._upstream[task.name] = []
        self._downstream[task.name] = []
        for parent in parents:
            self._link(parent, task.name)
        return task

    def add_dependency(self, upstream: str, downstream: str) -> None:
        """Declare that `downstream` runs after `upstream`; a repeated edge is ignored.

        Unlike add_task this can close a cycle; cycles are reported when the graph is used.
        """
        for role, name in (("upstream", upstream), ("downstream", downstream)):
            if name not in self._tasks:
                raise UnknownTaskError(
                    f"cannot add the edge {upstream!r} -> {downstream!r}: the {role} task {name!r} "
                    f"is not in the DAG {self.name!r}",
                    name,
                )
        if downstream not in self._downstream[upstream]:
            self._link(upstream, downstream)

    def _link(self, upstream: str, downstream: str) -> None:
        self._downstream[upstream].append(downstream)
        self._upstream[downstream].append(upstream)
        self._edges.append((upstream, downstream))

    # ------------------------------------------------------------------ inspecting

    @property
    def tasks(self) -> dict[str, PipelineTask]:
        """A copy of the name -> task mapping, in insertion order."""
        return dict(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    def __contains__(self, name: object) -> bool:
        return name in self._tasks

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._tasks))

    def __repr__(self) -> str:
        return f"PipelineDAG(name={self.name!r}, tasks={len(self._tasks)}, edges={len(self._edges)})"

    def _require(self, name: str) -> None:
        if name not in self._tasks:
            known = ", ".join(repr(n) for n in self._tasks) or "none"
            raise UnknownTaskError(f"there is no task {name!r} in the DAG {self.name!r} (tasks: {known})", name)

    def upstream(self, name: str) -> list[str]:
        """The tasks `name` directly depends on, in the order those edges were added."""
        self._require(name)
        return list(self._upstream[name])

    def downstream(self, name: str) -> list[str]:
        """The tasks that directly depend on `name`, in the order those edges were added."""
        self._require(name)
        return list(self._downstream[name])

    def edges(self) -> list[tuple[str, str]]:
        """Every (upstream, downstream) edge, in the order it was added."""
        return list(self._edges)

    # ------------------------------------------------------------------ ordering

    def topological_sort(self) -> list[str]:
        """A run order in which every task comes after its dependencies (Kahn's algorithm).

        Ties are broken first-in first-out, from insertion order, so the order is reproducible.
        """
        in_degree = {name: len(parents) for name, parents in self._upstream.items()}
        ready = deque(name for name in self._tasks if in_degree[name] == 0)
        order: list[str] = []
        while ready:
            name = ready.popleft()
            order.append(name)
            for child in self._downstream[name]:
                in_degree[child] -= 1
                if in_degree[child] == 0:
                    ready.append(child)
        if len(order) < len(self._tasks):
            emitted = set(order)
            raise CycleError(self._find_cycle([n for n in self._tasks if n not in emitted]))
        return order

    def _find_cycle(self, remaining: list[str]) -> list[str]:
        """One cycle among the tasks Kahn's algorithm could not emit, as a closed walk.

        Each of those tasks still has an upstream task among them, so walking upstream from
        any of them must revisit a task; the revisited stretch, reversed, is a cycle.
        """
        left = set(remaining)
        walk = [remaining[0]]
        position = {remaining[0]: 0}
        while True:
            parent = next(p for p in self._upstream[walk[-1]] if p in left)
            if parent in position:
                loop = walk[position[parent]:]
                break
            position[parent] = len(walk)
            walk.append(parent)
        loop.reverse()  # now every consecutive pair is an edge upstream -> downstream
        order = {name: i for i, name in enumerate(self._tasks)}
        start = min(range(len(loop)), key=lambda i: order[loop[i]])
        loop = loop[start:] + loop[:start]
        return loop + [loop[0]]

    def get_parallel_stages(self) -> list[list[str]]:
        """Group tasks into stages that can run in parallel: a task's stage is the length of
        the longest dependency chain leading to it, so sources form stage 0."""
        stage: dict[str, int] = {}
        for name in self.topological_sort():
            stage[name] = max((stage[p] + 1 for p in self._upstream[name]), default=0)
        stages: list[list[str]] = [[] for _ in range(max(stage.values(), default=-1) + 1)]
        for name in self._tasks:
            stages[stage[name]].append(name)
        return stages

    # ------------------------------------------------------------------ timing

    def _durations(self, durations: Mapping[str, float] | None) -> dict[str, float]:
        resolved = {name: float(task.duration) for name, task in self._tasks.items()}
        for name, minutes in (durations or {}).items():
            if name not in self._tasks:
                raise UnknownTaskError(
                    f"durations give a time for {name!r}, which is not a task of the DAG {self.name!r}", name
                )
            try:
                minutes = float(minutes)
            except (TypeError, ValueError):
                raise TypeError(f"the duration of task {name!r} must be a number of minutes, got {minutes!r}") from None
            if not math.isfinite(minutes) or minutes < 0:
                raise ValueError(f"the duration of task {name!r} must be a finite number >= 0, got {minutes!r}")
            resolved[name] = minutes
        return resolved

    def schedule(self, durations: Mapping[str, float] | None = None) -> dict[str, tuple[float, float]]:
        """Earliest (start, finish) of each task with unlimited workers, in topological order.

        `durations` overrides the tasks' own `duration` for the names it contains.
        """
        minutes = self._durations(durations)
        times: dict[str, tuple[float, float]] = {}
        for name in self.topological_sort():
            start = max((times[p][1] for p in self._upstream[name]), default=0.0)
            times[name] = (start, start + minutes[name])
        return times

    def critical_path(self, durations: Mapping[str, float] | None = None) -> tuple[list[str], float]:
        """The chain of dependent tasks that takes longest, and its length in minutes.

        It sets the makespan: only shortening a task on it can make the pipeline finish earlier.
        Among equally long choices the one earliest in topological order wins.
        """
        times = self.schedule(durations)
        if not times:
            return [], 0.0
        rank = {name: i for i, name in enumerate(times)}  # schedule() is in topological order

        def latest_first(names: Iterable[str]) -> str:
            return max(names, key=lambda n: (times[n][1], -rank[n]))

        end = latest_first(times)
        path = [end]
        while self._upstream[path[-1]]:
            path.append(latest_first(self._upstream[path[-1]]))
        path.reverse()
        return path, times[end][1]

    def makespan(self, durations: Mapping[str, float] | None = None) -> float:
        """End-to-end minutes of one run with unlimited workers (the critical path's length)."""
        return max((finish for _, finish in self.schedule(durations).values()), default=0.0)

    # ------------------------------------------------------------------ export

    def to_dot(self) -> str:
        """Graphviz DOT text of the graph, left to right, each node labelled with its duration."""

        def quote(text: str) -> str:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = [f"digraph {quote(self.name)} {{", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
        for name, task in self._tasks.items():
            label = quote(f"{name}\n{task.duration:g} min").replace("\n", "\\n")
            lines.append(f"  {quote(name)} [label={label}];")
        for upstream, downstream in self._edges:
            lines.append(f"  {quote(upstream)} -> {quote(downstream)};")
        lines.append("}")
        return "\n".join(lines) + "\n"
