# %% [markdown]
# The StreamRec pipeline runs once a day. Looking back over its history, it raises on average
#
# | severity | meaning | how often, on average |
# | --- | --- | --- |
# | P1 | high: the recommendations are wrong or missing | one per quarter |
# | P2 | medium: a degraded run, such as stale features or a skipped model update | one per month |
# | P3 | low: something worth a look, such as a slow task or a small drop in row counts | one per week |
#
# This exercise builds on the alerting part of Section 27.7 (failure handling): an alert is only
# useful if it reaches the right person at the right speed, and if people still read alerts after
# a year of them.

# %% [markdown] part="a"
# **(a)** For each of the three severities, give the notification channel (email, Slack or
# PagerDuty, or a combination), the response time you expect, and the escalation policy when
# nobody acknowledges the alert: who is told next, and after how long. Use the frequencies above
# to justify your choices.

# %% [markdown] answer="a"
### BEGIN SOLUTION
# | | P1 (about 4 a year) | P2 (about 12 a year) | P3 (about 52 a year) |
# | --- | --- | --- | --- |
# | channel | PagerDuty page to the on-call engineer, mirrored in the team's incident Slack channel | Slack message in the pipeline-alerts channel mentioning the on-call engineer, plus a low-urgency PagerDuty notification (no phone call) | Slack pipeline-alerts channel without a mention, and a ticket in the team's queue; no page |
# | expected response | acknowledge within 15 minutes, at any hour; mitigation under way within 1 hour | acknowledge within 4 working hours; fixed before the next daily run | looked at within 2 working days, in the daily triage |
# | escalation if not acknowledged | after 15 minutes page the secondary on-call; after 30 more minutes the engineering manager, and open an incident | after 4 working hours turn it into a real page to the on-call; if still open when the next run starts, raise it to P1 | after 2 working days assign the ticket to the on-call for the weekly review; if the same P3 fires on 3 runs in a week, raise it to P2 |
#
# Why: a P1 comes about once a quarter, so a page at night is rare enough to be taken seriously
# and the cost of a wrong model serving all day is high. P2s come about monthly and the pipeline
# runs daily, so the deadline that matters is the next run, not the next minute. P3s arrive
# every week; paging for them would train people to ignore pages, so they go to channels that are
# read during working hours, and the only way they reach a person urgently is by escalating.
### END SOLUTION

# %% [markdown] part="b"
# **(b)** The team has started to ignore the P3 alerts: there are too many of them for what they
# bring. Propose two different strategies that reduce this alert fatigue **without hiding a
# genuine problem**, and say for each why a real failure still gets through.

# %% [markdown] answer="b"
### BEGIN SOLUTION
# 1. **Deduplicate and batch.** Send a given P3 (same task, same kind of failure) at most once per
#    window, as the throttler of part (c) does, and deliver P3s as one daily digest instead of one
#    message each. Nothing is dropped: every occurrence is still logged and counted, and the digest
#    and the next alert say how many duplicates were held back, so a problem that keeps firing is
#    visible as a growing count.
# 2. **Escalate what persists.** A P3 that fires on several runs in a row (say 3 in a week) or
#    stays unacknowledged for days is promoted automatically to P2, with its history attached. The
#    quiet channel is then safe: an isolated blip stays quiet, while a low-severity symptom that
#    turns out to be a trend reaches someone with a deadline.
#
# (Also accepted: a monthly review that deletes or re-tunes P3 rules that never led to an action
# and moves the rest into dashboards, so that each remaining P3 is actionable and has a runbook.)
### END SOLUTION

# %% [markdown] part="c"
# **(c)** Write a class `AlertThrottler(window_minutes=120, clock=time.monotonic)` that stops the
# same alert from going out again and again: for example, no second alert about the same task
# failure within 2 hours of the first. `clock` returns seconds, like `time.monotonic`; inject a fake
# one to test. It has two methods:
#
# - `should_send(key) -> bool`: `key` identifies the alert (any hashable value, such as a task name
#   or a `(task, error type)` tuple). Return `True` when no alert with this key has been sent yet,
#   or when the last one *sent* for this key went out `window_minutes` or more ago (at that instant
#   or later); the throttler then counts this alert as sent, now. Otherwise return `False`: the
#   alert is a suppressed duplicate. A suppressed duplicate does not move the window: it always
#   runs from the last alert that was actually sent.
# - `suppressed_count(key) -> int`: how many duplicates with this key have been suppressed since
#   the last alert for it was sent (0 for a key never seen). Sending an alert starts this count
#   again from zero, so read it just before `should_send` to report it in the alert.
#
# Each key has its own window: an alert about one task never holds back an alert about another.

# %% part="c"
import time
from collections.abc import Callable, Hashable


### BEGIN SOLUTION throttler
class AlertThrottler:
    """Let one alert per key through per window; count the duplicates it holds back."""

    def __init__(self, window_minutes: float = 120, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_minutes = window_minutes
        self._clock = clock
        self._last_sent: dict[Hashable, float] = {}
        self._suppressed: dict[Hashable, int] = {}

    def should_send(self, key: Hashable) -> bool:
        now = self._clock()
        last = self._last_sent.get(key)
        if last is None or now - last >= self.window_minutes * 60:
            self._last_sent[key] = now
            self._suppressed[key] = 0
            return True
        self._suppressed[key] = self._suppressed.get(key, 0) + 1
        return False

    def suppressed_count(self, key: Hashable) -> int:
        return self._suppressed.get(key, 0)
### END SOLUTION
### BEGIN STARTER
# class AlertThrottler:
#     """Let one alert per key through per window; count the duplicates it holds back."""
#
#     def __init__(self, window_minutes=120, clock=time.monotonic):
#         ...
#
#     def should_send(self, key):
#         raise NotImplementedError()
#
#     def suppressed_count(self, key):
#         raise NotImplementedError()
### END STARTER


# %% part="c"
# A task that fails every 30 minutes for 5 hours, and another one that fails once, on a fake clock.
now = [0.0]
throttler = AlertThrottler(window_minutes=120, clock=lambda: now[0])
for minute in range(0, 301, 30):
    now[0] = minute * 60
    events = [("compute_features", "TimeoutError")] + ([("train_model", "OOMError")] if minute == 90 else [])
    for key in events:
        held_back = throttler.suppressed_count(key)
        if throttler.should_send(key):
            note = f" ({held_back} duplicates suppressed since the last one)" if held_back else ""
            print(f"{minute:3} min  SEND  {key}{note}")
        else:
            print(f"{minute:3} min  hold  {key}")
