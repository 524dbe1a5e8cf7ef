# A second correct solution: validation through the numbers ABCs, states as an Enum computed from
# the stored opening time (the property never changes anything), and the inner retry loop written
# out by hand from RetryConfig's should_retry() and delay_for() instead of RetryConfig.call().
### REGION config
import enum
import numbers


@dataclass(frozen=True)
class CircuitBreakerConfig:
    """When a task's breaker opens, and how it comes back."""

    failure_threshold: int
    reset_timeout_minutes: float
    half_open_max_attempts: int

    def __post_init__(self) -> None:
        def whole(x):
            return isinstance(x, numbers.Integral) and not isinstance(x, bool)

        def real(x):
            return isinstance(x, numbers.Real) and not isinstance(x, bool)

        problems = []
        if not (whole(self.failure_threshold) and self.failure_threshold >= 1):
            problems.append(f"failure_threshold={self.failure_threshold!r} (needs an int >= 1)")
        if not (real(self.reset_timeout_minutes) and self.reset_timeout_minutes > 0):
            problems.append(f"reset_timeout_minutes={self.reset_timeout_minutes!r} (needs a number > 0)")
        if not (whole(self.half_open_max_attempts) and self.half_open_max_attempts >= 1):
            problems.append(f"half_open_max_attempts={self.half_open_max_attempts!r} (needs an int >= 1)")
        if problems:
            raise ValueError("invalid circuit breaker config: " + "; ".join(problems))
### REGION breaker
class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"

    def __format__(self, spec):
        return format(self.name, spec)


class CircuitBreaker:
    """The state is derived on every read from when the breaker last opened."""

    def __init__(self, task_name, config, clock=time.monotonic, alert=print_alert):
        self.task_name, self.config, self.clock, self.alert = task_name, config, clock, alert
        self.opened_at = None      # None: closed
        self.failures_in_a_row = 0  # failed runs since the last success, or failed trials since opening

    @property
    def state(self) -> State:
        if self.opened_at is None:
            return State.CLOSED
        if self.clock() < self.opened_at + 60.0 * self.config.reset_timeout_minutes:
            return State.OPEN
        return State.HALF_OPEN

    def allow_run(self) -> bool:
        return self.state is not State.OPEN

    def record_success(self) -> None:
        if self.state is not State.OPEN:
            self.opened_at = None
            self.failures_in_a_row = 0

    def record_failure(self) -> None:
        state = self.state
        if state is State.OPEN:
            return
        self.failures_in_a_row += 1
        limit = self.config.failure_threshold if state is State.CLOSED else self.config.half_open_max_attempts
        if self.failures_in_a_row >= limit:
            self.opened_at = self.clock()
            self.failures_in_a_row = 0
            self.alert("P0", f"{self.task_name} disabled by its circuit breaker after {limit} failed run(s) in a row")
### REGION run_with_breaker
if not breaker.allow_run():
    return "skipped"
attempt = 0
while True:
    attempt += 1
    try:
        task_fn()
    except Exception as exc:
        if retry.should_retry(exc) and attempt <= retry.max_retries:
            sleep(retry.delay_for(attempt))
            continue
        breaker.record_failure()
        return "failed"
    breaker.record_success()
    return "succeeded"
