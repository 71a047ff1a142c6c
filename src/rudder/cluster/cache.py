"""Watch-fed live-object cache: one list-then-watch loop per kind in use, objects
indexed by key and by the Argo CD tracking-id's application, and change callbacks so
the controller reacts to live edits (self-heal) without polling. Used by the controller."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rudder.cluster.client import KubeClient, ResourceExpiredError
from rudder.model.errors import ClusterError, NotFoundError
from rudder.model.resource import (
    TRACKING_ANNOTATION,
    Manifest,
    ResourceKey,
    key_of,
    parse_tracking_id,
    split_api_version,
)
from rudder.observability.logging import get_logger

log = get_logger(__name__)

ChangeCallback = Callable[[str, Manifest, Manifest | None], None]
"""Called as ``(event_type, object, previous)`` for every observed change."""


def _version(obj: Manifest) -> int:
    raw = str((obj.get("metadata") or {}).get("resourceVersion") or "0")
    return int(raw) if raw.isdigit() else 0


def _app_of(obj: Manifest) -> str:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    info = parse_tracking_id(str(annotations.get(TRACKING_ANNOTATION, "")))
    return info.app_instance if info else ""


@dataclass
class _Informer:
    api_version: str
    kind: str
    objects: dict[ResourceKey, Manifest] = field(default_factory=dict)
    synced: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    last_event: float = 0.0
    error: str = ""


class LiveCache:
    """Live objects of every watched kind. ``ensure()`` starts watching a kind;
    ``tracked(app)`` returns what an application owns, without a LIST."""

    def __init__(self, client: KubeClient, *, namespace: str = "", label_selector: str = "") -> None:
        self._client = client
        self._namespace = namespace
        self._selector = label_selector
        self._informers: dict[tuple[str, str], _Informer] = {}
        self._by_app: dict[str, set[ResourceKey]] = {}
        self._kind_of: dict[tuple[str, str], tuple[str, str]] = {}  # (group, kind) -> (apiVersion, kind)
        self._callbacks: list[ChangeCallback] = []
        self._closed = False

    def subscribe(self, callback: ChangeCallback) -> None:
        self._callbacks.append(callback)

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return list(self._informers)

    def age_seconds(self) -> float:
        """Seconds since the most recent event on any watch (for metrics)."""
        latest = max((i.last_event for i in self._informers.values()), default=0.0)
        return time.monotonic() - latest if latest else 0.0

    async def ensure(self, api_version: str, kind: str, *, timeout: float = 30.0) -> None:
        """Start watching ``kind`` if not yet, and wait until its first list is loaded.
        Raises NotFoundError when the kind does not exist on the server."""
        informer = self._informers.get((api_version, kind))
        if informer is None:
            await self._client.resource(api_version, kind)  # fail fast for unknown kinds
            informer = _Informer(api_version, kind)
            self._informers[(api_version, kind)] = informer
            group, _ = split_api_version(api_version)
            self._kind_of.setdefault((group, kind), (api_version, kind))
            informer.task = asyncio.create_task(self._run(informer), name=f"watch {kind}.{api_version}")
        if not informer.synced.is_set():
            try:
                await asyncio.wait_for(informer.synced.wait(), timeout)
            except TimeoutError as exc:
                raise ClusterError(
                    f"watch {kind} ({api_version}): not synced after {timeout:.0f}s: {informer.error}",
                    temporary=True,
                ) from exc

    def get(self, key: ResourceKey) -> Manifest | None:
        """The live object for ``key`` if its kind is watched and it exists."""
        ref = self._kind_of.get((key.group, key.kind))
        if ref is None:
            return None
        informer = self._informers.get(ref)
        return informer.objects.get(key) if informer else None

    def objects(self, api_version: str, kind: str) -> list[Manifest]:
        """Every cached object of one watched kind."""
        informer = self._informers.get((api_version, kind))
        return list(informer.objects.values()) if informer else []

    def watched(self, group: str, kind: str) -> bool:
        ref = self._kind_of.get((group, kind))
        return ref is not None and self._informers[ref].synced.is_set()

    def tracked(self, app_instance: str) -> dict[ResourceKey, Manifest]:
        """Every watched object whose tracking-id names ``app_instance``."""
        out: dict[ResourceKey, Manifest] = {}
        for key in self._by_app.get(app_instance, set()):
            obj = self.get(key)
            if obj is not None:
                out[key] = obj
        return out

    def observe(self, obj: Manifest, *, notify: bool = False) -> None:
        """Record an object we just wrote, if newer than what the watch has delivered,
        so the next reconcile does not read a stale copy. The watch then skips the events
        up to this version, so a write's response that may carry someone else's change
        made meanwhile (an annotation on an Application whose status we patched) should
        be observed with ``notify``: subscribers get it as a change from the copy we had."""
        group, _ = split_api_version(str(obj.get("apiVersion", "")))
        ref = self._kind_of.get((group, str(obj.get("kind", ""))))
        if ref is None:
            return
        informer = self._informers[ref]
        key = key_of(obj)
        current = informer.objects.get(key)
        if current is None or _version(obj) > _version(current):
            self._store(informer, key, obj, notify=notify)

    def forget(self, key: ResourceKey) -> None:
        """Drop an object we just deleted (the watch confirms it shortly)."""
        ref = self._kind_of.get((key.group, key.kind))
        if ref is not None:
            self._remove(self._informers[ref], key, notify=False)

    async def close(self) -> None:
        self._closed = True
        tasks = [i.task for i in self._informers.values() if i.task]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- internals -------------------------------------------------------------------

    def _store(self, informer: _Informer, key: ResourceKey, obj: Manifest, *, notify: bool) -> None:
        previous = informer.objects.get(key)
        informer.objects[key] = obj
        old_app = _app_of(previous) if previous else ""
        new_app = _app_of(obj)
        if old_app and old_app != new_app:
            self._by_app.get(old_app, set()).discard(key)
        if new_app:
            self._by_app.setdefault(new_app, set()).add(key)
        if notify:
            self._emit("MODIFIED" if previous else "ADDED", obj, previous)

    def _remove(self, informer: _Informer, key: ResourceKey, *, notify: bool) -> None:
        previous = informer.objects.pop(key, None)
        if previous is None:
            return
        app = _app_of(previous)
        if app:
            self._by_app.get(app, set()).discard(key)
        if notify:
            self._emit("DELETED", previous, previous)

    def _emit(self, event_type: str, obj: Manifest, previous: Manifest | None) -> None:
        for callback in self._callbacks:
            try:
                callback(event_type, obj, previous)
            except Exception:  # a subscriber bug must not stop the watch
                log.exception("cache_callback_failed", kind=obj.get("kind"))

    async def _run(self, informer: _Informer) -> None:
        delay = 1.0
        while not self._closed:
            try:
                await self._list_and_watch(informer)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except ResourceExpiredError:
                continue
            except (ClusterError, NotFoundError, ValueError) as exc:
                informer.error = str(exc)
                log.warning(
                    "watch_failed", kind=informer.kind, api_version=informer.api_version, error=str(exc)
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _list_and_watch(self, informer: _Informer) -> None:
        listed = await self._client.list(
            informer.api_version, informer.kind, self._namespace, label_selector=self._selector
        )
        fresh = {key_of(obj): obj for obj in listed.items}
        for key in [k for k in informer.objects if k not in fresh]:
            self._remove(informer, key, notify=informer.synced.is_set())
        for key, obj in fresh.items():
            current = informer.objects.get(key)
            if current is None or _version(current) != _version(obj):
                self._store(informer, key, obj, notify=informer.synced.is_set())
        informer.synced.set()
        informer.error = ""
        informer.last_event = time.monotonic()
        version = listed.resource_version
        while not self._closed:
            async for event in self._client.watch(
                informer.api_version,
                informer.kind,
                self._namespace,
                resource_version=version,
                label_selector=self._selector,
            ):
                informer.last_event = time.monotonic()
                meta = event.object.get("metadata") or {}
                version = str(meta.get("resourceVersion") or version)
                if event.type == "BOOKMARK":
                    continue
                key = key_of(event.object)
                if event.type == "DELETED":
                    self._remove(informer, key, notify=True)
                else:
                    current = informer.objects.get(key)
                    if current is not None and _version(current) >= _version(event.object) > 0:
                        continue  # already observed through our own write
                    self._store(informer, key, event.object, notify=True)
