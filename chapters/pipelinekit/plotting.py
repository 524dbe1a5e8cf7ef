"""Pictures of a pipeline drawn from the DAG's own graph: a layered DAG and a Gantt chart.

matplotlib is imported inside the functions, so importing pipelinekit stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .dag import PipelineDAG, UnknownTaskError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["draw_dag", "gantt"]

NODE_COLOUR = "#4c72b0"
HIGHLIGHT_COLOUR = "#dd5533"
EDGE_COLOUR = "#8c8c8c"
_NODE_SIZE = 180  # marker area in points^2
_NODE_RADIUS = _NODE_SIZE**0.5 / 2  # in points, to stop arrows at the marker's edge


def _new_axes(width: float, height: float) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def _checked_highlight(dag: PipelineDAG, highlight: Iterable[str]) -> set[str]:
    chosen = set(highlight) if not isinstance(highlight, str) else {highlight}
    for name in chosen:
        if name not in dag:
            raise UnknownTaskError(f"cannot highlight {name!r}: it is not a task of the DAG {dag.name!r}", name)
    return chosen


def _layout(dag: PipelineDAG) -> dict[str, tuple[float, float]]:
    """(x, y) of each task: x is its parallel stage, tasks of a stage spread around y = 0."""
    positions = {}
    for x, stage in enumerate(dag.get_parallel_stages()):
        top = (len(stage) - 1) / 2
        for row, name in enumerate(stage):
            positions[name] = (float(x), top - row)
    return positions


def draw_dag(dag: PipelineDAG, ax: Axes | None = None, highlight: Iterable[str] = ()) -> Axes:
    """Draw the DAG left to right by stage, with an arrow per edge and the `highlight` tasks
    (e.g. the critical path) and the edges between them in a second colour."""
    chosen = _checked_highlight(dag, highlight)
    positions = _layout(dag)
    stages = max((x for x, _ in positions.values()), default=0) + 1
    rows = max((sum(1 for p in positions.values() if p[0] == x) for x in range(int(stages))), default=1)
    if ax is None:
        ax = _new_axes(max(6.0, 2.3 * stages), max(2.5, 1.1 * rows + 1))

    for upstream, downstream in dag.edges():
        hot = upstream in chosen and downstream in chosen
        ax.annotate(
            "",
            xy=positions[downstream],
            xytext=positions[upstream],
            arrowprops=dict(
                arrowstyle="-|>",
                color=HIGHLIGHT_COLOUR if hot else EDGE_COLOUR,
                linewidth=2.0 if hot else 1.0,
                shrinkA=_NODE_RADIUS + 1,
                shrinkB=_NODE_RADIUS + 1,
                mutation_scale=12,
            ),
            zorder=1,
        )
    for name, (x, y) in positions.items():
        colour = HIGHLIGHT_COLOUR if name in chosen else NODE_COLOUR
        ax.scatter([x], [y], s=_NODE_SIZE, color=colour, zorder=2, edgecolors="white", linewidths=1.0)
        ax.annotate(
            name,
            (x, y),
            xytext=(0, -(_NODE_RADIUS + 3)),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8,
            color=colour if name in chosen else "black",
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85),
            zorder=3,  # above the arrows that pass under a label
        )

    ys = [y for _, y in positions.values()] or [0.0]
    ax.set_xlim(-0.6, stages - 0.4)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.5)
    ax.set_axis_off()
    ax.set_title(dag.name)
    return ax


def gantt(dag: PipelineDAG, durations: Mapping[str, float] | None = None, ax: Axes | None = None) -> Axes:
    """Horizontal bars of each task's earliest start and finish with unlimited workers,
    first task at the top; tasks on the critical path are drawn in the highlight colour."""
    times = dag.schedule(durations)
    path, makespan = dag.critical_path(durations)
    critical = set(path)
    names = list(times)  # topological order
    if ax is None:
        ax = _new_axes(8.0, max(2.5, 0.4 * len(names) + 1))
    for row, name in enumerate(names):
        start, finish = times[name]
        ax.barh(
            row,
            finish - start,
            left=start,
            height=0.6,
            color=HIGHLIGHT_COLOUR if name in critical else NODE_COLOUR,
            edgecolor="white",
        )
    ax.set_yticks(range(len(names)), labels=names)
    ax.set_ylim(len(names) - 0.5, -0.5)  # first task on top
    ax.set_xlabel("minutes from the start of the run")
    ax.set_title(f"{dag.name}: makespan {makespan:g} min (critical path in colour)")
    ax.grid(axis="x", alpha=0.3)
    return ax
