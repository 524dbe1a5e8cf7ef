# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.14: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def shapes(ns):
    throttler = ns.AlertThrottler(window_minutes=120, clock=lambda: 0.0)
    sent = throttler.should_send("compute_features")
    count = throttler.suppressed_count("compute_features")
    return {"sent": type(sent).__name__, "count": type(count).__name__}


@graded("c", points=0, hint="AlertThrottler(window_minutes=..., clock=...) has should_send(key) and suppressed_count(key).")
def test_alert_throttler_has_its_two_methods(sub):
    got = sub.run(shapes)
    expect(got["sent"] == "bool", f"should_send() should return True or False, got a {got['sent']}")
    expect(got["count"] == "int", f"suppressed_count() should return an int, got a {got['count']}")
