# A second correct configuration: YAML written as a text template instead of dumped from dicts,
# one GPU priority class instead of two, each team's caps split over two unscoped quotas (compute,
# and object counts with GPUs), quantities in millicores and Mi, sizes from tiers of pipelines.
### REGION platform_yaml
HEADER = """\
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: gpu-shared
value: 50000
globalDefault: false
description: "Jobs on the shared GPU pool; anything without this class cannot preempt for GPUs."
"""

TEAM_TEMPLATE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: team-{team}
  labels:
    team: {team}
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: {team}-compute
  namespace: team-{team}
spec:
  hard:
    requests.cpu: {cpu_m}m
    limits.cpu: {cpu_limit_m}m
    requests.memory: {mem_mi}Mi
    limits.memory: {mem_limit_mi}Mi
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: {team}-objects
  namespace: team-{team}
spec:
  hard:
    pods: "{pods}"
    requests.nvidia.com/gpu: "{gpus}"
    count/jobs.batch: "{pods}"
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: {team}-gpu-shared
  namespace: team-{team}
spec:
  hard:
    requests.nvidia.com/gpu: "{gpus}"
  scopeSelector:
    matchExpressions:
      - scopeName: PriorityClass
        operator: In
        values: ["gpu-shared"]
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: team-{team}
spec:
  limits:
    - type: Container
      min: {{cpu: 100m, memory: 128Mi}}
      defaultRequest: {{cpu: 250m, memory: 512Mi}}
      default: {{cpu: 1000m, memory: 2048Mi}}
      max: {{cpu: 8000m, memory: 32768Mi}}
"""


def tier(pipelines):
    """Small, medium or large, by the number of pipelines."""
    return 0 if pipelines <= 8 else 1 if pipelines <= 14 else 2


parts = [HEADER]
for team, pipelines in TEAMS.items():
    size = tier(pipelines)
    cpu_m = (16_000, 32_000, 48_000)[size]
    mem_mi = (65_536, 131_072, 196_608)[size]
    parts.append(TEAM_TEMPLATE.format(
        team=team, cpu_m=cpu_m, cpu_limit_m=cpu_m * 3 // 2, mem_mi=mem_mi, mem_limit_mi=mem_mi * 3 // 2,
        pods=3 * pipelines + 10, gpus=(2, 4, 8)[size],
    ))
PLATFORM_YAML = "---\n".join(parts)
