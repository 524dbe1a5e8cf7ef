# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.24: your smoke tests exist, call build_asset_context and pass on the
pipeline as given, within the time bound.

How many broken pipelines they catch is measured only when your notebook is graded.
"""
from autograder.testing import expect, fail, graded


def my_tests_on_the_given_pipeline(ns):
    import inspect
    import time

    import dagster

    real = dagster.build_asset_context
    calls = [0]

    def counting(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    functions = [getattr(ns, n) for n in ns.names() if n.startswith("test_") and inspect.isfunction(getattr(ns, n))]
    g = functions[0].__globals__ if functions else {}  # the namespace the tests look their names up in
    rebound = [name for name, value in g.items() if value is real]
    outcomes = {}
    dagster.build_asset_context = counting
    for name in rebound:
        g[name] = counting
    started = time.perf_counter()
    try:
        for name in ns.names():
            function = getattr(ns, name)
            if not (name.startswith("test_") and inspect.isfunction(function)):
                continue
            if any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   for p in inspect.signature(function).parameters.values()):
                outcomes[name] = "takes arguments, but it is called with none"
                continue
            try:
                function()
                outcomes[name] = None
            except BaseException as exc:
                if type(exc).__name__ == "GraderTimeout" or isinstance(exc, KeyboardInterrupt):
                    raise
                text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
                outcomes[name] = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    finally:
        dagster.build_asset_context = real
        for name in rebound:
            g[name] = real
    return {"outcomes": outcomes, "calls": calls[0], "seconds": time.perf_counter() - started,
            "budget": ns.SMOKE_BUDGET_SECONDS}


@graded("a", points=0, hint="Define test_* functions without arguments; each must pass on the pipeline as given.")
def test_your_smoke_tests_pass_on_the_given_pipeline(sub):
    got = sub.run(my_tests_on_the_given_pipeline, timeout=120)
    expect(got["outcomes"], "your notebook defines no test functions (top-level functions whose names start with `test_`)")
    for name, problem in sorted(got["outcomes"].items()):
        if problem is not None:
            fail(f"`{name}` fails on the pipeline as given: {problem}")
    expect(got["calls"] > 0, "your tests never call `dg.build_asset_context`")
    expect(got["seconds"] < got["budget"], f"your tests took {got['seconds']:.0f} s, more than SMOKE_BUDGET_SECONDS")
