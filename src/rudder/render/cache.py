"""In-memory LRU cache of render results keyed by (repo URL, commit SHA, path, source
spec hash, app name, namespace, kube/API versions), bounded by entries and by size,
with concurrent renders of one key collapsed into one. Used by render.manifests."""

from __future__ import annotations

import asyncio
import copy
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from rudder.render.request import RenderRequest, RenderResult


@dataclass(frozen=True, slots=True)
class RenderKey:
    """Everything that can change the output of a render."""

    repo_url: str
    revision: str
    path: str
    spec_hash: str
    app_name: str
    namespace: str
    kube_version: str
    api_versions: tuple[str, ...]

    @classmethod
    def of(cls, request: RenderRequest) -> RenderKey:
        source = request.source
        return cls(
            repo_url=source.repo_url,
            revision=request.revision,
            path=source.path,
            spec_hash=source.spec_hash,
            app_name=request.app_name,
            namespace=request.namespace,
            kube_version=request.kube_version,
            api_versions=request.api_versions,
        )


def _size_of(result: RenderResult) -> int:
    return len(json.dumps(result.manifests, separators=(",", ":"), default=str))


class RenderCache:
    """LRU of RenderResults: at most ``max_entries`` results and about ``max_bytes`` of
    manifests (JSON size). ``hits`` and ``misses`` count lookups since creation."""

    def __init__(self, *, max_entries: int = 1024, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[RenderKey, tuple[RenderResult, int]] = OrderedDict()
        self._bytes = 0
        self._inflight: dict[RenderKey, asyncio.Future[RenderResult]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: RenderKey) -> RenderResult | None:
        """A private copy of the cached result (marked ``from_cache``), or ``None``."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        result = entry[0]
        return replace(result, manifests=copy.deepcopy(result.manifests), from_cache=True)

    def put(self, key: RenderKey, result: RenderResult) -> None:
        """Store a private copy of ``result``, evicting least recently used entries."""
        stored = replace(result, manifests=copy.deepcopy(result.manifests), from_cache=False)
        size = _size_of(stored)
        if size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._entries[key] = (stored, size)
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= evicted

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    async def get_or_render(
        self, key: RenderKey, render: Callable[[], Awaitable[RenderResult]]
    ) -> RenderResult:
        """The cached result for ``key``, or the result of ``render()``, which runs once
        even when several callers ask for the same key at the same time."""
        cached = self.get(key)
        if cached is not None:
            self.hits += 1
            return cached
        pending = self._inflight.get(key)
        if pending is not None:
            self.hits += 1
            result = await asyncio.shield(pending)
            return replace(result, manifests=copy.deepcopy(result.manifests), from_cache=True)
        self.misses += 1
        future: asyncio.Future[RenderResult] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await render()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters get it, nobody else must
            raise
        else:
            self.put(key, result)
            future.set_result(replace(result, manifests=copy.deepcopy(result.manifests)))
            return result
        finally:
            del self._inflight[key]
