"""``rudder cluster up`` until a 3-replica Deployment is Available, with cached binaries;
prints its figures (README, Performance). Target: under 30 s.

    python benchmarks/cluster_up.py [--runs 3]

Each run: `rudder cluster up` (CLI, as a user runs it), then a Deployment applied with
server-side apply through KubeClient, polled until Available with 3 ready replicas, then
`rudder cluster down`. Reports each phase and the median over the runs."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rudder.cluster.client import KubeClient

RUDDER = str(Path(sys.executable).parent / "rudder")

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "bench", "namespace": "default"},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "bench"}},
        "template": {
            "metadata": {"labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        },
    },
}


async def deploy_until_available(kubeconfig: str) -> None:
    async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
        await kube.apply(DEPLOYMENT)
        while True:
            live = await kube.get("apps/v1", "Deployment", "bench", "default")
            status = live.get("status") or {}
            available = any(
                c.get("type") == "Available" and c.get("status") == "True"
                for c in status.get("conditions") or []
            )
            if available and status.get("availableReplicas") == 3:
                return
            await asyncio.sleep(0.05)


def cli(*args: str) -> str:
    return subprocess.run(
        [RUDDER, "cluster", *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def one_run(name: str) -> tuple[float, float, float]:
    started = time.monotonic()
    cli("up", "--name", name, "--nodes", "1")
    up = time.monotonic() - started
    try:
        asyncio.run(deploy_until_available(cli("kubeconfig", "--name", name)))
        available = time.monotonic() - started
    finally:
        stopping = time.monotonic()
        cli("down", "--name", name)
        down = time.monotonic() - stopping
    return up, available, down


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for run in range(1, args.runs + 1):
        up, available, down = one_run(f"bench-{os.getpid()}-{run}")
        results.append((up, available, down))
        print(
            f"run {run}: up {up:.1f} s, 3-replica Deployment Available at {available:.1f} s, down {down:.1f} s"
        )
    ups, availables, downs = zip(*results, strict=True)
    print(
        f"median over {args.runs} runs: `rudder cluster up` {statistics.median(ups):.1f} s;"
        f" up -> Deployment Available {statistics.median(availables):.1f} s (target < 30 s);"
        f" down {statistics.median(downs):.1f} s"
    )


if __name__ == "__main__":
    main()
