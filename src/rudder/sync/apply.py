"""Writes one object the way its sync options ask: server-side apply (field manager
``rudder``, the default), ``Replace=true`` (PUT, create when missing) or create for
``generateName`` hooks; the same calls with dry run. Used by sync.engine."""

from __future__ import annotations

import copy

from rudder.cluster.client import FIELD_MANAGER, KubeClient
from rudder.model.errors import NotFoundError
from rudder.model.resource import Manifest, ResourceKey


def _uses_generate_name(obj: Manifest) -> bool:
    meta = obj.get("metadata") or {}
    return not meta.get("name") and bool(meta.get("generateName"))


async def write(
    client: KubeClient, obj: Manifest, *, key: ResourceKey, replace: bool = False, dry_run: bool = False
) -> tuple[Manifest, str]:
    """Write ``obj``; returns the server's object and a short verb for the result message."""
    if _uses_generate_name(obj):
        return await client.create(obj, dry_run=dry_run), "created"
    if replace:
        try:
            live = await client.get(str(obj["apiVersion"]), key.kind, key.name, key.namespace)
        except NotFoundError:
            return await client.create(obj, dry_run=dry_run), "created"
        body = copy.deepcopy(obj)
        body.setdefault("metadata", {})["resourceVersion"] = (live.get("metadata") or {}).get(
            "resourceVersion"
        )
        return await client.replace(body, dry_run=dry_run), "replaced"
    result = await client.apply(obj, field_manager=FIELD_MANAGER, force=True, dry_run=dry_run)
    return result, "serverside-applied"
