# %% [markdown]
# An organisation has **10 ML teams**, and each runs **5 to 20 pipelines**. Today every team
# operates its own orchestrator; you are asked to design one platform they all share. It must give
# them:
#
# 1. **resource isolation**: no team's pipelines can starve another team's;
# 2. **shared infrastructure**: one GPU pool, one feature store and one model registry for everyone;
# 3. **self-service deployment**: a team ships a new or changed pipeline without the platform team;
# 4. **cost attribution**: compute cost tracked per team and per pipeline;
# 5. **common observability**: one place for alerting and monitoring.
#
# The platform runs on Kubernetes, with one of the chapter's orchestrators (Dagster, or Airflow)
# launching every run as pods. Parts (a) and (b) are the Kubernetes configuration, checked by
# parsing it; the orchestrator configuration and the rest of the design are written answers.
#
# The teams, and the number of pipelines each one runs:

# %%
import yaml

TEAMS = {
    "search": 12, "recommendations": 20, "ads": 15, "fraud": 9, "forecasting": 7,
    "nlp": 18, "vision": 11, "pricing": 5, "growth": 6, "risk": 8,
}
GPU_POOL = 32  # GPUs in the shared pool (eight nodes with four GPUs each)

# %% [markdown]
# Write the configuration as one string, `PLATFORM_YAML`: Kubernetes manifests in YAML, one object
# per document, documents separated by `---`, as you would hand them to `kubectl apply -f`. Type
# it, or build it in Python (`yaml.safe_dump_all` turns a list of dicts into such a string); only
# the string is graded. It holds:
#
# **(a) Quotas and limits per team.** For every team of `TEAMS`:
#
# - a `Namespace` (`apiVersion: v1`) named `team-<team>` (for example `team-nlp`) and labelled
#   `team: <team>`, the label that cost reports group by;
# - in that namespace, a `ResourceQuota` (`apiVersion: v1`, no scopes) whose `spec.hard` caps
#   `requests.cpu`, `requests.memory`, `limits.cpu`, `limits.memory`, `pods` and the team's GPUs
#   as `requests.nvidia.com/gpu`. GPUs are an extended resource, which a quota can only cap by
#   their requests: Kubernetes rejects a `limits.nvidia.com/gpu` quota;
# - in that namespace, a `LimitRange` (`apiVersion: v1`) with an item of `type: Container` that
#   gives a `default` (the limit), a `defaultRequest` and a `max`, each for `cpu` and `memory`.
#   Under a quota on requests and limits, a pod that states neither is refused; the defaults
#   fill them in.
#
# The numbers are yours to choose, but they must be consistent: in each quota the limits are at
# least the requests; in the `LimitRange`, `defaultRequest` ≤ `default` ≤ `max` for both
# resources; a single container's `max` fits within the namespace's quota limits (otherwise the
# LimitRange admits a pod the quota never will); `pods` lets every one of the team's pipelines have a run in flight (at least one pod per
# pipeline); and the GPU quota is a whole number of GPUs, no larger than the pool. The GPU quotas
# of all teams may add up to more than the pool: that is what (b) is for.
#
# **(b) A priority class for the shared GPU pool.** At least one cluster-wide `PriorityClass`
# (`apiVersion: scheduling.k8s.io/v1`) whose name starts with `gpu-`, with an integer `value`
# from 1 to 1,000,000,000 (larger values are reserved for Kubernetes' own system classes), a
# `description`, and `globalDefault` not true (a default class would hand GPU priority to every pod
# of the cluster). Then, in every team namespace, a second `ResourceQuota` whose
# `spec.scopeSelector` has a match expression with `scopeName: PriorityClass`, `operator: In` and
# `values` naming only your `gpu-` classes, and whose `spec.hard` caps `requests.nvidia.com/gpu`
# for pods of those classes at no more than the team's GPU quota. That is how a team's claim on
# the high-priority share of the pool stays bounded.

# %% part="a"
### BEGIN SOLUTION platform_yaml
GPU_CLASSES = [
    {"name": "gpu-production", "value": 100_000, "preemption": "PreemptLowerPriority",
     "description": "Scheduled training and batch scoring that feed production models; may preempt experiments."},
    {"name": "gpu-experiment", "value": 1_000, "preemption": "Never",
     "description": "Ad-hoc and exploratory GPU jobs; wait for free GPUs and never preempt other pods."},
]


def team_manifests(team: str, pipelines: int) -> list[dict]:
    """Namespace, quotas and container limits of one team, sized by its number of pipelines."""
    namespace = f"team-{team}"
    labels = {"team": team, "platform.example.com/tenant": "true"}
    cpu, memory_gi = 4 + 2 * pipelines, 16 + 8 * pipelines  # requests; limits are twice as high
    gpus = min(GPU_POOL, 2 + pipelines // 2)
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": labels}},
        {"apiVersion": "v1", "kind": "ResourceQuota",
         "metadata": {"name": "compute", "namespace": namespace, "labels": labels},
         "spec": {"hard": {
             "requests.cpu": str(cpu), "limits.cpu": str(2 * cpu),
             "requests.memory": f"{memory_gi}Gi", "limits.memory": f"{2 * memory_gi}Gi",
             "requests.nvidia.com/gpu": str(gpus), "pods": str(4 * pipelines),
         }}},
        {"apiVersion": "v1", "kind": "ResourceQuota",
         "metadata": {"name": "gpu-priority", "namespace": namespace, "labels": labels},
         "spec": {"hard": {"requests.nvidia.com/gpu": str(max(1, gpus // 2))},
                  "scopeSelector": {"matchExpressions": [
                      {"scopeName": "PriorityClass", "operator": "In",
                       "values": [c["name"] for c in GPU_CLASSES]}]}}},
        {"apiVersion": "v1", "kind": "LimitRange",
         "metadata": {"name": "container-defaults", "namespace": namespace, "labels": labels},
         "spec": {"limits": [{
             "type": "Container",
             "defaultRequest": {"cpu": "500m", "memory": "1Gi"},
             "default": {"cpu": "2", "memory": "4Gi"},
             "max": {"cpu": "16", "memory": "64Gi"},
         }]}},
    ]


def priority_classes() -> list[dict]:
    return [
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": c["name"]},
         "value": c["value"], "globalDefault": False, "preemptionPolicy": c["preemption"],
         "description": c["description"]}
        for c in GPU_CLASSES
    ]


manifests = priority_classes() + [doc for team, n in TEAMS.items() for doc in team_manifests(team, n)]
PLATFORM_YAML = yaml.safe_dump_all(manifests, sort_keys=False)
### END SOLUTION
### BEGIN STARTER
# PLATFORM_YAML = """
# # apiVersion: v1
# # kind: Namespace
# # metadata:
# #   name: team-search
# # ---
# # ...
# """
### END STARTER

# %% part="a"
documents = [doc for doc in yaml.safe_load_all(PLATFORM_YAML) if doc]
kinds: dict[str, int] = {}
for doc in documents:
    kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
print(f"{len(documents)} objects:", ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
for doc in documents:
    if doc["kind"] == "ResourceQuota" and "scopeSelector" not in doc["spec"]:
        hard = doc["spec"]["hard"]
        print(f"{doc['metadata']['namespace']:>22}: {hard.get('requests.cpu')} CPU requested, "
              f"{hard.get('requests.memory')} memory requested, {hard.get('requests.nvidia.com/gpu')} GPUs, "
              f"{hard.get('pods')} pods")

# %% [markdown] answer="a.written"
# **(a), written.** Kubernetes quotas bound what a team's pods may hold, but not how many runs
# the orchestrator starts and queues. Give the orchestrator configuration that isolates teams
# there too: per-team run concurrency in Dagster (or pools and queues in Airflow), and how each
# team's runs land in the team's namespace.
#
### BEGIN SOLUTION
# Each quota grows with the team's number of pipelines (4 CPUs plus 2 per pipeline requested,
# twice that as limits, memory alike, four pods per pipeline), so a team with 20 pipelines gets
# about three times the room of a team with 5. The CPU and memory requests of all teams together
# (262 CPUs for the 111 pipelines) fit the cluster's allocatable capacity, so every team can use
# its full quota at the same time; only the GPUs are oversubscribed, see (b).
#
# The orchestrator adds isolation on runs. In Dagster, each team is one code location (its own
# user-code deployment in its namespace, `team-<team>`), whose runs the `K8sRunLauncher` starts in
# that same namespace, so the quota applies to them. The instance's `dagster.yaml` caps runs per
# code location, so a backfill of one team queues behind its own limit instead of filling the
# queue for all:
#
# ```yaml
# concurrency:  # enforced by the queued run coordinator, Dagster's default
#   runs:
#     max_concurrent_runs: 120
#     tag_concurrency_limits:
#       - key: dagster/code_location
#         value: {applyLimitPerUniqueValue: true}
#         limit: 15
#       - key: dagster/backfill
#         limit: 20
# ```
#
# With Airflow 3 the same is one pool per team (`team_nlp`, 15 slots) that every task of the
# team's DAGs uses, `max_active_runs` per DAG, and the KubernetesExecutor placing each task's pod
# in the team's namespace through its pod template.
### END SOLUTION

# %% [markdown] answer="b.written"
# **(b), written.** How is the GPU pool shared fairly between teams whose quotas add up to more
# than the pool? And how do the teams share the feature store and the model registry without
# stepping on each other's features and models?
#
### BEGIN SOLUTION
# The quotas add up to more than the 32 GPUs on purpose: most teams use their GPUs in bursts, so a
# team may borrow idle GPUs. Borrowing is made safe by priority: scheduled production training
# runs in `gpu-production` and may preempt pods of `gpu-experiment`, which never preempt anyone
# and simply wait. Each team's scoped quota bounds how many GPUs it may hold at production
# priority, so no team can claim the whole pool at the top priority, and the GPU nodes are tainted
# so that only pods asking for GPUs land on them. Training jobs checkpoint, so a preempted
# experiment resumes instead of starting over. A queue in front of the pool (Kueue, for
# instance) can add fair-share borrowing between teams when demand grows.
#
# The feature store and the model registry are single shared services with a namespace per team:
# feature views and registered models are prefixed or tagged with the owning team, and each
# team's service account may write only its own entries and read the others' published ones.
# Shared features (user, item) belong to a named owning team, and a change to them goes through
# that team's review, so consumers in other teams are not broken silently.
### END SOLUTION

# %% [markdown] answer="c"
# **(c) Architecture and self-service.** Sketch the platform's architecture (what is shared, what
# belongs to each team), and explain how a team deploys a new or changed pipeline without the
# platform team, while the guardrails still hold.
#
### BEGIN SOLUTION
# Shared: one Kubernetes cluster with a CPU pool and the GPU pool, one orchestrator control plane
# (the Dagster webserver, daemon and run storage in Postgres, run by the platform team), the
# feature store, the model registry, and the monitoring stack. Per team: a namespace with its
# quotas, a service account, a code location (a container image with the team's pipelines) and a
# repository.
#
# A team deploys by merging to its own repository: its CI runs the pipeline tests, builds the
# image, and updates the team's code-location entry (a Helm values file or a GitOps manifest that
# Argo CD or Flux applies). The orchestrator reloads the code location; nobody on the platform
# team is involved. The guardrails are enforced by the platform, not by goodwill: the team's CI
# may only deploy into its own namespace, the quotas and LimitRanges cap what its pods can take,
# an admission policy (Kyverno or Gatekeeper) rejects pods without `team` and `pipeline` labels,
# with privileged settings or in another team's namespace, and a template repository gives new
# pipelines the right labels, contracts and alerts from the start.
### END SOLUTION

# %% [markdown] answer="d"
# **(d) Cost attribution.** How do you measure the compute cost of each team and of each of its
# pipelines, the shared GPU pool included?
#
### BEGIN SOLUTION
# Every run's pods carry `team` and `pipeline` labels: the namespace gives the team, and the
# orchestrator adds the pipeline (Dagster tags on the job, passed to the pods by the K8s run
# launcher; a policy rejects unlabelled pods). A cost tool (OpenCost or Kubecost) prices each
# pod's requested CPU, memory and GPU time at the node's rate and aggregates by those labels, so
# a monthly report gives cost per team and per pipeline; GPU hours are priced separately, since
# they dominate. Idle capacity of the shared pool is split between teams in proportion to their
# usage (or charged to the platform), and the shared services (feature store, registry,
# orchestrator) are allocated by usage, such as feature reads or runs, so that the report adds up
# to the cloud bill.
### END SOLUTION

# %% [markdown] answer="e"
# **(e) Observability.** How do alerting and monitoring work across all teams, and how does an
# alert reach the right people?
#
### BEGIN SOLUTION
# One stack serves everyone: Prometheus scrapes the orchestrator's run and asset metrics and the
# cluster's pod metrics, the logs of every pod go to one log store (Loki), traces and run events
# are kept with run ids, and Grafana has one dashboard template that each team views filtered by
# its `team` label, next to a platform view of the quota use and the GPU queue. Alert rules are
# shared (run failed, run late against its schedule, data contract violated, quota nearly
# exhausted, GPU pods pending too long), with the same severity levels for all teams; the `team`
# label routes each alert in Alertmanager to the owning team's channel and on-call rotation,
# while alerts about the platform itself go to the platform team.
### END SOLUTION
