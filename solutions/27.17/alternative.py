# A second correct solution: another checklist, written as a mapping from each action to the
# categories it covers (tuples), then turned into the requested list of dicts.
### REGION checklist
_actions = {
    "Freeze the scope in the ticket: the DAG id, the first and last logical date, and the reason "
    "each of those dates has to be recomputed.": ("scope",),
    "Run airflow backfill create with --dry-run and check that the runs it lists are exactly the "
    "dates in the ticket, with --reprocess-behavior chosen on purpose.": ("scope", "monitoring"),
    "Book the GPUs: size an Airflow pool for the backfill so that at least the nightly run's GPUs "
    "stay free, and check the expected cost with the budget owner.": ("resources", "communication"),
    "Write the backfill's outputs under a new version prefix so that readers of the current "
    "version see no change until the switch.": ("output isolation",),
    "Diff the backfilled partitions against the current ones and against a known-good day: counts, "
    "schema, and the mean and spread of every feature.": ("comparison testing",),
    "Keep the previous version readable for a week after the switch, and write down the one "
    "command that points readers back to it.": ("rollback", "output isolation"),
    "Post the plan, the time window and the contact person in the data-platform channel a day "
    "before, and post again when it ends.": ("communication",),
    "Watch the run's progress, failed tasks and GPU use on a dashboard, with an alert that pages "
    "the person on watch when a date fails twice.": ("monitoring",),
    "Stop and roll back if a comparison fails or production runs start late, without waiting for "
    "the backfill to end.": ("rollback", "monitoring"),
}
CHECKLIST = [{"item": text, "covers": tags} for text, tags in _actions.items()]
