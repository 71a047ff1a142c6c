"""Webhook received → refresh started → new commit deployed (README, Performance).

    python benchmarks/webhook_refresh.py [--runs 10] [--kubeconfig PATH] [--keep]

A real ``rudder server`` (subprocess) and a controller (in this process, reconciling
one namespace, periodic refresh an hour away so only the webhook can trigger it) with an
automated Application on a local Git repository. Each run commits a change, then posts
a generic push webhook and records:

- the webhook response time (the server matched the app and set the refresh annotation);
- refresh started: the controller's watch delivered the annotated Application (it is
  queued for reconcile at that moment), measured from just before the POST;
- deployed: the app's status reports the new commit Synced.

Without --kubeconfig a local cluster ``bench-hook`` is started, and stopped unless
--keep. Figures are printed (median and p95), never asserted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from rudder.cluster.client import KubeClient
from rudder.controller.context import ControllerOptions
from rudder.controller.install import install_crds
from rudder.controller.manager import Controller
from rudder.model.application import APP_API_VERSION, REFRESH_ANNOTATION
from rudder.model.resource import Manifest
from rudder.observability.logging import configure

RUDDER = str(Path(sys.executable).parent / "rudder")
CLUSTER = "bench-hook"
APP_NAMESPACE = "bench-hook"
CONTROL_NAMESPACE = "bench-hook-control"


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, level: int) -> str:
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"level": str(level)},
    }
    (repo / "app").mkdir(exist_ok=True)
    (repo / "app" / "cm.yaml").write_text(yaml.safe_dump(manifest))
    git(repo, "add", "--all")
    git(repo, "commit", "-q", "-m", f"level {level}")
    return git(repo, "rev-parse", "HEAD")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


async def deployed(kube: KubeClient, sha: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        app = await kube.get(APP_API_VERSION, "Application", "hooked", APP_NAMESPACE)
        sync = (app.get("status") or {}).get("sync") or {}
        if sync.get("status") == "Synced" and sync.get("revision") == sha:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"not deployed: {sync}")
        await asyncio.sleep(0.05)


async def run(kubeconfig: str, runs: int, work: Path) -> None:
    repo = work / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "--initial-branch=main")
    first = commit(repo, 0)
    async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
        await install_crds(kube)
        for ns in (APP_NAMESPACE, CONTROL_NAMESPACE):
            await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        with contextlib.suppress(Exception):
            await kube.delete(APP_API_VERSION, "Application", "hooked", APP_NAMESPACE)
        options = ControllerOptions(
            namespaces=(APP_NAMESPACE,), workers=2, refresh_interval=3600.0, cache_dir=work / "controller"
        )
        controller = Controller(kube, options)
        started: asyncio.Event = asyncio.Event()
        stamp: list[float] = []

        def on_app(_: str, obj: Manifest, __: Manifest | None) -> None:
            if (obj.get("metadata") or {}).get("annotations", {}).get(
                REFRESH_ANNOTATION
            ) and not started.is_set():
                stamp.append(time.perf_counter())
                started.set()

        controller.ctx.apps.subscribe(on_app)
        await controller.start()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = (work / "server.log").open("wb")
        server = subprocess.Popen(
            [RUDDER, "server", "--kubeconfig", kubeconfig, "--namespace", CONTROL_NAMESPACE,
             "--application-namespaces", APP_NAMESPACE, "--port", str(port), "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            app = {
                "apiVersion": APP_API_VERSION,
                "kind": "Application",
                "metadata": {"name": "hooked", "namespace": APP_NAMESPACE},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": repo.as_uri(), "path": "app", "targetRevision": "main"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": APP_NAMESPACE},
                    "syncPolicy": {"automated": {"prune": True}},
                },
            }
            await kube.create(app)
            await deployed(kube, first)
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                for _ in range(300):
                    with contextlib.suppress(httpx.TransportError):
                        if (await http.get("/healthz")).status_code == 200:
                            break
                    await asyncio.sleep(0.2)
                responses, starts, deploys = [], [], []
                for level in range(1, runs + 1):
                    sha = commit(repo, level)
                    await asyncio.sleep(0.5)  # the server has seen the last status write
                    started.clear()
                    stamp.clear()
                    began = time.perf_counter()
                    response = await http.post(
                        "/api/webhook", json={"repoURL": repo.as_uri(), "ref": "refs/heads/main"}
                    )
                    responded = time.perf_counter()
                    assert response.json()["refreshed"] == 1, response.text
                    await asyncio.wait_for(started.wait(), 30)
                    await deployed(kube, sha)
                    responses.append(responded - began)
                    starts.append(stamp[0] - began)
                    deploys.append(time.perf_counter() - began)
            print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; {runs} runs")
            print(f"  webhook response:           {summary(responses)}")
            print(f"  webhook → refresh started:  {summary(starts)}")
            print(f"  webhook → new commit Synced: {summary(deploys)}")
        finally:
            server.terminate()
            server.wait(30)
            await controller.stop(grace=10)
            with contextlib.suppress(Exception):
                await kube.delete(APP_API_VERSION, "Application", "hooked", APP_NAMESPACE)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--kubeconfig", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    configure(json=False, level="WARNING")
    kubeconfig = args.kubeconfig
    started_cluster = False
    if not kubeconfig:
        subprocess.run([RUDDER, "cluster", "up", "--name", CLUSTER], check=True)
        kubeconfig = subprocess.run(
            [RUDDER, "cluster", "kubeconfig", "--name", CLUSTER], check=True, capture_output=True, text=True
        ).stdout.strip()
        started_cluster = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench-hook-") as work:
            asyncio.run(run(kubeconfig, args.runs, Path(work)))
    finally:
        if started_cluster and not args.keep:
            subprocess.run([RUDDER, "cluster", "down", "--name", CLUSTER], check=False)


if __name__ == "__main__":
    main()
