"""Resource identity: the (group, kind, namespace, name) key of a Kubernetes object,
Argo CD's tracking-id annotation, and helpers to read identity off raw manifests.
Used by every layer that handles objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
"""Argo CD's annotation-based resource tracking: ``<app>:<group>/<kind>:<namespace>/<name>``."""

Manifest = dict[str, Any]
"""A raw Kubernetes object as parsed from YAML or returned by the API server."""


@dataclass(frozen=True, order=True, slots=True)
class ResourceKey:
    """Identity of one object. ``namespace`` is empty for cluster-scoped objects."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    @property
    def group_kind(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` → (``apps``, ``v1``); ``v1`` → (``""``, ``v1``)."""
    if "/" in api_version:
        group, version = api_version.split("/", 1)
        return group, version
    return "", api_version


def key_of(obj: Manifest, *, default_namespace: str = "") -> ResourceKey:
    """The key of a raw object; ``default_namespace`` fills in a missing namespace
    (callers pass it only for kinds they know to be namespaced)."""
    group, _ = split_api_version(str(obj.get("apiVersion", "")))
    meta = obj.get("metadata") or {}
    return ResourceKey(
        group=group,
        kind=str(obj.get("kind", "")),
        namespace=str(meta.get("namespace") or default_namespace),
        name=str(meta.get("name", "")),
    )


def annotations_of(obj: Manifest) -> dict[str, str]:
    meta = obj.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return {str(k): str(v) for k, v in annotations.items()}


def labels_of(obj: Manifest) -> dict[str, str]:
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    return {str(k): str(v) for k, v in labels.items()}


def tracking_id(app_instance: str, key: ResourceKey) -> str:
    """The value Argo CD writes in the tracking-id annotation."""
    return f"{app_instance}:{key.group}/{key.kind}:{key.namespace}/{key.name}"


@dataclass(frozen=True, slots=True)
class TrackingInfo:
    app_instance: str
    key: ResourceKey


def parse_tracking_id(value: str) -> TrackingInfo | None:
    """Parse a tracking-id annotation; ``None`` when it is not in Argo CD's format."""
    try:
        app, group_kind, ns_name = value.split(":", 2)
        group, kind = group_kind.split("/", 1)
        namespace, name = ns_name.split("/", 1)
    except ValueError:
        return None
    if not app or not kind or not name:
        return None
    return TrackingInfo(app, ResourceKey(group, kind, namespace, name))


def app_instance_name(app_namespace: str, app_name: str, *, control_namespace: str) -> str:
    """Argo CD's instance name: the bare name for apps in the control-plane namespace,
    ``<namespace>_<name>`` for apps in any other namespace."""
    if app_namespace == control_namespace or not app_namespace:
        return app_name
    return f"{app_namespace}_{app_name}"
