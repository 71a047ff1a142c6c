"""Installs what Rudder needs in a cluster: the Application and AppProject CRDs (from
the package's manifests/), the control namespace and the ``default`` AppProject.
Idempotent; used by ``rudder install``, the controller at start-up and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from importlib import resources

import yaml

from rudder.cluster.client import KubeClient
from rudder.model.errors import ClusterError, ConflictError
from rudder.model.resource import Manifest

CRD_FILES = ("application-crd.yaml", "appproject-crd.yaml")


def crd_manifests() -> list[Manifest]:
    folder = resources.files("rudder.controller").joinpath("manifests")
    return [yaml.safe_load(folder.joinpath(name).read_text()) for name in CRD_FILES]


def default_project(namespace: str) -> Manifest:
    folder = resources.files("rudder.controller").joinpath("manifests")
    project: Manifest = yaml.safe_load(folder.joinpath("default-appproject.yaml").read_text())
    project["metadata"]["namespace"] = namespace
    return project


async def install_crds(client: KubeClient, *, timeout: float = 60.0) -> None:
    """Apply the CRDs and wait until the API server serves them."""
    for crd in crd_manifests():
        await client.apply(crd, field_manager="rudder-install")
    deadline = time.monotonic() + timeout
    for crd in crd_manifests():
        name = crd["metadata"]["name"]
        while True:
            live = await client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name)
            conditions = (live.get("status") or {}).get("conditions") or []
            if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                break
            if time.monotonic() > deadline:
                raise ClusterError(f"CustomResourceDefinition/{name}: not established after {timeout:.0f}s")
            await asyncio.sleep(0.2)
    client.discovery.invalidate()


async def ensure_control_plane(client: KubeClient, namespace: str) -> None:
    """The control namespace and the ``default`` AppProject (created only when missing,
    so a user's edits to the project are kept)."""
    await client.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    with contextlib.suppress(ConflictError):
        await client.create(default_project(namespace))


async def install(client: KubeClient, *, namespace: str = "argocd") -> None:
    await install_crds(client)
    await ensure_control_plane(client, namespace)
