"""A real ``rudder server`` process for the UI tests: started with the CLI on a free
local port against the test cluster, serving the Applications of one namespace, with its
own control namespace (settings, accounts) so parallel tests never share an admin; ready
when /healthz says so; the admin password taken the way ``rudder admin initial-password``
takes it. Its log is kept in the test's tmp_path."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from rudder.api.accounts import take_initial_password
from rudder.cluster.client import KubeClient

RUDDER = str(Path(sys.executable).parent / "rudder")


@dataclass(frozen=True, slots=True)
class RudderServer:
    url: str
    password: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@asynccontextmanager
async def running_server(
    kube: KubeClient,
    kubeconfig: Path,
    *,
    control_namespace: str,
    app_namespace: str,
    log: Path,
    timeout: float = 90.0,
) -> AsyncIterator[RudderServer]:
    port = free_port()
    command = [
        RUDDER, "server", "--kubeconfig", str(kubeconfig), "--namespace", control_namespace,
        "--application-namespaces", app_namespace, "--address", "127.0.0.1", "--port", str(port),
        "--log-format", "console", "--log-level", "warning",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(*command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as http:
            while True:
                if process.returncode is not None:
                    raise AssertionError(f"rudder server exited with {process.returncode}:\n{_tail(log)}")
                try:
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"rudder server not ready after {timeout:.0f}s:\n{_tail(log)}")
                await asyncio.sleep(0.2)
        password = await take_initial_password(kube, control_namespace)
        yield RudderServer(url=url, password=password, log=log)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
