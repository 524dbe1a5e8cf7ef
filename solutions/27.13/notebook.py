# %% [markdown]
# Section 27.7 gave us `RetryConfig`: when a call fails inside one pipeline run, it is tried again
# after an exponentially growing wait. That is the right answer to a *transient* fault, a timeout
# or a busy database. It is the wrong answer to a *persistent* one: when the warehouse credentials
# of the StreamRec pipeline have expired, every daily run spends its retries, fails, and the next
# day does it all again, burning compute and filling the logs while nobody is told that the task
# is dead.
#
# A **circuit breaker** watches whole runs instead of single attempts. When a task has failed in
# `n` runs in a row (separate runs of the pipeline, not the retries inside one run), the breaker
# disables the task and raises a **P0 alert** so that a person looks at it. After a cool-down it
# lets a few trial runs through, and closes again if one of them works.
#
# ```
#              n failed runs in a row                cool-down elapsed
#   CLOSED ---------------------------------> OPEN -------------------> HALF_OPEN
#     ^        (task disabled, P0 alert)        ^                          |   |
#     |                                         |  every trial run failed  |   |
#     |                                         +--------------------------+   |
#     +------------------------------ a trial run succeeded -------------------+
# ```
#
# The source of this exercise asks to *extend* `RetryConfig`. We keep the two apart on purpose:
# a `RetryConfig` describes what happens inside one run and holds no memory, while a breaker must
# remember what happened in earlier runs. So the breaker is its own object, and part (c) makes the
# two work together: the retries are the inner loop, the breaker the outer one.
#
# Time is read from an injected `clock` (a function returning seconds, like `time.monotonic`), and
# alerts go through an injected `alert(severity, message)` function, so that a test can move time
# forward by days in microseconds and catch the alerts in a list.

# %%
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipelinekit import RetryConfig


def print_alert(severity: str, message: str) -> None:
    """The default alert channel of this notebook: print it (a real one would page someone)."""
    print(f"[{severity}] {message}")


# %% [markdown] part="a"
# **(a)** Write a dataclass `CircuitBreakerConfig` with exactly these three fields, in this order:
#
# | field | meaning | valid values |
# | --- | --- | --- |
# | `failure_threshold` | how many failed runs in a row open the breaker | an `int`, at least 1 |
# | `reset_timeout_minutes` | how long the breaker stays open before it allows trial runs | a number (int or float) greater than 0 |
# | `half_open_max_attempts` | how many trial runs in a row may fail before it opens again | an `int`, at least 1 |
#
# Check the values in `__post_init__` and raise `ValueError` for anything outside the valid range
# (a `bool` does not count as a number here). Defaults are up to you.

# %% part="a"
### BEGIN SOLUTION config
@dataclass
class CircuitBreakerConfig:
    """When a task's breaker opens, and how it comes back."""

    failure_threshold: int = 3
    reset_timeout_minutes: float = 60.0
    half_open_max_attempts: int = 1

    def __post_init__(self) -> None:
        for name in ("failure_threshold", "half_open_max_attempts"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        minutes = self.reset_timeout_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not minutes > 0:
            raise ValueError(f"reset_timeout_minutes must be a number of minutes > 0, got {minutes!r}")
### END SOLUTION
### BEGIN STARTER
# @dataclass
# class CircuitBreakerConfig:
#     """When a task's breaker opens, and how it comes back."""
#     # the three fields, then a __post_init__ that raises ValueError for invalid values
### END STARTER


# %% [markdown] part="b"
# **(b)** Write the state machine as a class
# `CircuitBreaker(task_name, config, clock=time.monotonic, alert=print_alert)` with:
#
# - a property `state`: one of the strings `"CLOSED"`, `"OPEN"`, `"HALF_OPEN"` (an `Enum` whose
#   members have these names is fine too);
# - `allow_run() -> bool`: may the task run now? Called once before each run;
# - `record_success()` and `record_failure()`: the outcome of a run that was allowed.
#
# The rules:
#
# 1. A new breaker is CLOSED. While CLOSED, every run is allowed. Each failed run adds one to a
#    count of *consecutive* failures, and a successful run sets that count back to zero. When the
#    count reaches `failure_threshold`, the breaker opens.
# 2. Whenever the breaker opens, it notes the time (`clock()`) and calls
#    `alert("P0", message)` once, with a message that names the task.
# 3. While OPEN, `allow_run()` returns `False`: the task is disabled. As soon as
#    `reset_timeout_minutes` have passed since the breaker opened (at that instant or later), the
#    breaker is HALF_OPEN; reading `state` or calling `allow_run()` at that time must show it,
#    without any other call.
# 4. While HALF_OPEN, runs are allowed as trials. A successful trial closes the breaker (with the
#    failure count at zero). When `half_open_max_attempts` trials in a row have failed, the
#    breaker opens again (rule 2 applies: a new opening time and a new P0 alert). Each HALF_OPEN
#    period starts with its full allowance of trials.

# %% part="b"
### BEGIN SOLUTION breaker
class CircuitBreaker:
    """CLOSED / OPEN / HALF_OPEN, driven by the outcomes of whole runs of one task."""

    def __init__(
        self,
        task_name: str,
        config: CircuitBreakerConfig,
        clock: Callable[[], float] = time.monotonic,
        alert: Callable[[str, str], None] = print_alert,
    ) -> None:
        self.task_name = task_name
        self.config = config
        self._clock = clock
        self._alert = alert
        self._state = "CLOSED"
        self._failures = 0          # consecutive failed runs while CLOSED
        self._trial_failures = 0    # failed trials in the current HALF_OPEN period
        self._opened_at = None

    @property
    def state(self) -> str:
        if self._state == "OPEN":
            elapsed = self._clock() - self._opened_at
            if elapsed >= self.config.reset_timeout_minutes * 60:
                self._state = "HALF_OPEN"
                self._trial_failures = 0
        return self._state

    def allow_run(self) -> bool:
        return self.state != "OPEN"

    def record_success(self) -> None:
        if self.state in ("CLOSED", "HALF_OPEN"):
            self._state = "CLOSED"
            self._failures = 0

    def record_failure(self) -> None:
        state = self.state
        if state == "CLOSED":
            self._failures += 1
            if self._failures >= self.config.failure_threshold:
                self._open()
        elif state == "HALF_OPEN":
            self._trial_failures += 1
            if self._trial_failures >= self.config.half_open_max_attempts:
                self._open()

    def _open(self) -> None:
        self._state = "OPEN"
        self._opened_at = self._clock()
        self._failures = 0
        self._alert(
            "P0",
            f"circuit breaker OPEN for task {self.task_name!r}: it is disabled after repeated failed "
            f"runs; trial runs resume in {self.config.reset_timeout_minutes:g} minutes",
        )
### END SOLUTION
### BEGIN STARTER
# class CircuitBreaker:
#     """CLOSED / OPEN / HALF_OPEN, driven by the outcomes of whole runs of one task."""
#
#     def __init__(self, task_name, config, clock=time.monotonic, alert=print_alert):
#         self.task_name = task_name
#         self.config = config
#         ...
#
#     @property
#     def state(self):
#         raise NotImplementedError("CLOSED, OPEN or HALF_OPEN, looking at the clock")
#
#     def allow_run(self):
#         raise NotImplementedError()
#
#     def record_success(self):
#         raise NotImplementedError()
#
#     def record_failure(self):
#         raise NotImplementedError()
### END STARTER


# %% part="b"
# A breaker on a fake clock: three failed runs open it, and an hour later it lets a trial through.
now = [0.0]
alerts = []
breaker = CircuitBreaker(
    "compute_features",
    CircuitBreakerConfig(failure_threshold=3, reset_timeout_minutes=60, half_open_max_attempts=1),
    clock=lambda: now[0],
    alert=lambda severity, message: alerts.append((severity, message)),
)
for run in range(1, 4):
    breaker.record_failure()
    print(f"after failed run {run}: {breaker.state}")
now[0] += 59 * 60
print(f"59 minutes later: {breaker.state}, allow_run={breaker.allow_run()}")
now[0] += 60
print(f"60 minutes later: {breaker.state}, allow_run={breaker.allow_run()}")
breaker.record_success()
print(f"after a successful trial: {breaker.state}")
print("alerts:", alerts)

# %% [markdown] part="c"
# **(c)** Put the two loops together. Write
# `run_with_breaker(task_fn, retry, breaker, sleep=time.sleep) -> str`, which performs **one
# pipeline run** of a task:
#
# - if the breaker does not allow the run, return `"skipped"` without calling `task_fn`;
# - otherwise call `task_fn()` through the `RetryConfig` `retry` (the inner loop: up to
#   `1 + retry.max_retries` attempts, waiting with backoff through the `sleep` you were given, so
#   that a test never waits for real);
# - if the run ends in success, tell the breaker and return `"succeeded"`;
# - if it ends in failure (the retries are used up, or the error is one `retry` does not retry),
#   tell the breaker once, for the whole run, and return `"failed"` without re-raising.
#
# The breaker is the outer loop: it lives from one run to the next and counts failed runs, never
# single attempts. After `failure_threshold` failed runs the task is disabled and a P0 alert has
# gone out.

# %% part="c"
def run_with_breaker(
    task_fn: Callable[[], object],
    retry: RetryConfig,
    breaker: CircuitBreaker,
    sleep: Callable[[float], object] = time.sleep,
) -> str:
    """One pipeline run of a task: retries inside the run, the breaker across runs."""
    ### BEGIN SOLUTION run_with_breaker
    if not breaker.allow_run():
        return "skipped"
    try:
        retry.call(task_fn, sleep=sleep)
    except Exception:
        breaker.record_failure()
        return "failed"
    breaker.record_success()
    return "succeeded"
    ### END SOLUTION


# %% part="c"
# Ten daily runs of a task whose credentials expire on day 2 and are renewed on day 6.
DAY = 24 * 60 * 60
now = [0.0]
alerts = []
waits = []
breaker = CircuitBreaker(
    "extract_interactions",
    CircuitBreakerConfig(failure_threshold=3, reset_timeout_minutes=2 * 24 * 60, half_open_max_attempts=1),
    clock=lambda: now[0],
    alert=lambda severity, message: alerts.append((severity, message)),
)
# Small delays, so that even a run_with_breaker that forgets the fake sleep finishes quickly.
retry = RetryConfig(max_retries=2, initial_delay=0.05, backoff_factor=2)


def extract_interactions():
    if 2 <= now[0] // DAY + 1 <= 5:
        raise PermissionError("warehouse credentials expired")
    return "ok"


for day in range(1, 11):
    now[0] = (day - 1) * DAY
    before = breaker.state
    status = run_with_breaker(extract_interactions, retry, breaker, sleep=waits.append)
    print(f"day {day:2}: {before:9} -> {status:9} -> {breaker.state}")
print("simulated waits (s):", waits)
print("alerts:", alerts)
