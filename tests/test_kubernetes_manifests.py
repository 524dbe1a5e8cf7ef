"""The Kubernetes plan's manifests parse and hold the sandbox's guarantees."""
from __future__ import annotations

from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parents[1] / "autograder" / "deploy" / "kubernetes"


def documents():
    docs = []
    for path in sorted(FOLDER.glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def by_kind(kind):
    return [d for d in documents() if d["kind"] == kind]


def test_every_manifest_parses_with_a_kind_and_api_version():
    docs = documents()
    assert docs and all("kind" in d and "apiVersion" in d for d in docs)


def test_the_grading_job_is_non_root_unprivileged_read_only_and_bounded():
    (job,) = by_kind("Job")
    spec = job["spec"]
    assert spec["backoffLimit"] == 0 and 0 < spec["activeDeadlineSeconds"] <= 3600
    pod = spec["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False and pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    for container in pod["containers"] + pod.get("initContainers", []):
        sc = container["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"]["drop"] == ["ALL"]
        for key in ("cpu", "memory", "ephemeral-storage"):
            assert key in container["resources"]["limits"], (container["name"], key)
    assert all("sizeLimit" in v["emptyDir"] for v in pod["volumes"])


def test_the_namespace_denies_all_traffic_and_enforces_restricted_pods():
    (policy,) = by_kind("NetworkPolicy")
    assert policy["spec"]["podSelector"] == {} and set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in policy["spec"] and "egress" not in policy["spec"]
    (namespace,) = by_kind("Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    (account,) = by_kind("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
