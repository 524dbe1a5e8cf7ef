# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 3.1: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def forms(ns):
    graph = {"extract": ["train"], "train": ["evaluate"]}
    dag = ns.is_dag(graph)
    cycle = ns.find_cycle(graph)
    loop = ns.find_cycle({"a": ["b"], "b": ["a"]})
    return {
        "is_dag_type": type(dag).__name__,
        "cycle_type": type(cycle).__name__,
        "loop_type": type(loop).__name__,
        "loop_items": [type(t).__name__ for t in loop] if isinstance(loop, (list, tuple)) else None,
    }


@graded("a", points=0, hint="is_dag(graph) returns True or False.")
def test_is_dag_returns_a_bool(sub):
    got = sub.run(forms)
    expect(got["is_dag_type"] == "bool", f"is_dag returned a {got['is_dag_type']}, not a bool")


@graded("a", points=0, hint="find_cycle(graph) returns None, or a list of task names.")
def test_find_cycle_returns_none_or_a_list_of_names(sub):
    got = sub.run(forms)
    for key in ("cycle_type", "loop_type"):
        expect(got[key] in ("NoneType", "list", "tuple"), f"find_cycle returned a {got[key]}; return None or a list")
    expect(got["loop_items"] is None or all(t == "str" for t in got["loop_items"]),
           "the list find_cycle returns should hold task names (strings)")
