"""Deletion of an Application: with Argo CD's ``resources-finalizer.argocd.argoproj.io``
finalizer, every object the app tracks is deleted first (foreground, or background
with the ``/background`` variant) and the finalizer removed once they are gone;
without it the objects stay. Used by the reconciler."""

from __future__ import annotations

from typing import Literal

from rudder.cluster.events import record_event
from rudder.controller.context import ControllerContext
from rudder.model.application import APP_API_VERSION as APP_API
from rudder.model.application import FINALIZER_CASCADE, FINALIZER_CASCADE_BACKGROUND
from rudder.model.errors import ClusterError, NotFoundError
from rudder.model.resource import Manifest
from rudder.observability.logging import get_logger
from rudder.sync.hooks import hook_spec

log = get_logger(__name__)
RECHECK_SECONDS = 2.0


async def _watch_recorded_kinds(ctx: ControllerContext, app: Manifest) -> None:
    """Make sure every kind listed in status.resources is watched, so tracked objects
    are known even right after a controller restart."""
    for entry in (app.get("status") or {}).get("resources") or []:
        group, version, kind = (
            str(entry.get("group") or ""),
            str(entry.get("version") or ""),
            str(entry.get("kind")),
        )
        api_version = f"{group}/{version}" if group else version
        try:
            await ctx.live.ensure(api_version, kind)
        except (NotFoundError, ClusterError) as exc:
            log.info("finalize_kind_unavailable", kind=kind, error=str(exc))


async def finalize(ctx: ControllerContext, app: Manifest, instance: str) -> float | None:
    """Handle a deleting Application; returns when to look again (None = done)."""
    meta = app.get("metadata") or {}
    finalizers = [str(f) for f in meta.get("finalizers") or []]
    ours = [f for f in finalizers if f in (FINALIZER_CASCADE, FINALIZER_CASCADE_BACKGROUND)]
    if not ours:
        return None
    await _watch_recorded_kinds(ctx, app)
    propagation: Literal["Foreground", "Background"] = (
        "Background" if FINALIZER_CASCADE_BACKGROUND in ours else "Foreground"
    )
    remaining = ctx.live.tracked(instance)
    for key, live in remaining.items():
        if (live.get("metadata") or {}).get("deletionTimestamp"):
            continue
        propagation_for: Literal["Foreground", "Background"] = (
            "Background" if hook_spec(live).is_hook else propagation
        )
        try:
            await ctx.client.delete(
                str(live.get("apiVersion")), key.kind, key.name, key.namespace, propagation=propagation_for
            )
        except ClusterError as exc:
            log.warning("cascade_delete_failed", app=instance, resource=str(key), error=str(exc))
    if remaining:
        log.info("cascade_waiting", app=instance, remaining=len(remaining))
        return RECHECK_SECONDS
    kept = [f for f in finalizers if f not in ours]
    try:
        await ctx.client.patch(
            APP_API,
            "Application",
            str(meta.get("name")),
            str(meta.get("namespace")),
            patch=[
                {"op": "test", "path": "/metadata/finalizers", "value": finalizers},
                {"op": "replace", "path": "/metadata/finalizers", "value": kept},
            ],
            patch_type="json",
        )
    except NotFoundError:
        return None
    except ClusterError as exc:
        log.warning("finalizer_remove_failed", app=instance, error=str(exc))
        return RECHECK_SECONDS
    await record_event(
        ctx.client, app, reason="ResourcesDeleted", message="deleted the application's resources"
    )
    return None
