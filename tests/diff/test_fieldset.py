"""The managedFields fieldsV1 parser: f:/k:/v:/i: steps and the leaves a manager owns."""

from __future__ import annotations

from typing import Any

import pytest

from rudder.diff.fieldset import leaf_paths, owned_paths, parse_step
from rudder.diff.path import ItemKey, ItemValue

# What kube-apiserver records for `kubectl apply --server-side` of a small Deployment.
FIELDS_V1: dict[str, Any] = {
    "f:metadata": {"f:labels": {".": {}, "f:app": {}}, "f:finalizers": {'v:"example.com/cleanup"': {}}},
    "f:spec": {
        "f:replicas": {},
        "f:template": {
            "f:spec": {
                "f:containers": {
                    'k:{"name":"web"}': {
                        ".": {},
                        "f:image": {},
                        "f:name": {},
                        "f:ports": {
                            'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}
                        },
                    }
                },
                "f:tolerations": {"i:0": {}},
            }
        },
    },
}


@pytest.mark.parametrize(
    ("token", "step"),
    [
        ("f:replicas", "replicas"),
        ("f:example.com/owner", "example.com/owner"),
        ('k:{"name":"web"}', ItemKey.of({"name": "web"})),
        ('k:{"protocol":"TCP","containerPort":80}', ItemKey.of({"containerPort": 80, "protocol": "TCP"})),
        ('v:"example.com/cleanup"', ItemValue.of("example.com/cleanup")),
        ("v:8080", ItemValue.of(8080)),
        ("i:3", 3),
    ],
)
def test_parse_step(token: str, step: object) -> None:
    assert parse_step(token) == step


@pytest.mark.parametrize("token", ["replicas", "x:foo", "k:[1]", "k:{}", "i:two", "k:{bad json"])
def test_malformed_step(token: str) -> None:
    with pytest.raises(ValueError):
        parse_step(token)


def test_leaves_of_a_real_field_set() -> None:
    web = ItemKey.of({"name": "web"})
    port = ItemKey.of({"containerPort": 80, "protocol": "TCP"})
    containers = ("spec", "template", "spec", "containers")
    assert leaf_paths(FIELDS_V1) == [
        ("metadata", "labels", "app"),
        ("metadata", "finalizers", ItemValue.of("example.com/cleanup")),
        ("spec", "replicas"),
        (*containers, web, "image"),
        (*containers, web, "name"),
        (*containers, web, "ports", port, "containerPort"),
        ("spec", "template", "spec", "tolerations", 0),
    ]


def test_a_node_owned_only_as_a_whole_is_a_leaf() -> None:
    assert leaf_paths({"f:data": {".": {}}}) == [("data",)]
    assert leaf_paths({}) == []


def test_owned_paths_selects_managers_and_skips_malformed_entries() -> None:
    record = [
        {"manager": "rudder", "operation": "Apply", "fieldsV1": FIELDS_V1},
        {
            "manager": "kube-controller-manager",
            "operation": "Update",
            "fieldsV1": {"f:spec": {"f:replicas": {}}},
        },
        {"manager": "hpa", "operation": "Update", "fieldsV1": {"f:spec": {"bogus": {}}}},
        {"manager": "hpa", "operation": "Update", "fieldsV1": {"f:spec": {"f:paused": {}}}},
        {"manager": "hpa", "operation": "Update"},
        "not an entry",
    ]
    assert owned_paths(record, ["kube-controller-manager"]) == [("spec", "replicas")]
    assert owned_paths(record, ["hpa", "kube-controller-manager"]) == [
        ("spec", "replicas"),
        ("spec", "paused"),
    ]
    assert owned_paths(record, ["nobody"]) == []
