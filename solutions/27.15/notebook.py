# %% [markdown]
# Section 27.7 built `DeadLetterQueue`: when one record of a batch cannot be processed, it is parked
# with its error, its source, its attempt count and the times it failed (`first_failed_at`,
# `last_failed_at`, read from an injected `clock`), and the rest of the batch goes on. A person
# later calls `replay(fn)` once the cause is fixed.
#
# Many failures fix themselves: the user-service API was briefly down, a late partition arrived
# ten minutes after the record that needed it. This exercise makes the queue retry on its own:
#
# - a record that fails goes into the queue;
# - once a configurable delay has passed since it failed, the queue retries it automatically;
# - if it fails again, it is moved to a **permanent failure store**, where it waits for a person
#   and is never retried automatically again.
#
# Throughout, **no record may be lost or duplicated**: at every moment, each record handed to the
# queue has either been processed successfully exactly once, or sits in exactly one of the two
# places (the queue or the permanent store).
#
# A reminder of what `DeadLetterQueue` gives you: `put(record, error, source="", attempts=1)`
# parks a record and returns its `DeadLetter` entry, stamped with `clock()`; `entries` is a copy
# of the list of entries, oldest first; `len(queue)` counts them. The entries live in the list
# `self._entries`, which a subclass may use.

# %%
import dataclasses
import time
from collections.abc import Callable, Iterable
from typing import Any

from pipelinekit import DeadLetter, DeadLetterQueue

# %% [markdown] part="a"
# **(a) Capturing failed records.** Write a subclass `ReprocessingDLQ(DeadLetterQueue)` with the
# constructor `ReprocessingDLQ(retry_delay_minutes, clock=time.time)` (the clock returns seconds)
# and a method `process(records, fn, source="") -> list`, which applies `fn` to each record of a
# batch, in order. A record for which `fn` raises an `Exception` is parked in the queue, stamped
# with the clock, with `attempts` equal to 1, and the batch goes on. `process` returns the results
# of the records that succeeded, in input order. (Part (b) adds one step to `process`.)
#
# The class also has an attribute (or property) `permanent_failures`: the permanent failure store,
# a list of `DeadLetter` entries, empty at first.

# %% [markdown] part="b"
# **(b) Reprocessing after a delay.** Add a method `reprocess_due(fn) -> list`. A queued record is
# *due* once `retry_delay_minutes` have passed since it failed (at that instant or later).
# `reprocess_due` retries every due record, oldest first, and leaves the others alone (`fn` is not
# called for them). A record that now succeeds leaves the queue, and `reprocess_due` returns the
# results of these successes, oldest first.
#
# Then make the reprocessing automatic: `process` starts by calling `reprocess_due(fn)`, and returns
# the results of the retried records that succeeded followed by those of the new batch.

# %% [markdown] part="c"
# **(c) The permanent failure store.** A due record that fails again leaves the queue for the
# permanent store: append a `DeadLetter` to `permanent_failures` with `attempts` equal to 2, the
# *new* error (`error_type`, `error`) and `last_failed_at` set to the time of this second failure.
# Records in the permanent store are never retried automatically.

# %% [markdown] part="d"
# **(d) Nothing lost, nothing duplicated.** Make sure no record is ever lost or duplicated, even
# when `fn` is interrupted: if `fn` raises something that is not an `Exception` (a
# `KeyboardInterrupt`, say) while records are being retried, let it propagate, and leave every
# record whose retry did not finish, including the one `fn` was working on, in the queue,
# untouched. The hidden tests replay many random patterns of failures against your queue and
# count where every record ends up.

# %% part="a"
class ReprocessingDLQ(DeadLetterQueue):
    """A dead-letter queue that retries each record once, after a delay, on its own."""

    def __init__(self, retry_delay_minutes: float, clock: Callable[[], float] = time.time) -> None:
        ### BEGIN SOLUTION init
        super().__init__(clock=clock)
        self.retry_delay_minutes = retry_delay_minutes
        self.permanent_failures: list[DeadLetter] = []
        ### END SOLUTION
        ### BEGIN STARTER
        # super().__init__(clock=clock)
        # self.retry_delay_minutes = retry_delay_minutes
        # self.permanent_failures = []
        ### END STARTER

    def process(self, records: Iterable[Any], fn: Callable[[Any], Any], source: str = "") -> list:
        """(a) and (b): retry what is due, then run the batch, parking the records that fail."""
        ### BEGIN SOLUTION process
        results = self.reprocess_due(fn)
        for record in records:
            try:
                results.append(fn(record))
            except Exception as exc:
                self.put(record, exc, source=source)
        return results
        ### END SOLUTION

    def reprocess_due(self, fn: Callable[[Any], Any]) -> list:
        """(b), (c) and (d): retry each due record once; successes leave, failures go to the store."""
        ### BEGIN SOLUTION reprocess
        now = self._clock()
        delay = self.retry_delay_minutes * 60
        due = [entry for entry in self._entries if now - entry.first_failed_at >= delay]
        results = []
        for entry in due:
            try:
                result = fn(entry.record)
            except Exception as exc:
                failed = dataclasses.replace(
                    entry, error_type=type(exc).__name__, error=str(exc),
                    attempts=entry.attempts + 1, last_failed_at=self._clock(),
                )
                self._entries = [e for e in self._entries if e is not entry]
                self.permanent_failures.append(failed)
            else:
                self._entries = [e for e in self._entries if e is not entry]
                results.append(result)
        return results
        ### END SOLUTION


# %% [markdown]
# A day of the interactions feed on a fake clock: the user-service API is down from 08:00 to 08:20,
# and one record is malformed for good.

# %%
now = [8 * 3600.0]
api_down_until = 8 * 3600 + 20 * 60


def enrich(record):
    if record["user"] is None:
        raise ValueError(f"record {record['id']} has no user")
    if now[0] < api_down_until:
        raise ConnectionError("user-service API unavailable")
    return {**record, "segment": "heavy" if record["clicks"] > 5 else "light"}


queue = ReprocessingDLQ(retry_delay_minutes=15, clock=lambda: now[0])
batches = {
    8 * 60: [{"id": 1, "user": "u1", "clicks": 3}, {"id": 2, "user": None, "clicks": 9}],
    8 * 60 + 10: [{"id": 3, "user": "u3", "clicks": 7}],
    8 * 60 + 30: [{"id": 4, "user": "u4", "clicks": 1}],
    8 * 60 + 45: [],
}
for minute, batch in batches.items():
    now[0] = minute * 60.0
    done = queue.process(batch, enrich, source="interactions")
    print(f"{minute // 60:02}:{minute % 60:02}  processed {[r['id'] for r in done]}, "
          f"queued {[e.record['id'] for e in queue.entries]}, "
          f"permanent {[(e.record['id'], e.error_type) for e in queue.permanent_failures]}")
