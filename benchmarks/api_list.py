"""List endpoint latency of ``rudder server`` at 1,000 and 5,000 Applications (README,
Performance).

    python benchmarks/api_list.py [--sizes 1000,5000] [--requests 50] [--kubeconfig PATH] [--keep]

Creates Applications in a local cluster (no controller: each gets a status with a
health, a sync status and a revision, spread over 10 projects and 4 teams), starts a real
``rudder server`` (subprocess, as users run it) and measures, over HTTP on 127.0.0.1:

- the first page (``limit=50``) as admin;
- a filtered first page (``project=team-3&health=Healthy&selector=tier=web&search=svc-0``);
- the first page as a ``role:readonly`` user: the very first request after a policy load
  (every app goes through casbin once: cold) and then warm (decisions memoised).

After the first size, more apps are added and the server picks them up through its watch.
Without --kubeconfig a local cluster ``bench-api`` is started, and stopped unless --keep.
Figures are printed (median and p95), never asserted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from rudder.api.accounts import set_password
from rudder.cluster.client import KubeClient
from rudder.controller.install import install_crds
from rudder.model.application import APP_API_VERSION
from rudder.model.errors import ConflictError

RUDDER = str(Path(sys.executable).parent / "rudder")
CLUSTER = "bench-api"
RUN = secrets.token_hex(3)
APP_NAMESPACE = f"bench-api-{RUN}"  # fresh per run: no apps left from an earlier one
CONTROL_NAMESPACE = f"bench-api-control-{RUN}"
HEALTH = ["Healthy"] * 7 + ["Progressing", "Degraded", "Missing"]
SYNC = ["Synced"] * 3 + ["OutOfSync"]
TIERS = ["web", "api", "db", "cache"]


def app_manifest(i: int) -> dict[str, object]:
    return {
        "apiVersion": APP_API_VERSION,
        "kind": "Application",
        "metadata": {
            "name": f"svc-{i:05d}",
            "namespace": APP_NAMESPACE,
            "labels": {"tier": TIERS[(i // 7) % 4], "team": f"team-{i % 7}"},
        },
        "spec": {
            "project": f"team-{i % 10}",
            "source": {
                "repoURL": f"https://git.example.com/org/svc-{i}.git",
                "path": "deploy",
                "targetRevision": "main",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": f"svc-{i}"},
        },
    }


async def create_apps(kube: KubeClient, start: int, stop: int) -> float:
    semaphore = asyncio.Semaphore(32)
    began = time.perf_counter()

    async def one(i: int) -> None:
        async with semaphore:
            with contextlib.suppress(ConflictError):
                await kube.create(app_manifest(i))
            status = {
                "health": {"status": HEALTH[(i // 10) % len(HEALTH)]},
                "sync": {"status": SYNC[(i // 3) % len(SYNC)], "revision": f"{i:040x}"},
                "reconciledAt": "2026-01-01T00:00:00Z",
            }
            await kube.patch(
                APP_API_VERSION,
                "Application",
                f"svc-{i:05d}",
                APP_NAMESPACE,
                patch={"status": status},
                subresource="status",
            )

    await asyncio.gather(*(one(i) for i in range(start, stop)))
    return time.perf_counter() - began


async def prepare(kubeconfig: str) -> None:
    async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
        await install_crds(kube)
        for ns in (APP_NAMESPACE, CONTROL_NAMESPACE):
            await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        await kube.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "rudder-cm", "namespace": CONTROL_NAMESPACE},
                "data": {"accounts.viewer": "login"},
            }
        )
        await kube.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "rudder-rbac-cm", "namespace": CONTROL_NAMESPACE},
                "data": {"policy.csv": "g, viewer, role:readonly\n"},
            }
        )
        await set_password(kube, CONTROL_NAMESPACE, "viewer", "viewer-password", rounds=4)
        await set_password(kube, CONTROL_NAMESPACE, "admin", "admin-password", rounds=4)


async def cleanup(kubeconfig: str) -> None:
    async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
        for ns in (APP_NAMESPACE, CONTROL_NAMESPACE):
            await kube.delete("v1", "Namespace", ns)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def timed(
    http: httpx.Client, params: dict[str, str], headers: dict[str, str], runs: int
) -> tuple[list[float], int]:
    samples = []
    total = 0
    for _ in range(runs):
        began = time.perf_counter()
        response = http.get("/api/v1/applications", params=params, headers=headers)
        samples.append(time.perf_counter() - began)
        response.raise_for_status()
        total = int(response.json()["total"])
    return samples, total


def touch_policy(kubeconfig: str, version: int) -> None:
    async def go() -> None:
        async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
            await kube.patch(
                "v1",
                "ConfigMap",
                "rudder-rbac-cm",
                CONTROL_NAMESPACE,
                patch={"data": {"policy.csv": f"g, viewer, role:readonly\n# v{version}\n"}},
            )

    asyncio.run(go())


def measure(url: str, kubeconfig: str, admin: str, viewer: str, size: int, runs: int, version: int) -> None:
    with httpx.Client(base_url=url, timeout=60) as http:
        deadline = time.monotonic() + 300
        while http.get("/healthz").json()["applications"] < size:
            if time.monotonic() > deadline:
                raise SystemExit(f"server did not see {size} apps")
            time.sleep(0.5)
        time.sleep(5.0)  # let the server take in the last status writes before timing
        as_admin = {"Authorization": f"Bearer {admin}"}
        as_viewer = {"Authorization": f"Bearer {viewer}"}
        params = {"namespace": APP_NAMESPACE, "limit": "50"}
        filtered = {
            **params,
            "project": "team-3",
            "health": "Healthy",
            "selector": "tier=web",
            "search": "svc-0",
        }
        timed(http, params, as_admin, 3)  # warm up connections
        first, total = timed(http, params, as_admin, runs)
        narrow, matched = timed(http, filtered, as_admin, runs)
        touch_policy(kubeconfig, version)
        time.sleep(1.0)  # the server sees the ConfigMap change through its watch
        cold, _ = timed(http, params, as_viewer, 1)
        warm, _ = timed(http, params, as_viewer, runs)
    print(f"{size} apps (total {total}):")
    print(f"  first page, admin:            {summary(first)}")
    print(f"  filtered first page ({matched} match): {summary(narrow)}")
    print(f"  first page, readonly, cold:   {cold[0] * 1000:.1f} ms (first request after a policy change)")
    print(f"  first page, readonly, warm:   {summary(warm)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--kubeconfig", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    kubeconfig = args.kubeconfig
    started_cluster = False
    if not kubeconfig:
        subprocess.run([RUDDER, "cluster", "up", "--name", CLUSTER], check=True)
        kubeconfig = subprocess.run(
            [RUDDER, "cluster", "kubeconfig", "--name", CLUSTER], check=True, capture_output=True, text=True
        ).stdout.strip()
        started_cluster = True
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    asyncio.run(prepare(kubeconfig))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="bench-api-")) / "server.log"
    command = [
        RUDDER, "server", "--kubeconfig", kubeconfig, "--namespace", CONTROL_NAMESPACE,
        "--application-namespaces", APP_NAMESPACE, "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if http.get("/healthz").status_code == 200:
                        break
                time.sleep(0.2)

            admin = http.post("/api/v1/session", json={"username": "admin", "password": "admin-password"})
            viewer = http.post("/api/v1/session", json={"username": "viewer", "password": "viewer-password"})
            admin_token, viewer_token = admin.json()["token"], viewer.json()["token"]
        created = 0
        for version, size in enumerate(sizes):

            async def grow(start: int, stop: int) -> float:
                async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
                    return await create_apps(kube, start, stop)

            seconds = asyncio.run(grow(created, size))
            print(f"created apps {created}..{size} with status in {seconds:.1f}s")
            created = size
            measure(url, kubeconfig, admin_token, viewer_token, size, args.requests, version)
    finally:
        server.terminate()
        server.wait(30)
        asyncio.run(cleanup(kubeconfig))
        if started_cluster and not args.keep:
            subprocess.run([RUDDER, "cluster", "down", "--name", CLUSTER], check=False)


if __name__ == "__main__":
    main()
