"""Flux under benchmarks/scale.py: builds source-controller and kustomize-controller
from the wrapper module in tools/flux into the tools cache (never into the repo),
installs their CRDs from the module sources, runs both out of cluster against the
benchmark cluster (storage and metrics on 127.0.0.1, no leader election), one
GitRepository for the shared repo and N Kustomizations (interval 1m, prune, wait).

The refresh trigger is what Flux's notification-controller does for a push webhook:
annotate the GitRepository with ``reconcile.fluxcd.io/requestedAt``."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from rudder.cluster.client import KubeClient
from rudder.model.errors import NotFoundError
from rudder.model.toolchain import tools_root
from tool import Objects, Process, free_port
from workload import app_path

WRAPPER = Path(__file__).resolve().parents[1] / "tools" / "flux"
SOURCE = "github.com/fluxcd/source-controller"
KUSTOMIZE = "github.com/fluxcd/kustomize-controller"
GIT_API = "source.toolkit.fluxcd.io/v1"
KS_API = "kustomize.toolkit.fluxcd.io/v1"
NAMESPACE = "flux-system"
DESTINATION = "scale-flux"
REPO_NAME = "bench"


def pinned() -> dict[str, str]:
    """Versions of both controllers required by tools/flux/go.mod."""
    text = (WRAPPER / "go.mod").read_text()
    found = {}
    for module in (SOURCE, KUSTOMIZE):
        match = re.search(rf"^\s*{re.escape(module)}\s+(v\S+)", text, re.M)
        if match is None:
            raise RuntimeError(f"tools/flux/go.mod does not require {module}")
        found[module] = match.group(1)
    return found


def _go_env() -> dict[str, str]:
    return {**os.environ, "GOTOOLCHAIN": "local", "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"}


def build() -> Path:
    """The directory holding both binaries, built once per pinned pair of versions."""
    versions = pinned()
    out = tools_root() / f"flux-sc-{versions[SOURCE]}-kc-{versions[KUSTOMIZE]}" / "bin"
    if all((out / name).is_file() for name in ("source-controller", "kustomize-controller")):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    print(f"building Flux {versions} into {out} (first run only) ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        ["go", "build", "-trimpath", "-ldflags=-s -w", "-o", f"{staging}/", SOURCE, KUSTOMIZE],
        cwd=WRAPPER,
        env=_go_env(),
        check=True,
    )
    staging.rename(out)
    print(f"built Flux in {time.monotonic() - started:.0f}s", flush=True)
    return out


def crd_documents() -> list[dict[str, Any]]:
    """Every CRD both controllers serve, from their module sources (config/crd/bases)."""
    docs: list[dict[str, Any]] = []
    for module, version in pinned().items():
        info = json.loads(
            subprocess.run(
                ["go", "mod", "download", "-json", f"{module}@{version}"],
                cwd=WRAPPER,
                env=_go_env(),
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for path in sorted(Path(info["Dir"], "config", "crd", "bases").glob("*.yaml")):
            docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


class FluxTool:
    name = "flux"

    def __init__(
        self,
        kube: KubeClient,
        kubeconfig: str,
        work: Path,
        repo_url: str,
        *,
        workers: int,
        interval: str,
        poll_interval: str,
    ) -> None:
        self.kube = kube
        self.work = work
        self.repo_url = repo_url
        self.workers = workers
        self.interval = interval
        self.poll_interval = poll_interval
        versions = pinned()
        self.version = f"source-controller {versions[SOURCE]}, kustomize-controller {versions[KUSTOMIZE]}"
        self.bin = build()
        self.env = {"KUBECONFIG": kubeconfig, "RUNTIME_NAMESPACE": NAMESPACE}
        self.storage_port = free_port()
        self.kustomizations = Objects(kube, KS_API, "Kustomization", NAMESPACE)
        self.count = 0
        self.source = self._source()
        self.kustomize = self._kustomize()
        self._log_offset = 0
        self._reported: set[str] = set()
        self._seen_ready: set[int] = set()

    def _source(self) -> Process:
        return Process(
            "source-controller",
            [
                str(self.bin / "source-controller"),
                f"--storage-addr=127.0.0.1:{self.storage_port}",
                f"--storage-adv-addr=127.0.0.1:{self.storage_port}",
                f"--storage-path={self.work / 'flux-storage'}",
                f"--metrics-addr=127.0.0.1:{free_port()}",
                f"--health-addr=127.0.0.1:{free_port()}",
                "--enable-leader-election=false",
                "--log-encoding=json",
            ],
            self.work / "source-controller.log",
            self.env,
        )

    def _kustomize(self) -> Process:
        return Process(
            "kustomize-controller",
            [
                str(self.bin / "kustomize-controller"),
                f"--metrics-addr=127.0.0.1:{free_port()}",
                f"--health-addr=127.0.0.1:{free_port()}",
                "--enable-leader-election=false",
                f"--concurrent={self.workers}",
                "--log-encoding=json",
            ],
            self.work / "kustomize-controller.log",
            self.env,
        )

    def alive(self) -> None:
        self.source.check()
        self.kustomize.check()

    async def start(self) -> None:
        for doc in crd_documents():
            await self.kube.apply(doc)
        for doc in crd_documents():
            await _established(self.kube, str(doc["metadata"]["name"]))
        for namespace in (NAMESPACE, DESTINATION):
            await self.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        await self.kustomizations.start()
        (self.work / "flux-storage").mkdir(exist_ok=True)
        self.source.start()
        self.kustomize.start()

    async def create_apps(self, count: int) -> None:
        self.count = count
        await self.kube.create(
            {
                "apiVersion": GIT_API,
                "kind": "GitRepository",
                "metadata": {"name": REPO_NAME, "namespace": NAMESPACE},
                "spec": {"url": self.repo_url, "interval": self.interval, "ref": {"branch": "main"}},
            }
        )
        semaphore = asyncio.Semaphore(32)

        async def create(i: int) -> None:
            manifest = {
                "apiVersion": KS_API,
                "kind": "Kustomization",
                "metadata": {"name": f"app{i}", "namespace": NAMESPACE},
                "spec": {
                    "interval": self.interval,
                    "path": f"./{app_path(i)}",
                    "prune": True,
                    "wait": True,
                    "timeout": "5m",
                    "targetNamespace": DESTINATION,
                    "sourceRef": {"kind": "GitRepository", "name": REPO_NAME},
                },
            }
            async with semaphore:
                await self.kube.create(manifest)

        await asyncio.gather(*(create(i) for i in range(count)))

    def ready(self, index: int, revision: str | None) -> bool:
        ks = self.kustomizations.get(f"app{index}")
        if ks is None:
            return False
        status = ks.get("status") or {}
        if status.get("observedGeneration") != (ks.get("metadata") or {}).get("generation"):
            return False
        if revision is not None and not str(status.get("lastAppliedRevision") or "").endswith(revision):
            return False
        return any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
        )

    def ready_count(self) -> int:
        """Kustomizations seen Ready at least once since the count was reset. kustomize-
        controller marks Ready Unknown while it reconciles, and with N = 1000 at a 1m
        interval some are always being reconciled, so "all Ready at one instant" may
        never happen; each is counted from the first time it was Ready."""
        self._seen_ready.update(
            i for i in range(self.count) if i not in self._seen_ready and self.ready(i, None)
        )
        return len(self._seen_ready)

    async def trigger(self, index: int, revision: str) -> None:
        await self.kube.patch(
            GIT_API,
            "GitRepository",
            REPO_NAME,
            NAMESPACE,
            patch={"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": f"{time.time():.6f}"}}},
        )

    def pids(self) -> list[int]:
        return [self.source.pid, self.kustomize.pid]

    async def restart(self, *, polling: bool = False) -> None:
        self.kustomize.stop()
        self.source.stop()
        self._log_offset = self.kustomize.log.stat().st_size
        self._reported = set()
        self._seen_ready = set()
        if polling:
            await self.kube.patch(
                GIT_API,
                "GitRepository",
                REPO_NAME,
                NAMESPACE,
                patch={"spec": {"interval": self.poll_interval}},
            )
        self.source = self._source()
        self.kustomize = self._kustomize()
        self.source.start()
        self.kustomize.start()

    def reported_count(self, since: float) -> int:
        """Kustomizations that kustomize-controller logged as reconciled since its last
        restart (Flux writes no per-reconcile timestamp into status)."""
        with self.kustomize.log.open("rb") as handle:
            handle.seek(self._log_offset)
            data = handle.read()
        complete = data.rfind(b"\n") + 1
        self._log_offset += complete
        for line in data[:complete].splitlines():
            if b"Reconciliation finished" not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            name = record.get("name") or (record.get("Kustomization") or {}).get("name")
            if name:
                self._reported.add(str(name))
        return len(self._reported)

    async def stop(self) -> None:
        self.kustomize.stop()
        self.source.stop()
        await self.kustomizations.close()


async def _established(kube: KubeClient, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            crd = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name)
        except NotFoundError:
            crd = {}
        conditions = (crd.get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            kube.discovery.invalidate()
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"CustomResourceDefinition/{name}: not Established within {timeout:.0f}s")
