# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 3.5: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def forms(ns):
    decorator = ns.retry_with_backoff(sleep=lambda seconds: None)

    def step(x):
        """A step that always works."""
        return x + 1

    wrapped = decorator(step)
    return {
        "decorator_callable": callable(decorator),
        "wrapped_callable": callable(wrapped),
        "name": getattr(wrapped, "__name__", None),
        "value": wrapped(1),
    }


@graded("a", points=0, hint="retry_with_backoff(...) returns a decorator; the decorated function returns the result.")
def test_retry_with_backoff_is_a_decorator_factory(sub):
    got = sub.run(forms)
    expect(got["decorator_callable"], "retry_with_backoff(...) should return a decorator (a function)")
    expect(got["wrapped_callable"], "the decorator should return a function")
    expect(got["value"] == 2, "the decorated function should return what the wrapped function returns")


@graded("a", points=0, hint="functools.wraps keeps the wrapped function's name, which your log lines can use.")
def test_decorated_function_keeps_its_name(sub):
    got = sub.run(forms)
    expect(got["name"] == "step", f"the decorated function is called {got['name']!r}; use functools.wraps")
