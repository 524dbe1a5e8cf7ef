"""Tests of pipelinekit.retry: exponential backoff, jitter, what is retried, and when to stop.

Nothing here really sleeps: a fake sleep records the delays it is asked for.
"""

from __future__ import annotations

import random

import pytest

from pipelinekit import RetryConfig


class FakeSleep:
    """Stands in for time.sleep and remembers every delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Flaky:
    """Raises the given exceptions in turn, then returns "ok"; counts its calls."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.raised: list[BaseException] = []
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> str:
        self.calls += 1
        if self.failures:
            exc = self.failures.pop(0)
            self.raised.append(exc)
            raise exc
        return "ok"


def always_failing(exc_type: type[BaseException] = ConnectionError) -> Flaky:
    return Flaky(*(exc_type(f"failure {k}") for k in range(1, 100)))


def test_default_delays_are_1_2_4_seconds() -> None:
    sleep = FakeSleep()
    result = RetryConfig().call(Flaky(TimeoutError(), TimeoutError(), TimeoutError()), sleep=sleep)
    assert result == "ok"
    assert sleep.delays == [1.0, 2.0, 4.0]


def test_success_on_the_first_call_never_sleeps() -> None:
    sleep = FakeSleep()
    assert RetryConfig().call(Flaky(), sleep=sleep) == "ok"
    assert sleep.delays == []


def test_call_passes_arguments_through() -> None:
    assert RetryConfig().call(lambda a, b=0: a + b, 2, b=3, sleep=FakeSleep()) == 5


def test_max_delay_caps_the_backoff() -> None:
    sleep = FakeSleep()
    config = RetryConfig(max_retries=6, initial_delay=1, backoff_factor=2, max_delay=5)
    with pytest.raises(ConnectionError):
        config.call(always_failing(), sleep=sleep)
    assert sleep.delays == [1, 2, 4, 5, 5, 5]


def test_a_huge_retry_number_is_capped_rather_than_overflowing() -> None:
    assert RetryConfig(max_delay=60).delay_for(5000) == 60


def test_jitter_keeps_each_delay_within_its_bounds() -> None:
    config = RetryConfig(initial_delay=1, backoff_factor=2, max_delay=20, jitter=0.25)
    rng = random.Random(7)
    for retry in range(1, 9):
        base = min(20, 2 ** (retry - 1))
        for _ in range(50):
            delay = config.delay_for(retry, rng)
            assert base * 0.75 <= delay <= min(20, base * 1.25), f"retry {retry}: {delay} is off base {base}"


def test_jitter_actually_varies_the_delay() -> None:
    config = RetryConfig(jitter=0.5)
    rng = random.Random(1)
    assert len({config.delay_for(3, rng) for _ in range(20)}) > 1


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    config = RetryConfig(max_retries=5, jitter=0.3)
    runs = []
    for _ in range(2):
        sleep = FakeSleep()
        with pytest.raises(ConnectionError):
            config.call(always_failing(), sleep=sleep, rng=random.Random(42))
        runs.append(sleep.delays)
    assert runs[0] == runs[1]


def test_jitter_without_an_rng_is_reproducible_from_config_to_config() -> None:
    first = [RetryConfig(jitter=0.3).delay_for(k) for k in (1, 2, 3)]
    second = [RetryConfig(jitter=0.3).delay_for(k) for k in (1, 2, 3)]
    assert first == second


def test_a_non_retryable_error_is_raised_at_once_without_sleeping() -> None:
    sleep = FakeSleep()
    fn = Flaky(KeyError("user_id"))
    with pytest.raises(KeyError):
        RetryConfig(retry_on=(ConnectionError, TimeoutError)).call(fn, sleep=sleep)
    assert fn.calls == 1 and sleep.delays == []


def test_give_up_on_wins_over_retry_on() -> None:
    sleep = FakeSleep()
    fn = Flaky(PermissionError("bucket is private"))  # an OSError, like ConnectionError
    config = RetryConfig(retry_on=(OSError,), give_up_on=(PermissionError,))
    with pytest.raises(PermissionError) as caught:
        config.call(fn, sleep=sleep)
    assert fn.calls == 1 and sleep.delays == []
    assert any("give_up_on" in note for note in caught.value.__notes__)


def test_should_retry_follows_retry_on_and_give_up_on() -> None:
    config = RetryConfig(retry_on=(OSError,), give_up_on=(PermissionError,))
    assert config.should_retry(ConnectionError())
    assert not config.should_retry(PermissionError())
    assert not config.should_retry(ValueError())


def test_the_last_original_error_is_reraised_after_max_retries_plus_one_calls() -> None:
    fn = always_failing()
    with pytest.raises(ConnectionError) as caught:
        RetryConfig(max_retries=3).call(fn, sleep=FakeSleep())
    assert fn.calls == 4
    assert caught.value is fn.raised[-1]


def test_the_reraised_error_has_a_note_counting_the_attempts() -> None:
    with pytest.raises(ConnectionError) as caught:
        RetryConfig(max_retries=3).call(always_failing(), sleep=FakeSleep())
    assert any("4 attempts" in note for note in caught.value.__notes__)


def test_zero_retries_means_a_single_call() -> None:
    fn = always_failing()
    sleep = FakeSleep()
    with pytest.raises(ConnectionError):
        RetryConfig(max_retries=0).call(fn, sleep=sleep)
    assert fn.calls == 1 and sleep.delays == []


def test_on_retry_hears_the_retry_number_the_error_and_the_delay() -> None:
    heard = []
    fn = Flaky(TimeoutError("slow"), TimeoutError("slower"))
    RetryConfig().call(fn, sleep=FakeSleep(), on_retry=lambda n, exc, delay: heard.append((n, exc, delay)))
    assert heard == [(1, fn.raised[0], 1.0), (2, fn.raised[1], 2.0)]


def test_wrap_retries_and_keeps_the_function_name() -> None:
    sleep = FakeSleep()
    fn = Flaky(TimeoutError())

    def fetch_batch(day: str) -> str:
        """Fetch one day of events."""
        return fn(day)

    wrapped = RetryConfig().wrap(fetch_batch, sleep=sleep)
    assert wrapped("2024-06-01") == "ok"
    assert wrapped.__name__ == "fetch_batch" and wrapped.__doc__ == "Fetch one day of events."
    assert sleep.delays == [1.0]


def test_delay_for_counts_retries_from_one() -> None:
    with pytest.raises(ValueError, match="retry_number"):
        RetryConfig().delay_for(0)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"initial_delay": -0.1}, "initial_delay"),
        ({"backoff_factor": 0.5}, "backoff_factor"),
        ({"max_delay": 0.5, "initial_delay": 1.0}, "max_delay"),
        ({"jitter": 1.5}, "jitter"),
        ({"jitter": -0.1}, "jitter"),
        ({"retry_on": ("TimeoutError",)}, "retry_on"),
        ({"give_up_on": (int,)}, "give_up_on"),
    ],
)
def test_invalid_settings_are_rejected_naming_the_field(settings: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        RetryConfig(**settings)
