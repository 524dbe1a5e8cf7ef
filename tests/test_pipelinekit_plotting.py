"""Tests of pipelinekit.plotting: the drawings follow the DAG's own stages and schedule."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: no window, no display needed

import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pipelinekit import UnknownTaskError  # noqa: E402
from pipelinekit.plotting import HIGHLIGHT_COLOUR, NODE_COLOUR, draw_dag, gantt  # noqa: E402
from pipelinekit.streamrec import streamrec_training_dag  # noqa: E402


def fresh_axes():
    return Figure().add_subplot()


def node_positions_and_colours(ax) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    labels = {text.xy: text.get_text() for text in ax.texts if text.get_text()}
    positions, colours = {}, {}
    for collection in ax.collections:
        (x, y), = collection.get_offsets().tolist()
        name = labels[(x, y)]
        positions[name] = (x, y)
        colours[name] = to_hex(collection.get_facecolor()[0])
    return positions, colours


def test_draw_dag_puts_each_task_at_its_stage() -> None:
    dag = streamrec_training_dag()
    positions, _ = node_positions_and_colours(draw_dag(dag, ax=fresh_axes()))
    for stage, names in enumerate(dag.get_parallel_stages()):
        assert {positions[name][0] for name in names} == {stage}
        assert len({positions[name][1] for name in names}) == len(names), f"stage {stage} tasks overlap"


def test_draw_dag_draws_one_arrow_per_edge() -> None:
    dag = streamrec_training_dag()
    ax = draw_dag(dag, ax=fresh_axes())
    arrows = [text for text in ax.texts if text.arrow_patch is not None]
    assert len(arrows) == len(dag.edges())


def test_draw_dag_colours_the_highlighted_tasks() -> None:
    dag = streamrec_training_dag()
    path, _ = dag.critical_path()
    _, colours = node_positions_and_colours(draw_dag(dag, ax=fresh_axes(), highlight=path))
    assert {name for name, colour in colours.items() if colour == to_hex(HIGHLIGHT_COLOUR)} == set(path)
    assert {name for name, colour in colours.items() if colour == to_hex(NODE_COLOUR)} == set(dag) - set(path)


def test_draw_dag_rejects_highlighting_an_unknown_task() -> None:
    with pytest.raises(UnknownTaskError, match="'train'"):
        draw_dag(streamrec_training_dag(), ax=fresh_axes(), highlight=["train"])


def test_draw_dag_makes_its_own_axes_when_none_is_given() -> None:
    import matplotlib.pyplot as plt

    ax = draw_dag(streamrec_training_dag())
    assert ax.get_title() == "streamrec_training"
    plt.close(ax.figure)


def test_gantt_draws_a_bar_per_task_from_the_schedule() -> None:
    dag = streamrec_training_dag()
    ax = gantt(dag, ax=fresh_axes())
    times = dag.schedule()
    bars = {label.get_text(): patch for label, patch in zip(ax.get_yticklabels(), ax.patches)}
    assert list(bars) == list(times)
    for name, (start, finish) in times.items():
        assert (bars[name].get_x(), bars[name].get_x() + bars[name].get_width()) == pytest.approx((start, finish))


def test_gantt_uses_the_given_durations() -> None:
    ax = gantt(streamrec_training_dag(), durations={"train_ranking": 10}, ax=fresh_axes())
    assert "makespan 187 min" in ax.get_title()

