"""Proof that the local control plane is a real Kubernetes API: controllers, kwok nodes,
CRDs, validation and watches behave as on any cluster. Driven through
rudder.cluster.client.KubeClient."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rudder.cluster.client import KubeClient, WatchEvent
from rudder.model.errors import ClusterError, NotFoundError

pytestmark = pytest.mark.cluster

Manifest = dict[str, Any]


async def _eventually(check: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.2)


def _condition(obj: Manifest, kind: str) -> str:
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind:
            return str(condition.get("status"))
    return ""


def _web(namespace: str) -> tuple[Manifest, Manifest]:
    labels = {"app": "web"}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80}]},
    }
    return deployment, service


async def test_deployment_with_service_becomes_available(kube: KubeClient, namespace: str) -> None:
    deployment, service = _web(namespace)
    applied = await kube.apply(deployment)
    await kube.apply(service)
    assert any(
        f.get("manager") == "rudder" and f.get("operation") == "Apply"
        for f in applied["metadata"]["managedFields"]
    )

    async def available() -> bool:
        live = await kube.get("apps/v1", "Deployment", "web", namespace)
        return _condition(live, "Available") == "True" and live["status"].get("availableReplicas") == 3

    await _eventually(available, timeout=60, what="Deployment web to be Available with 3 replicas")

    pods = (await kube.list("v1", "Pod", namespace, label_selector="app=web")).items
    assert len(pods) == 3
    assert all(p["status"]["phase"] == "Running" and p["spec"].get("nodeName") for p in pods)

    async def endpoints_ready() -> bool:
        slices = (
            await kube.list(
                "discovery.k8s.io/v1",
                "EndpointSlice",
                namespace,
                label_selector="kubernetes.io/service-name=web",
            )
        ).items
        ready = [e for s in slices for e in s.get("endpoints") or [] if e.get("conditions", {}).get("ready")]
        return len(ready) == 3

    await _eventually(endpoints_ready, timeout=30, what="3 ready endpoints behind Service web")
    live_service = await kube.get("v1", "Service", "web", namespace)
    assert live_service["spec"]["clusterIP"] not in ("", "None")


async def test_crd_is_installed_and_custom_resource_created(kube: KubeClient, namespace: str) -> None:
    group = f"t{uuid.uuid4().hex[:8]}.rudder.test"
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "required": ["size"],
                                    "properties": {"size": {"type": "integer", "minimum": 1}},
                                }
                            },
                        }
                    },
                }
            ],
        },
    }
    await kube.apply(crd)
    try:

        async def established() -> bool:
            live = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", f"widgets.{group}")
            return _condition(live, "Established") == "True"

        await _eventually(established, timeout=30, what="the CRD to be Established")
        api_version = f"{group}/v1"
        widget = {
            "apiVersion": api_version,
            "kind": "Widget",
            "metadata": {"name": "w1", "namespace": namespace},
            "spec": {"size": 3},
        }

        async def served() -> bool:
            kube.discovery.invalidate(api_version)
            try:
                await kube.apply(widget)
            except NotFoundError:
                return False
            return True

        await _eventually(served, timeout=30, what="the API server to serve Widget")
        live = await kube.get(api_version, "Widget", "w1", namespace)
        assert live["spec"] == {"size": 3}
        assert live["metadata"]["uid"]

        bad = {**widget, "metadata": {"name": "w2", "namespace": namespace}, "spec": {"size": 0}}
        with pytest.raises(ClusterError) as rejected:
            await kube.apply(bad)
        assert rejected.value.status == 422
        assert "spec.size" in str(rejected.value)
    finally:
        await kube.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", f"widgets.{group}")


async def test_invalid_object_is_rejected_with_the_api_server_message(
    kube: KubeClient, namespace: str
) -> None:
    deployment, _ = _web(namespace)
    deployment["spec"]["replicas"] = -1
    with pytest.raises(ClusterError) as rejected:
        await kube.apply(deployment)
    assert rejected.value.status == 422
    assert rejected.value.reason == "Invalid"
    # The API server's own validation text, passed through unchanged.
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in str(rejected.value)
    assert f"Deployment/{namespace}/web" in str(rejected.value)
    with pytest.raises(NotFoundError):
        await kube.get("apps/v1", "Deployment", "web", namespace)


async def test_watch_sees_create_update_delete(kube: KubeClient, namespace: str) -> None:
    start = await kube.list("v1", "ConfigMap", namespace)
    seen: list[WatchEvent] = []

    async def collect() -> None:
        async for event in kube.watch(
            "v1", "ConfigMap", namespace, resource_version=start.resource_version, timeout_seconds=60
        ):
            if event.object.get("metadata", {}).get("name") != "settings":
                continue
            seen.append(event)
            if event.type == "DELETED":
                return

    watcher = asyncio.create_task(collect())
    try:
        config_map = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": namespace},
            "data": {"mode": "a"},
        }
        await kube.apply(config_map)
        await kube.apply({**config_map, "data": {"mode": "b"}})
        await kube.delete("v1", "ConfigMap", "settings", namespace)
        await asyncio.wait_for(watcher, timeout=30)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher

    assert [e.type for e in seen] == ["ADDED", "MODIFIED", "DELETED"]
    assert [e.object["data"]["mode"] for e in seen] == ["a", "b", "b"]
