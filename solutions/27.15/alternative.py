# A second correct solution: the batch goes through the chapter's process_with_dlq, and since
# records enter the queue in the order they fail and all wait the same delay, the due records are
# always a prefix of the queue: retry the head while it is due, and remove it only once its retry
# has finished (so an interruption leaves it, and everything behind it, queued).
### REGION init
DeadLetterQueue.__init__(self, clock)
self.delay_seconds = 60.0 * retry_delay_minutes
self.permanent_failures = []
### REGION process
from pipelinekit import process_with_dlq

retried = self.reprocess_due(fn)
return retried + process_with_dlq(records, fn, self, source=source)
### REGION reprocess
now = self._clock()
done = []
while self._entries and self._entries[0].first_failed_at + self.delay_seconds <= now:
    head = self._entries[0]
    try:
        done.append(fn(head.record))
        self._entries.pop(0)
    except Exception as exc:
        self._entries.pop(0)
        self.permanent_failures.append(DeadLetter(
            record=head.record, error_type=type(exc).__name__, error=str(exc), source=head.source,
            attempts=2, first_failed_at=head.first_failed_at, last_failed_at=self._clock(),
        ))
return done
