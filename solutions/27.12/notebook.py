# %% [markdown]
# Section 27.7 gave every task a retry policy, `RetryConfig`: when an attempt fails, the task is
# tried again, up to `max_retries` more times. How much does that buy? In this exercise you
# compute it exactly, as functions of the policy, so the same code answers the question for any
# pipeline.
#
# The pipeline: **5 tasks that run one after the other**. Every attempt of every task fails with
# probability **0.10**, independently of every other attempt (transient faults: a timeout, a
# lost connection). Each task may be retried **at most 2 times**, so it gets at most **3
# attempts** in one run; `max_retries` means exactly what it means in `RetryConfig`: retries
# *after* the first attempt. A task that fails its last attempt fails the run, and the pipeline
# is then not run again that day.
#
# Write each answer as a function of its parameters. The tests call your functions with the
# statement's numbers *and* with other ones (other failure rates, no retries at all, longer
# pipelines), so a number typed in by hand does not pass. Return plain floats: do not round.

# %%
import math
import random

from pipelinekit import RetryConfig

FAILURE_PROBABILITY = 0.10  # of one attempt
MAX_RETRIES = 2             # so 3 attempts per task
N_TASKS = 5
DAYS = 365

# %% [markdown] part="a"
# **(a)** `task_success_probability(failure_probability, max_retries)`: the probability that one
# task succeeds within its `1 + max_retries` attempts.

# %% part="a"
def task_success_probability(failure_probability: float, max_retries: int) -> float:
    """P(a task succeeds on one of its 1 + max_retries independent attempts)."""
    ### BEGIN SOLUTION task_success
    # It fails only if every attempt fails.
    return 1.0 - failure_probability ** (max_retries + 1)
    ### END SOLUTION


# %% [markdown] part="b"
# **(b)** `run_success_probability(n_tasks, failure_probability, max_retries)`: the probability
# that a whole run succeeds, that is every one of the `n_tasks` tasks succeeds within its
# attempts.

# %% part="b"
def run_success_probability(n_tasks: int, failure_probability: float, max_retries: int) -> float:
    """P(all n_tasks sequential tasks succeed, each with its own retries)."""
    ### BEGIN SOLUTION run_success
    # The tasks fail independently: multiply their success probabilities.
    return task_success_probability(failure_probability, max_retries) ** n_tasks
    ### END SOLUTION


# %% [markdown] part="c"
# **(c)** The pipeline runs once a day for a year of `days` days.
#
# - `run_failure_probability(n_tasks, failure_probability, max_retries)`: the probability that
#   one day's run fails;
# - `expected_failed_days(days, n_tasks, failure_probability, max_retries)`: the expected number
#   of days, out of `days`, on which the run fails (a float: the expectation, not rounded).

# %% part="c"
def run_failure_probability(n_tasks: int, failure_probability: float, max_retries: int) -> float:
    """P(at least one task exhausts its attempts in a run)."""
    ### BEGIN SOLUTION run_failure
    return 1.0 - run_success_probability(n_tasks, failure_probability, max_retries)
    ### END SOLUTION


def expected_failed_days(days: int, n_tasks: int, failure_probability: float, max_retries: int) -> float:
    """Expected number of failed daily runs over `days` independent days."""
    ### BEGIN SOLUTION failed_days
    # Each day is a Bernoulli trial; the expectation of their sum is days * p.
    return days * run_failure_probability(n_tasks, failure_probability, max_retries)
    ### END SOLUTION


# %% [markdown]
# Your answers for the statement's pipeline, next to the same pipeline without retries:

# %%
for retries in (MAX_RETRIES, 0):
    print(f"max_retries={retries}: task succeeds {task_success_probability(FAILURE_PROBABILITY, retries):.6f}, "
          f"run succeeds {run_success_probability(N_TASKS, FAILURE_PROBABILITY, retries):.6f}, "
          f"run fails {run_failure_probability(N_TASKS, FAILURE_PROBABILITY, retries):.6f}, "
          f"expected failed days per year {expected_failed_days(DAYS, N_TASKS, FAILURE_PROBABILITY, retries):.2f}")

# %% [markdown]
# A check by simulation: the cell below runs the five tasks through `RetryConfig.call` from
# section 27.7 (no real sleeping: `sleep` is a function that does nothing) many times, with
# attempts that fail at random, and counts the failed runs. Its estimate should come close to
# your `run_failure_probability`.

# %%
class TransientFault(Exception):
    """A fault that a retry may cure."""


def simulated_run(policy: RetryConfig, rng: random.Random) -> bool:
    """One run of the pipeline; True if every task succeeded."""
    def attempt():
        if rng.random() < FAILURE_PROBABILITY:
            raise TransientFault()

    for _ in range(N_TASKS):
        try:
            policy.call(attempt, sleep=lambda seconds: None)
        except TransientFault:
            return False
    return True


policy = RetryConfig(max_retries=MAX_RETRIES, initial_delay=0.0, max_delay=0.0)
rng = random.Random(27)
n_runs = 100_000
failed = sum(not simulated_run(policy, rng) for _ in range(n_runs))
print(f"simulated: {failed} failed runs out of {n_runs}, a failure rate of {failed / n_runs:.4f}; "
      f"computed: {run_failure_probability(N_TASKS, FAILURE_PROBABILITY, MAX_RETRIES):.4f}")
