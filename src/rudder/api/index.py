"""The server's view of Applications: watch-fed caches (all namespaces, or the control
namespace plus the served ones) with a summary per app kept up to date on every
change, a sorted order for paging, and listeners for the live stream. No request
lists from the API server. Used by the routes, the webhook and metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rudder.api.options import ServerOptions
from rudder.api.summary import summarize
from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.model.application import APP_API_VERSION
from rudder.model.resource import Manifest, ResourceKey
from rudder.observability.logging import get_logger

log = get_logger(__name__)
AppKey = tuple[str, str]
Listener = Callable[[str, dict[str, Any], Manifest], None]
"""Called as ``(ADDED|MODIFIED|DELETED, summary, application)``."""


def _version(obj: Manifest) -> int:
    raw = str((obj.get("metadata") or {}).get("resourceVersion") or "0")
    return int(raw) if raw.isdigit() else 0


def _key(obj: Manifest) -> AppKey:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


class AppIndex:
    def __init__(self, client: KubeClient, options: ServerOptions) -> None:
        self.options = options
        if options.app_namespaces:
            names = sorted({options.control_namespace, *options.app_namespaces})
            self._caches = {ns: LiveCache(client, namespace=ns) for ns in names}
        else:
            self._caches = {"": LiveCache(client)}
        self._summaries: dict[AppKey, dict[str, Any]] = {}
        self._order: list[AppKey] | None = None
        self._ordered: list[tuple[AppKey, dict[str, Any]]] | None = None
        self._listeners: list[Listener] = []
        self.synced = False

    async def start(self) -> None:
        for cache in self._caches.values():
            cache.subscribe(self._on_change)
            await cache.ensure(APP_API_VERSION, "Application", timeout=self.options.cache_timeout)
            for obj in cache.objects(APP_API_VERSION, "Application"):
                self._summaries[_key(obj)] = summarize(obj)
        self._order = None
        self._ordered = None
        self.synced = True

    async def close(self) -> None:
        for cache in self._caches.values():
            await cache.close()

    def age_seconds(self) -> float:
        return min((c.age_seconds() for c in self._caches.values()), default=0.0)

    def _cache(self, namespace: str) -> LiveCache | None:
        return self._caches.get("") or self._caches.get(namespace)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def listeners(self) -> int:
        """How many live-stream clients are subscribed."""
        return len(self._listeners)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def get(self, namespace: str, name: str) -> Manifest | None:
        if not self.options.serves(namespace):
            return None
        cache = self._cache(namespace)
        if cache is None:
            return None
        return cache.get(ResourceKey("argoproj.io", "Application", namespace, name))

    def summary(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._summaries.get((namespace, name))

    def ordered(self) -> list[tuple[AppKey, dict[str, Any]]]:
        """(key, summary) of every served app, by namespace then name (rebuilt after a change)."""
        if self._ordered is None:
            if self._order is None:
                self._order = sorted(self._summaries)
            self._ordered = [(k, self._summaries[k]) for k in self._order if k in self._summaries]
        return self._ordered

    def __len__(self) -> int:
        return len(self._summaries)

    def observe(self, obj: Manifest) -> None:
        """Take an Application we just wrote, so the next read (and the stream) sees it."""
        namespace, name = _key(obj)
        cache = self._cache(namespace)
        if cache is None or not self.options.serves(namespace):
            return
        current = cache.get(ResourceKey("argoproj.io", "Application", namespace, name))
        if current is not None and _version(current) >= _version(obj):
            return
        cache.observe(obj)
        self._on_change("MODIFIED" if current is not None else "ADDED", obj, current)

    def _on_change(self, event_type: str, obj: Manifest, _: Manifest | None) -> None:
        key = _key(obj)
        if not self.options.serves(key[0]):
            return
        summary = summarize(obj)
        self._ordered = None
        if event_type == "DELETED":
            self._summaries.pop(key, None)
            self._order = None
        else:
            if key not in self._summaries:
                self._order = None
            self._summaries[key] = summary
        for listener in list(self._listeners):
            try:
                listener(event_type, summary, obj)
            except Exception:  # one broken subscriber must not stop the others
                log.exception("stream_listener_failed")
