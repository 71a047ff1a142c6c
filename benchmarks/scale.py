"""Scale and latency of Rudder, and of Flux side by side (``--peer flux``), on a fresh
local cluster: N apps (a ConfigMap, a 1-replica Deployment and a Service each) from one
Git repository served over HTTP on 127.0.0.1. For each tool and each N it measures

- all N apps Synced and Healthy (Flux: Ready, which with ``wait`` includes health),
  from the moment the apps are created;
- commit -> Synced/Healthy of one app while the other N-1 are idle (median and p95),
  with a push trigger (Rudder: ``POST /api/webhook``; Flux: the GitRepository
  ``requestedAt`` annotation, which is what Flux's webhook receiver sets), and with
  polling only (both tools restarted with the ``--poll-interval``);
- controller CPU (% of one core, child processes included) and RSS, N apps idle;
- after a controller restart: time until every app has been reconciled and reported
  again, and CPU/RSS once more.

    python benchmarks/scale.py [--apps 100,500,1000] [--peer flux] [--commits 20] ...

Prints a table and writes JSON to benchmarks/results/. Timings are never asserted."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from rudder.cluster.client import KubeClient
from rudder.model.duration import parse_duration
from tool import Objects, Process, Tool, wait_until
from tool_flux import FluxTool
from tool_rudder import RudderTool
from workload import commit_version, cpu_seconds, make_scale_repo, rss_mib, three_resources

RUDDER = str(Path(sys.executable).parent / "rudder")
RESULTS = Path(__file__).resolve().parent / "results"


def load() -> float:
    return os.getloadavg()[0]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def api_counts(kubeconfig: str) -> dict[str, int]:
    """The API server's request counters (every client): all requests, server-side
    applies, and dry runs, to count what a stage cost the control plane."""
    text = subprocess.run(
        [
            str(Path(sys.executable).parent / "kubectl"),
            "--kubeconfig",
            kubeconfig,
            "get",
            "--raw",
            "/metrics",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    counts = {"requests": 0, "applies": 0, "dry_runs": 0, "application_writes": 0}
    for line in text.splitlines():
        if not line.startswith("apiserver_request_total{"):
            continue
        labels, _, value = line.rpartition(" ")
        if 'verb="WATCH"' in labels:
            continue
        n = int(float(value))
        counts["requests"] += n
        if 'dry_run="All"' in labels:
            counts["dry_runs"] += n
        elif 'verb="APPLY"' in labels:
            counts["applies"] += n
        if 'resource="applications"' in labels and ('verb="PATCH"' in labels or 'verb="UPDATE"' in labels):
            counts["application_writes"] += n
    return counts


class Run:
    """The measurements of one tool at one N."""

    def __init__(self, tool: Tool, repo: Path, args: argparse.Namespace, kubeconfig: str) -> None:
        self.tool = tool
        self.repo = repo
        self.args = args
        self.kubeconfig = kubeconfig
        self.figures: dict[str, Any] = {"version": tool.version}
        self.version = 0

    async def wait(self, check: Any, *, timeout: float, what: str) -> float:
        return await wait_until(
            check, timeout=timeout, what=f"{self.tool.name}: {what}", alive=self.tool.alive
        )

    async def all_ready(self, count: int) -> None:
        await self.tool.start()
        before = api_counts(self.kubeconfig)
        started = time.perf_counter()
        load_before = load()
        await self.tool.create_apps(count)
        await self.wait(lambda: self.tool.ready_count() == count, timeout=3600, what=f"{count} apps ready")
        self.figures["all_ready_s"] = time.perf_counter() - started
        self.figures["all_ready_api"] = self.api_delta(before)
        self.figures["all_ready_load"] = [load_before, load()]
        print(f"  {self.tool.name}: {count} apps ready in {self.figures['all_ready_s']:.1f}s", flush=True)

    def api_delta(self, before: dict[str, int]) -> dict[str, int]:
        after = api_counts(self.kubeconfig)
        return {key: after[key] - before[key] for key in before}

    def git_requests(self) -> int:
        """Ref advertisements (ls-remote, fetch) the Git server answered so far."""
        log = self.repo.parents[1] / "git-http.log"
        return log.read_text().count("/info/refs?") if log.exists() else 0

    async def latency(self, label: str, *, trigger: bool, timeout: float, commits: int) -> None:
        before = api_counts(self.kubeconfig)
        samples = []
        interval = parse_duration(self.args.poll_interval, field="poll-interval")
        for _ in range(commits):
            if not trigger:
                # Right after a sample both tools have just polled; a commit at a random
                # point of the interval is what a user sees on average.
                await asyncio.sleep(random.uniform(0, interval))
            self.version += 1
            sha = commit_version(self.repo, 0, self.version)
            started = time.perf_counter()
            if trigger:
                await self.tool.trigger(0, sha)
            await self.wait(lambda s=sha: self.tool.ready(0, s), timeout=timeout, what=f"app0 at {sha[:8]}")
            samples.append(time.perf_counter() - started)
            await asyncio.sleep(self.args.pause)
        self.figures[f"{label}_median_s"] = statistics.median(samples)
        self.figures[f"{label}_p95_s"] = percentile(samples, 0.95)
        self.figures[f"{label}_samples_s"] = samples
        self.figures[f"{label}_api"] = self.api_delta(before)
        print(
            f"  {self.tool.name}: {label} median {statistics.median(samples):.2f}s "
            f"p95 {percentile(samples, 0.95):.2f}s",
            flush=True,
        )

    async def idle(self, label: str, seconds: float) -> None:
        await asyncio.sleep(self.args.settle)
        pids = self.tool.pids()
        api_before = api_counts(self.kubeconfig)
        git_before = self.git_requests()
        load_before = load()
        cpu_before = sum(cpu_seconds(p, children=True) for p in pids)
        started = time.monotonic()
        peak = 0.0
        while time.monotonic() - started < seconds:
            self.tool.alive()
            peak = max(peak, sum(rss_mib(p) for p in pids))
            await asyncio.sleep(min(5.0, seconds))
        elapsed = time.monotonic() - started
        cpu = sum(cpu_seconds(p, children=True) for p in pids) - cpu_before
        self.figures[f"{label}_cpu_percent"] = cpu / elapsed * 100
        self.figures[f"{label}_rss_mib"] = peak
        self.figures[f"{label}_load"] = [load_before, load()]
        self.figures[f"{label}_api"] = self.api_delta(api_before)
        self.figures[f"{label}_git_requests"] = self.git_requests() - git_before
        print(
            f"  {self.tool.name}: {label} CPU {cpu / elapsed * 100:.1f}% RSS {peak:.0f} MiB "
            f"(load {load_before:.1f}->{load():.1f})",
            flush=True,
        )

    async def restart(self, count: int) -> None:
        await self.tool.restart()
        started = time.perf_counter()
        since = time.time()
        await self.wait(
            lambda: self.tool.reported_count(since) >= count and self.tool.ready_count() == count,
            timeout=3600,
            what="all apps reported after restart",
            # reported_count reads logs or status; a coarse interval keeps the benchmark light
        )
        self.figures["restart_report_all_s"] = time.perf_counter() - started
        print(f"  {self.tool.name}: restart -> all reported in {self.figures['restart_report_all_s']:.1f}s")

    async def measure(self, count: int) -> dict[str, Any]:
        stages = set(self.args.stages.split(","))
        await self.all_ready(count)
        if "idle" in stages:
            await self.idle("idle", self.args.idle)
        if "trigger" in stages:
            await self.latency("trigger_latency", trigger=True, timeout=1800, commits=self.args.commits)
        if "restart" in stages:
            await self.restart(count)
            await self.idle("restart_idle", self.args.restart_idle)
        if "poll" in stages:
            await self.tool.restart(polling=True)
            await self.wait(
                lambda: self.tool.ready_count() == count, timeout=3600, what="ready after restart"
            )
            await self.latency(
                "poll_latency",
                trigger=False,
                commits=self.args.poll_commits,
                timeout=10 * parse_duration(self.args.poll_interval, field="poll"),
            )
        return self.figures


async def floor(kube: KubeClient, count: int) -> float:
    """Seconds from applying the N apps' objects straight to the cluster (no GitOps tool,
    16 at a time) until every Deployment is available: what the cluster itself needs
    (kube-controller-manager, scheduler, kwok), the floor under both tools' figure."""
    namespace = "scale-floor"
    await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    deployments = Objects(kube, "apps/v1", "Deployment", namespace)
    await deployments.start()
    semaphore = asyncio.Semaphore(16)

    async def apply(i: int) -> None:
        for doc in yaml.safe_load_all(three_resources(f"app{i}", 0)):
            doc["metadata"]["namespace"] = namespace
            async with semaphore:
                await kube.apply(doc, field_manager="benchmark")

    def available() -> bool:
        ready = [d for d in deployments.all() if (d.get("status") or {}).get("availableReplicas") == 1]
        return len(ready) == count

    started = time.perf_counter()
    try:
        await asyncio.gather(*(apply(i) for i in range(count)))
        await wait_until(available, timeout=3600, what="floor: deployments available", alive=lambda: None)
        return time.perf_counter() - started
    finally:
        await deployments.close()
        await delete_namespaces(kube, [namespace])


async def delete_namespaces(kube: KubeClient, names: list[str], timeout: float = 900) -> None:
    """Delete the namespaces one tool used and wait until they are gone, so the next
    tool starts on an equally empty cluster."""
    for name in names:
        await kube.delete("v1", "Namespace", name)
    deadline = time.monotonic() + timeout
    for name in names:
        while time.monotonic() < deadline:
            try:
                await kube.get("v1", "Namespace", name)
            except Exception:
                break
            await asyncio.sleep(2)


async def run_size(args: argparse.Namespace, kubeconfig: str, count: int, work: Path) -> dict[str, Any]:
    repo = work / "repos" / "work"
    head = make_scale_repo(repo, count)
    (work / "repos" / "bench.git").symlink_to(repo / ".git")
    port_file = work / "git-http.port"
    server = Process(
        "git http",
        [
            sys.executable,
            str(Path(__file__).parent / "githttp.py"),
            "--root",
            str(work / "repos"),
            "--port-file",
            str(port_file),
        ],
        work / "git-http.log",
    )
    server.start()
    while not port_file.exists() or not port_file.read_text():
        server.check()
        await asyncio.sleep(0.05)
    repo_url = f"http://127.0.0.1:{port_file.read_text()}/bench.git"
    result: dict[str, Any] = {"apps": count, "workload_head": head}
    try:
        async with await KubeClient.from_kubeconfig(kubeconfig) as kube:
            tools: list[Tool] = [
                RudderTool(
                    kube,
                    kubeconfig,
                    work,
                    repo_url,
                    workers=args.workers,
                    refresh_interval=args.refresh_interval,
                    poll_interval=args.poll_interval,
                )
            ]
            if args.peer == "flux":
                tools.append(
                    FluxTool(
                        kube,
                        kubeconfig,
                        work,
                        repo_url,
                        workers=args.workers,
                        interval=args.flux_interval,
                        poll_interval=args.poll_interval,
                    )
                )
            if "floor" in args.stages.split(","):
                result["floor_ready_s"] = await floor(kube, count)
                print(
                    f"floor: {count} apps' objects applied directly, available in {result['floor_ready_s']:.1f}s"
                )
            for tool in tools:
                print(f"{tool.name} ({tool.version}), {count} apps:", flush=True)
                try:
                    result[tool.name] = await Run(tool, repo, args, kubeconfig).measure(count)
                finally:
                    await tool.stop()
                if tool is not tools[-1]:
                    await delete_namespaces(kube, _namespaces(tool))
    finally:
        server.stop()
    return result


def _namespaces(tool: Tool) -> list[str]:
    if isinstance(tool, RudderTool):
        from tool_rudder import APPS_NAMESPACE, DESTINATION

        return [APPS_NAMESPACE, DESTINATION]
    from tool_flux import DESTINATION as FLUX_DESTINATION
    from tool_flux import NAMESPACE

    return [NAMESPACE, FLUX_DESTINATION]


def cluster_up(name: str, count: int) -> str:
    nodes = max(2, math.ceil(count / 100) + 1)  # kwok nodes take 110 pods each
    subprocess.run([RUDDER, "cluster", "down", "--name", name], check=False, capture_output=True)
    subprocess.run([RUDDER, "cluster", "up", "--name", name, "--nodes", str(nodes)], check=True)
    return subprocess.run(
        [RUDDER, "cluster", "kubeconfig", "--name", name], check=True, capture_output=True, text=True
    ).stdout.strip()


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) // 1024 // 1024
    go = subprocess.run(["go", "version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "go": go,
        "kernel": platform.release(),
    }


ROWS = (
    ("all_ready_s", "all N apps Synced+Healthy (s)"),
    ("trigger_latency_median_s", "commit->Synced, push trigger, median (s)"),
    ("trigger_latency_p95_s", "commit->Synced, push trigger, p95 (s)"),
    ("poll_latency_median_s", "commit->Synced, polling, median (s)"),
    ("poll_latency_p95_s", "commit->Synced, polling, p95 (s)"),
    ("idle_cpu_percent", "idle CPU (% of one core)"),
    ("idle_rss_mib", "idle RSS (MiB)"),
    ("restart_report_all_s", "restart -> all apps reported (s)"),
    ("restart_idle_cpu_percent", "after restart: idle CPU (%)"),
    ("restart_idle_rss_mib", "after restart: RSS (MiB)"),
)


def table(result: dict[str, Any]) -> str:
    tools = [t for t in ("rudder", "flux") if t in result]
    header = f"{'N = ' + str(result['apps']):<44}" + "".join(f"{t:>12}" for t in tools)
    if len(tools) == 2:
        header += f"{'flux/rudder':>13}"
    lines = [header, "-" * len(header)]
    if "floor_ready_s" in result:
        lines.append(f"{'same objects applied directly, available (s)':<44}{result['floor_ready_s']:>12.2f}")
    for key, label in ROWS:
        values = [result[t].get(key) for t in tools]
        line = f"{label:<44}" + "".join(f"{v:>12.2f}" if v is not None else f"{'-':>12}" for v in values)
        if len(tools) == 2 and all(values) and values[0]:
            line += f"{values[1] / values[0]:>12.2f}x"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", default="100,500,1000", help="comma-separated N values")
    parser.add_argument("--peer", choices=["flux"], help="also measure Flux in the same run")
    parser.add_argument("--commits", type=int, default=20, help="commits for the push-trigger figure")
    parser.add_argument("--poll-commits", type=int, default=20, help="commits for the polling figure")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between two commits")
    parser.add_argument("--workers", type=int, default=4, help="Rudder --workers = Flux --concurrent")
    parser.add_argument("--refresh-interval", default="120s", help="Rudder's periodic refresh")
    parser.add_argument("--flux-interval", default="1m", help="Kustomization and GitRepository interval")
    parser.add_argument("--poll-interval", default="30s", help="both tools' interval for the polling figure")
    parser.add_argument("--idle", type=float, default=120.0, help="seconds of the idle CPU/RSS window")
    parser.add_argument("--restart-idle", type=float, default=120.0, help="idle window after the restart")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before an idle window starts")
    parser.add_argument(
        "--stages",
        default="floor,trigger,idle,restart,poll",
        help="floor (objects applied directly), then per tool after all apps are ready: trigger,idle,restart,poll",
    )
    parser.add_argument("--kubeconfig", help="use this cluster instead of a fresh local one per N")
    parser.add_argument("--cluster", default="bench-scale", help="name of the local cluster")
    parser.add_argument("--keep-cluster", action="store_true", help="leave the local cluster running")
    parser.add_argument(
        "--json", type=Path, help="output file (default: benchmarks/results/scale-<time>.json)"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.apps.split(",") if n.strip()]
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "rudder_commit": subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parent), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "kubeconfig")},
        "runs": [],
    }
    out = args.json or RESULTS / f"scale-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for count in counts:
        kubeconfig = args.kubeconfig or cluster_up(args.cluster, count)
        try:
            with tempfile.TemporaryDirectory(prefix="rudder-scale-") as tmp:
                result = asyncio.run(run_size(args, kubeconfig, count, Path(tmp)))
        finally:
            if not args.kubeconfig and not args.keep_cluster:
                subprocess.run([RUDDER, "cluster", "down", "--name", args.cluster], check=False)
        report["runs"].append(result)
        out.write_text(json.dumps(report, indent=2))
        print(table(result), flush=True)
    print(f"results: {out}")


if __name__ == "__main__":
    main()
