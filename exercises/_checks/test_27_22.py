# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.22: your test functions exist and pass on the correct class.

How many faults they catch is measured only when your notebook is graded.
"""
from autograder.testing import expect, fail, graded


def my_tests_on_the_correct_class(ns):
    import inspect

    outcomes = {}
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
            text = str(exc)[:300]
            outcomes[name] = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return outcomes


@graded("a", points=0, hint="Define test_* functions without arguments; each must pass on the correct DataContract.")
def test_your_tests_pass_on_the_correct_data_contract(sub):
    outcomes = sub.run(my_tests_on_the_correct_class)
    expect(outcomes, "your notebook defines no test functions (top-level functions whose names start with `test_`)")
    for name, problem in sorted(outcomes.items()):
        if problem is not None:
            fail(f"`{name}` fails on the correct DataContract: {problem}")
