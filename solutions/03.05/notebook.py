# %% [markdown]
# Most pipeline failures are transient: a database that is restarting, a rate-limited API, a
# network blip. Section 3.5 ("Error handling") answered them with a retry decorator whose waits
# grow exponentially, so that a struggling service gets more and more room to recover. In this
# exercise you write a stricter version of that decorator, the one the chapter's sketch was
# heading for: it retries only the errors worth retrying, stops after a fixed number of retries,
# and leaves a trace of every attempt in the logs.
#
# Orchestrators offer a similar policy per task, and you will meet it there. In Airflow 3 a task
# takes `retries=3, retry_delay=timedelta(seconds=1), retry_exponential_backoff=2.0` (a
# multiplier in the release this course installs, where Airflow 2 took `True`/`False`; Airflow
# also stretches each wait by a deterministic jitter of up to double). In Prefect 3,
# `@task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=1))` waits 1, 2 and 4
# seconds, and `retry_condition_fn=` decides which failures are retried. Those policies rerun the
# whole task; a decorator of your own goes inside a task, around the one call that talks to the
# flaky service, so that a blip costs one call, not the whole task.

# %%
import functools
import logging
import time

logger = logging.getLogger("retry")  # the logger every record of this exercise goes to

# %% [markdown]
# Write `retry_with_backoff`, a **decorator factory**: calling it with the settings returns a
# decorator, which wraps a function. Its signature, with these defaults:
#
# ```python
# retry_with_backoff(max_retries=3, initial_delay=1.0, backoff_factor=2.0,
#                    retryable_exceptions=(ValueError, ConnectionError), sleep=time.sleep)
# ```
#
# A call of the decorated function calls the wrapped function with the same arguments and returns
# its result. When the call raises:
#
# **(a)** an exception that is an instance of one of `retryable_exceptions` (subclasses included,
# as in an `except` clause) is retried, up to `max_retries` times: with the defaults, the function
# is called at most 1 + 3 = 4 times. When the last allowed attempt fails too, the decorated call
# re-raises that last exception itself (not a new one, and it never returns `None` instead).
#
# **(b)** before retry number *n* (counting from 1) it waits
# `initial_delay * backoff_factor ** (n - 1)` seconds: 1, 2 and 4 seconds with the defaults. It
# waits by calling `sleep(seconds)`, the function passed as `sleep=`, never `time.sleep`
# directly: the grader passes a fake `sleep` that only records the delays, so no test ever
# waits. There is no wait before the first attempt, nor after the last one, and every new call
# of the decorated function starts again from `initial_delay`.
#
# **(c)** any other exception is re-raised at once: no retry, no wait.
#
# **(d)** every attempt is logged with the `logging` module, on the logger `logging.getLogger("retry")`
# defined above (the grader listens to that logger):
#
# * each attempt that fails gives a record at level `WARNING` or above whose message contains
#   the words `attempt N` (`N` counts the calls, from 1) and the exception, e.g.
#   `"fetch_events: attempt 2 failed with ConnectionError: reset by peer; retrying in 2.0 s"`;
# * giving up (the retries are used up, or the exception is not retryable) gives a record at
#   level `ERROR`, and only giving up does;
# * a call that succeeds after one or more failures gives a record at level `INFO` that says on
#   which attempt it succeeded (`attempt N` again). A call that succeeds at once need not log.

# %% part="a"
def retry_with_backoff(max_retries=3, initial_delay=1.0, backoff_factor=2.0,
                       retryable_exceptions=(ValueError, ConnectionError), sleep=time.sleep):
    """A decorator that retries the listed exceptions with exponentially growing waits."""
    ### BEGIN SOLUTION retry_with_backoff
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            delay = initial_delay
            attempt = 1
            while True:
                try:
                    result = func(*args, **kwargs)
                except retryable_exceptions as exc:
                    if attempt > max_retries:
                        logger.error("%s: attempt %d failed with %s: %s; giving up after %d retries",
                                     func.__name__, attempt, type(exc).__name__, exc, max_retries)
                        raise
                    logger.warning("%s: attempt %d failed with %s: %s; retrying in %.1f s",
                                   func.__name__, attempt, type(exc).__name__, exc, delay)
                    sleep(delay)
                    delay *= backoff_factor
                    attempt += 1
                except Exception as exc:
                    logger.error("%s: attempt %d failed with %s, which is not retried: %s",
                                 func.__name__, attempt, type(exc).__name__, exc)
                    raise
                else:
                    if attempt > 1:
                        logger.info("%s: attempt %d succeeded", func.__name__, attempt)
                    return result
        return wrapper
    return decorator
    ### END SOLUTION
    ### BEGIN STARTER
    # def decorator(func):
    #     @functools.wraps(func)
    #     def wrapper(*args, **kwargs):
    #         raise NotImplementedError("call func, retry the listed errors, wait with sleep(...)")
    #     return wrapper
    # return decorator
    ### END STARTER


# %% [markdown]
# Try it on a service that fails twice before it answers, and on one that never answers. The
# fake `sleep` below prints the wait instead of waiting, and the logging set-up prints every
# record, so you can compare both with the rules above.

# %%
logging.basicConfig(level=logging.INFO, format="%(levelname)-7s %(name)s: %(message)s", force=True)


def pretend_to_sleep(seconds):
    print(f"  (would sleep {seconds:g} s)")


answers_on_third_call = iter([ConnectionError("reset by peer"), TimeoutError("slow"), {"rows": 1200}])


@retry_with_backoff(retryable_exceptions=(ConnectionError, TimeoutError), sleep=pretend_to_sleep)
def fetch_events():
    answer = next(answers_on_third_call)
    if isinstance(answer, Exception):
        raise answer
    return answer


print("result:", fetch_events())


@retry_with_backoff(max_retries=2, initial_delay=0.5, sleep=pretend_to_sleep)
def validate_batch():
    raise ValueError("only 80 rows, need 100")


try:
    validate_batch()
except ValueError as error:
    print("gave up with:", repr(error))
