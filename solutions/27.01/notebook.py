# %% [markdown]
# A card-payments company retrains its fraud classifier every night. The nightly job has eight
# steps, and this exercise uses exactly these task names:
#
# | # | task name | what it does |
# | --- | --- | --- |
# | 1 | `extract_transactions` | pull the day's transaction logs out of the data warehouse |
# | 2 | `extract_user_profiles` | fetch user profile records from the user-service API |
# | 3 | `join_transactions_profiles` | join each transaction with the profile of its user |
# | 4 | `compute_features` | transaction velocity, deviation from usual spending, time-of-day patterns |
# | 5 | `train_model` | fit the fraud classifier (gradient-boosted trees, XGBoost) |
# | 6 | `evaluate_model` | score it on a held-out set |
# | 7 | `register_model` | register it, if it clears the quality gates |
# | 8 | `update_feature_store` | push the new feature values to the online feature store |
#
# A step waits only for the data it reads. In particular, the online feature store needs the
# freshly computed features and nothing else: it does not wait for the model.

# %%
from pipelinekit import PipelineDAG

TASKS = [
    "extract_transactions", "extract_user_profiles", "join_transactions_profiles",
    "compute_features", "train_model", "evaluate_model", "register_model", "update_feature_store",
]

# %% [markdown] part="a"
# **(a)** Sketch the DAG on paper. Then write down, by hand, the groups of tasks that can run at
# the same time: a list of stages, where stage 0 holds the tasks that need nothing, and each later
# stage holds the tasks whose inputs are all produced by earlier stages. Every task appears in the
# earliest stage it can. Do not compute it with code: this is your prediction, checked in (b).

# %% part="a"
### BEGIN SOLUTION stages_by_hand
STAGES_BY_HAND = [
    ["extract_transactions", "extract_user_profiles"],
    ["join_transactions_profiles"],
    ["compute_features"],
    ["train_model", "update_feature_store"],
    ["evaluate_model"],
    ["register_model"],
]
### END SOLUTION
### BEGIN STARTER
# STAGES_BY_HAND = [
#     # ["task", "task"],   # stage 0
# ]
### END STARTER

# %% [markdown] answer="a.written"
# In two or three sentences: which tasks can run in parallel, and why is that safe?
#
### BEGIN SOLUTION
# The two extractions read from different systems and neither needs the other's output, so they
# run side by side in the first stage. After the features exist, `update_feature_store` needs
# nothing else, so it runs alongside model training, evaluation and registration; those three
# form a chain, because each consumes the previous one's output.
### END SOLUTION

# %% [markdown] part="b"
# **(b)** Build the pipeline with `PipelineDAG` from section 27.2 (`add_task(name, depends_on=[...])`),
# using the task names above, and compare `get_parallel_stages()` with your answer to (a).

# %% part="b"
def build_fraud_dag() -> PipelineDAG:
    """The nightly fraud-detection pipeline as a DAG."""
    ### BEGIN SOLUTION build_fraud_dag
    dag = PipelineDAG("fraud_detection")
    dag.add_task("extract_transactions")
    dag.add_task("extract_user_profiles")
    dag.add_task("join_transactions_profiles", depends_on=["extract_transactions", "extract_user_profiles"])
    dag.add_task("compute_features", depends_on=["join_transactions_profiles"])
    dag.add_task("train_model", depends_on=["compute_features"])
    dag.add_task("evaluate_model", depends_on=["train_model"])
    dag.add_task("register_model", depends_on=["evaluate_model"])
    dag.add_task("update_feature_store", depends_on=["compute_features"])
    return dag
    ### END SOLUTION
    ### BEGIN STARTER
    # dag = PipelineDAG("fraud_detection")
    # ...
    # return dag
    ### END STARTER


# %% part="b"
fraud_dag = build_fraud_dag()
stages = fraud_dag.get_parallel_stages()
for number, stage in enumerate(stages):
    print(f"stage {number}: {', '.join(stage)}")
print("matches (a):", [sorted(s) for s in stages] == [sorted(s) for s in STAGES_BY_HAND])

# %% [markdown] part="c"
# **(c)** Today the pipeline runs its steps one after another and takes 4 hours end to end; each
# of the two extractions takes 45 minutes. The durations below add up to those 4 hours.
#
# Write `extraction_time_saved(durations)`: the number of minutes saved when the two extractions
# run in parallel instead of one after the other, for *any* task durations (in minutes), every
# other dependency being as in your DAG. Then compute the saving for today's pipeline.

# %% part="c"
DURATIONS = {
    "extract_transactions": 45, "extract_user_profiles": 45, "join_transactions_profiles": 15,
    "compute_features": 40, "train_model": 60, "evaluate_model": 20, "register_model": 15,
    "update_feature_store": 10,
}


def extraction_time_saved(durations: dict[str, float]) -> float:
    """Minutes saved by running the two extractions in parallel rather than in sequence."""
    ### BEGIN SOLUTION time_saved
    parallel = build_fraud_dag()
    in_sequence = build_fraud_dag()
    in_sequence.add_dependency("extract_transactions", "extract_user_profiles")
    return in_sequence.makespan(durations) - parallel.makespan(durations)
    ### END SOLUTION


# %% part="c"
saved = extraction_time_saved(DURATIONS)
print(f"end to end, extractions in sequence: {sum(DURATIONS.values()) - DURATIONS['update_feature_store']} min")
print(f"minutes saved by running the extractions in parallel: {saved:g}")
