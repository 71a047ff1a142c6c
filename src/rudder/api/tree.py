"""The resource tree of an Application: the objects it tracks (from status.resources,
joined with the live objects of a watch-fed cache) and what controllers made from
them, found through ownerReferences (Deployment → ReplicaSet → Pod, CronJob → Job →
Pod, StatefulSet/DaemonSet → Pod). Kinds are watched on first use; an owner index is
kept up to date by the watch callbacks. Used by the resource-tree route."""

from __future__ import annotations

import asyncio
from typing import Any

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.health.registry import assess
from rudder.model.errors import ClusterError
from rudder.model.resource import Manifest, ResourceKey, key_of, split_api_version
from rudder.observability.logging import get_logger

log = get_logger(__name__)
CHILD_KINDS = (("apps/v1", "ReplicaSet"), ("v1", "Pod"), ("batch/v1", "Job"))
MAX_DEPTH = 4


def _uid(obj: Manifest) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def _images(obj: Manifest) -> list[str]:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    elif obj.get("kind") != "Pod":
        spec = (spec.get("template") or {}).get("spec") or {}
    found: list[str] = []
    for field in ("initContainers", "containers"):
        for container in spec.get(field) or []:
            image = container.get("image") if isinstance(container, dict) else None
            if image and image not in found:
                found.append(str(image))
    return found


def _info(obj: Manifest) -> list[dict[str, str]]:
    """A few facts worth showing next to a node, as Argo CD's UI does."""
    kind = obj.get("kind")
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    out: list[dict[str, str]] = []
    if kind == "Pod":
        out.append({"name": "Status Reason", "value": str(status.get("reason") or status.get("phase") or "")})
        restarts = sum(int(c.get("restartCount") or 0) for c in status.get("containerStatuses") or [])
        ready = sum(1 for c in status.get("containerStatuses") or [] if c.get("ready"))
        out.append({"name": "Containers", "value": f"{ready}/{len(spec.get('containers') or [])}"})
        out.append({"name": "Restart Count", "value": str(restarts)})
        if spec.get("nodeName"):
            out.append({"name": "Node", "value": str(spec["nodeName"])})
    elif kind in ("ReplicaSet", "Deployment", "StatefulSet"):
        out.append(
            {"name": "Replicas", "value": f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}"}
        )
        revision = ((obj.get("metadata") or {}).get("annotations") or {}).get(
            "deployment.kubernetes.io/revision"
        )
        if revision:
            out.append({"name": "Revision", "value": str(revision)})
    elif kind == "Service":
        out.append({"name": "Type", "value": str(spec.get("type") or "ClusterIP")})
        if spec.get("clusterIP"):
            out.append({"name": "Cluster IP", "value": str(spec["clusterIP"])})
    return [i for i in out if i["value"]]


def _node(
    obj: Manifest | None, entry: dict[str, Any], parents: list[dict[str, str]], sync_status: str
) -> dict[str, Any]:
    if obj is not None:
        meta = obj.get("metadata") or {}
        group, version = split_api_version(str(obj.get("apiVersion", "")))
        health = assess(obj)
        return {
            "group": group,
            "version": version,
            "kind": str(obj.get("kind", "")),
            "namespace": str(meta.get("namespace") or ""),
            "name": str(meta.get("name") or ""),
            "uid": _uid(obj),
            "health": {"status": health.status.value, "message": health.message} if health else None,
            "syncStatus": sync_status,
            "parentRefs": parents,
            "createdAt": str(meta.get("creationTimestamp") or ""),
            "images": _images(obj),
            "info": _info(obj),
        }
    recorded = entry.get("health") or {}
    return {
        "group": str(entry.get("group") or ""),
        "version": str(entry.get("version") or ""),
        "kind": str(entry.get("kind") or ""),
        "namespace": str(entry.get("namespace") or ""),
        "name": str(entry.get("name") or ""),
        "uid": "",
        "health": {
            "status": str(recorded.get("status") or "Missing"),
            "message": str(recorded.get("message") or ""),
        },
        "syncStatus": sync_status,
        "parentRefs": parents,
        "createdAt": "",
        "images": [],
        "info": [],
    }


def _ref(obj: Manifest) -> dict[str, str]:
    key = key_of(obj)
    return {
        "group": key.group,
        "kind": key.kind,
        "namespace": key.namespace,
        "name": key.name,
        "uid": _uid(obj),
    }


class ResourceTrees:
    """Live objects for resource trees, watched kind by kind on first use."""

    def __init__(self, client: KubeClient, *, timeout: float = 30.0) -> None:
        self.cache = LiveCache(client)
        self._timeout = timeout
        self._children: dict[str, set[ResourceKey]] = {}
        self._child_kinds = {(split_api_version(a)[0], k) for a, k in CHILD_KINDS}
        self._lock = asyncio.Lock()
        self._ready: set[tuple[str, str]] = set()
        self.cache.subscribe(self._on_change)

    async def close(self) -> None:
        await self.cache.close()

    def _index(self, obj: Manifest, *, remove: bool = False) -> None:
        key = key_of(obj)
        for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
            uid = str(owner.get("uid") or "")
            if not uid:
                continue
            if remove:
                self._children.get(uid, set()).discard(key)
            else:
                self._children.setdefault(uid, set()).add(key)

    def _on_change(self, event_type: str, obj: Manifest, previous: Manifest | None) -> None:
        key = key_of(obj)
        if (key.group, key.kind) not in self._child_kinds:
            return
        if previous is not None:
            self._index(previous, remove=True)
        if event_type != "DELETED":
            self._index(obj)

    async def _ensure(self, api_version: str, kind: str) -> bool:
        if (api_version, kind) in self._ready:
            return True
        async with self._lock:
            if (api_version, kind) in self._ready:
                return True
            try:
                await self.cache.ensure(api_version, kind, timeout=self._timeout)
            except ClusterError as exc:
                log.info("tree_kind_unavailable", kind=kind, api_version=api_version, error=str(exc))
                return False
            if (split_api_version(api_version)[0], kind) in self._child_kinds:
                for obj in self.cache.objects(api_version, kind):
                    self._index(obj)
            self._ready.add((api_version, kind))
            return True

    async def build(self, app: Manifest) -> list[dict[str, Any]]:
        """Nodes of ``app``'s tree: tracked resources first, then their descendants."""
        for api_version, kind in CHILD_KINDS:
            await self._ensure(api_version, kind)
        nodes: list[dict[str, Any]] = []
        seen: set[str] = set()
        frontier: list[Manifest] = []
        for entry in (app.get("status") or {}).get("resources") or []:
            group, version = str(entry.get("group") or ""), str(entry.get("version") or "")
            kind = str(entry.get("kind") or "")
            api_version = f"{group}/{version}" if group else version
            live = None
            if version and kind and await self._ensure(api_version, kind):
                live = self.cache.get(
                    ResourceKey(group, kind, str(entry.get("namespace") or ""), str(entry.get("name") or ""))
                )
            nodes.append(_node(live, entry, [], str(entry.get("status") or "")))
            if live is not None and _uid(live):
                seen.add(_uid(live))
                frontier.append(live)
        for _ in range(MAX_DEPTH):
            following: list[Manifest] = []
            for parent in frontier:
                for child_key in sorted(self._children.get(_uid(parent), set())):
                    child = self.cache.get(child_key)
                    if child is None or _uid(child) in seen:
                        continue
                    seen.add(_uid(child))
                    nodes.append(_node(child, {}, [_ref(parent)], ""))
                    following.append(child)
            frontier = following
            if not frontier:
                break
        return nodes
