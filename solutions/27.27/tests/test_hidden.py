"""Hidden tests for exercise 27.27: the platform's Kubernetes configuration.

The learner's PLATFORM_YAML string comes back from the worker as plain text and is parsed here,
on the trusted side, with yaml.safe_load_all; every check below is a rule stated in the notebook.
"""
import re

import yaml

from autograder.testing import expect, fail, graded

TEAMS = {
    "search": 12, "recommendations": 20, "ads": 15, "fraud": 9, "forecasting": 7,
    "nlp": 18, "vision": 11, "pricing": 5, "growth": 6, "risk": 8,
}
GPU_POOL = 32
GPU = "requests.nvidia.com/gpu"
QUOTA_KEYS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "pods", GPU]
MAX_USER_PRIORITY = 1_000_000_000

_QUANTITY = re.compile(r"^\+?(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX = {None: 1, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
           "E": 1e18, "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}


# ---- the probe: the string, nothing else --------------------------------------------------------
def platform_text(ns):
    value = ns.PLATFORM_YAML
    return {"type": type(value).__name__, "text": value if isinstance(value, str) else None}


# ---- parsing and lookups, on the trusted side ---------------------------------------------------
def quantity(value, where: str) -> float:
    """A Kubernetes quantity ("500m", "64Gi", 8) as a number of base units."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        fail(f"{where} is {value!r}, which is not a Kubernetes quantity")
    if isinstance(value, (int, float)):
        return float(value)
    match = _QUANTITY.match(value.strip())
    if not match:
        fail(f"{where} is {value!r}, which is not a Kubernetes quantity (such as 500m, 8 or 64Gi)")
    number, exponent, suffix = match.groups()
    return float(number) * 10 ** int(exponent or 0) * _SUFFIX[suffix]


def load(sub) -> list[dict]:
    got = sub.run(platform_text)
    if got["type"] != "str":
        fail(f"PLATFORM_YAML is a {got['type']}; it should be a string of YAML manifests")
    try:
        documents = [doc for doc in yaml.safe_load_all(got["text"]) if doc is not None]
    except yaml.YAMLError as exc:
        fail(f"PLATFORM_YAML is not valid YAML: {exc}")
    expect(documents, "PLATFORM_YAML holds no Kubernetes object")
    for number, doc in enumerate(documents, 1):
        expect(isinstance(doc, dict), f"document {number} of PLATFORM_YAML is not a mapping")
        kind, meta = doc.get("kind"), doc.get("metadata")
        expect(isinstance(kind, str) and isinstance(doc.get("apiVersion"), str),
               f"document {number} of PLATFORM_YAML lacks a kind or an apiVersion")
        expect(isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"],
               f"document {number} ({kind}) has no metadata.name")
    return documents


def of_kind(documents: list[dict], kind: str, namespace: str | None = None) -> list[dict]:
    return [d for d in documents if d["kind"] == kind
            and (namespace is None or d["metadata"].get("namespace") == namespace)]


def scoped(quota: dict) -> bool:
    spec = quota.get("spec") if isinstance(quota.get("spec"), dict) else {}
    return bool(spec.get("scopes") or spec.get("scopeSelector"))


def hard_of(quota: dict) -> dict:
    spec = quota.get("spec")
    hard = spec.get("hard") if isinstance(spec, dict) else None
    return hard if isinstance(hard, dict) else {}


def compute_quota(documents: list[dict], team: str) -> dict[str, float]:
    """The effective caps of the team's unscoped quotas (the tightest where several set a key)."""
    namespace = f"team-{team}"
    quotas = [q for q in of_kind(documents, "ResourceQuota", namespace) if not scoped(q)]
    expect(quotas, f"namespace `{namespace}` has no ResourceQuota without scopes")
    caps: dict[str, float] = {}
    for quota in quotas:
        expect(quota["apiVersion"] == "v1", f"ResourceQuota `{quota['metadata']['name']}` should have apiVersion v1")
        for key, value in hard_of(quota).items():
            if key == "limits.nvidia.com/gpu":
                fail(f"the quota of `{namespace}` caps limits.nvidia.com/gpu, which Kubernetes rejects: "
                     "an extended resource such as a GPU is capped by its requests only")
            amount = quantity(value, f"`{key}` in the quota of `{namespace}`")
            caps[key] = min(amount, caps.get(key, amount))
    missing = [key for key in QUOTA_KEYS if key not in caps]
    expect(not missing, f"the quota of `{namespace}` does not cap {', '.join(missing)}")
    return caps


def container_limits(documents: list[dict], team: str) -> dict[str, dict[str, float]]:
    """default, defaultRequest and max of cpu and memory in the team's Container LimitRange item."""
    namespace = f"team-{team}"
    ranges = of_kind(documents, "LimitRange", namespace)
    expect(ranges, f"namespace `{namespace}` has no LimitRange")
    items = []
    for limit_range in ranges:
        expect(limit_range["apiVersion"] == "v1",
               f"LimitRange `{limit_range['metadata']['name']}` should have apiVersion v1")
        spec = limit_range.get("spec") if isinstance(limit_range.get("spec"), dict) else {}
        items += [i for i in spec.get("limits") or [] if isinstance(i, dict) and i.get("type") == "Container"]
    expect(items, f"the LimitRange of `{namespace}` has no item of type Container")
    item = items[0]
    found = {}
    for field in ("default", "defaultRequest", "max"):
        values = item.get(field)
        expect(isinstance(values, dict) and "cpu" in values and "memory" in values,
               f"the Container limits of `{namespace}` give no {field} for both cpu and memory")
        found[field] = {r: quantity(values[r], f"{field}.{r} in the LimitRange of `{namespace}`")
                        for r in ("cpu", "memory")}
    return found


def gpu_classes(documents: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in of_kind(documents, "PriorityClass")
            if d["metadata"]["name"].startswith("gpu-")}


def is_whole(amount: float) -> bool:
    return float(amount).is_integer()


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="One Namespace per team, named team-<team>, labelled team: <team>.")
def test_every_team_has_a_labelled_namespace(sub):
    documents = load(sub)
    namespaces = {d["metadata"]["name"]: d for d in of_kind(documents, "Namespace")}
    for team in TEAMS:
        name = f"team-{team}"
        expect(name in namespaces, f"there is no Namespace `{name}`")
        doc = namespaces[name]
        expect(doc["apiVersion"] == "v1", f"Namespace `{name}` should have apiVersion v1")
        labels = doc["metadata"].get("labels")
        expect(isinstance(labels, dict) and labels.get("team") == team,
               f"Namespace `{name}` does not carry the label team: {team}")


@graded("a", points=1, hint="In each team namespace, an unscoped ResourceQuota capping requests/limits of "
                            "cpu and memory, pods, and requests.nvidia.com/gpu.")
def test_every_team_has_a_compute_quota(sub):
    documents = load(sub)
    for team in TEAMS:
        compute_quota(documents, team)


@graded("a", points=1, hint="In each team namespace, a LimitRange whose Container item gives default, "
                            "defaultRequest and max for cpu and memory.")
def test_every_team_has_a_limit_range(sub):
    documents = load(sub)
    for team in TEAMS:
        container_limits(documents, team)


@graded("a", points=1, hint="limits >= requests; defaultRequest <= default <= max; max within the quota's "
                            "limits; a pod per pipeline; whole GPUs, no more than the pool.")
def test_quotas_and_limits_are_consistent(sub):
    documents = load(sub)
    for team, pipelines in TEAMS.items():
        namespace = f"team-{team}"
        caps, limits = compute_quota(documents, team), container_limits(documents, team)
        for resource in ("cpu", "memory"):
            expect(caps[f"limits.{resource}"] >= caps[f"requests.{resource}"],
                   f"the quota of `{namespace}` allows less {resource} as limits than as requests")
            low, mid, high = (limits[f][resource] for f in ("defaultRequest", "default", "max"))
            expect(low <= mid, f"in `{namespace}` the default {resource} request exceeds the default limit")
            expect(mid <= high, f"in `{namespace}` the default {resource} limit exceeds the max")
            expect(high <= caps[f"limits.{resource}"],
                   f"in `{namespace}` one container may have a larger {resource} limit than the whole quota allows")
        expect(caps["pods"] >= pipelines, f"`{namespace}` may not run a pod for each of its {pipelines} pipelines")
        gpus = caps[GPU]
        expect(is_whole(gpus) and gpus >= 0, f"the GPU quota of `{namespace}` is not a whole number of GPUs")
        expect(gpus <= GPU_POOL, f"the GPU quota of `{namespace}` is larger than the shared pool")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="A PriorityClass named gpu-..., apiVersion scheduling.k8s.io/v1, an integer value "
                            "from 1 to 1e9, a description, globalDefault not true.")
def test_the_gpu_pool_has_a_valid_priority_class(sub):
    documents = load(sub)
    classes = gpu_classes(documents)
    expect(classes, "there is no PriorityClass whose name starts with gpu-")
    for name, doc in classes.items():
        expect(doc["apiVersion"] == "scheduling.k8s.io/v1", f"PriorityClass `{name}` should have apiVersion "
                                                            "scheduling.k8s.io/v1")
        value = doc.get("value")
        expect(isinstance(value, int) and not isinstance(value, bool), f"PriorityClass `{name}` has no integer value")
        expect(1 <= value <= MAX_USER_PRIORITY, f"the value of PriorityClass `{name}` ({value}) is outside the "
                                                "range open to user-defined classes")
        expect(doc.get("globalDefault") is not True, f"PriorityClass `{name}` is the global default: every pod "
                                                     "of the cluster would get GPU priority")
        expect(isinstance(doc.get("description"), str) and doc["description"].strip(),
               f"PriorityClass `{name}` has no description")


@graded("b", points=1, hint="In each team namespace, a ResourceQuota whose scopeSelector picks your gpu- "
                            "PriorityClasses (operator In) and caps requests.nvidia.com/gpu.")
def test_each_team_gpu_priority_use_is_capped(sub):
    documents = load(sub)
    classes = set(gpu_classes(documents))
    expect(classes, "there is no PriorityClass whose name starts with gpu-")
    for team in TEAMS:
        namespace = f"team-{team}"
        capped = []
        for quota in of_kind(documents, "ResourceQuota", namespace):
            selector = quota.get("spec", {}).get("scopeSelector") if isinstance(quota.get("spec"), dict) else None
            expressions = selector.get("matchExpressions") if isinstance(selector, dict) else None
            for expression in expressions if isinstance(expressions, list) else []:
                if not (isinstance(expression, dict) and expression.get("scopeName") == "PriorityClass"):
                    continue
                values = expression.get("values")
                expect(expression.get("operator") == "In" and isinstance(values, list) and values,
                       f"the PriorityClass scope of quota `{quota['metadata']['name']}` in `{namespace}` "
                       "should use operator In with a list of class names")
                unknown = [v for v in values if v not in classes]
                expect(not unknown, f"quota `{quota['metadata']['name']}` in `{namespace}` names "
                                    f"{', '.join(map(str, unknown))}, which is not one of your gpu- PriorityClasses")
                if GPU in hard_of(quota):
                    capped.append(quantity(hard_of(quota)[GPU], f"`{GPU}` in quota `{quota['metadata']['name']}`"))
        expect(capped, f"no quota in `{namespace}` caps the GPUs of pods of your gpu- PriorityClasses")
        total = compute_quota(documents, team)[GPU]
        expect(min(capped) <= total, f"`{namespace}` may hold more GPUs at GPU priority than its GPU quota allows")
