"""A real ``rudder server`` (FastAPI under uvicorn on 127.0.0.1, a free port) running in
a thread with its own event loop and its own API client, so tests talk HTTP to it
while their own loop runs a controller. ``call()`` runs a coroutine on the server's
loop (to read its state safely)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from rudder.api.options import ServerOptions
from rudder.api.server import create_app
from rudder.api.state import ServerState
from rudder.cluster.client import KubeClient

T = TypeVar("T")


class ThreadServer:
    def __init__(self, kubeconfig: Path, options: ServerOptions) -> None:
        self.kubeconfig = kubeconfig
        self.options = options
        self.url = ""
        self.state: ServerState | None = None
        self.client: KubeClient | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="rudder-test-server", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, *, timeout: float = 60.0) -> ThreadServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"rudder server did not start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("rudder server not ready in time")
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start()
            self._error = exc

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.client = await KubeClient.from_kubeconfig(self.kubeconfig)
        try:
            app = create_app(self.client, self.options)
            self.state = app.state.rudder
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            config = uvicorn.Config(
                app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
            )
            self._server = uvicorn.Server(config)
            watcher = asyncio.create_task(self._wait_started())
            await self._server.serve(sockets=[sock])
            watcher.cancel()
        finally:
            await self.client.close()

    async def _wait_started(self) -> None:
        while self._server is not None and not self._server.started:  # noqa: ASYNC110 (uvicorn has no event)
            await asyncio.sleep(0.02)
        self._ready.set()

    def call(self, factory: Callable[[], Coroutine[Any, Any, T]], *, timeout: float = 60.0) -> T:
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(factory(), self._loop)
        return future.result(timeout)

    async def acall(self, factory: Callable[[], Coroutine[Any, Any, T]], *, timeout: float = 60.0) -> T:
        """``call`` from inside another event loop, without blocking it."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(factory(), self._loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(30)
