"""Fixtures for controller tests: the CRDs installed once, a Rudder controller running
in the test's event loop that reconciles only the test's namespace, and helpers to
create Applications and wait for their status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rudder.cluster.client import KubeClient
from rudder.controller.context import ControllerOptions
from rudder.controller.install import install_crds
from rudder.controller.manager import Controller
from rudder.model.application import APP_API_VERSION
from rudder.model.errors import NotFoundError
from rudder.model.resource import Manifest

_installed: set[str] = set()


@dataclass
class Harness:
    """The running controller plus shortcuts used by the tests."""

    kube: KubeClient
    namespace: str
    controller: Controller

    def application(
        self,
        name: str,
        repo_url: str,
        path: str = "app",
        *,
        revision: str = "HEAD",
        automated: bool = True,
        prune: bool = True,
        self_heal: bool = True,
        sync_options: list[str] | None = None,
        source: dict[str, Any] | None = None,
        destination_namespace: str | None = None,
        finalizer: bool = False,
        extra_spec: dict[str, Any] | None = None,
    ) -> Manifest:
        """An Argo CD Application manifest for this test's namespace."""
        spec: dict[str, Any] = {
            "project": "default",
            "source": {"repoURL": repo_url, "path": path, "targetRevision": revision, **(source or {})},
            "destination": {
                "server": "https://kubernetes.default.svc",
                "namespace": destination_namespace or self.namespace,
            },
        }
        policy: dict[str, Any] = {}
        if automated:
            policy["automated"] = {"prune": prune, "selfHeal": self_heal}
        if sync_options:
            policy["syncOptions"] = sync_options
        if policy:
            spec["syncPolicy"] = policy
        spec.update(extra_spec or {})
        meta: dict[str, Any] = {"name": name, "namespace": self.namespace}
        if finalizer:
            meta["finalizers"] = ["resources-finalizer.argocd.argoproj.io"]
        return {"apiVersion": APP_API_VERSION, "kind": "Application", "metadata": meta, "spec": spec}

    async def create(self, app: Manifest) -> Manifest:
        return await self.kube.create(app)

    async def app(self, name: str) -> Manifest:
        return await self.kube.get(APP_API_VERSION, "Application", name, self.namespace)

    async def wait(
        self, name: str, predicate: Callable[[Manifest], bool], *, timeout: float = 60.0, what: str = ""
    ) -> Manifest:
        """Poll the Application until ``predicate`` holds; fail with its last status."""
        deadline = time.monotonic() + timeout
        app: Manifest = {}
        while time.monotonic() < deadline:
            try:
                app = await self.app(name)
            except NotFoundError:
                app = {}
            if app and predicate(app):
                return app
            await asyncio.sleep(0.2)
        pytest.fail(f"{name}: timed out waiting for {what or 'condition'}; status: {app.get('status')}")

    async def wait_synced(self, name: str, *, revision: str | None = None, timeout: float = 60.0) -> Manifest:
        def done(app: Manifest) -> bool:
            status = app.get("status") or {}
            ok = (status.get("sync") or {}).get("status") == "Synced" and (status.get("health") or {}).get(
                "status"
            ) == "Healthy"
            return ok and (revision is None or (status.get("sync") or {}).get("revision") == revision)

        return await self.wait(
            name, done, timeout=timeout, what=f"Synced/Healthy at {revision or 'any revision'}"
        )

    async def wait_condition(
        self, name: str, ctype: str, contains: str = "", *, timeout: float = 60.0
    ) -> str:
        def found(app: Manifest) -> bool:
            return any(
                c.get("type") == ctype and contains in str(c.get("message", ""))
                for c in (app.get("status") or {}).get("conditions") or []
            )

        app = await self.wait(name, found, timeout=timeout, what=f"condition {ctype} containing {contains!r}")
        return next(
            str(c["message"])
            for c in app["status"]["conditions"]
            if c["type"] == ctype and contains in c["message"]
        )

    async def refresh(self, name: str, kind: str = "normal") -> None:
        await self.kube.patch(
            APP_API_VERSION,
            "Application",
            name,
            self.namespace,
            patch={"metadata": {"annotations": {"argocd.argoproj.io/refresh": kind}}},
        )

    async def names(self, api_version: str, kind: str, namespace: str | None = None) -> set[str]:
        listed = await self.kube.list(api_version, kind, namespace or self.namespace)
        return {
            str(o["metadata"]["name"])
            for o in listed.items
            if kind != "ConfigMap" or o["metadata"]["name"] != "kube-root-ca.crt"
        }


@pytest.fixture
async def harness(kube: KubeClient, namespace: str, tmp_path: Path) -> AsyncIterator[Harness]:
    """A controller reconciling Applications in ``namespace`` (and nowhere else)."""
    if "crds" not in _installed:
        await install_crds(kube)
        _installed.add("crds")
    options = ControllerOptions(
        namespaces=(namespace,),
        workers=2,
        refresh_interval=3600.0,
        cache_dir=tmp_path / "controller-cache",
        wave_timeout=60.0,
    )
    controller = Controller(kube, options)
    await controller.start()
    try:
        yield Harness(kube=kube, namespace=namespace, controller=controller)
    finally:
        await controller.stop(grace=30)
        listed = await kube.list(APP_API_VERSION, "Application", namespace)
        for app in listed.items:  # let the namespace go away without a controller
            if app["metadata"].get("finalizers"):
                await kube.patch(
                    APP_API_VERSION,
                    "Application",
                    app["metadata"]["name"],
                    namespace,
                    patch={"metadata": {"finalizers": None}},
                )
