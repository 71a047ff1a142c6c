"""Async Kubernetes REST client over plain dicts: get, list, watch, server-side apply
(with dry run), create, replace, patch, delete. The only module that talks HTTP to the
API server; kubeconfig loading and auth (incl. exec plugins, in-cluster) come from
lightkube's config layer. Used by the live cache, sync, controller and tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx2
from lightkube.config.client_adapter import AsyncClient as _adapter_client
from lightkube.config.client_adapter import ConnectionParams
from lightkube.config.kubeconfig import KubeConfig
from lightkube.core.exceptions import ConfigError as _LightkubeConfigError

from rudder.cluster.discovery import ApiResource, Discovery
from rudder.model.errors import ClusterError, ConfigError, ConflictError, NotFoundError
from rudder.model.resource import Manifest

FIELD_MANAGER = "rudder"
PatchType = Literal["merge", "strategic", "json"]
_PATCH_CONTENT = {
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json-patch+json",
}


class ResourceExpiredError(ClusterError):
    """A watch's resourceVersion is too old (410 Gone): list again, then watch."""


@dataclass(frozen=True, slots=True)
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED, BOOKMARK
    object: Manifest


@dataclass(frozen=True, slots=True)
class ObjectList:
    items: list[Manifest]
    resource_version: str


def _describe(kind: str, namespace: str, name: str) -> str:
    if not name:
        return f"{kind} in {namespace}" if namespace else kind
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def _error_from(response: httpx2.Response, what: str) -> ClusterError:
    """A ClusterError carrying the API server's own message."""
    message = response.text
    reason = ""
    with contextlib.suppress(ValueError):  # not JSON: keep the raw text
        body = response.json()
        if isinstance(body, dict):
            message = str(body.get("message") or message)
            reason = str(body.get("reason") or "")
    text = f"{what}: {message}".strip()
    status = response.status_code
    if status == 404:
        return NotFoundError(text, status=status, reason=reason or "NotFound")
    if status == 409:
        return ConflictError(text, status=status, reason=reason or "Conflict")
    if status == 410:
        return ResourceExpiredError(text, status=status, reason=reason or "Expired")
    return ClusterError(text, status=status, reason=reason)


class KubeClient:
    """One connection pool to one API server. Create with ``from_kubeconfig``; close with
    ``close()`` or ``async with``."""

    def __init__(self, http: httpx2.AsyncClient, *, server: str, namespace: str) -> None:
        self._http = http
        self.server = server
        self.default_namespace = namespace
        self.discovery = Discovery(self._get_json)

    @classmethod
    async def from_kubeconfig(
        cls, path: str | Path | None = None, *, context: str | None = None
    ) -> KubeClient:
        """Connect using ``path`` (or in-cluster config, ``$KUBECONFIG``, ``~/.kube/config``)."""
        try:
            config = KubeConfig.from_file(path) if path else KubeConfig.from_env()
            single = config.get(context_name=context)
        except (_LightkubeConfigError, OSError) as exc:
            raise ConfigError(f"kubeconfig {path or '(default)'}: {exc}") from exc
        if single is None:
            raise ConfigError(f"kubeconfig {path or '(default)'}: no context {context or '(current)'}")
        params = ConnectionParams(timeout=httpx2.Timeout(30.0, connect=10.0), trust_env=False)
        http = _adapter_client(single, params)
        return cls(http, server=str(single.cluster.server), namespace=single.namespace)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> KubeClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # -- low level -------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> Manifest:
        content = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        try:
            response = await self._http.request(method, path, params=params, content=content, headers=headers)
        except httpx2.HTTPError as exc:
            raise ClusterError(
                f"{what}: cannot reach the API server at {self.server}: {exc}", status=0
            ) from exc
        if response.status_code >= 400:
            raise _error_from(response, what)
        data = response.json()
        if not isinstance(data, dict):
            raise ClusterError(
                f"{what}: unexpected response from the API server", status=response.status_code
            )
        return data

    async def _get_json(self, path: str) -> Manifest:
        return await self._request("GET", path, what=f"GET {path}")

    async def resource(self, api_version: str, kind: str) -> ApiResource:
        return await self.discovery.resource(api_version, kind)

    async def server_version(self) -> Manifest:
        return await self._get_json("/version")

    # -- reads -----------------------------------------------------------------------

    async def get(self, api_version: str, kind: str, name: str, namespace: str = "") -> Manifest:
        res = await self.resource(api_version, kind)
        return await self._request(
            "GET",
            res.path(namespace=namespace, name=name),
            what=_describe(kind, namespace if res.namespaced else "", name),
        )

    async def list(
        self,
        api_version: str,
        kind: str,
        namespace: str = "",
        *,
        label_selector: str = "",
        page_size: int = 500,
    ) -> ObjectList:
        """All objects of a kind (in ``namespace`` or cluster-wide), paging through them."""
        res = await self.resource(api_version, kind)
        params = {"limit": str(page_size)}
        if label_selector:
            params["labelSelector"] = label_selector
        items: list[Manifest] = []
        while True:
            body = await self._request(
                "GET", res.path(namespace=namespace), what=_describe(kind, namespace, ""), params=params
            )
            for item in body.get("items", []):
                item.setdefault("apiVersion", api_version)
                item.setdefault("kind", kind)
                items.append(item)
            meta = body.get("metadata") or {}
            token = meta.get("continue")
            if not token:
                return ObjectList(items=items, resource_version=str(meta.get("resourceVersion", "")))
            params["continue"] = str(token)

    async def watch(
        self,
        api_version: str,
        kind: str,
        namespace: str = "",
        *,
        resource_version: str = "",
        label_selector: str = "",
        timeout_seconds: int = 300,
    ) -> AsyncIterator[WatchEvent]:
        """Stream changes after ``resource_version`` until the server ends the watch.
        Raises ResourceExpiredError when the version is too old."""
        res = await self.resource(api_version, kind)
        params = {"watch": "1", "allowWatchBookmarks": "true", "timeoutSeconds": str(timeout_seconds)}
        if resource_version:
            params["resourceVersion"] = resource_version
        if label_selector:
            params["labelSelector"] = label_selector
        what = f"watch {_describe(kind, namespace, '')}"
        try:
            async with self._http.stream(
                "GET",
                res.path(namespace=namespace),
                params=params,
                timeout=httpx2.Timeout(timeout_seconds + 30.0, connect=10.0),
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise _error_from(response, what)
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":
                        code = int(obj.get("code", 0) or 0)
                        message = f"{what}: {obj.get('message', '')}"
                        if code == 410:
                            raise ResourceExpiredError(message, status=410, reason="Expired")
                        raise ClusterError(message, status=code, reason=str(obj.get("reason", "")))
                    if event.get("type") != "BOOKMARK":
                        obj.setdefault("apiVersion", api_version)
                        obj.setdefault("kind", kind)
                    yield WatchEvent(type=str(event.get("type")), object=obj)
        except httpx2.HTTPError as exc:
            raise ClusterError(f"{what}: connection to {self.server} lost: {exc}", status=0) from exc

    # -- writes ----------------------------------------------------------------------

    async def _object_path(self, obj: Manifest, *, subresource: str = "") -> tuple[ApiResource, str, str]:
        api_version = str(obj.get("apiVersion", ""))
        kind = str(obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        name = str(meta.get("name", ""))
        if not api_version or not kind or not name:
            raise ClusterError(
                f"{kind or 'object'}/{name or '?'}: apiVersion, kind and metadata.name are required"
            )
        res = await self.resource(api_version, kind)
        namespace = str(meta.get("namespace") or "") if res.namespaced else ""
        if res.namespaced and not namespace:
            raise ClusterError(f"{kind}/{name}: namespaced object without metadata.namespace", status=422)
        return (
            res,
            res.path(namespace=namespace, name=name, subresource=subresource),
            _describe(kind, namespace, name),
        )

    async def apply(
        self,
        obj: Manifest,
        *,
        field_manager: str = FIELD_MANAGER,
        force: bool = True,
        dry_run: bool = False,
        subresource: str = "",
    ) -> Manifest:
        """Server-side apply ``obj``; with ``dry_run`` the server returns what the object
        would become (defaults, admission, merged fields) without persisting it."""
        _, path, what = await self._object_path(obj, subresource=subresource)
        params = {"fieldManager": field_manager, "force": "true" if force else "false"}
        if dry_run:
            params["dryRun"] = "All"
        return await self._request(
            "PATCH", path, what=what, params=params, body=obj, content_type="application/apply-patch+yaml"
        )

    async def create(
        self, obj: Manifest, *, dry_run: bool = False, field_manager: str = FIELD_MANAGER
    ) -> Manifest:
        res, _, what = await self._object_path(obj)
        namespace = str((obj.get("metadata") or {}).get("namespace") or "") if res.namespaced else ""
        params = {"fieldManager": field_manager}
        if dry_run:
            params["dryRun"] = "All"
        return await self._request("POST", res.path(namespace=namespace), what=what, params=params, body=obj)

    async def replace(
        self, obj: Manifest, *, dry_run: bool = False, field_manager: str = FIELD_MANAGER
    ) -> Manifest:
        """PUT the whole object (``Replace=true``); needs metadata.resourceVersion or takes
        the live one."""
        _, path, what = await self._object_path(obj)
        params = {"fieldManager": field_manager}
        if dry_run:
            params["dryRun"] = "All"
        return await self._request("PUT", path, what=what, params=params, body=obj)

    async def patch(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str = "",
        *,
        patch: Any,
        patch_type: PatchType = "merge",
        subresource: str = "",
        field_manager: str = FIELD_MANAGER,
    ) -> Manifest:
        res = await self.resource(api_version, kind)
        ns = namespace if res.namespaced else ""
        return await self._request(
            "PATCH",
            res.path(namespace=ns, name=name, subresource=subresource),
            what=_describe(kind, ns, name),
            params={"fieldManager": field_manager},
            body=patch,
            content_type=_PATCH_CONTENT[patch_type],
        )

    async def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str = "",
        *,
        propagation: Literal["Foreground", "Background", "Orphan"] = "Background",
        dry_run: bool = False,
        missing_ok: bool = True,
    ) -> bool:
        """Delete one object; returns False when it was already gone (and ``missing_ok``)."""
        res = await self.resource(api_version, kind)
        ns = namespace if res.namespaced else ""
        body: Manifest = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation}
        if dry_run:
            body["dryRun"] = ["All"]
        try:
            await self._request(
                "DELETE", res.path(namespace=ns, name=name), what=_describe(kind, ns, name), body=body
            )
        except NotFoundError:
            if missing_ok:
                return False
            raise
        return True
