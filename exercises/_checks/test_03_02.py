# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 3.2: they check the form of FIXED_DAG (text that parses as Python and
imports from Airflow 3's task SDK), not whether the DAG loads, is scheduled or runs."""
from autograder.testing import expect, graded


def dag_file_form(ns):
    import ast

    source = ns.FIXED_DAG
    if not isinstance(source, str):
        return {"problem": f"FIXED_DAG is a {type(source).__name__}, not the text of a DAG file"}
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return {"problem": f"FIXED_DAG has a syntax error on line {exc.lineno}: {exc.msg}"}
    modules = sorted({node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
                     | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names})
    return {"problem": "", "modules": modules}


@graded("a", points=0, hint="FIXED_DAG is the text of a Python file that imports from airflow.sdk.")
def test_fixed_dag_is_python_that_uses_the_task_sdk(sub):
    got = sub.run(dag_file_form)
    expect(not got["problem"], got["problem"])
    expect("airflow.sdk" in got["modules"],
           "FIXED_DAG imports nothing from airflow.sdk, where Airflow 3 DAG files get DAG (or dag and task)")
