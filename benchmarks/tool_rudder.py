"""Rudder under benchmarks/scale.py: a `rudder controller` process (the figures are its
CPU and RSS, git children included) and a `rudder server` whose ``POST /api/webhook``
is the refresh trigger, N Applications in one namespace, each annotated with
``argocd.argoproj.io/manifest-generate-paths: .`` so a push refreshes only the app
whose files changed (Argo CD's advice for monorepos)."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

from rudder.cluster.client import KubeClient
from rudder.controller.install import install
from rudder.model.application import APP_API_VERSION
from tool import Objects, Process, free_port
from workload import app_path, application

RUDDER = str(Path(sys.executable).parent / "rudder")
APPS_NAMESPACE = "bench-rudder"
DESTINATION = "scale-rudder"


class RudderTool:
    name = "rudder"

    def __init__(
        self,
        kube: KubeClient,
        kubeconfig: str,
        work: Path,
        repo_url: str,
        *,
        workers: int,
        refresh_interval: str,
        poll_interval: str,
    ) -> None:
        self.kube = kube
        self.kubeconfig = kubeconfig
        self.work = work
        self.repo_url = repo_url
        self.workers = workers
        self.refresh_interval = refresh_interval
        self.poll_interval = poll_interval
        self.version = version("rudder")
        self.apps = Objects(kube, APP_API_VERSION, "Application", APPS_NAMESPACE)
        self.count = 0
        self.server_port = free_port()
        self.controller = self._controller(refresh_interval)
        self.server = Process(
            "rudder server",
            [
                RUDDER,
                "server",
                "--kubeconfig",
                kubeconfig,
                "--address",
                "127.0.0.1",
                "--port",
                str(self.server_port),
                "--application-namespaces",
                APPS_NAMESPACE,
                "--log-level",
                "warning",
            ],
            work / "rudder-server.log",
        )
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.server_port}", timeout=60)

    def _controller(self, interval: str) -> Process:
        return Process(
            "rudder controller",
            [
                RUDDER,
                "controller",
                "--kubeconfig",
                self.kubeconfig,
                "--namespaces",
                APPS_NAMESPACE,
                "--workers",
                str(self.workers),
                "--refresh-interval",
                interval,
                "--cache-dir",
                str(self.work / "rudder-cache"),
                "--log-level",
                "warning",
            ],
            self.work / "rudder-controller.log",
        )

    def alive(self) -> None:
        self.controller.check()
        self.server.check()

    async def start(self) -> None:
        await install(self.kube)  # CRDs, the control namespace and the default project
        for namespace in (APPS_NAMESPACE, DESTINATION):
            await self.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        await self.apps.start()
        self.controller.start()
        self.server.start()

        async def server_up() -> bool:
            try:
                return (await self.http.get("/healthz")).status_code == 200
            except httpx.HTTPError:
                return False

        deadline = time.monotonic() + 120
        while not await server_up():
            self.alive()
            if time.monotonic() > deadline:
                raise TimeoutError("rudder server did not answer within 120s")
            await asyncio.sleep(0.2)

    async def create_apps(self, count: int) -> None:
        self.count = count
        semaphore = asyncio.Semaphore(32)

        async def create(i: int) -> None:
            manifest = application(
                f"app{i}",
                APPS_NAMESPACE,
                self.repo_url,
                app_path(i),
                destination_namespace=DESTINATION,
                annotations={"argocd.argoproj.io/manifest-generate-paths": "."},
            )
            async with semaphore:
                await self.kube.create(manifest)

        await asyncio.gather(*(create(i) for i in range(count)))

    def ready(self, index: int, revision: str | None) -> bool:
        app = self.apps.get(f"app{index}")
        if app is None:
            return False
        status = app.get("status") or {}
        sync = status.get("sync") or {}
        return (
            sync.get("status") == "Synced"
            and (status.get("health") or {}).get("status") == "Healthy"
            and (revision is None or sync.get("revision") == revision)
        )

    def ready_count(self) -> int:
        return sum(1 for i in range(self.count) if self.ready(i, None))

    async def trigger(self, index: int, revision: str) -> None:
        """A generic push notification naming the changed file, as a Git host sends it."""
        body = {
            "repoURL": self.repo_url,
            "ref": "refs/heads/main",
            "revision": revision,
            "changedFiles": [f"{app_path(index)}/app.yaml"],
        }
        response = await self.http.post("/api/webhook", json=body)
        if response.status_code != 200 or response.json().get("refreshed", 0) < 1:
            raise RuntimeError(f"webhook: {response.status_code} {response.text}")

    def pids(self) -> list[int]:
        return [self.controller.pid]

    async def restart(self, *, polling: bool = False) -> None:
        self.controller.stop()
        self.controller = self._controller(self.poll_interval if polling else self.refresh_interval)
        self.controller.start()

    def reported_count(self, since: float) -> int:
        """Apps whose status was written (reconciledAt, whole seconds) after ``since``."""
        stamp = datetime.fromtimestamp(int(since) + 1, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return sum(
            1 for app in self.apps.all() if str((app.get("status") or {}).get("reconciledAt") or "") >= stamp
        )

    async def stop(self) -> None:
        self.controller.stop()
        self.server.stop()
        await self.http.aclose()
        await self.apps.close()
