# %% [markdown]
# A health-data company wants one orchestrator for all of its machine learning work. The numbers:
# **50 data scientists**, **200 pipelines**, and audits under **SOC 2** and **HIPAA** (the US rules
# for protected health information). Section 27.3 compared Airflow 3, Dagster and Prefect 3
# feature by feature; here you weigh them for this company.
#
# For each criterion below, give each framework a score from **1 (poor) to 5 (excellent)** and
# justify it in two to four sentences. A good justification names a concrete feature, a concrete
# gap, or a concrete operational cost, and says why it matters *for this company*: a score without
# a reason earns nothing. Where the open-source edition and a paid or managed edition differ
# (Astronomer, Dagster+, Prefect Cloud), say which one you are scoring.
#
# | criterion | Airflow | Dagster | Prefect |
# | --- | --- | --- | --- |
# | (a) enterprise maturity | ? | ? | ? |
# | (b) data lineage and auditing | ? | ? | ? |
# | (c) role-based access control | ? | ? | ? |
# | (d) Kubernetes-native deployment | ? | ? | ? |
# | (e) testing and CI/CD integration | ? | ? | ? |
# | (f) operational observability | ? | ? | ? |
# | (g) team onboarding effort | ? | ? | ? |
#
# Each criterion is graded by rubric (2 points each). There is no single right set of numbers:
# the grader reads whether your scores follow from your reasons.

# %% [markdown]
# **(a)** Enterprise maturity.

# %% [markdown] answer="a"
### BEGIN SOLUTION
# Airflow 5, Dagster 4, Prefect 3. Airflow has run production schedules at large companies for a
# decade, is an Apache project with a predictable release process, and three clouds sell it
# managed (MWAA, Cloud Composer, Astronomer): an auditor has seen it before. Dagster is younger but
# stable since 1.0, with a steady release cadence and a managed offering (Dagster+). Prefect's
# rewrites (1 to 2 to 3) changed core APIs twice; for 200 pipelines that must pass audits every
# year, each migration is a validation project, which weighs more than its modern design.
### END SOLUTION

# %% [markdown]
# **(b)** Data lineage and auditing.

# %% [markdown] answer="b"
### BEGIN SOLUTION
# Airflow 3, Dagster 5, Prefect 3. An auditor asks which data a model was trained on, which code
# produced it and who triggered the run. Dagster's unit is the asset: every materialization records
# its partition, code version, upstream assets and metadata, so that question is a query. Airflow 3
# records task runs and, with Assets and OpenLineage, can emit lineage, but the lineage is added
# around tasks rather than being the model itself. Prefect records flow and task runs with their
# parameters and results; data lineage needs extra work (artifacts, events).
### END SOLUTION

# %% [markdown]
# **(c)** Role-based access control.

# %% [markdown] answer="c"
### BEGIN SOLUTION
# Airflow 4, Dagster 3, Prefect 3 (open-source editions). Airflow's auth manager gives roles and
# per-DAG permissions out of the box, which lets the team restrict the pipelines that touch
# protected health data to a few people. In open-source Dagster and Prefect anyone who reaches the
# UI can do everything; fine-grained roles, SSO and audit logs come with Dagster+ and Prefect
# Cloud. Scored on the paid editions, all three reach 4 to 5, so the real question is whether the
# company may send run metadata to a vendor's cloud under its HIPAA agreements.
### END SOLUTION

# %% [markdown]
# **(d)** Kubernetes-native deployment.

# %% [markdown] answer="d"
### BEGIN SOLUTION
# Airflow 4, Dagster 5, Prefect 4. All three run on Kubernetes with official Helm charts. Dagster's
# run launcher and its Kubernetes job executor give one pod per run or per step, and code locations
# deploy as separate images, so 200 pipelines from different teams upgrade independently. Airflow's
# KubernetesExecutor also gives a pod per task, but all DAGs share one environment unless teams use
# KubernetesPodOperator or separate deployments. Prefect's Kubernetes work pools run each flow run
# as a job; per-flow images are easy, per-task isolation less so.
### END SOLUTION

# %% [markdown]
# **(e)** Testing and CI/CD integration.

# %% [markdown] answer="e"
### BEGIN SOLUTION
# Airflow 3, Dagster 5, Prefect 4. Dagster assets are functions with typed inputs; `materialize`
# and `build_asset_context` run them in a unit test with fake resources, so 50 data scientists can
# test a change before it merges. Prefect flows and tasks are plain decorated functions that run in
# a test (with a test harness for the API). Airflow tests are mostly DAG-integrity tests (import in
# a DagBag) plus `dag.test()`, which needs a metadata database; logic is testable only when it was
# kept out of operators.
### END SOLUTION

# %% [markdown]
# **(f)** Operational observability.

# %% [markdown] answer="f"
### BEGIN SOLUTION
# Airflow 4, Dagster 4, Prefect 4. All three show runs, task states and logs in a UI and can alert
# on failure. Airflow's grid view and StatsD/OpenTelemetry metrics are familiar to on-call teams;
# Dagster adds asset health (freshness, checks) which tells whether the *data* is late, not just the
# job; Prefect's event system and automations make routing alerts simple. With 200 pipelines, what
# matters is finding the failing one fast and knowing which downstream assets are stale, which
# favours asset views slightly; I did not separate them more than by one point.
### END SOLUTION

# %% [markdown]
# **(g)** Team onboarding effort (a higher score means *less* effort).

# %% [markdown] answer="g"
### BEGIN SOLUTION
# Airflow 3, Dagster 3, Prefect 5. Prefect asks the least: decorate a Python function and it runs.
# Dagster asks data scientists to think in assets, resources and IO managers, a real shift that
# pays off in testing and lineage. Airflow asks them to learn operators, XCom's limits, scheduling
# semantics (logical date and data interval) and a deployment that is not their laptop. Many of the
# 50 may already know Airflow from past jobs, which narrows the gap.
### END SOLUTION
