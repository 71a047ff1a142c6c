"""Normalisation: what is never a difference between Git and the cluster."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rudder.diff.normalize import LAST_APPLIED_ANNOTATION, SERVER_METADATA, align_empty, is_empty, normalize
from rudder.model.resource import Manifest


def _configmap(**metadata: Any) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "prod", **metadata},
        "data": {"LOG_LEVEL": "info"},
    }


@pytest.mark.parametrize("field", SERVER_METADATA)
def test_server_metadata_is_removed(field: str) -> None:
    assert normalize(_configmap(**{field: "server-value"})) == _configmap()


def test_status_is_removed() -> None:
    obj = _configmap()
    obj["status"] = {"phase": "Active"}
    assert normalize(obj) == _configmap()


def test_last_applied_annotation_is_removed_and_other_annotations_stay() -> None:
    obj = _configmap(annotations={LAST_APPLIED_ANNOTATION: "{}", "team": "core"})
    assert normalize(obj)["metadata"]["annotations"] == {"team": "core"}
    only = _configmap(annotations={LAST_APPLIED_ANNOTATION: "{}"})
    assert normalize(only) == _configmap()


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ({"labels": {}, "annotations": {}}, {}),
        ({"finalizers": []}, {}),
        ({"labels": {"app": None}}, {}),
        ({"labels": {"app": "web"}}, {"labels": {"app": "web"}}),
    ],
)
def test_empty_metadata_is_dropped(raw: dict[str, Any], normal: dict[str, Any]) -> None:
    assert normalize(_configmap(**raw)) == _configmap(**normal)


def test_nulls_and_empty_lists_go_but_empty_maps_inside_specs_stay() -> None:
    obj = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": "p"},
        "spec": {
            "nodeSelector": None,
            "volumes": [{"name": "cache", "emptyDir": {}}],
            "containers": [{"name": "c", "args": [], "resources": {}, "env": None}],
        },
    }
    assert normalize(obj)["spec"] == {
        "volumes": [{"name": "cache", "emptyDir": {}}],
        "containers": [{"name": "c", "resources": {}}],
    }


def test_secret_string_data_is_folded_into_data() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "data": {"user": base64.b64encode(b"old").decode(), "host": "ZGI="},
        "stringData": {"user": "admin", "port": 5432, "tls": True},
    }
    normal = normalize(secret)
    assert "stringData" not in normal
    assert {k: base64.b64decode(v).decode() for k, v in normal["data"].items()} == {
        "user": "admin",  # stringData wins, as in the API server
        "host": "db",
        "port": "5432",
        "tls": "true",
    }


def test_string_data_of_other_kinds_is_left_alone() -> None:
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Secret",
        "metadata": {"name": "x"},
        "stringData": {"a": "b"},
    }
    assert normalize(obj) == obj


def test_input_is_not_modified() -> None:
    obj = _configmap(resourceVersion="1", labels={})
    normalize(obj)
    assert obj == _configmap(resourceVersion="1", labels={})


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        (None, True),
        ([], True),
        ({}, True),
        ({"a": {"b": []}}, True),
        ({"a": 0}, False),
        ([{}], False),
        ("", False),
    ],
)
def test_is_empty(value: Any, empty: bool) -> None:
    assert is_empty(value) is empty


def test_align_empty_hides_one_sided_empties_and_keeps_shared_ones() -> None:
    live = {"spec": {"volumes": [{"name": "v", "emptyDir": {}}], "securityContext": {}}}
    target = {"spec": {"volumes": [{"name": "v", "emptyDir": {}}], "selector": {"matchLabels": {}}}}
    left, right = align_empty(live, target)
    assert left == {"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}
    assert right == left


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["status", "metadata", "data", "stringData", "x", "labels"]), inner, max_size=4
        )
    ),
    max_leaves=20,
)
OBJECTS = st.fixed_dictionaries(
    {"apiVersion": st.sampled_from(["v1", "apps/v1"]), "kind": st.sampled_from(["Secret", "ConfigMap"])},
    optional={
        "metadata": st.dictionaries(
            st.sampled_from([*SERVER_METADATA, "name", "labels", "annotations"]), JSON, max_size=5
        ),
        "data": st.dictionaries(st.text(max_size=3), st.text(max_size=5) | st.none(), max_size=3),
        "stringData": st.dictionaries(st.text(max_size=3), st.text(max_size=5) | st.integers(), max_size=3),
        "spec": JSON,
        "status": JSON,
    },
)


@given(OBJECTS)
def test_normalize_is_idempotent(obj: Manifest) -> None:
    once = normalize(obj)
    assert normalize(once) == once
    assert "status" not in once
    assert not set(SERVER_METADATA) & set(once.get("metadata") or {})
