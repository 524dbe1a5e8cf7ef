"""Retrying transient failures with exponential backoff and optional jitter.

Sleeping and randomness are injected (`sleep=`, `rng=`), so a test of a five-retry policy
runs in microseconds and gives the same delays every time.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["RetryConfig"]

T = TypeVar("T")
OnRetry = Callable[[int, BaseException, float], None]


def _exception_types(value: Any, field_name: str) -> tuple[type[BaseException], ...]:
    """Normalise one exception class or an iterable of them to a tuple, rejecting anything else."""
    if isinstance(value, type):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError(f"{field_name} must be a tuple of exception classes, got {value!r}")
    types = tuple(value)
    for item in types:
        if not (isinstance(item, type) and issubclass(item, BaseException)):
            raise ValueError(f"{field_name} must hold exception classes such as TimeoutError, got {item!r}")
    return types


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class RetryConfig:
    """How often and how patiently to retry a failing call.

    The n-th retry waits initial_delay * backoff_factor ** (n - 1) seconds, capped at
    max_delay and optionally spread by +/- jitter (a fraction) so clients do not retry in step.
    """

    max_retries: int = 3
    initial_delay: float = 1.0
    backoff_factor: float = 2.0
    max_delay: float = 300.0
    jitter: float = 0.0
    retry_on: tuple[type[BaseException], ...] = (Exception,)
    give_up_on: tuple[type[BaseException], ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(
                f"max_retries must be an integer >= 0 (0 means try once, never retry), got {self.max_retries!r}"
            )
        if not _is_number(self.initial_delay) or self.initial_delay < 0:
            raise ValueError(f"initial_delay must be a number of seconds >= 0, got {self.initial_delay!r}")
        if not _is_number(self.backoff_factor) or self.backoff_factor < 1:
            raise ValueError(
                f"backoff_factor must be >= 1 (1 keeps the delay constant, 2 doubles it), got {self.backoff_factor!r}"
            )
        if not _is_number(self.max_delay) or self.max_delay < self.initial_delay:
            raise ValueError(
                f"max_delay ({self.max_delay!r}) must be a number of seconds >= initial_delay ({self.initial_delay!r})"
            )
        if not _is_number(self.jitter) or not 0 <= self.jitter <= 1:
            raise ValueError(
                f"jitter must be a fraction between 0 and 1 (0.1 spreads delays by +/-10%), got {self.jitter!r}"
            )
        self.retry_on = _exception_types(self.retry_on, "retry_on")
        self.give_up_on = _exception_types(self.give_up_on, "give_up_on")
        # Used for jitter when no rng is passed: reproducible, and not shared between configs.
        self._default_rng = random.Random(0)

    def delay_for(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `retry_number` (1 for the first retry).

        With jitter and no `rng`, a Random seeded with 0 and kept by this config is used,
        so delays are reproducible; pass your own rng to decorrelate real clients.
        """
        if isinstance(retry_number, bool) or not isinstance(retry_number, int) or retry_number < 1:
            raise ValueError(f"retry_number counts retries from 1 (the first retry), got {retry_number!r}")
        try:
            base = self.initial_delay * self.backoff_factor ** (retry_number - 1)
        except OverflowError:  # a huge retry number: the cap applies anyway
            base = self.max_delay
        delay = min(self.max_delay, base)
        if self.jitter > 0:
            rng = rng if rng is not None else self._default_rng
            delay = min(self.max_delay, delay * rng.uniform(1 - self.jitter, 1 + self.jitter))
        return delay

    def should_retry(self, exc: BaseException) -> bool:
        """Whether `exc` is worth retrying: it matches retry_on and nothing in give_up_on."""
        return isinstance(exc, self.retry_on) and not isinstance(exc, self.give_up_on)

    def _why_not_retried(self, exc: BaseException) -> str:
        kind = type(exc).__name__
        if isinstance(exc, self.give_up_on):
            return f"{kind} matches give_up_on, so it is treated as fatal"
        names = ", ".join(t.__name__ for t in self.retry_on) or "nothing"
        return f"{kind} does not match retry_on ({names})"

    def call(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        sleep: Callable[[float], Any] = time.sleep,
        rng: random.Random | None = None,
        on_retry: OnRetry | None = None,
        **kwargs: Any,
    ) -> T:
        """Call fn(*args, **kwargs), retrying retryable failures with backoff; return its result.

        When it gives up, the original exception is re-raised with a note counting the attempts.
        """
        attempts = 0
        while True:
            attempts += 1
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                if not self.should_retry(exc):
                    exc.add_note(
                        f"pipelinekit.retry: not retried after attempt {attempts}: {self._why_not_retried(exc)}"
                    )
                    raise
                if attempts > self.max_retries:
                    exc.add_note(
                        f"pipelinekit.retry: gave up after {attempts} attempts "
                        f"(1 call + max_retries={self.max_retries} retries)"
                    )
                    raise
                delay = self.delay_for(attempts, rng)
                if on_retry is not None:
                    on_retry(attempts, exc, delay)
                sleep(delay)

    def wrap(
        self,
        fn: Callable[..., T],
        *,
        sleep: Callable[[float], Any] = time.sleep,
        rng: random.Random | None = None,
        on_retry: OnRetry | None = None,
    ) -> Callable[..., T]:
        """Decorator form of call(): the returned function retries `fn` with this config."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            return self.call(fn, *args, sleep=sleep, rng=rng, on_retry=on_retry, **kwargs)

        return wrapper
