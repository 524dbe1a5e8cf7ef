# A second correct solution: the throttler keeps each key's history of (time, sent?) events and
# derives both answers from it, instead of keeping a last-sent time and a counter per key.
### REGION throttler
from collections import defaultdict


class AlertThrottler:
    def __init__(self, window_minutes=120, clock=time.monotonic):
        self.window = 60.0 * window_minutes
        self.clock = clock
        self.history = defaultdict(list)  # key -> [(time, was_sent), ...], oldest first

    def _last_sent_at(self, key):
        return next((t for t, sent in reversed(self.history[key]) if sent), None)

    def should_send(self, key):
        now = self.clock()
        last = self._last_sent_at(key)
        send = last is None or not (now < last + self.window)
        if send:
            self.history[key] = []  # nothing before the last sent alert matters any more
        self.history[key].append((now, send))
        return send

    def suppressed_count(self, key):
        events = self.history.get(key, [])
        return sum(1 for _, sent in events if not sent)
