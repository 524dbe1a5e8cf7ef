"""Hidden tests for exercise 27.14 (c): the alert throttler.

The probe builds the learner's throttler on a fake clock and replays a script of alerts; what
should happen is computed here by a small model of the rules in the statement.
"""

from autograder.testing import expect, graded

MINUTE = 60


# ---- probe: runs in the learner's worker, returns plain data ----------------------------------------
def throttle_script(ns, window_minutes, events):
    """events: [seconds, "send" | "count", key]; a key sent as a list is used as a tuple."""
    now = [0.0]
    if window_minutes is None:
        throttler = ns.AlertThrottler(clock=lambda: now[0])
    else:
        throttler = ns.AlertThrottler(window_minutes=window_minutes, clock=lambda: now[0])
    out = []
    for at, what, key in events:
        now[0] = float(at)
        key = tuple(key) if isinstance(key, list) else key
        if what == "send":
            value = throttler.should_send(key)
            out.append(value if isinstance(value, bool) else repr(value)[:40])
        else:
            value = throttler.suppressed_count(key)
            out.append(value if isinstance(value, int) and not isinstance(value, bool) else repr(value)[:40])
    return out


# ---- the rules of the statement, as a model ---------------------------------------------------------
def model(window_minutes, events):
    window = (120 if window_minutes is None else window_minutes) * MINUTE
    last, held, out = {}, {}, []
    for at, what, key in events:
        key = tuple(key) if isinstance(key, list) else key
        if what == "send":
            if key not in last or at - last[key] >= window:
                last[key], held[key] = at, 0
                out.append(True)
            else:
                held[key] = held.get(key, 0) + 1
                out.append(False)
        else:
            out.append(held.get(key, 0))
    return out


def show_key(key):
    return "(" + ", ".join(map(str, key)) + ")" if isinstance(key, list) else str(key)


def check(sub, window_minutes, events):
    got = sub.run(throttle_script, window_minutes, events)
    want = model(window_minutes, events)
    setting = "the default window" if window_minutes is None else f"window_minutes={window_minutes:g}"
    for (at, what, key), g, w in zip(events, got, want):
        when = f"with {setting}, at t={at / MINUTE:g} min"
        if what == "send":
            expect(isinstance(g, bool), f"should_send() should return True or False, got {g}")
            verdict = "sent" if g else "suppressed"
            expect(g == w, f"{when}, your throttler {verdict} the alert for {show_key(key)}")
        else:
            expect(isinstance(g, int), f"suppressed_count() should return an int, got {g}")
            expect(g == w, f"{when}, your suppressed_count({show_key(key)}) is {g}")


FAILED = "compute_features"


@graded("c", points=1, hint="The first alert for a key goes out; a repeat within window_minutes is held back.")
def test_a_repeat_within_the_window_is_suppressed(sub):
    check(sub, 120, [[0, "send", FAILED], [60, "send", FAILED], [45 * MINUTE, "send", FAILED],
                     [119 * MINUTE + 59, "send", FAILED]])
    check(sub, 30, [[600, "send", FAILED], [600, "send", FAILED], [600 + 29 * MINUTE, "send", FAILED]])


@graded("c", points=1, hint="Once window_minutes have passed since the alert was sent (at that instant or "
                            "later), the next one goes out; the default window is 2 hours.")
def test_an_alert_goes_out_again_once_the_window_has_passed(sub):
    check(sub, 30, [[0, "send", FAILED], [30 * MINUTE, "send", FAILED], [40 * MINUTE, "send", FAILED],
                    [75 * MINUTE, "send", FAILED]])
    check(sub, None, [[0, "send", FAILED], [90 * MINUTE, "send", FAILED], [120 * MINUTE, "send", FAILED]])
    check(sub, 0.5, [[0, "send", FAILED], [29, "send", FAILED], [30, "send", FAILED]])


@graded("c", points=1, hint="The window runs from the last alert that was SENT; suppressed duplicates do "
                            "not extend it, or a failure that never stops would never alert again.")
def test_the_window_runs_from_the_last_alert_sent(sub):
    events = [[m * MINUTE, "send", FAILED] for m in range(0, 361, 40)]
    check(sub, 120, events)


@graded("c", points=1, hint="Each key has its own window: an alert about one task never holds back another.")
def test_keys_are_throttled_separately(sub):
    check(sub, 120, [
        [0, "send", "compute_features"], [60, "send", "train_model"], [120, "send", "compute_features"],
        [180, "send", "train_model"], [240, "send", "evaluate_model"],
        [300, "send", ["compute_features", "TimeoutError"]], [360, "send", ["compute_features", "KeyError"]],
        [420, "send", ["compute_features", "TimeoutError"]],
    ])


@graded("c", points=1, hint="suppressed_count(key): duplicates held back since the last alert sent for that "
                            "key; 0 for an unknown key, and back to 0 when an alert is sent.")
def test_suppressed_duplicates_are_counted(sub):
    events = [[0, "count", FAILED], [0, "send", FAILED]]
    for m in (10, 20, 30):
        events += [[m * MINUTE, "send", FAILED], [m * MINUTE, "count", FAILED]]
    events += [[40 * MINUTE, "count", "train_model"], [60 * MINUTE, "send", FAILED], [60 * MINUTE, "count", FAILED],
               [70 * MINUTE, "send", FAILED], [70 * MINUTE, "count", FAILED]]
    check(sub, 60, events)
