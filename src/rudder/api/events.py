"""Kubernetes Events about Applications, from a watch-fed cache started on first use
(cluster-wide, or per served namespace) and indexed by the involved object's uid, so
the events route never lists. Used by the events route."""

from __future__ import annotations

import asyncio
from typing import Any

from rudder.api.options import ServerOptions
from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.model.resource import Manifest, key_of


class AppEvents:
    def __init__(self, client: KubeClient, options: ServerOptions) -> None:
        self._client = client
        self._options = options
        namespaces = (
            sorted({options.control_namespace, *options.app_namespaces}) if options.app_namespaces else [""]
        )
        self._caches = {ns: LiveCache(client, namespace=ns) for ns in namespaces}
        self._by_uid: dict[str, set[Any]] = {}
        self._started = False
        self._lock = asyncio.Lock()

    async def _start(self) -> None:
        async with self._lock:
            if self._started:
                return
            for cache in self._caches.values():
                cache.subscribe(self._on_change)
                await cache.ensure("v1", "Event", timeout=self._options.cache_timeout)
                for obj in cache.objects("v1", "Event"):
                    self._index(obj)
            self._started = True

    async def close(self) -> None:
        for cache in self._caches.values():
            await cache.close()

    def _index(self, obj: Manifest, *, remove: bool = False) -> None:
        uid = str((obj.get("involvedObject") or {}).get("uid") or "")
        if not uid:
            return
        if remove:
            self._by_uid.get(uid, set()).discard(key_of(obj))
        else:
            self._by_uid.setdefault(uid, set()).add(key_of(obj))

    def _on_change(self, event_type: str, obj: Manifest, _: Manifest | None) -> None:
        self._index(obj, remove=event_type == "DELETED")

    async def for_object(self, obj: Manifest) -> list[Manifest]:
        """Events whose involvedObject is ``obj``, oldest first."""
        await self._start()
        meta = obj.get("metadata") or {}
        uid = str(meta.get("uid") or "")
        cache = self._caches.get("") or self._caches.get(str(meta.get("namespace") or ""))
        if cache is None or not uid:
            return []
        found = [e for k in self._by_uid.get(uid, set()) if (e := cache.get(k)) is not None]
        return sorted(
            found, key=lambda e: (str(e.get("lastTimestamp") or e.get("eventTime") or ""), key_of(e).name)
        )
