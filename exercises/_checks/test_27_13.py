# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.13: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def config_shape(ns):
    import dataclasses

    cls = ns.CircuitBreakerConfig
    shape = {"is_class": isinstance(cls, type), "dataclass": dataclasses.is_dataclass(cls)}
    shape["fields"] = [f.name for f in dataclasses.fields(cls)] if shape["dataclass"] else []
    return shape


@graded("a", points=0, hint="CircuitBreakerConfig is a dataclass with the three fields of the statement.")
def test_circuit_breaker_config_is_a_dataclass(sub):
    got = sub.run(config_shape)
    expect(got["is_class"], "CircuitBreakerConfig should be a class")
    expect(got["dataclass"], "decorate CircuitBreakerConfig with @dataclass")
    for name in ("failure_threshold", "reset_timeout_minutes", "half_open_max_attempts"):
        expect(name in got["fields"], f"CircuitBreakerConfig has no field `{name}`")


def breaker_shape(ns):
    breaker = ns.CircuitBreaker(
        "demo", ns.CircuitBreakerConfig(failure_threshold=3, reset_timeout_minutes=60, half_open_max_attempts=1), clock=lambda: 0.0, alert=lambda severity, message: None
    )
    state = breaker.state
    return {
        "state_type": type(state).__name__,
        "state_is_text": isinstance(getattr(state, "name", state), str),
        "allow_run": type(breaker.allow_run()).__name__,
    }


@graded("b", points=0, hint="CircuitBreaker(task_name, config, clock=..., alert=...) has a state and allow_run().")
def test_circuit_breaker_has_a_state_and_allow_run(sub):
    got = sub.run(breaker_shape)
    expect(got["state_is_text"], f"state should be a string such as 'CLOSED' (or an Enum member), got a {got['state_type']}")
    expect(got["allow_run"] == "bool", f"allow_run() should return True or False, got a {got['allow_run']}")


def one_run(ns):
    from pipelinekit import RetryConfig

    breaker = ns.CircuitBreaker(
        "demo", ns.CircuitBreakerConfig(failure_threshold=3, reset_timeout_minutes=60, half_open_max_attempts=1), clock=lambda: 0.0, alert=lambda severity, message: None
    )
    status = ns.run_with_breaker(lambda: "ok", RetryConfig(max_retries=1), breaker, sleep=lambda s: None)
    return {"type": type(status).__name__}


@graded("c", points=0, hint="run_with_breaker returns 'succeeded', 'failed' or 'skipped'.")
def test_run_with_breaker_returns_a_status_string(sub):
    got = sub.run(one_run)
    expect(got["type"] == "str", f"run_with_breaker should return a string, got a {got['type']}")
