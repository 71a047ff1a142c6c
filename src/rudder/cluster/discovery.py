"""API discovery: maps (apiVersion, kind) to the REST resource that serves it (plural,
namespaced, verbs). Loads one group-version at a time and re-reads it on a miss, so a
CRD installed a moment ago is found. Used by cluster.client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rudder.model.errors import ClusterError, NotFoundError
from rudder.model.resource import split_api_version

MISS_RETRY_SECONDS = 2.0
"""A kind not found is looked up again after this long (a CRD may be installing)."""


@dataclass(frozen=True, slots=True)
class ApiResource:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: tuple[str, ...]

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, *, namespace: str = "", name: str = "", subresource: str = "") -> str:
        """The REST path for a collection (no name) or one object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
            if subresource:
                base += f"/{subresource}"
        return base


Fetch = Callable[[str], Awaitable[dict[str, Any]]]


class Discovery:
    """Per-group-version cache of the API server's resource lists."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._by_gv: dict[str, dict[str, ApiResource]] = {}
        self._missed: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def resource(self, api_version: str, kind: str) -> ApiResource:
        """The resource serving ``kind`` in ``api_version``; NotFoundError when the
        API server does not know it (e.g. the CRD is not installed)."""
        found = self._by_gv.get(api_version, {}).get(kind)
        if found is not None:
            return found
        async with self._lock:
            found = self._by_gv.get(api_version, {}).get(kind)
            if found is not None:
                return found
            missed_at = self._missed.get(f"{api_version}/{kind}")
            if missed_at is None or time.monotonic() - missed_at > MISS_RETRY_SECONDS:
                await self._load(api_version)
            found = self._by_gv.get(api_version, {}).get(kind)
            if found is None:
                self._missed[f"{api_version}/{kind}"] = time.monotonic()
                raise NotFoundError(
                    f"the server has no resource type {kind} in {api_version} "
                    "(is its CustomResourceDefinition installed?)",
                    status=404,
                    reason="NoKindMatch",
                    temporary=True,
                )
            return found

    def invalidate(self, api_version: str | None = None) -> None:
        """Forget one group-version (or all), e.g. after a CRD changed."""
        if api_version is None:
            self._by_gv.clear()
            self._missed.clear()
        else:
            self._by_gv.pop(api_version, None)

    async def _load(self, api_version: str) -> None:
        group, version = split_api_version(api_version)
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            body = await self._fetch(path)
        except NotFoundError:
            self._by_gv[api_version] = {}
            return
        except ClusterError:
            raise
        resources: dict[str, ApiResource] = {}
        for item in body.get("resources", []):
            name = str(item.get("name", ""))
            if "/" in name:  # subresources such as deployments/status
                continue
            kind = str(item.get("kind", ""))
            resources[kind] = ApiResource(
                group=group,
                version=version,
                kind=kind,
                plural=name,
                namespaced=bool(item.get("namespaced", False)),
                verbs=tuple(str(v) for v in item.get("verbs", [])),
            )
        self._by_gv[api_version] = resources
