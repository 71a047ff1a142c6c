"""Managed resources of an Application with their diffs, computed the way the
controller computes them: render the compared revision, prepare the objects, and run
the controller's Comparer (server-side-apply dry run against the live cache, masked
text diffs). Used by the managed-resources route and ``rudder app diff --core``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.controller.compare import Comparer
from rudder.controller.desired import prepare_desired
from rudder.diff.normalize import normalize
from rudder.diff.text import unified_diff
from rudder.model.application import parse_spec
from rudder.model.resource import Manifest, app_instance_name
from rudder.model.sync import SyncStatus
from rudder.observability.logging import get_logger
from rudder.render.cache import RenderCache
from rudder.render.manifests import render_source
from rudder.render.request import RenderOptions, RenderRequest
from rudder.source.credentials import credentials_for
from rudder.source.mirror import MirrorOptions, Mirrors

log = get_logger(__name__)


class ManagedResources:
    """Renders and compares on demand; Git mirrors, rendered manifests and dry-run
    results are cached between calls."""

    def __init__(
        self, client: KubeClient, live: LiveCache, *, cache_dir: Path, control_namespace: str
    ) -> None:
        self.client = client
        self.live = live
        self.control_namespace = control_namespace
        self.mirrors = Mirrors(MirrorOptions(cache_dir=cache_dir / "git"))
        self.render_cache = RenderCache()
        self.comparer = Comparer(client, live)

    def forget(self, namespace: str, name: str) -> None:
        """Drop what was remembered for a deleted app (dry-run results)."""
        self.comparer.forget_app(app_instance_name(namespace, name, control_namespace=self.control_namespace))

    async def compare(self, app: Manifest, secrets: Iterable[Manifest]) -> list[dict[str, Any]]:
        meta = app.get("metadata") or {}
        namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        spec = parse_spec(app)
        credentials = credentials_for(secrets, spec.source.repo_url)
        revision = str(((app.get("status") or {}).get("sync") or {}).get("revision") or "")
        if not revision:
            revision = await self.mirrors.resolve_revision(
                spec.source.repo_url, spec.source.target_revision, credentials=credentials, refresh=True
            )
        checkout = await self.mirrors.export(spec.source.repo_url, revision, credentials=credentials)
        request = RenderRequest(
            source=spec.source,
            root=checkout,
            revision=revision,
            app_name=name,
            namespace=spec.destination.namespace,
        )
        rendered = await render_source(request, RenderOptions(cache=self.render_cache))
        instance = app_instance_name(namespace, name, control_namespace=self.control_namespace)
        prepared = await prepare_desired(
            self.client, rendered.manifests, namespace=spec.destination.namespace, app_instance=instance
        )
        for api_version, kind in {(str(o["apiVersion"]), str(o["kind"])) for o in prepared.objects}:
            group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
            if (group, kind) not in prepared.pending_kinds:
                await self.live.ensure(api_version, kind)
        comparison = await self.comparer.compare(
            app_instance=instance, desired=prepared.objects, ignore=spec.ignore_differences
        )
        items = []
        for state in sorted(comparison.resources, key=lambda s: s.key):
            diff = state.diff
            if (
                not diff
                and state.status == SyncStatus.OUT_OF_SYNC
                and (state.live is None or state.desired is None)
            ):
                diff = unified_diff(
                    state.key,
                    normalize(state.live) if state.live is not None else None,
                    normalize(state.desired) if state.desired is not None else None,
                )
            item: dict[str, Any] = {
                "group": state.key.group,
                "version": state.version,
                "kind": state.key.kind,
                "namespace": state.key.namespace,
                "name": state.key.name,
                "status": state.status.value,
                "diff": diff,
                "requiresPruning": state.requires_pruning,
                "message": state.message,
            }
            if state.health is not None:
                item["health"] = {"status": state.health.status.value, "message": state.health.message}
            items.append(item)
        return items
