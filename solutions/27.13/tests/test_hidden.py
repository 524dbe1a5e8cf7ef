"""Hidden tests for exercise 27.13 (a circuit breaker across pipeline runs).

The probes build the learner's breaker with a fake clock and a list that catches alerts, drive it
with a script of runs, and send back what they observed. What should happen is computed here, by
a small model of the rules in the statement: nothing expected enters the learner's process, and
nothing sleeps for real (the retries of part (c) sleep through a fake `sleep`).
"""

from autograder.testing import expect, graded

MINUTE = 60


# ---- probes: run in the learner's worker, return plain data -----------------------------------
def config_facts(ns):
    import dataclasses

    cls = ns.CircuitBreakerConfig
    facts = {"dataclass": dataclasses.is_dataclass(cls)}
    facts["fields"] = [f.name for f in dataclasses.fields(cls)] if facts["dataclass"] else []
    by_name = cls(failure_threshold=5, reset_timeout_minutes=90, half_open_max_attempts=2)
    facts["by_name"] = [by_name.failure_threshold, by_name.reset_timeout_minutes, by_name.half_open_max_attempts]
    in_order = cls(4, 2.5, 3)
    facts["in_order"] = [in_order.failure_threshold, in_order.reset_timeout_minutes, in_order.half_open_max_attempts]
    return facts


def config_verdicts(ns, cases):
    out = []
    for threshold, minutes, trials in cases:
        try:
            ns.CircuitBreakerConfig(
                failure_threshold=threshold, reset_timeout_minutes=minutes, half_open_max_attempts=trials
            )
        except ValueError:
            out.append("ValueError")
        except Exception as exc:  # noqa: BLE001 - reported as the exception's type
            out.append(type(exc).__name__)
        else:
            out.append("accepted")
    return out


def breaker_script(ns, config, steps):
    """Drive a breaker: ["at", seconds] moves the clock, ["ok"] / ["fail"] is one run."""
    now = [0.0]
    alerts = []

    def norm(state):
        state = getattr(state, "name", state)
        return str(state).upper().replace("-", "_").replace(" ", "_")

    breaker = ns.CircuitBreaker(
        "train_model",
        ns.CircuitBreakerConfig(failure_threshold=config[0], reset_timeout_minutes=config[1], half_open_max_attempts=config[2]),
        clock=lambda: now[0],
        alert=lambda severity, message: alerts.append([str(severity), "train_model" in str(message)]),
    )
    seen = []
    for step in steps:
        allowed = None
        if step[0] == "at":
            now[0] = float(step[1])
        else:
            allowed = bool(breaker.allow_run())
            if allowed:
                if step[0] == "ok":
                    breaker.record_success()
                else:
                    breaker.record_failure()
        seen.append({"state": norm(breaker.state), "allowed": allowed, "alerts": list(alerts)})
    return seen


def breaker_runs(ns, config, retry_kwargs, runs):
    """Runs through run_with_breaker: each run sets the clock, then the task fails `fails` times
    (None: every attempt) with the named error before it succeeds."""
    from pipelinekit import RetryConfig

    now = [0.0]
    alerts = []
    errors = {"TimeoutError": TimeoutError, "ValueError": ValueError}
    kwargs = dict(retry_kwargs)
    if "give_up_on" in kwargs:
        kwargs["give_up_on"] = tuple(errors[name] for name in kwargs["give_up_on"])

    def norm(state):
        state = getattr(state, "name", state)
        return str(state).upper().replace("-", "_").replace(" ", "_")

    breaker = ns.CircuitBreaker(
        "train_model",
        ns.CircuitBreakerConfig(failure_threshold=config[0], reset_timeout_minutes=config[1], half_open_max_attempts=config[2]),
        clock=lambda: now[0],
        alert=lambda severity, message: alerts.append([str(severity), "train_model" in str(message)]),
    )
    retry = RetryConfig(**kwargs)
    seen = []
    for run in runs:
        now[0] = float(run["at"])
        calls = [0]
        sleeps = []

        def task():
            calls[0] += 1
            if run["fails"] is None or calls[0] <= run["fails"]:
                raise errors[run.get("error", "TimeoutError")]("the warehouse did not answer")
            return "trained"

        status = ns.run_with_breaker(task, retry, breaker, sleep=sleeps.append)
        seen.append({
            "status": status if isinstance(status, str) else repr(status)[:40],
            "calls": calls[0],
            "sleeps": [float(s) for s in sleeps],
            "state": norm(breaker.state),
            "alerts": list(alerts),
        })
    return seen


# ---- the rules of the statement, as a model -------------------------------------------------------
class Model:
    def __init__(self, threshold, minutes, trials):
        self.threshold, self.timeout, self.trials = threshold, minutes * MINUTE, trials
        self.state, self.failures, self.trial_failures, self.opened_at, self.alerts = "CLOSED", 0, 0, None, 0
        self.now = 0.0

    def look(self):
        if self.state == "OPEN" and self.now - self.opened_at >= self.timeout:
            self.state, self.trial_failures = "HALF_OPEN", 0
        return self.state

    def open(self):
        self.state, self.opened_at, self.failures = "OPEN", self.now, 0
        self.alerts += 1

    def run(self, ok):
        if self.look() == "OPEN":
            return False
        if ok:
            self.state, self.failures = "CLOSED", 0
        elif self.state == "CLOSED":
            self.failures += 1
            if self.failures >= self.threshold:
                self.open()
        else:
            self.trial_failures += 1
            if self.trial_failures >= self.trials:
                self.open()
        return True

    def script(self, steps):
        out = []
        for step in steps:
            allowed = None
            if step[0] == "at":
                self.now = float(step[1])
            else:
                allowed = self.run(step[0] == "ok")
            out.append({"state": self.look(), "allowed": allowed, "alerts": self.alerts})
        return out


def describe(steps, upto):
    words, clock = [], 0.0
    for step in steps[: upto + 1]:
        if step[0] == "at":
            clock = float(step[1])
            words.append(f"t={clock / MINUTE:g} min")
        else:
            words.append("run succeeds" if step[0] == "ok" else "run fails")
    return ", ".join(words)


def check_script(sub, config, steps):
    got = sub.run(breaker_script, list(config), steps)
    want = Model(*config).script(steps)
    threshold, minutes, trials = config
    setting = (f"failure_threshold={threshold}, reset_timeout_minutes={minutes:g}, "
               f"half_open_max_attempts={trials}")
    for index, (g, w) in enumerate(zip(got, want)):
        story = describe(steps, index)
        if w["allowed"] is not None:
            expect(g["allowed"] == w["allowed"],
                   f"with {setting}, after [{story}]: your allow_run() said {g['allowed']} for the last run")
        expect(g["state"] == w["state"],
               f"with {setting}, after [{story}]: your breaker is {g['state']}")


# ---- (a) -------------------------------------------------------------------------------------------
@graded("a", points=1, hint="A @dataclass with failure_threshold, reset_timeout_minutes and "
                            "half_open_max_attempts, in this order.")
def test_config_is_a_dataclass_with_the_three_fields(sub):
    facts = sub.run(config_facts)
    expect(facts["dataclass"], "CircuitBreakerConfig should be a dataclass (decorate it with @dataclass)")
    expect(facts["fields"] == ["failure_threshold", "reset_timeout_minutes", "half_open_max_attempts"],
           f"your dataclass has the fields {facts['fields']}; check the names and their order")
    expect(facts["by_name"] == [5, 90, 2], "a config built with keywords does not keep the values it was given")
    expect(facts["in_order"] == [4, 2.5, 3], "a config built with positional values does not keep them in order")


INVALID = [
    (0, 30, 1), (-2, 30, 1), (2.5, 30, 1), (True, 30, 1),
    (3, 0, 1), (3, -10, 1), (3, "30", 1),
    (3, 30, 0), (3, 30, -1), (3, 30, 1.5),
]
VALID = [(1, 30, 1), (5, 0.5, 3), (3, 60.0, 1), (10, 1440, 2)]


@graded("a", points=1, hint="Raise ValueError in __post_init__ for a threshold or trial count below 1 "
                            "(or not an int) and for a timeout that is not a number above 0.")
def test_config_rejects_invalid_values(sub):
    verdicts = sub.run(config_verdicts, INVALID + VALID)
    for (threshold, minutes, trials), verdict in zip(INVALID, verdicts[: len(INVALID)]):
        expect(verdict == "ValueError",
               f"CircuitBreakerConfig({threshold!r}, {minutes!r}, {trials!r}) "
               + ("was accepted" if verdict == "accepted" else f"raised {verdict}, not ValueError"))
    for (threshold, minutes, trials), verdict in zip(VALID, verdicts[len(INVALID):]):
        expect(verdict == "accepted",
               f"CircuitBreakerConfig({threshold!r}, {minutes!r}, {trials!r}) is valid, but it raised {verdict}")


# ---- (b) -------------------------------------------------------------------------------------------
@graded("b", points=1, hint="Count failed runs in a row; at failure_threshold the breaker opens and "
                            "allow_run() returns False.")
def test_breaker_opens_after_threshold_failed_runs_in_a_row(sub):
    check_script(sub, (3, 30, 1), [["fail"], ["fail"], ["fail"], ["fail"], ["ok"]])
    check_script(sub, (1, 30, 1), [["fail"], ["ok"]])


@graded("b", points=1, hint="Only failures in a row count: a successful run sets the count back to zero.")
def test_a_successful_run_resets_the_failure_count(sub):
    check_script(sub, (3, 30, 1), [["fail"], ["fail"], ["ok"], ["fail"], ["fail"], ["ok"], ["fail"], ["fail"], ["fail"]])


@graded("b", points=1, hint="The timeout is in minutes and the clock in seconds; it counts from the "
                            "moment the breaker opened, and at that exact moment it is HALF_OPEN.")
def test_open_breaker_half_opens_after_the_reset_timeout(sub):
    opened = 200
    check_script(sub, (3, 5, 1), [
        ["at", 0], ["fail"], ["at", 100], ["fail"], ["at", opened], ["fail"],
        ["at", opened + 60], ["fail"], ["at", opened + 5 * MINUTE - 1], ["fail"],
        ["at", opened + 5 * MINUTE],
    ])
    check_script(sub, (2, 0.5, 1), [["at", 1000], ["fail"], ["fail"], ["at", 1029], ["at", 1030]])


@graded("b", points=1, hint="HALF_OPEN allows trial runs: one success closes the breaker, "
                            "half_open_max_attempts failed trials in a row open it again, for a new timeout.")
def test_half_open_trials_close_or_reopen_the_breaker(sub):
    t = 10 * MINUTE
    check_script(sub, (2, 10, 2), [
        ["fail"], ["fail"],
        ["at", t], ["fail"], ["fail"],                     # two failed trials: open again at t
        ["at", 2 * t - 1], ["fail"], ["at", 2 * t],        # a new timeout, counted from t
        ["fail"], ["ok"],                                  # a fresh allowance of trials, then a success
        ["fail"], ["fail"], ["fail"],                      # closed with the count at zero
    ])
    check_script(sub, (3, 1, 1), [["fail"], ["fail"], ["fail"], ["at", 60], ["fail"], ["at", 119], ["at", 120], ["ok"]])


# ---- (c) -------------------------------------------------------------------------------------------
DAY = 24 * 60 * MINUTE
RETRY = {"max_retries": 2, "initial_delay": 0.01, "backoff_factor": 3.0}


def backoff(n, initial=0.01, factor=3.0):
    return [initial * factor ** k for k in range(n)]


def close(a, b):
    return len(a) == len(b) and all(abs(x - y) < 1e-9 for x, y in zip(a, b))


@graded("c", points=1, hint="Retries are the inner loop: a run that succeeds on a retry is a successful "
                            "run for the breaker.")
def test_retries_inside_a_run_do_not_count_against_the_breaker(sub):
    fails = [2, 1, 2, 2, 0, 2]
    runs = [{"at": day * DAY, "fails": k} for day, k in enumerate(fails)]
    got = sub.run(breaker_runs, [2, 60, 1], RETRY, runs)
    for day, (run, k) in enumerate(zip(got, fails), start=1):
        expect(run["calls"] == k + 1,
               f"on day {day} the task failed {k} time(s) and then worked, but your run called it {run['calls']} time(s)")
        expect(run["status"] == "succeeded", f"on day {day} the task worked on a retry, but your run returned {run['status']!r}")
        expect(run["state"] == "CLOSED", f"after day {day} (a run that worked on a retry) your breaker is {run['state']}")


@graded("c", points=1, hint="A failed run makes 1 + max_retries attempts, waits through the sleep it is "
                            "given, and counts once; a disabled task is not called at all.")
def test_a_failed_run_uses_its_retries_and_counts_once(sub):
    runs = [{"at": day * DAY, "fails": None} for day in range(5)]
    got = sub.run(breaker_runs, [3, 24 * 60 * 3, 1], RETRY, runs)
    model = Model(3, 24 * 60 * 3, 1)
    for day, run in enumerate(got, start=1):
        model.now = (day - 1) * DAY
        allowed = model.run(False)
        want_calls = RETRY["max_retries"] + 1 if allowed else 0
        expect(run["status"] == ("failed" if allowed else "skipped"),
               f"on day {day} (every attempt fails) your run returned {run['status']!r}")
        expect(run["calls"] == want_calls, f"on day {day} your run called the task {run['calls']} time(s)")
        expect(close(run["sleeps"], backoff(RETRY["max_retries"]) if allowed else []),
               f"on day {day} your run waited {run['sleeps']} through the sleep it was given; "
               "the waits should be the RetryConfig's backoff delays")
        expect(run["state"] == model.look(), f"after day {day} your breaker is {run['state']}")

    kwargs = dict(RETRY, give_up_on=["ValueError"])
    runs = [{"at": minute * MINUTE, "fails": None, "error": "ValueError"} for minute in range(3)]
    got = sub.run(breaker_runs, [2, 60, 1], kwargs, runs)
    expect([r["status"] for r in got] == ["failed", "failed", "skipped"],
           f"when the error is not retryable, your runs returned {[r['status'] for r in got]}")
    expect([r["calls"] for r in got] == [1, 1, 0],
           f"when the error is not retryable, your runs called the task {[r['calls'] for r in got]} times")


@graded("c", points=1, hint="Send alert('P0', message naming the task) once each time the breaker opens: "
                            "not for every failed run, not for a skipped run.")
def test_a_p0_alert_goes_out_when_the_task_is_disabled(sub):
    hour = 60 * MINUTE
    plan = [(0, None), (DAY, None), (2 * DAY, None), (2 * DAY + hour, None), (3 * DAY, None), (4 * DAY, None)]
    runs = [{"at": at, "fails": fails} for at, fails in plan]
    got = sub.run(breaker_runs, [2, 24 * 60, 1], RETRY, runs)
    model = Model(2, 24 * 60, 1)
    for day, ((at, _), run) in enumerate(zip(plan, got), start=1):
        model.now = at
        model.run(False)
        expect(len(run["alerts"]) == model.alerts,
               f"after run {day} (runs so far all failed; failure_threshold=2, reset timeout one day) "
               f"your breaker has sent {len(run['alerts'])} alert(s)")
        for severity, names_task in run["alerts"]:
            expect(severity == "P0", f"your breaker sent a {severity} alert when it opened")
            expect(names_task, "the alert message should name the task that was disabled")


@graded("c", points=1, hint="Once the reset timeout has passed, the next run is a trial: it must be "
                            "allowed, and a success closes the breaker.")
def test_a_disabled_task_gets_a_trial_run_after_the_reset_timeout(sub):
    opened = DAY
    plan = [(0, None), (opened, None), (opened + 119 * MINUTE, 0), (opened + 120 * MINUTE, 1),
            (2 * DAY, None), (3 * DAY, 0)]
    runs = [{"at": at, "fails": fails} for at, fails in plan]
    got = sub.run(breaker_runs, [2, 120, 1], RETRY, runs)
    model = Model(2, 120, 1)
    for number, ((at, fails), run) in enumerate(zip(plan, got), start=1):
        model.now = at
        allowed = model.run(fails is not None)
        want = "skipped" if not allowed else ("failed" if fails is None else "succeeded")
        when = f"at run {number} (t = {at / MINUTE:g} min)"
        expect(run["status"] == want, f"{when}, your run returned {run['status']!r}")
        expect(run["state"] == model.look(), f"{when}, after the run your breaker is {run['state']}")
