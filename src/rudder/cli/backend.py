"""Where ``rudder app`` commands send their requests: ``RemoteBackend`` talks to a Rudder
server with the saved token, ``CoreBackend`` talks straight to the cluster through
the kubeconfig (``--core``), both through the same Protocol so every command works
in either mode. The core actions are rudder.api.applications, shared with the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from rudder.api import applications as actions
from rudder.api.summary import ListFilter, summarize
from rudder.cli.remote import ServerClient
from rudder.cluster.client import KubeClient
from rudder.model.resource import Manifest


class Backend(Protocol):
    async def close(self) -> None: ...
    async def list_apps(self, query: dict[str, str]) -> list[dict[str, Any]]: ...
    async def get_app(self, namespace: str, name: str) -> Manifest: ...
    async def sync(self, namespace: str, name: str, spec: actions.SyncRequestSpec) -> Manifest: ...
    async def refresh(self, namespace: str, name: str, *, hard: bool) -> Manifest: ...
    async def rollback(
        self, namespace: str, name: str, history_id: int, *, prune: bool, disable_auto_sync: bool
    ) -> Manifest: ...
    async def revert(self, namespace: str, name: str, *, branch: str, revision: str) -> str: ...
    async def create(self, manifest: Manifest, *, upsert: bool) -> Manifest: ...
    async def delete(self, namespace: str, name: str, *, cascade: bool) -> None: ...
    async def set_spec(self, namespace: str, name: str, spec_patch: Manifest) -> Manifest: ...
    async def managed_resources(self, namespace: str, name: str) -> list[dict[str, Any]]: ...


def _path(namespace: str, name: str, tail: str = "") -> str:
    return f"/api/v1/applications/{quote(namespace, safe='')}/{quote(name, safe='')}{tail}"


class RemoteBackend:
    def __init__(self, server: str, token: str) -> None:
        self.http = ServerClient(server, token)

    async def close(self) -> None:
        await self.http.close()

    async def list_apps(self, query: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await self.http.request(
                "GET", "/api/v1/applications", params={**query, "limit": "1000", "offset": str(offset)}
            )
            items.extend(page["items"])
            offset += len(page["items"])
            if not page["items"] or offset >= int(page["total"]):
                return items

    async def get_app(self, namespace: str, name: str) -> Manifest:
        result: Manifest = await self.http.request("GET", _path(namespace, name))
        return result

    async def sync(self, namespace: str, name: str, spec: actions.SyncRequestSpec) -> Manifest:
        body = {
            "revision": spec.revision,
            "prune": spec.prune,
            "dryRun": spec.dry_run,
            "syncOptions": list(spec.sync_options),
            "resources": [dict(r) for r in spec.resources],
        }
        result: Manifest = await self.http.request("POST", _path(namespace, name, "/sync"), json=body)
        return result

    async def refresh(self, namespace: str, name: str, *, hard: bool) -> Manifest:
        params = {"hard": "true" if hard else "false"}
        result: Manifest = await self.http.request("POST", _path(namespace, name, "/refresh"), params=params)
        return result

    async def rollback(
        self, namespace: str, name: str, history_id: int, *, prune: bool, disable_auto_sync: bool
    ) -> Manifest:
        body = {"id": history_id, "prune": prune, "disableAutoSync": disable_auto_sync}
        result: Manifest = await self.http.request("POST", _path(namespace, name, "/rollback"), json=body)
        return result

    async def revert(self, namespace: str, name: str, *, branch: str, revision: str) -> str:
        body = {"branch": branch, "revision": revision}
        result = await self.http.request("POST", _path(namespace, name, "/revert"), json=body)
        return str(result["commit"])

    async def create(self, manifest: Manifest, *, upsert: bool) -> Manifest:
        params = {"upsert": "true" if upsert else "false"}
        result: Manifest = await self.http.request(
            "POST", "/api/v1/applications", json=manifest, params=params
        )
        return result

    async def delete(self, namespace: str, name: str, *, cascade: bool) -> None:
        await self.http.request(
            "DELETE", _path(namespace, name), params={"cascade": "true" if cascade else "false"}
        )

    async def set_spec(self, namespace: str, name: str, spec_patch: Manifest) -> Manifest:
        result: Manifest = await self.http.request("PATCH", _path(namespace, name), json=spec_patch)
        return result

    async def managed_resources(self, namespace: str, name: str) -> list[dict[str, Any]]:
        result = await self.http.request("GET", _path(namespace, name, "/managed-resources"))
        return list(result["items"])


class CoreBackend:
    """Direct cluster access; apps in ``control_namespace`` are tracked by bare name."""

    def __init__(self, client: KubeClient, *, control_namespace: str = "argocd") -> None:
        self.client = client
        self.control_namespace = control_namespace

    @classmethod
    async def connect(cls, kubeconfig: Path | None, *, control_namespace: str = "argocd") -> CoreBackend:
        return cls(await KubeClient.from_kubeconfig(kubeconfig), control_namespace=control_namespace)

    async def close(self) -> None:
        await self.client.close()

    async def list_apps(self, query: dict[str, str]) -> list[dict[str, Any]]:
        from rudder.api.selector import parse_selector

        wanted = ListFilter.of(
            project=query.get("project", ""),
            selector=parse_selector(query.get("selector", "")),
            health=query.get("health", ""),
            sync=query.get("sync", ""),
            search=query.get("search", ""),
            namespace=query.get("namespace", ""),
        )
        items = [
            summarize(a) for a in await actions.list_applications(self.client, query.get("namespace", ""))
        ]
        items = [s for s in items if wanted.accepts(s)]
        return sorted(items, key=lambda s: (s["namespace"], s["name"]))

    async def get_app(self, namespace: str, name: str) -> Manifest:
        return await actions.get_application(self.client, namespace, name)

    async def sync(self, namespace: str, name: str, spec: actions.SyncRequestSpec) -> Manifest:
        return await actions.request_sync(self.client, namespace, name, spec)

    async def refresh(self, namespace: str, name: str, *, hard: bool) -> Manifest:
        return await actions.request_refresh(self.client, namespace, name, hard=hard)

    async def rollback(
        self, namespace: str, name: str, history_id: int, *, prune: bool, disable_auto_sync: bool
    ) -> Manifest:
        return await actions.rollback(
            self.client, namespace, name, history_id, prune=prune, disable_auto_sync=disable_auto_sync
        )

    async def revert(self, namespace: str, name: str, *, branch: str, revision: str) -> str:
        from rudder.model.application import parse_spec
        from rudder.source.credentials import credentials_for

        app = await actions.get_application(self.client, namespace, name)
        secrets = await self.client.list(
            "v1", "Secret", self.control_namespace, label_selector="argocd.argoproj.io/secret-type"
        )
        credentials = credentials_for(secrets.items, parse_spec(app).source.repo_url)
        return await actions.revert(
            self.client, namespace, name, branch=branch, revision=revision, credentials=credentials
        )

    async def create(self, manifest: Manifest, *, upsert: bool) -> Manifest:
        clean = actions.validate_manifest(manifest, default_namespace=self.control_namespace)
        return await actions.create_application(self.client, clean, upsert=upsert)

    async def delete(self, namespace: str, name: str, *, cascade: bool) -> None:
        await actions.delete_application(self.client, namespace, name, cascade=cascade)

    async def set_spec(self, namespace: str, name: str, spec_patch: Manifest) -> Manifest:
        app = await actions.get_application(self.client, namespace, name)
        return await actions.patch_spec(self.client, app, spec_patch)

    async def managed_resources(self, namespace: str, name: str) -> list[dict[str, Any]]:
        import tempfile

        from rudder.api.comparison import ManagedResources
        from rudder.cluster.cache import LiveCache

        app = await actions.get_application(self.client, namespace, name)
        secrets = await self.client.list(
            "v1", "Secret", self.control_namespace, label_selector="argocd.argoproj.io/secret-type"
        )
        live = LiveCache(self.client)
        try:
            with tempfile.TemporaryDirectory(prefix="rudder-diff-") as tmp:
                managed = ManagedResources(
                    self.client, live, cache_dir=Path(tmp), control_namespace=self.control_namespace
                )
                return await managed.compare(app, secrets.items)
        finally:
            await live.close()
