# %% [markdown]
# A backfill rewrites history: it recomputes past partitions that models, dashboards and other
# teams already read. Section 27.8 showed how to run one; this exercise is about what to settle
# **before** running one. Most backfill incidents are not bugs in the backfill's code: the range
# was wrong, the GPUs production needed were taken, good partitions were overwritten with worse
# ones and could not be restored, or the teams downstream learned about it from their alerts.
#
# Write the checklist your team works through before it starts any backfill: at least **8 items**
# that together cover these seven areas.
#
# | category | what it is about |
# | --- | --- |
# | `scope` | exactly which dates, partitions, DAGs and tasks are rerun, and why |
# | `resources` | the compute, GPUs, time and money it takes, and what it leaves for production |
# | `output isolation` | where the backfilled output goes, so that it does not overwrite production before it is trusted |
# | `comparison testing` | how the new output is compared with what exists, or with a known-good run, before it is used |
# | `rollback` | how to get back to the previous state if the backfill turns out wrong |
# | `communication` | who is told, before, during and after |
# | `monitoring` | what is watched while it runs, by whom, and when it is stopped |
#
# Write `CHECKLIST` as a list of dicts, one per item, each with two keys:
#
# - `"item"`: the action, written as a sentence someone can tick off (at least six words, and no two
#   items the same);
# - `"covers"`: the list of the categories the item covers, **one to three** of them, spelled as in
#   the table above (the list `CATEGORIES` below).
#
# The tests check the count, the spelling of the tags, that no item is repeated and that every
# category is covered by at least one item. A grader then reads the items themselves. Tools you may
# name: Airflow 3's `airflow backfill create` (with `--dry-run`, `--max-active-runs` and
# `--reprocess-behavior`), Airflow pools, Dagster partitioned asset backfills, Delta Lake table
# versions, object-store versioning.

# %%
CATEGORIES = [
    "scope", "resources", "output isolation", "comparison testing", "rollback", "communication", "monitoring",
]

# %% part="a"
### BEGIN SOLUTION checklist
CHECKLIST = [
    {"item": "Write down the exact range to rerun (DAG, tasks, first and last logical date) and have the "
             "data owners confirm that every partition in it is missing or wrong, and none outside it.",
     "covers": ["scope"]},
    {"item": "Check that the raw inputs of every date in the range exist and pass the data contract "
             "(row counts, schema); list any date that does not and leave it out of this backfill.",
     "covers": ["scope"]},
    {"item": "Estimate the cost as runs x hours per run x GPUs per run, check it against the free GPUs "
             "and the budget, and cap the backfill (an Airflow pool, --max-active-runs) so that the "
             "production runs keep their slots.",
     "covers": ["resources"]},
    {"item": "Point every task of the backfill at a separate location (a staging table or a path such "
             "as features_backfill_<ticket>/date=...), never at the production partitions, and check "
             "that its writes are idempotent so that a retried date is simply overwritten.",
     "covers": ["output isolation"]},
    {"item": "Run one date first (after airflow backfill create --dry-run lists the runs it would "
             "create) and compare its output with production on a date that was not broken: row "
             "counts, null rates and feature distributions within agreed tolerances.",
     "covers": ["comparison testing"]},
    {"item": "Promote backfilled partitions to production only once each has passed the comparison "
             "with its neighbouring days, one atomic swap per partition, never by copying over files "
             "in place.",
     "covers": ["comparison testing", "output isolation"]},
    {"item": "Record the current version of every production table the backfill will replace (Delta "
             "table version, object-store version ids) and test the restore command once on a copy.",
     "covers": ["rollback"]},
    {"item": "Agree before starting on the stop rule (for example a second failed date, or a "
             "comparison out of tolerance), who may call it, and that calling it means restoring the "
             "recorded versions.",
     "covers": ["rollback", "communication"]},
    {"item": "Announce the backfill to the team and to the owners of everything downstream (training "
             "jobs, dashboards, the feature store) with the dates, the expected duration and where the "
             "output lands, and announce its end or its rollback the same way.",
     "covers": ["communication"]},
    {"item": "Name the person on watch and set up a dashboard and alerts for the backfill's runs "
             "(progress, failures, durations, GPU use) and for the latency of the production runs "
             "beside it.",
     "covers": ["monitoring"]},
]
### END SOLUTION
### BEGIN STARTER
# CHECKLIST = [
#     # {"item": "a concrete action, as a sentence", "covers": ["scope"]},
# ]
### END STARTER

# %% part="a"
for number, entry in enumerate(CHECKLIST, start=1):
    print(f"{number:>2}. [{', '.join(entry['covers'])}] {entry['item']}")
covered = {tag for entry in CHECKLIST for tag in entry["covers"]}
print()
print(f"{len(CHECKLIST)} items; categories not covered yet: {[c for c in CATEGORIES if c not in covered] or 'none'}")

# %% [markdown] answer="a.written"
# For each item, one line: what goes wrong if the team skips it?
#
### BEGIN SOLUTION
# 1. Scope: dates that were fine get recomputed (with today's code, so they silently change), or a
#    broken date is forgotten and stays wrong.
# 2. Inputs: a date with missing or corrupt raw data fails halfway, or worse, succeeds on bad data.
# 3. Resources: the backfill takes the GPUs the nightly production run needs, and production is
#    late; or the bill surprises everyone.
# 4. Isolation: a bug in the backfill overwrites good production partitions that models read; a
#    retried date writes its rows twice.
# 5. One date first: a wrong configuration is found after seven days of GPU time instead of one.
# 6. Promotion: readers see a half-replaced table, or a partition that failed comparison reaches
#    training.
# 7. Versions: there is nothing to go back to when the backfilled data turns out wrong.
# 8. Stop rule: in the middle of the night nobody knows whether to stop, and the run goes on.
# 9. Announcement: downstream teams see their metrics move and open incidents, or train on
#    partitions that are about to change.
# 10. Watching: a failing or runaway backfill is noticed the next morning, and production's
#    slowdown is noticed by its users.
### END SOLUTION
