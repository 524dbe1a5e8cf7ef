# A second correct solution: the waits are computed up front as a list, one per retry; a for
# loop walks through them, and an isinstance check (instead of two except clauses) decides
# whether an error is retried. Messages are worded differently ("Attempt #2 ...").
### REGION retry_with_backoff
retryable = tuple(retryable_exceptions)
waits = [initial_delay * backoff_factor ** n for n in range(max_retries)]

def decorator(func):
    name = getattr(func, "__qualname__", repr(func))

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt, wait in enumerate([*waits, None], start=1):
            try:
                value = func(*args, **kwargs)
            except Exception as error:
                worth_retrying = isinstance(error, retryable)
                if not worth_retrying or wait is None:
                    why = "retries exhausted" if worth_retrying else "not retryable"
                    logger.error("Attempt #%s of %s failed (%r); %s, giving up", attempt, name, error, why)
                    raise
                logger.warning("Attempt #%s of %s failed (%r); next try in %s s", attempt, name, error, wait)
                sleep(wait)
            else:
                if attempt > 1:
                    logger.info("Attempt #%s of %s succeeded", attempt, name)
                return value

    return wrapper

return decorator
