"""Web UI list page load time at 5,000 Applications in Chromium (README, Performance).

    python benchmarks/ui_list.py [--apps 5000] [--runs 10] [--kubeconfig PATH] [--keep] [--json FILE]

Creates N Applications in a local cluster (no controller runs, so they never sync; each
gets a status with a health, a sync status and a revision so the badges vary as in real
life), starts a real ``rudder server`` and signs in. Then, for each run, a fresh browser
context (empty HTTP cache, the session cookie only) opens ``/#/applications`` in Debian's
Chromium and reads the page's own timings (and once more with the UI's files already in
the browser's cache, as for a returning user):

- first meaningful paint: the ``rudder:list-painted`` mark, set in the frame after the
  first page of rows is in the DOM (time from navigation start);
- rows in the DOM (``rudder:list-rendered``), first contentful paint, largest contentful
  paint, and the duration of the list request as the browser saw it.

Also timed: a filtered first page (``health=Degraded&search=app-04``) and the last page.
Without --kubeconfig a local cluster named ``bench-ui`` is started, and stopped unless
--keep. Figures are printed (median and p95 over the runs), never asserted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, async_playwright

from rudder.api.accounts import set_password
from rudder.cluster.client import KubeClient
from rudder.controller.install import install_crds
from rudder.model.application import APP_API_VERSION
from rudder.model.errors import ConflictError

RUDDER = str(Path(sys.executable).parent / "rudder")
CLUSTER = "bench-ui"
APP_NAMESPACE = "bench-ui"
CONTROL_NAMESPACE = "bench-ui-control"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEALTH = ["Healthy"] * 8 + ["Progressing", "Degraded", "Missing", "Suspended"]
SHA = "9c1e0a4b2f7d8e6a5c3b1d0f9e8a7b6c5d4e3f2a"

READ_TIMINGS = """() => {
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
  const list = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/v1/applications?'));
  return new Promise((resolve) => {
    let lcp = null;
    new PerformanceObserver((entries) => {
      for (const e of entries.getEntries()) lcp = e.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
    setTimeout(() => resolve({
      painted: mark('rudder:list-painted'), rendered: mark('rudder:list-rendered'), fcp: paint, lcp,
      api: list ? list.duration : null, apiBytes: list ? list.encodedBodySize : null,
      rows: document.querySelectorAll('[data-testid=app-row]').length,
    }), 50);
  });
}"""


def application(i: int) -> dict[str, Any]:
    team = ["web", "payments", "data", "platform"][i % 4]
    return {
        "apiVersion": APP_API_VERSION,
        "kind": "Application",
        "metadata": {"name": f"app-{i:05d}", "namespace": APP_NAMESPACE, "labels": {"team": team}},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": f"https://git.example.com/{team}/service-{i % 97}.git",
                "path": f"deploy/overlays/{['prod', 'staging'][i % 2]}",
                "targetRevision": "HEAD",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": f"{team}-{i % 50}"},
        },
    }


def status(i: int) -> dict[str, Any]:
    health = HEALTH[i % len(HEALTH)]
    return {
        "sync": {"status": "OutOfSync" if i % 7 == 3 else "Synced", "revision": SHA},
        "health": {"status": health, "message": "" if health == "Healthy" else f"{health} for a benchmark"},
        "reconciledAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


async def ensure_apps(kube: KubeClient, count: int) -> None:
    for namespace in (APP_NAMESPACE, CONTROL_NAMESPACE):
        await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    await install_crds(kube)
    existing = {
        o["metadata"]["name"] for o in (await kube.list(APP_API_VERSION, "Application", APP_NAMESPACE)).items
    }
    missing = [i for i in range(count) if f"app-{i:05d}" not in existing]
    started = time.monotonic()
    gate = asyncio.Semaphore(48)

    async def one(i: int) -> None:
        async with gate:
            with contextlib.suppress(ConflictError):
                await kube.create(application(i))
            await kube.patch(
                APP_API_VERSION,
                "Application",
                f"app-{i:05d}",
                APP_NAMESPACE,
                patch={"status": status(i)},
                subresource="status",
            )

    await asyncio.gather(*(one(i) for i in missing))
    if missing:
        print(f"created {len(missing)} Applications in {time.monotonic() - started:.1f} s")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_server(kubeconfig: str, log: Path, apps: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        RUDDER, "server", "--kubeconfig", kubeconfig, "--namespace", CONTROL_NAMESPACE,
        "--application-namespaces", APP_NAMESPACE, "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"rudder server exited:\n{tail(log)}")
            try:
                body = (await http.get(f"{url}/healthz")).json()
                if body.get("status") == "ok" and body.get("applications", 0) >= apps:
                    break
            except (httpx.TransportError, ValueError):
                pass
            if time.monotonic() - started > 180:
                raise SystemExit(f"rudder server not ready:\n{tail(log)}")
            await asyncio.sleep(0.2)
    print(f"rudder server ready with {apps} apps in {time.monotonic() - started:.1f} s")
    return process, url


async def measure(
    browser: Browser, url: str, state: dict[str, Any], route: str, runs: int, *, warm: bool = False
) -> list[dict[str, Any]]:
    """``runs`` page loads of ``route``: each in a fresh context (cold HTTP cache), or with
    ``warm`` all in one context, so the UI's files come from the browser's cache."""
    samples = []
    shared = await browser.new_context(viewport={"width": 1440, "height": 900}, storage_state=state)
    for _ in range(runs + 1):  # the first run warms the server (and the cache); not counted
        context = (
            shared
            if warm
            else await browser.new_context(viewport={"width": 1440, "height": 900}, storage_state=state)
        )
        page = await context.new_page()
        await page.goto(f"{url}/#{route}")
        await page.wait_for_function("performance.getEntriesByName('rudder:list-painted').length > 0")
        samples.append(await page.evaluate(READ_TIMINGS))
        await page.close()
        if not warm:
            await context.close()
    await shared.close()
    return samples[1:]


def summary(name: str, samples: list[dict[str, Any]]) -> dict[str, Any]:
    def stat(key: str) -> tuple[float, float]:
        values = sorted(float(s[key]) for s in samples if s[key] is not None)
        if not values:
            return (float("nan"), float("nan"))
        return statistics.median(values), values[max(0, round(0.95 * len(values)) - 1)]

    out: dict[str, Any] = {"rows": samples[0]["rows"], "api_bytes": samples[0]["apiBytes"]}
    for key in ("painted", "rendered", "fcp", "lcp", "api"):
        out[f"{key}_median_ms"], out[f"{key}_p95_ms"] = stat(key)
    print(
        f"{name}: first meaningful paint (rows painted) median {out['painted_median_ms']:.0f} ms,"
        f" p95 {out['painted_p95_ms']:.0f} ms; rows in DOM {out['rendered_median_ms']:.0f} ms;"
        f" FCP {out['fcp_median_ms']:.0f} ms; LCP {out['lcp_median_ms']:.0f} ms;"
        f" list request {out['api_median_ms']:.0f} ms ({out['api_bytes']} bytes, {out['rows']} rows)"
    )
    return out


async def run(args: argparse.Namespace, kubeconfig: str, work: Path) -> dict[str, Any]:
    async with await KubeClient.from_kubeconfig(Path(kubeconfig)) as kube:
        await ensure_apps(kube, args.apps)
        password = secrets.token_urlsafe(12)
        await set_password(kube, CONTROL_NAMESPACE, "admin", password)
    process, url = await start_server(kubeconfig, work / "server.log", args.apps)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = await browser.new_context()
            response = await context.request.post(
                f"{url}/api/v1/session", data={"username": "admin", "password": password}
            )
            assert response.ok, await response.text()
            state = await context.storage_state()
            await context.close()
            results = {
                "first_page": summary(
                    f"{args.apps} apps, first page",
                    await measure(browser, url, state, "/applications", args.runs),
                ),
                "first_page_warm": summary(
                    f"{args.apps} apps, first page, UI files in the browser cache",
                    await measure(browser, url, state, "/applications", args.runs, warm=True),
                ),
                "filtered": summary(
                    f"{args.apps} apps, filtered (health=Degraded, search=app-04)",
                    await measure(
                        browser, url, state, "/applications?health=Degraded&search=app-04", args.runs
                    ),
                ),
                "last_page": summary(
                    f"{args.apps} apps, last page",
                    await measure(
                        browser, url, state, f"/applications?page={(args.apps + 49) // 50}", args.runs
                    ),
                ),
            }
            await browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--kubeconfig", help="an existing cluster (default: start a local one)")
    parser.add_argument("--keep", action="store_true", help="leave the local cluster running")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rudder-bench-ui-"))
    started_cluster = False
    kubeconfig = args.kubeconfig
    if not kubeconfig:
        state = subprocess.run(
            [RUDDER, "cluster", "status"], capture_output=True, text=True, check=True
        ).stdout
        if not any(line.split()[:2] == [CLUSTER, "Running"] for line in state.splitlines()):
            subprocess.run([RUDDER, "cluster", "up", "--name", CLUSTER, "--nodes", "1"], check=True)
            started_cluster = True
        kubeconfig = subprocess.run(
            [RUDDER, "cluster", "kubeconfig", "--name", CLUSTER], capture_output=True, text=True, check=True
        ).stdout.strip()
    try:
        results = asyncio.run(run(args, kubeconfig, work))
        load = os.getloadavg()
        results["load_average"] = list(load)
        print(f"load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 cores)")
    finally:
        if started_cluster and not args.keep:
            subprocess.run([RUDDER, "cluster", "down", "--name", CLUSTER], check=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
