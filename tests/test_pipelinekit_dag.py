"""Tests of pipelinekit.dag: building a pipeline graph, ordering it, staging and timing it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelinekit import CycleError, PipelineDAG, PipelineTask, UnknownTaskError
from pipelinekit.streamrec import streamrec_training_dag

# Deterministic and side-effect free: no example database written into the repository.
PROPERTY = settings(max_examples=100, deadline=None, database=None, derandomize=True)

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=6)


@st.composite
def random_dags(draw: st.DrawFn, max_tasks: int = 10) -> tuple[PipelineDAG, set[tuple[str, str]]]:
    """A random DAG (edges i -> j only for i < j) built in a random valid order, some edges
    given to add_task and the rest added afterwards with add_dependency; also its edge set."""
    names = draw(st.lists(NAMES, min_size=1, max_size=max_tasks, unique=True))
    n = len(names)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    flags = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    edges = [pair for pair, keep in zip(pairs, flags) if keep]
    later = {pair for pair in edges if draw(st.booleans())}
    parents = {j: [i for i, k in edges if k == j] for j in range(n)}

    dag = PipelineDAG("random")
    placed: set[int] = set()
    while len(placed) < n:
        ready = [j for j in range(n) if j not in placed and all(i in placed for i in parents[j])]
        j = draw(st.sampled_from(ready))
        depends_on = draw(st.permutations([names[i] for i in parents[j] if (i, j) not in later]))
        duration = draw(st.floats(min_value=0, max_value=100, allow_nan=False))
        dag.add_task(names[j], depends_on=depends_on, duration=duration)
        placed.add(j)
    for i, j in draw(st.permutations(sorted(later))):
        dag.add_dependency(names[i], names[j])
    return dag, {(names[i], names[j]) for i, j in edges}


@st.composite
def cyclic_graphs(draw: st.DrawFn) -> tuple[PipelineDAG, set[tuple[str, str]]]:
    """A random DAG plus a back edge j -> i over a path i -> j (so a cycle surely exists),
    plus maybe more back edges; also the full edge set."""
    dag, edges = draw(random_dags())
    names = list(dag)
    i = draw(st.integers(0, len(names) - 1))
    j = draw(st.integers(i, len(names) - 1))
    if i < j:
        dag.add_dependency(names[i], names[j])
        edges.add((names[i], names[j]))
    dag.add_dependency(names[j], names[i])  # i == j gives a self-loop, the shortest cycle
    edges.add((names[j], names[i]))
    for a, b in draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=3)):
        dag.add_dependency(a, b)
        edges.add((a, b))
    return dag, edges


def chain(*names: str, name: str = "chain") -> PipelineDAG:
    dag = PipelineDAG(name)
    previous: list[str] = []
    for task in names:
        dag.add_task(task, depends_on=previous)
        previous = [task]
    return dag


# ---------------------------------------------------------------------- building


def test_add_task_by_name_builds_a_task_with_the_given_fields() -> None:
    dag = PipelineDAG()
    task = dag.add_task("train", duration=90, retries=2, description="fit the model")
    assert task == PipelineTask("train", duration=90, retries=2, description="fit the model")
    assert dag.tasks["train"] is task


def test_add_task_accepts_a_task_instance() -> None:
    dag = PipelineDAG()
    task = PipelineTask("extract", duration=5)
    assert dag.add_task(task) is task


def test_add_task_with_an_instance_and_fields_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="extract"):
        PipelineDAG().add_task(PipelineTask("extract"), duration=5)


def test_duplicate_task_name_is_a_value_error_naming_it() -> None:
    dag = PipelineDAG()
    dag.add_task("extract")
    with pytest.raises(ValueError, match="'extract'"):
        dag.add_task("extract")


def test_dependency_on_a_task_not_added_yet_explains_what_to_do() -> None:
    dag = PipelineDAG()
    with pytest.raises(UnknownTaskError) as caught:
        dag.add_task("join", depends_on=["extract_profiles"])
    assert str(caught.value) == (
        "task 'join' depends on 'extract_profiles', which is not in the DAG yet: add it first"
    )
    assert "join" not in dag


def test_unknown_task_error_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        PipelineDAG().upstream("nope")


def test_depends_on_given_a_bare_string_is_a_type_error() -> None:
    dag = PipelineDAG()
    dag.add_task("extract")
    with pytest.raises(TypeError, match=r"depends_on=\['extract'\]"):
        dag.add_task("validate", depends_on="extract")


def test_add_dependency_requires_both_tasks() -> None:
    dag = PipelineDAG()
    dag.add_task("extract")
    with pytest.raises(UnknownTaskError, match="'train'"):
        dag.add_dependency("extract", "train")
    with pytest.raises(UnknownTaskError, match="'train'"):
        dag.add_dependency("train", "extract")


def test_duplicate_edges_are_ignored() -> None:
    dag = chain("a", "b")
    dag.add_dependency("a", "b")
    assert dag.edges() == [("a", "b")]
    assert dag.upstream("b") == ["a"]


def test_task_with_a_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match="'train'"):
        PipelineTask("train", duration=-1)


# ---------------------------------------------------------------------- inspecting


def test_tasks_is_a_copy_in_insertion_order() -> None:
    dag = chain("c", "a", "b")
    tasks = dag.tasks
    tasks.pop("a")
    assert list(dag.tasks) == ["c", "a", "b"]


def test_len_contains_and_iter_follow_insertion_order() -> None:
    dag = chain("c", "a", "b")
    assert len(dag) == 3
    assert "a" in dag and "z" not in dag
    assert list(dag) == ["c", "a", "b"]


def test_repr_names_the_pipeline_and_counts() -> None:
    assert repr(chain("a", "b", name="etl")) == "PipelineDAG(name='etl', tasks=2, edges=1)"


def test_upstream_and_downstream_keep_the_order_edges_were_added() -> None:
    dag = PipelineDAG()
    for name in ("x", "y", "z"):
        dag.add_task(name)
    dag.add_task("join", depends_on=["z", "x"])
    dag.add_dependency("y", "join")
    assert dag.upstream("join") == ["z", "x", "y"]
    assert dag.edges() == [("z", "join"), ("x", "join"), ("y", "join")]
    assert dag.downstream("x") == ["join"]


# ---------------------------------------------------------------------- ordering


def test_topological_sort_is_first_in_first_out_not_insertion_order() -> None:
    dag = PipelineDAG()
    dag.add_task("a")
    dag.add_task("b")
    dag.add_task("c", depends_on=["b"])
    dag.add_task("d", depends_on=["a"])
    # queue [a, b]; a frees d -> [b, d]; b frees c -> [d, c]
    assert dag.topological_sort() == ["a", "b", "d", "c"]


def test_topological_sort_frees_downstream_tasks_in_edge_order() -> None:
    dag = PipelineDAG()
    for name in ("a", "y", "x"):
        dag.add_task(name)
    dag.add_dependency("a", "x")
    dag.add_dependency("a", "y")
    # y and x are not sources; a frees them in the order its edges were added
    assert dag.topological_sort() == ["a", "x", "y"]


def test_cycle_error_reports_one_cycle_as_a_closed_walk() -> None:
    dag = chain("a", "b", "c")
    dag.add_dependency("c", "a")
    with pytest.raises(CycleError) as caught:
        dag.topological_sort()
    assert caught.value.cycle == ["a", "b", "c", "a"]
    assert str(caught.value) == "the pipeline has a cycle: a -> b -> c -> a"


def test_cycle_error_ignores_tasks_that_only_hang_off_the_cycle() -> None:
    dag = chain("start", "a", "b")
    dag.add_task("after", depends_on=["b"])
    dag.add_dependency("b", "a")
    with pytest.raises(CycleError) as caught:
        dag.topological_sort()
    assert caught.value.cycle == ["a", "b", "a"]


def test_a_self_loop_is_a_cycle() -> None:
    dag = chain("a", "b")
    dag.add_dependency("b", "b")
    with pytest.raises(CycleError) as caught:
        dag.get_parallel_stages()
    assert caught.value.cycle == ["b", "b"]


def test_cycle_error_is_a_value_error() -> None:
    assert issubclass(CycleError, ValueError)


def test_parallel_stages_use_the_longest_path() -> None:
    dag = PipelineDAG()
    dag.add_task("a")
    dag.add_task("b", depends_on=["a"])
    dag.add_task("c", depends_on=["a", "b"])  # one edge skips a stage: c is still after b
    dag.add_task("d")
    assert dag.get_parallel_stages() == [["a", "d"], ["b"], ["c"]]


def test_an_empty_dag_has_no_order_stages_or_time() -> None:
    dag = PipelineDAG()
    assert dag.topological_sort() == []
    assert dag.get_parallel_stages() == []
    assert dag.schedule() == {}
    assert dag.makespan() == 0.0
    assert dag.critical_path() == ([], 0.0)


# ---------------------------------------------------------------------- timing


def test_schedule_starts_each_task_when_its_last_dependency_finishes() -> None:
    dag = PipelineDAG()
    dag.add_task("a", duration=3)
    dag.add_task("b", duration=5)
    dag.add_task("c", depends_on=["a", "b"], duration=2)
    assert dag.schedule() == {"a": (0.0, 3.0), "b": (0.0, 5.0), "c": (5.0, 7.0)}


def test_schedule_durations_override_the_tasks_own() -> None:
    dag = chain("a", "b")
    assert dag.schedule({"a": 4, "b": 1}) == {"a": (0.0, 4.0), "b": (4.0, 5.0)}


def test_durations_for_an_unknown_task_are_rejected() -> None:
    with pytest.raises(UnknownTaskError, match="'train'"):
        chain("a").schedule({"train": 3})


def test_critical_path_ties_go_to_the_earliest_task_in_topological_order() -> None:
    dag = PipelineDAG()
    dag.add_task("a", duration=10)
    dag.add_task("b", duration=10)
    dag.add_task("c", depends_on=["b", "a"], duration=5)
    assert dag.critical_path() == (["a", "c"], 15.0)


def test_to_dot_has_every_task_and_edge() -> None:
    dot = chain("extract", "train", name="etl").to_dot()
    assert dot.startswith('digraph "etl" {')
    assert '"extract" -> "train";' in dot
    assert '"train" [label=' in dot


# ---------------------------------------------------------------------- the chapter's DAG
# Expected values derived by hand from the chapter's table of tasks, durations and edges.

EXTRACTS = ["extract_interactions", "extract_user_profiles", "extract_item_catalog"]


def test_streamrec_topological_order() -> None:
    # queue [3 extracts]; the last extract frees validate_data, then the chain; compute_features
    # frees train_retrieval then train_ranking, which free their evaluations in that order.
    assert streamrec_training_dag().topological_sort() == [
        *EXTRACTS,
        "validate_data",
        "compute_features",
        "train_retrieval",
        "train_ranking",
        "evaluate_retrieval",
        "evaluate_ranking",
        "register_models",
    ]


def test_streamrec_parallel_stages() -> None:
    assert streamrec_training_dag().get_parallel_stages() == [
        EXTRACTS,
        ["validate_data"],
        ["compute_features"],
        ["train_retrieval", "train_ranking"],
        ["evaluate_retrieval", "evaluate_ranking"],
        ["register_models"],
    ]


def test_streamrec_critical_path_runs_through_ranking() -> None:
    # 25 + 12 + 40 + 120 + 20 + 5 = 222 beats the retrieval branch, 25 + 12 + 40 + 90 + 15 + 5 = 187
    assert streamrec_training_dag().critical_path() == (
        [
            "extract_interactions",
            "validate_data",
            "compute_features",
            "train_ranking",
            "evaluate_ranking",
            "register_models",
        ],
        222.0,
    )


def test_streamrec_makespan_is_222_minutes() -> None:
    assert streamrec_training_dag().makespan() == 222.0


def test_streamrec_schedule() -> None:
    assert streamrec_training_dag().schedule() == {
        "extract_interactions": (0, 25),
        "extract_user_profiles": (0, 10),
        "extract_item_catalog": (0, 8),
        "validate_data": (25, 37),
        "compute_features": (37, 77),
        "train_retrieval": (77, 167),
        "train_ranking": (77, 197),
        "evaluate_retrieval": (167, 182),
        "evaluate_ranking": (197, 217),
        "register_models": (217, 222),
    }


# ---------------------------------------------------------------------- properties


@PROPERTY
@given(random_dags())
def test_property_every_task_appears_in_exactly_one_stage(case: tuple[PipelineDAG, set]) -> None:
    dag, _ = case
    flat = [name for stage in dag.get_parallel_stages() for name in stage]
    assert sorted(flat) == sorted(dag) and len(flat) == len(set(flat))


@PROPERTY
@given(random_dags())
def test_property_stages_depend_only_on_earlier_stages(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    stage_of = {name: k for k, stage in enumerate(dag.get_parallel_stages()) for name in stage}
    for upstream, downstream in edges:
        assert stage_of[upstream] < stage_of[downstream], (
            f"stage {stage_of[downstream]} holds {downstream!r}, but {downstream!r} depends on "
            f"{upstream!r}, which is in stage {stage_of[upstream]}"
        )


@PROPERTY
@given(random_dags())
def test_property_each_task_sits_right_after_its_latest_dependency(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    stage_of = {name: k for k, stage in enumerate(dag.get_parallel_stages()) for name in stage}
    for name in dag:
        parents = [u for u, d in edges if d == name]
        assert stage_of[name] == max((stage_of[p] + 1 for p in parents), default=0)


@PROPERTY
@given(random_dags())
def test_property_stages_list_tasks_in_insertion_order(case: tuple[PipelineDAG, set]) -> None:
    dag, _ = case
    position = {name: i for i, name in enumerate(dag)}
    for stage in dag.get_parallel_stages():
        assert stage == sorted(stage, key=position.__getitem__)


@PROPERTY
@given(random_dags())
def test_property_topological_order_respects_every_edge(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    order = dag.topological_sort()
    assert sorted(order) == sorted(dag)
    position = {name: i for i, name in enumerate(order)}
    for upstream, downstream in edges:
        assert position[upstream] < position[downstream], f"{upstream!r} must run before {downstream!r}"


@PROPERTY
@given(random_dags())
def test_property_dag_keeps_exactly_the_edges_given(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    assert set(dag.edges()) == edges and len(dag.edges()) == len(edges)


@PROPERTY
@given(random_dags())
def test_property_makespan_is_the_latest_finish(case: tuple[PipelineDAG, set]) -> None:
    dag, _ = case
    assert dag.makespan() == pytest.approx(max(finish for _, finish in dag.schedule().values()))


@PROPERTY
@given(random_dags())
def test_property_schedule_starts_tasks_after_their_dependencies(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    times = dag.schedule()
    for name, (start, finish) in times.items():
        parents = [u for u, d in edges if d == name]
        assert start == max((times[p][1] for p in parents), default=0.0)
        assert finish == pytest.approx(start + dag.tasks[name].duration)


@PROPERTY
@given(random_dags())
def test_property_critical_path_is_a_path_as_long_as_the_makespan(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    path, length = dag.critical_path()
    assert all((a, b) in edges for a, b in zip(path, path[1:]))
    assert not [u for u, d in edges if d == path[0]], "the critical path must start at a source task"
    assert sum(dag.tasks[name].duration for name in path) == pytest.approx(length)
    assert length == pytest.approx(dag.makespan())


def assert_real_cycle(cycle: list[str], edges: set[tuple[str, str]]) -> None:
    assert len(cycle) >= 2 and cycle[0] == cycle[-1], f"{cycle} is not a closed walk"
    for upstream, downstream in zip(cycle, cycle[1:]):
        assert (upstream, downstream) in edges, f"{upstream} -> {downstream} in {cycle} is not an edge"


@PROPERTY
@given(cyclic_graphs())
def test_property_topological_sort_reports_a_real_cycle(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    with pytest.raises(CycleError) as caught:
        dag.topological_sort()
    assert_real_cycle(caught.value.cycle, edges)


@PROPERTY
@given(cyclic_graphs())
def test_property_parallel_stages_report_a_real_cycle(case: tuple[PipelineDAG, set]) -> None:
    dag, edges = case
    with pytest.raises(CycleError) as caught:
        dag.get_parallel_stages()
    assert_real_cycle(caught.value.cycle, edges)


@PROPERTY
@given(cyclic_graphs())
def test_property_the_reported_cycle_is_deterministic(case: tuple[PipelineDAG, set]) -> None:
    dag, _ = case
    cycles = []
    for _ in range(2):
        with pytest.raises(CycleError) as caught:
            dag.topological_sort()
        cycles.append(caught.value.cycle)
    assert cycles[0] == cycles[1]
