"""Resource keys and Argo CD's tracking-id annotation."""

from __future__ import annotations

import pytest

from rudder.model.resource import ResourceKey, app_instance_name, key_of, parse_tracking_id, tracking_id


def test_key_prints_as_kind_namespace_name() -> None:
    assert str(ResourceKey("apps", "Deployment", "prod", "web")) == "Deployment/prod/web"
    assert str(ResourceKey("", "Namespace", "", "prod")) == "Namespace/prod"


@pytest.mark.parametrize(
    "key",
    [ResourceKey("apps", "Deployment", "prod", "web"), ResourceKey("", "Namespace", "", "prod")],
)
def test_tracking_id_round_trips(key: ResourceKey) -> None:
    value = tracking_id("my-app", key)
    parsed = parse_tracking_id(value)
    assert parsed is not None
    assert parsed.app_instance == "my-app"
    assert parsed.key == key


def test_tracking_id_matches_argo_cd_format() -> None:
    assert (
        tracking_id("guestbook", ResourceKey("", "Service", "default", "ui"))
        == "guestbook:/Service:default/ui"
    )


@pytest.mark.parametrize("value", ["", "nonsense", "app:/:ns/", ":/Service:ns/x"])
def test_foreign_annotations_are_not_tracking_ids(value: str) -> None:
    assert parse_tracking_id(value) is None


def test_instance_name_outside_the_control_namespace_is_prefixed() -> None:
    assert app_instance_name("argocd", "web", control_namespace="argocd") == "web"
    assert app_instance_name("team-a", "web", control_namespace="argocd") == "team-a_web"


def test_key_of_core_and_grouped_objects() -> None:
    assert key_of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}}) == (
        ResourceKey("", "ConfigMap", "n", "c")
    )
    assert key_of({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}).group == "apps"
