# A second correct solution: the success probability as a sum over the attempt on which the task
# first succeeds, the run as a product taken task by task, and the expected failed days as the
# mean of the binomial distribution, summed term by term.
### REGION task_success
# Success on attempt k + 1 means k failures first, then a success.
return sum(failure_probability ** k * (1.0 - failure_probability) for k in range(max_retries + 1))
### REGION run_success
probability = 1.0
for _ in range(n_tasks):
    probability *= task_success_probability(failure_probability, max_retries)
return probability
### REGION run_failure
# P(some task fails) = sum over the first failing task i of P(tasks before i succeed, task i fails).
single = task_success_probability(failure_probability, max_retries)
return sum(single ** i * (1.0 - single) for i in range(n_tasks))
### REGION failed_days
q = run_failure_probability(n_tasks, failure_probability, max_retries)
return float(sum(k * math.comb(days, k) * q ** k * (1.0 - q) ** (days - k) for k in range(days + 1)))
