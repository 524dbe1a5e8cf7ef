# %% [markdown]
# Section 27.10 showed an integration test of the StreamRec training pipeline that replaces the
# Feast feature store and the MLflow client with `unittest.mock.patch`. The test is fast and never
# flaky. It is also easy to fool.
#
# **(a)** Name **three risks** of leaning on mocks in integration tests like that one. For each, give a
# concrete failure in the Feast or MLflow interaction that the mocked test would let through to
# production.
#
# **(b)** Propose a testing strategy that runs **real Feast and MLflow in lightweight containers**
# (test containers) instead of mocks: which containers, how tests start them and seed them with
# known data, which tests keep their mocks and why, how to keep the suite fast, and how it runs in
# CI. (This machine has no container engine, so this part is a design: nothing to run.)

# %% [markdown] answer="a"
### BEGIN SOLUTION
# 1. **The mock encodes my assumptions about the API, not the API.** If the pipeline calls
#    `get_online_features` with a feature reference that does not exist, or MLflow's
#    `log_metric` with a NaN that the server rejects, the mock accepts it and the test passes; the
#    first real run fails.
# 2. **Upgrades go unnoticed.** When Feast or MLflow changes a signature, a default or a return
#    shape (for example entity rows returned in another order, or a renamed stage in the model
#    registry), a mocked test keeps passing because the mock was written against the old version.
# 3. **Behaviour between calls is missing.** A mock has no state: it does not show that features
#    written at time t are not served before materialization, that a model version must be
#    registered before it can be promoted, or that two runs logging to the same experiment
#    interleave. Bugs in the order of calls, in time-to-live or in concurrency stay hidden.
### END SOLUTION

# %% [markdown] answer="b"
### BEGIN SOLUTION
# **Containers.** With testcontainers-python, a pytest session fixture starts: an MLflow tracking
# server (the official image) with a PostgreSQL container as backend store and a MinIO container as
# artifact store; Feast with a Redis container as online store and a local Parquet offline store
# mounted from the test fixtures. Each container waits on a health check before tests run, and the
# fixture tears everything down at the end of the session.
#
# **Known data.** A fixture applies a small Feast feature repository (two entities, a handful of
# feature views), loads seeded StreamRec interactions for three fixed dates into the offline store
# and materializes them, so online lookups have known answers. MLflow starts empty; each test uses
# its own experiment named after the test, so tests do not see each other's runs.
#
# **What keeps its mocks.** Unit tests of asset logic stay pure (no store at all); tests of failure
# handling keep mocks that raise timeouts or 500s on demand, because making a real server fail at
# the right moment is slow and flaky. Only the integration layer (does our code talk to Feast and
# MLflow correctly?) moves to containers.
#
# **Speed.** Containers are started once per session, not per test; images are pinned and cached
# in CI; the feature repository and seed data are tiny (hundreds of rows); tests marked
# `integration` run in a separate CI job in parallel with the unit tests.
#
# **CI.** The integration job runs on runners with Docker, on every pull request touching pipeline
# code and nightly on main. A container that fails its health check is retried once, then the job
# fails with the container's logs attached; clean-up always runs (session finalizers), so no
# containers leak between jobs.
### END SOLUTION
