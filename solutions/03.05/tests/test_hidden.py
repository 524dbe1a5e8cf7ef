"""Hidden tests for exercise 3.5 (a retry decorator with exponential backoff)."""
import logging
import re

from autograder.testing import expect, graded

ATTEMPT = re.compile(r"attempt\s*#?\s*(\d+)", re.IGNORECASE)


# ---- the probe: runs in the learner's worker, returns plain data -------------------------------
def scenario(ns, options, plan, invocations=1):
    """Decorate a step whose n-th call follows plan[n] (an error name or "ok"; the last entry
    repeats), call it `invocations` times with a fake sleep, and capture the "retry" logger."""
    import logging

    errors = {
        "ValueError": ValueError, "ConnectionError": ConnectionError,
        "ConnectionRefusedError": ConnectionRefusedError, "RuntimeError": RuntimeError,
        "KeyError": KeyError, "TimeoutError": TimeoutError,
    }
    settings = dict(options)
    if "retryable_exceptions" in settings:
        settings["retryable_exceptions"] = tuple(errors[name] for name in settings["retryable_exceptions"])
    sleeps = []
    calls = []

    def fake_sleep(seconds):
        sleeps.append(seconds)

    def flaky_step(x):
        calls.append(x)
        what = plan[min(len(calls), len(plan)) - 1]
        if what != "ok":
            raise errors[what](f"failure number {len(calls)}")
        return x * 2

    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("retry")
    handler, level = Capture(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    outcomes = []
    try:
        wrapped = ns.retry_with_backoff(sleep=fake_sleep, **settings)(flaky_step)
        for _ in range(invocations):
            try:
                value = wrapped(21)
                plain = value if isinstance(value, (int, float, str, type(None))) else repr(value)
                outcomes.append({"returned": True, "value": plain})
            except Exception as exc:  # noqa: BLE001 - whatever the learner's code raises
                outcomes.append({"returned": False, "raised": type(exc).__name__, "message": str(exc)})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    logs = []
    for record in records:
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 - a record whose arguments do not fit its format
            message = f"<a message that cannot be formatted: {exc}>"
        logs.append([record.levelno, message])
    return {
        "calls": len(calls),
        "sleeps": [s if isinstance(s, (int, float)) and not isinstance(s, bool) else repr(s) for s in sleeps],
        "outcome": outcomes[0],
        "outcomes": outcomes,
        "logs": logs,
    }


def run(sub, plan, invocations=1, **options):
    return sub.run(scenario, options, plan, invocations)


def describe(options: dict) -> str:
    shown = ", ".join(f"{k}=({', '.join(v)},)" if isinstance(v, list) else f"{k}={v}" for k, v in options.items())
    return f"retry_with_backoff({shown})" if shown else "retry_with_backoff() with its defaults"


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def waited(sleeps: list) -> str:
    return "never waited" if not sleeps else f"waited {sleeps} seconds"


def close(got: list, want: list[float]) -> bool:
    return len(got) == len(want) and all(
        isinstance(g, (int, float)) and abs(g - w) <= 1e-9 * max(1.0, w) for g, w in zip(got, want)
    )


# ---- (a) at most max_retries retries, then the last error -------------------------------------
@graded("a", points=1, hint="1 call plus max_retries retries: with max_retries=3 the function runs at most 4 times.")
def test_gives_up_after_max_retries(sub):
    for options in ({}, {"max_retries": 1}, {"max_retries": 0}, {"max_retries": 5}):
        got = run(sub, ["ValueError"], **options)
        wanted = options.get("max_retries", 3) + 1
        expect(got["calls"] == wanted, f"with {describe(options)} and a function that always raises ValueError, "
               f"your decorator called the function {times(got['calls'])}")


@graded("a", points=1, hint="When the last retry fails too, re-raise that last exception (a bare `raise`).")
def test_final_error_is_reraised(sub):
    got = run(sub, ["ValueError"])
    out = got["outcome"]
    expect(not out["returned"], "when every attempt failed, your decorated call returned "
           f"{out.get('value')!r} instead of raising the error")
    expect(out["raised"] == "ValueError", f"when every attempt failed with ValueError, your decorated call raised "
           f"{out['raised']}; re-raise the function's own last exception")
    numbers = re.findall(r"failure number (\d+)", out["message"])
    expect(numbers and int(numbers[-1]) == got["calls"],
           "your decorated call raised an error from an earlier attempt, not the last one"
           if numbers else "the error your decorated call raised is not the one the function raised")


@graded("a", points=1, hint="Return the function's result as soon as an attempt succeeds.")
def test_result_returned_after_transient_failures(sub):
    for failures in (0, 2, 3):
        got = run(sub, ["ValueError"] * failures + ["ok"])
        out = got["outcome"]
        what = "a function that succeeds at once" if failures == 0 else f"a function that fails {times(failures)}, then succeeds"
        expect(out["returned"], f"{what} made your decorated call raise {out.get('raised')} (the function was "
               f"called {times(got['calls'])})")
        expect(out["value"] == 42, f"{what} (returning 42) made your decorated call return {out['value']!r}")
        expect(got["calls"] == failures + 1, f"{what} was called {times(got['calls'])}")


# ---- (b) waits that grow ------------------------------------------------------------------------
@graded("b", points=1, hint="Retry n waits initial_delay * backoff_factor ** (n - 1) seconds, through sleep().")
def test_default_delays_are_1_2_4(sub):
    got = run(sub, ["ConnectionError"])
    expect(got["sleeps"], "your decorator never called the sleep function it was given (time.sleep instead?)")
    expect(close(got["sleeps"], [1.0, 2.0, 4.0]), "with the defaults and a function that always fails, your "
           f"decorator {waited(got['sleeps'])}")


@graded("b", points=1, hint="Use initial_delay and backoff_factor, not the default numbers.")
def test_delays_follow_initial_delay_and_factor(sub):
    for options, want in (({"initial_delay": 0.5, "backoff_factor": 3, "max_retries": 4}, [0.5, 1.5, 4.5, 13.5]),
                          ({"initial_delay": 2, "backoff_factor": 1, "max_retries": 2}, [2.0, 2.0])):
        got = run(sub, ["ValueError"], **options)
        expect(close(got["sleeps"], want), f"with {describe(options)} and a function that always fails, your "
               f"decorator {waited(got['sleeps'])}")


@graded("b", points=1, hint="No wait before the first attempt, and each new call starts again from initial_delay.")
def test_each_call_starts_over(sub):
    got = run(sub, ["ok"])
    expect(got["sleeps"] == [], f"a call that succeeded at once {waited(got['sleeps'])}")
    got = run(sub, ["ConnectionError", "ok", "ConnectionError", "ok"], invocations=2)
    expect(all(o["returned"] for o in got["outcomes"]),
           "two calls that each failed once and then succeeded did not both return their result")
    expect(close(got["sleeps"], [1.0, 1.0]), "two calls of the decorated function, each failing once before it "
           f"succeeded, {waited(got['sleeps'])}"
           + (": the second call did not start again from initial_delay" if len(got["sleeps"]) == 2 else ""))


# ---- (c) only the listed exceptions -------------------------------------------------------------
@graded("c", points=1, hint="An exception that is not listed is re-raised at once, without waiting.")
def test_unlisted_error_raised_at_once(sub):
    got = run(sub, ["RuntimeError"])
    expect(got["calls"] == 1, f"a RuntimeError (not retryable by default) made your decorator call the function "
           f"{times(got['calls'])}")
    expect(got["sleeps"] == [], f"a RuntimeError (not retryable by default) made your decorator wait: it {waited(got['sleeps'])}")
    expect(got["outcome"].get("raised") == "RuntimeError",
           "a RuntimeError (not retryable by default) was not re-raised as it was")


@graded("c", points=1, hint="Retry every exception that is an instance of a listed class, subclasses included.")
def test_listed_errors_are_retried(sub):
    cases = [({}, "ConnectionError"), ({}, "ConnectionRefusedError"), ({"retryable_exceptions": ["KeyError"]}, "KeyError")]
    for options, error in cases:
        got = run(sub, [error], **options)
        expect(got["calls"] == 4, f"with {describe(options)}, a function that always raises {error} was called "
               f"{times(got['calls'])}")
        expect(got["outcome"].get("raised") == error, f"with {describe(options)}, after the retries your decorated "
               f"call did not re-raise the {error}")


@graded("c", points=1, hint="retryable_exceptions replaces the default list; it does not add to it.")
def test_custom_list_replaces_the_default(sub):
    options = {"retryable_exceptions": ["TimeoutError"]}
    got = run(sub, ["ValueError"], **options)
    expect(got["calls"] == 1, f"with {describe(options)}, a ValueError made your decorator call the function "
           f"{times(got['calls'])}")
    expect(got["outcome"].get("raised") == "ValueError", f"with {describe(options)}, a ValueError was not re-raised")
    got = run(sub, ["TimeoutError"], **options)
    expect(got["calls"] == 4, f"with {describe(options)}, a function that always raises TimeoutError was called "
           f"{times(got['calls'])}")


# ---- (d) a log record for every attempt ---------------------------------------------------------
def attempts_logged(logs: list, lowest: int, highest: int = 100) -> set[int]:
    """Attempt numbers named by the records whose level is in [lowest, highest)."""
    return {int(n) for level, message in logs if lowest <= level < highest for n in ATTEMPT.findall(message)}


def expect_some_records(got: dict) -> None:
    expect(got["logs"], "no record reached the logger named \"retry\": log with logging.getLogger(\"retry\"), "
           "not with print() or another logger")


@graded("d", points=1, hint="Each failed attempt: a WARNING (or higher) record that says `attempt N`.")
def test_each_failed_attempt_is_logged(sub):
    for plan, failed, what in ((["ValueError"], 4, "a function that always fails"),
                               (["ValueError", "ValueError", "ok"], 2, "a function that fails twice, then succeeds"),
                               (["RuntimeError"], 1, "a function that raises a RuntimeError")):
        got = run(sub, plan)
        expect_some_records(got)
        named = attempts_logged(got["logs"], logging.WARNING)
        for n in range(1, min(failed, got["calls"]) + 1):  # the attempts that were made and failed
            expect(n in named, f"with {what}, attempt {n} failed, but no WARNING or ERROR record says "
                   f"`attempt {n}` (records seen: {[m for _, m in got['logs']][:6]})")


@graded("d", points=1, hint="Giving up is logged at ERROR level; a call that ends well logs no ERROR.")
def test_giving_up_is_logged_as_an_error(sub):
    for plan, what in ((["ValueError"], "when the retries were used up"),
                       (["RuntimeError"], "when a RuntimeError (not retryable) was re-raised")):
        got = run(sub, plan)
        expect_some_records(got)
        expect(any(level >= logging.ERROR for level, _ in got["logs"]),
               f"{what}, your decorator logged no record at level ERROR")
    got = run(sub, ["ValueError", "ValueError", "ok"])
    errors = [m for level, m in got["logs"] if level >= logging.ERROR]
    expect(not errors, f"a call that succeeded on its third attempt logged at level ERROR: {errors[:2]}")


@graded("d", points=1, hint="A success after failures is logged at INFO level, with `attempt N`.")
def test_success_after_retries_is_logged(sub):
    got = run(sub, ["ConnectionError", "ConnectionError", "ok"])
    expect_some_records(got)
    expect(3 in attempts_logged(got["logs"], logging.INFO, logging.WARNING),
           "a call that succeeded on its third attempt left no INFO record saying `attempt 3`")
