"""Engine figures for the README (Performance): commit → Synced/Healthy for a 10-resource
app triggered by a refresh (median, p95 over N commits), the reconcile time of an
unchanged app (render-cache and dry-run-cache hit), and the RSS of a `rudder controller`
process managing 100 apps of 10 resources each.

    python benchmarks/engine.py [--commits 20] [--apps 100] [--kubeconfig PATH] [--json FILE]

Without --kubeconfig a local cluster named ``bench-engine`` is started and stopped.
Timings are printed, never asserted."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from rudder.api.applications import request_refresh
from rudder.cluster.client import KubeClient
from rudder.controller.context import ControllerOptions
from rudder.controller.install import install_crds
from rudder.controller.manager import Controller
from rudder.controller.reconciler import reconcile
from rudder.model.application import APP_API_VERSION
from workload import application, cpu_seconds, git, rss_mib

RUDDER = str(Path(sys.executable).parent / "rudder")


def ten_resources(app: str, version: int) -> str:
    """A ConfigMap carrying ``version``, 3 Deployments, 3 Services, 3 more ConfigMaps."""
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{app}-version"},
            "data": {"v": str(version)},
        }
    ]
    for i in range(3):
        name = f"{app}-web{i}"
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {
                        "metadata": {"labels": {"app": name}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                    },
                },
            }
        )
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name},
                "spec": {"selector": {"app": name}, "ports": [{"port": 80}]},
            }
        )
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{app}-cfg{i}"},
                "data": {"i": str(i)},
            }
        )
    return yaml.safe_dump_all(docs)


def make_repo(root: Path, apps: int) -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for i in range(apps):
        (repo / f"apps/app{i}").mkdir(parents=True)
        (repo / f"apps/app{i}/all.yaml").write_text(ten_resources(f"app{i}", 0))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "apps")
    return repo


async def wait_for(
    kube: KubeClient, namespace: str, name: str, revision: str | None, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app = await kube.get(APP_API_VERSION, "Application", name, namespace)
        status = app.get("status") or {}
        if (
            status.get("sync", {}).get("status") == "Synced"
            and status.get("health", {}).get("status") == "Healthy"
            and (revision is None or status["sync"].get("revision") == revision)
        ):
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{name} not Synced/Healthy at {revision}")


async def ensure_namespace(kube: KubeClient, name: str) -> None:
    await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


async def latency(kube: KubeClient, work: Path, commits: int) -> dict[str, float]:
    """Commit → Synced/Healthy of one 10-resource app, refresh-triggered; and the cost
    of reconciling it when nothing changed."""
    namespace = "bench-latency"
    await ensure_namespace(kube, namespace)
    repo = make_repo(work, 1)
    controller = Controller(
        kube, ControllerOptions(namespaces=(namespace,), workers=2, cache_dir=work / "cache")
    )
    await controller.start()
    try:
        await kube.create(application("app0", namespace, f"file://{repo}", "apps/app0"))
        await wait_for(kube, namespace, "app0", None)
        samples = []
        for version in range(1, commits + 1):
            (repo / "apps/app0/all.yaml").write_text(ten_resources("app0", version))
            git(repo, "commit", "-qam", f"v{version}")
            sha = git(repo, "rev-parse", "HEAD")
            started = time.perf_counter()
            await request_refresh(kube, namespace, "app0")
            await wait_for(kube, namespace, "app0", sha)
            samples.append(time.perf_counter() - started)
        await asyncio.sleep(1)
        reconciles = []
        for _ in range(30):
            started = time.perf_counter()
            await reconcile(controller.ctx, (namespace, "app0"))
            reconciles.append(time.perf_counter() - started)
    finally:
        await controller.stop()
        await kube.delete("v1", "Namespace", namespace)
    samples.sort()
    return {
        "commit_to_synced_median_s": statistics.median(samples),
        "commit_to_synced_p95_s": samples[max(0, round(0.95 * len(samples)) - 1)],
        "unchanged_reconcile_median_ms": statistics.median(reconciles) * 1000,
    }


async def controller_rss(kube: KubeClient, kubeconfig: str, work: Path, apps: int) -> dict[str, float]:
    namespace = "bench-rss"
    await ensure_namespace(kube, namespace)
    (work / "rss").mkdir()
    repo = make_repo(work / "rss", apps)
    process = subprocess.Popen(
        [
            RUDDER,
            "controller",
            "--kubeconfig",
            kubeconfig,
            "--namespaces",
            namespace,
            "--cache-dir",
            str(work / "rss-cache"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                kube.create(application(f"app{i}", namespace, f"file://{repo}", f"apps/app{i}"))
                for i in range(apps)
            )
        )
        for i in range(apps):
            await wait_for(kube, namespace, f"app{i}", None, timeout=600)
        all_synced = time.perf_counter() - started
        await asyncio.sleep(30)
        cpu_before = cpu_seconds(process.pid)
        await asyncio.sleep(30)
        idle_cpu = (cpu_seconds(process.pid) - cpu_before) / 30 * 100
        return {
            "apps": apps,
            "all_synced_healthy_s": all_synced,
            "controller_rss_mib": rss_mib(process.pid),
            "controller_idle_cpu_percent": idle_cpu,
        }
    finally:
        process.terminate()
        process.wait(timeout=60)
        await kube.delete("v1", "Namespace", namespace)


async def run(kubeconfig: str, commits: int, apps: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rudder-bench-") as tmp:
        work = Path(tmp)
        async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
            await install_crds(kube)
            figures = await latency(kube, work, commits)
            figures.update(await controller_rss(kube, kubeconfig, work, apps))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--kubeconfig")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    own = args.kubeconfig is None
    kubeconfig = args.kubeconfig
    if own:
        nodes = 2 + (3 * args.apps) // 100  # a kwok node takes 110 pods; each app runs 3
        subprocess.run([RUDDER, "cluster", "up", "--name", "bench-engine", "--nodes", str(nodes)], check=True)
        kubeconfig = subprocess.run(
            [RUDDER, "cluster", "kubeconfig", "--name", "bench-engine"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    try:
        figures = asyncio.run(run(kubeconfig, args.commits, args.apps))
    finally:
        if own:
            subprocess.run([RUDDER, "cluster", "down", "--name", "bench-engine"], check=False)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value:10.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
