# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.27: PLATFORM_YAML parses into Kubernetes objects (form only)."""
import yaml

from autograder.testing import expect, fail, graded


def platform_yaml_text(ns):
    value = ns.PLATFORM_YAML
    return {"type": type(value).__name__, "text": value if isinstance(value, str) else None}


@graded("a", points=0, hint="PLATFORM_YAML is a string of YAML documents, each a Kubernetes object with "
                            "apiVersion, kind and metadata.name.")
def test_platform_yaml_parses_into_kubernetes_objects(sub):
    got = sub.run(platform_yaml_text)
    expect(got["type"] == "str", f"PLATFORM_YAML is a {got['type']}, not a string")
    try:
        documents = [doc for doc in yaml.safe_load_all(got["text"]) if doc is not None]
    except yaml.YAMLError as exc:
        fail(f"PLATFORM_YAML is not valid YAML: {exc}")
    expect(documents, "PLATFORM_YAML holds no object yet")
    for number, doc in enumerate(documents, 1):
        expect(isinstance(doc, dict) and {"apiVersion", "kind", "metadata"} <= set(doc),
               f"document {number} is not a Kubernetes object (apiVersion, kind, metadata)")
    kinds = {doc["kind"] for doc in documents}
    for kind in ("Namespace", "ResourceQuota", "LimitRange", "PriorityClass"):
        expect(kind in kinds, f"PLATFORM_YAML has no {kind} yet")
