"""What benchmarks/scale.py needs from a GitOps tool under test (Rudder or Flux): start
and restart its controllers, create N apps, trigger a refresh, tell when an app is ready
at a revision, and which processes to measure. Also the helpers both drivers share:
subprocess handling, free ports, and a watch-fed view of the tool's app objects."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.model.resource import ResourceKey, split_api_version


class Tool(Protocol):
    name: str
    version: str
    poll_interval: str

    async def start(self) -> None: ...
    def alive(self) -> None:
        """Raise if one of the tool's processes died."""

    async def create_apps(self, count: int) -> None: ...
    def ready(self, index: int, revision: str | None) -> bool: ...
    def ready_count(self) -> int: ...
    async def trigger(self, index: int, revision: str) -> None: ...
    def pids(self) -> list[int]: ...
    async def restart(self, *, polling: bool = False) -> None: ...
    def reported_count(self, since: float) -> int: ...
    async def stop(self) -> None: ...


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """One long-running command with its output in a log file; stopped with SIGTERM."""

    def __init__(self, name: str, argv: Sequence[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = env
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(self.env or {})},
            start_new_session=True,
        )
        handle.close()

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} not started"
        return self.popen.pid

    def check(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{tail}")

    def stop(self, timeout: float = 60) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


class Objects:
    """A watch-fed copy of one kind in one namespace (no LIST per check)."""

    def __init__(self, kube: KubeClient, api_version: str, kind: str, namespace: str) -> None:
        self._cache = LiveCache(kube, namespace=namespace)
        self.api_version = api_version
        self.kind = kind
        self.namespace = namespace
        self.group = split_api_version(api_version)[0]

    async def start(self) -> None:
        await self._cache.ensure(self.api_version, self.kind)

    def get(self, name: str) -> dict[str, Any] | None:
        return self._cache.get(ResourceKey(self.group, self.kind, self.namespace, name))

    def all(self) -> list[dict[str, Any]]:
        return self._cache.objects(self.api_version, self.kind)

    async def close(self) -> None:
        await self._cache.close()


async def wait_until(
    check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.02, alive: Callable[[], None]
) -> float:
    """Seconds until ``check()`` holds; raises TimeoutError naming ``what``."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    last_alive = 0.0
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout:.0f}s")
        if time.monotonic() - last_alive > 1.0:
            alive()
            last_alive = time.monotonic()
        await asyncio.sleep(interval)
    return time.perf_counter() - started
