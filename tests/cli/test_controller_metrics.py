"""``rudder controller --metrics-port`` serves the controller's own Prometheus metrics
(reconcile histogram, work-queue depth, cache age...) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx

from rudder.cluster.client import KubeClient
from rudder.controller.install import install_crds
from tests.cli.conftest import RUDDER
from tests.fixtures.cluster import ClusterInfo


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_controller_serves_its_metrics(cluster: ClusterInfo, kube: KubeClient, namespace: str) -> None:
    await install_crds(kube)
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        RUDDER, "controller", "--kubeconfig", str(cluster.kubeconfig), "--namespaces", namespace,
        "--metrics-port", str(port), "--log-level", "warning",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    text = ""
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline and process.returncode is None:
                try:
                    text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                    if "rudder_cluster_cache_age_seconds " in text:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
    finally:
        if process.returncode is None:
            process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert "# TYPE rudder_app_reconcile_seconds histogram" in text, err.decode()[-2000:]
    assert "# TYPE rudder_workqueue_depth gauge" in text
    assert "rudder_cluster_cache_age_seconds " in text
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the endpoint stops with the controller
