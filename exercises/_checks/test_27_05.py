# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.5: they check that each part's names exist and have the right form
(a DAG file that compiles and mentions its DAG, Dagster definitions holding the named assets), not
whether the features work."""
from autograder.testing import expect, graded


def dag_file_form(ns, name, dag_ids):
    """Whether a DAG file string compiles and names its DAG ids (as a string or a function name)."""
    import ast

    source = getattr(ns, name)
    if not isinstance(source, str):
        return f"{name} is a {type(source).__name__}, not the text of a DAG file"
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"{name} has a syntax error on line {exc.lineno}: {exc.msg}"
    names = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    missing = [d for d in dag_ids if d not in names]
    return f"{name} never names the DAG {', '.join(missing)}" if missing else ""


def definitions_form(ns, name, assets):
    import dagster as dg

    defs = getattr(ns, name)
    if not isinstance(defs, dg.Definitions):
        return f"{name} is a {type(defs).__name__}, not a dg.Definitions"
    graph = defs.resolve_asset_graph()
    missing = [a for a in assets if not graph.has(dg.AssetKey(a))]
    return f"{name} has no asset {', '.join(missing)}" if missing else ""


def form_a(ns):
    return [dag_file_form(ns, "DAG_WAIT_FOR_INGESTION", ["streamrec_training"]),
            definitions_form(ns, "defs_wait_for_ingestion", ["training_interactions", "raw_interactions"])]


def form_b(ns):
    return [dag_file_form(ns, "DAG_GPU_TRAINING", ["streamrec_retrieval_training", "streamrec_ranking_training"]),
            definitions_form(ns, "defs_gpu_training", ["retrieval_model", "ranking_model"]),
            "" if callable(ns.create_airflow_gpu_pool) else "create_airflow_gpu_pool is not a function",
            "" if callable(ns.limit_dagster_gpu_pool) else "limit_dagster_gpu_pool is not a function"]


def form_c(ns):
    return [dag_file_form(ns, "DAG_METADATA", ["streamrec_metadata"]),
            definitions_form(ns, "defs_metadata", ["extracted_interactions", "trained_model", "model_evaluation"])]


def form_d(ns):
    import dagster as dg

    problems = [dag_file_form(ns, "DAG_STORAGE", ["streamrec_storage"])]
    deployments = ns.DEPLOYMENTS
    if not isinstance(deployments, dict) or set(deployments) != {"development", "production"}:
        problems.append("DEPLOYMENTS must be a dict with the keys 'development' and 'production'")
    elif not all(isinstance(v, dict) and v for v in deployments.values()):
        problems.append("each deployment in DEPLOYMENTS maps environment variable names to values")
    elif not callable(ns.storage_definitions):
        problems.append("storage_definitions is not a function")
    else:
        import os

        saved = {k: os.environ.get(k) for k in deployments["development"]}
        os.environ.update({str(k): str(v) for k, v in deployments["development"].items()})
        try:
            defs = ns.storage_definitions()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        if not isinstance(defs, dg.Definitions):
            problems.append(f"storage_definitions() returns a {type(defs).__name__}, not a dg.Definitions")
    return problems


def form_e(ns):
    return [dag_file_form(ns, "DAG_REGISTRATION", ["streamrec_registration"]),
            definitions_form(ns, "defs_registration",
                             ["popularity_model", "two_tower_model", "sasrec_model", "registered_models"])]


def report(problems):
    for problem in problems:
        expect(not problem, problem)


@graded("a", points=0, hint="DAG_WAIT_FOR_INGESTION is the text of a DAG file; defs_wait_for_ingestion a dg.Definitions.")
def test_part_a_has_a_dag_file_and_definitions(sub):
    report(sub.run(form_a, helpers=[dag_file_form, definitions_form]))


@graded("b", points=0, hint="DAG_GPU_TRAINING, defs_gpu_training and the two functions of (b) exist.")
def test_part_b_has_a_dag_file_definitions_and_functions(sub):
    report(sub.run(form_b, helpers=[dag_file_form, definitions_form]))


@graded("c", points=0, hint="DAG_METADATA is the text of a DAG file; defs_metadata a dg.Definitions.")
def test_part_c_has_a_dag_file_and_definitions(sub):
    report(sub.run(form_c, helpers=[dag_file_form, definitions_form]))


@graded("d", points=0, hint="DEPLOYMENTS, DAG_STORAGE and storage_definitions() exist.")
def test_part_d_has_deployments_a_dag_file_and_definitions(sub):
    report(sub.run(form_d, helpers=[dag_file_form, definitions_form]))


@graded("e", points=0, hint="DAG_REGISTRATION is the text of a DAG file; defs_registration a dg.Definitions.")
def test_part_e_has_a_dag_file_and_definitions(sub):
    report(sub.run(form_e, helpers=[dag_file_form, definitions_form]))
