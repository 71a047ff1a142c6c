"""Application actions shared by the HTTP API and the CLI's ``--core`` mode: read apps,
request a sync, refresh, rollback to a history entry, revert a commit in Git, wait for
a state, and create, patch (spec) or delete an Application. Requests are written to
the Application (``operation``, annotations, finalizers) and carried out by the
controller, exactly as Argo CD's API does."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rudder.cluster.client import KubeClient
from rudder.model.application import (
    APP_API_VERSION,
    FINALIZER_CASCADE,
    FINALIZER_CASCADE_BACKGROUND,
    REFRESH_ANNOTATION,
    SyncOptions,
    parse_spec,
)
from rudder.model.errors import ConfigError, ConflictError, NotFoundError, RudderError
from rudder.model.resource import Manifest
from rudder.source.credentials import RepoCredentials
from rudder.source.revert import default_branch, revert_commit

KIND = "Application"


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncRequestSpec:
    """What a user asks for when syncing (``rudder app sync`` flags / API body)."""

    revision: str = ""
    prune: bool = False
    dry_run: bool = False
    sync_options: tuple[str, ...] = ()
    resources: tuple[dict[str, str], ...] = ()
    username: str = "admin"
    info: tuple[tuple[str, str], ...] = field(default_factory=tuple)


async def get_application(client: KubeClient, namespace: str, name: str) -> Manifest:
    try:
        return await client.get(APP_API_VERSION, KIND, name, namespace)
    except NotFoundError as exc:
        raise NotFoundError(f"Application/{namespace}/{name}: not found", status=404) from exc


async def list_applications(client: KubeClient, namespace: str = "") -> list[Manifest]:
    return (await client.list(APP_API_VERSION, KIND, namespace)).items


def operation_in_progress(app: Manifest) -> bool:
    state = (app.get("status") or {}).get("operationState") or {}
    return bool(app.get("operation")) or state.get("phase") == "Running"


async def request_sync(client: KubeClient, namespace: str, name: str, spec: SyncRequestSpec) -> Manifest:
    """Put ``operation.sync`` on the app; the controller runs it. Refused while another
    operation runs, and when a sync option is not one Rudder knows."""
    app = await get_application(client, namespace, name)
    if operation_in_progress(app):
        raise ConflictError(
            f"Application/{namespace}/{name}: another operation is already in progress", status=409
        )
    _validate_sync_options(spec.sync_options)
    sync: dict[str, Any] = {"prune": spec.prune}
    if spec.revision:
        sync["revision"] = spec.revision
    if spec.dry_run:
        sync["dryRun"] = True
    if spec.sync_options:
        sync["syncOptions"] = list(spec.sync_options)
    if spec.resources:
        sync["resources"] = [dict(r) for r in spec.resources]
    operation: dict[str, Any] = {"sync": sync, "initiatedBy": {"username": spec.username}}
    if spec.info:
        operation["info"] = [{"name": k, "value": v} for k, v in spec.info]
    return await client.patch(APP_API_VERSION, KIND, name, namespace, patch={"operation": operation})


KNOWN_SYNC_OPTIONS = {
    "CreateNamespace",
    "PruneLast",
    "ApplyOutOfSyncOnly",
    "Replace",
    "ServerSideApply",
    "Prune",
    "PrunePropagationPolicy",
    "Validate",
    "RespectIgnoreDifferences",
    "FailOnSharedResource",
    "SkipDryRunOnMissingResource",
}


def _validate_sync_options(options: Sequence[str]) -> None:
    for name, value in SyncOptions.parse(list(options)).values:
        if name not in KNOWN_SYNC_OPTIONS:
            raise ConfigError(
                f"unknown sync option {name!r} (known: {', '.join(sorted(KNOWN_SYNC_OPTIONS))})"
            )
        if name != "PrunePropagationPolicy" and value.lower() not in ("true", "false"):
            raise ConfigError(f"sync option {name}={value!r}: expected true or false")


async def request_refresh(client: KubeClient, namespace: str, name: str, *, hard: bool = False) -> Manifest:
    """Ask for an immediate refresh through ``argocd.argoproj.io/refresh``."""
    await get_application(client, namespace, name)
    value = "hard" if hard else "normal"
    return await client.patch(
        APP_API_VERSION,
        KIND,
        name,
        namespace,
        patch={"metadata": {"annotations": {REFRESH_ANNOTATION: value}}},
    )


def history_entry(app: Manifest, history_id: int) -> Manifest:
    history = (app.get("status") or {}).get("history") or []
    for entry in history:
        if int(entry.get("id", -1)) == history_id:
            return dict(entry)
    ids = ", ".join(str(h.get("id")) for h in history) or "none"
    meta = app.get("metadata") or {}
    raise NotFoundError(
        f"Application/{meta.get('namespace')}/{meta.get('name')}: history id {history_id} not found (have: {ids})",
        status=404,
    )


async def rollback(
    client: KubeClient,
    namespace: str,
    name: str,
    history_id: int,
    *,
    prune: bool = False,
    disable_auto_sync: bool = False,
    username: str = "admin",
) -> Manifest:
    """Sync the revision (and source) recorded in history entry ``history_id``.

    Argo CD silently refuses a rollback when automated sync is on; Rudder says why and
    offers ``disable_auto_sync``, which turns automation off first so the rollback sticks."""
    app = await get_application(client, namespace, name)
    entry = history_entry(app, history_id)
    automated = parse_spec(app).sync_policy.automated
    if automated is not None and not disable_auto_sync:
        raise ConfigError(
            f"Application/{namespace}/{name}: automated sync is enabled, so Rudder would sync back to "
            f"{parse_spec(app).source.target_revision} right after rolling back to "
            f"{str(entry.get('revision'))[:12]}; disable automated sync first "
            "(rudder app rollback --disable-auto-sync, or remove spec.syncPolicy.automated)"
        )
    if operation_in_progress(app):
        raise ConflictError(
            f"Application/{namespace}/{name}: another operation is already in progress", status=409
        )
    if automated is not None:
        await client.patch(
            APP_API_VERSION, KIND, name, namespace, patch={"spec": {"syncPolicy": {"automated": None}}}
        )
    operation = {
        "sync": {"revision": str(entry.get("revision")), "prune": prune, "source": entry.get("source") or {}},
        "initiatedBy": {"username": username},
        "info": [{"name": "Reason", "value": f"Rollback to history id {history_id}"}],
    }
    return await client.patch(APP_API_VERSION, KIND, name, namespace, patch={"operation": operation})


async def revert(
    client: KubeClient,
    namespace: str,
    name: str,
    *,
    branch: str = "",
    revision: str = "",
    credentials: RepoCredentials | None = None,
    username: str = "admin",
) -> str:
    """Commit the inverse of ``revision`` (default: the deployed one) on ``branch`` (default:
    the branch the app follows) of the app's repository and refresh the app, so Git stays
    the source of truth. Returns the new commit SHA."""
    app = await get_application(client, namespace, name)
    spec = parse_spec(app)
    if not branch:
        followed = spec.source.target_revision
        if followed in ("", "HEAD"):
            branch = await default_branch(spec.source.repo_url, credentials=credentials)
        elif re.fullmatch(r"[0-9a-f]{7,40}", followed):
            raise ConfigError(
                f"Application/{namespace}/{name}: targetRevision is a commit, not a branch; give --branch"
            )
        else:
            branch = followed
    target = revision or str(((app.get("status") or {}).get("sync") or {}).get("revision") or "")
    if not target:
        raise ConfigError(f"Application/{namespace}/{name}: nothing deployed yet; give the commit to revert")
    sha = await revert_commit(
        spec.source.repo_url,
        target,
        branch=branch,
        credentials=credentials,
        author_name=username,
        author_email=f"{username}@rudder.local",
        message="",
    )
    await request_refresh(client, namespace, name)
    return sha


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitFor:
    sync: bool = False
    health: bool = False
    operation: bool = False
    suspended: bool = False


def satisfied(app: Manifest, wanted: WaitFor) -> bool:
    status = app.get("status") or {}
    if wanted.sync and (status.get("sync") or {}).get("status") != "Synced":
        return False
    healthy = ("Healthy", "Suspended") if wanted.suspended else ("Healthy",)
    if wanted.health and (status.get("health") or {}).get("status") not in healthy:
        return False
    return not (wanted.operation and operation_in_progress(app))


async def wait_for(
    client: KubeClient, namespace: str, name: str, wanted: WaitFor, *, timeout: float, poll: float = 0.5
) -> Manifest:
    """Poll until ``wanted`` holds; RudderError (temporary) on timeout with the last state."""
    deadline = time.monotonic() + timeout
    while True:
        app = await get_application(client, namespace, name)
        if satisfied(app, wanted):
            return app
        if time.monotonic() > deadline:
            status = app.get("status") or {}
            raise RudderError(
                f"Application/{namespace}/{name}: timed out after {timeout:.0f}s "
                f"(sync {(status.get('sync') or {}).get('status', 'Unknown')}, "
                f"health {(status.get('health') or {}).get('status', 'Unknown')})",
                temporary=True,
            )
        await asyncio.sleep(poll)


def validate_manifest(manifest: Manifest, *, default_namespace: str) -> Manifest:
    """A clean copy of an Application manifest to create: apiVersion/kind checked,
    namespace defaulted, spec parsed (ConfigError naming the bad field), status and
    operation dropped."""
    if not isinstance(manifest, dict):
        raise ConfigError("expected an Application manifest (a JSON object)")
    if manifest.get("apiVersion", APP_API_VERSION) != APP_API_VERSION or manifest.get("kind", KIND) != KIND:
        raise ConfigError(
            f"expected apiVersion {APP_API_VERSION} and kind {KIND}, got "
            f"{manifest.get('apiVersion')!r} / {manifest.get('kind')!r}"
        )
    meta = manifest.get("metadata")
    if not isinstance(meta, dict) or not str(meta.get("name") or "").strip():
        raise ConfigError("metadata.name is required")
    clean_meta: dict[str, Any] = {
        "name": str(meta["name"]),
        "namespace": str(meta.get("namespace") or default_namespace),
    }
    for field_name in ("labels", "annotations"):
        value = meta.get(field_name)
        if value is not None:
            if not isinstance(value, dict):
                raise ConfigError(f"metadata.{field_name}: expected a map of strings")
            clean_meta[field_name] = {str(k): str(v) for k, v in value.items()}
    if meta.get("finalizers") is not None:
        if not isinstance(meta["finalizers"], list):
            raise ConfigError("metadata.finalizers: expected a list")
        clean_meta["finalizers"] = [str(f) for f in meta["finalizers"]]
    out: Manifest = {
        "apiVersion": APP_API_VERSION,
        "kind": KIND,
        "metadata": clean_meta,
        "spec": manifest.get("spec"),
    }
    parse_spec(out)
    return out


async def create_application(client: KubeClient, manifest: Manifest, *, upsert: bool = False) -> Manifest:
    """Create the Application; with ``upsert`` an existing one gets this spec (replaced
    whole, as Argo CD does), labels and annotations. Without it an existing app with a
    different spec is a conflict."""
    meta = manifest["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    try:
        return await client.create(manifest)
    except ConflictError:
        existing = await get_application(client, namespace, name)
        if existing.get("spec") == manifest.get("spec") and not upsert:
            return existing
        if not upsert:
            raise ConflictError(
                f"Application/{namespace}/{name}: exists with a different spec; use upsert to replace it",
                status=409,
            ) from None
    version = str((existing.get("metadata") or {}).get("resourceVersion"))
    patch: list[dict[str, Any]] = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": version},
        {"op": "replace", "path": "/spec", "value": manifest["spec"]},
    ]
    for field_name in ("labels", "annotations"):
        if field_name in meta:
            merged = {**((existing.get("metadata") or {}).get(field_name) or {}), **meta[field_name]}
            patch.append({"op": "add", "path": f"/metadata/{field_name}", "value": merged})
    return await client.patch(APP_API_VERSION, KIND, name, namespace, patch=patch, patch_type="json")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


async def patch_spec(client: KubeClient, app: Manifest, spec_patch: Manifest) -> Manifest:
    """Merge-patch ``spec`` (``rudder app set``); the result is validated before it is written."""
    meta = app.get("metadata") or {}
    if not isinstance(spec_patch, dict) or not spec_patch:
        raise ConfigError("expected a non-empty JSON merge patch of the Application's spec")
    patched = merge_patch(app.get("spec") or {}, spec_patch)
    parse_spec({"spec": patched})
    version = str(meta.get("resourceVersion"))
    return await client.patch(
        APP_API_VERSION,
        KIND,
        str(meta.get("name")),
        str(meta.get("namespace")),
        patch={"metadata": {"resourceVersion": version}, "spec": spec_patch},
    )


async def delete_application(client: KubeClient, namespace: str, name: str, *, cascade: bool = True) -> None:
    """Delete the Application; ``cascade`` first adds Argo CD's resources finalizer so the
    controller deletes what the app deployed, otherwise the finalizer is removed and
    the resources stay."""
    app = await get_application(client, namespace, name)
    finalizers = [str(f) for f in (app.get("metadata") or {}).get("finalizers") or []]
    ours = (FINALIZER_CASCADE, FINALIZER_CASCADE_BACKGROUND)
    wanted = finalizers
    if cascade and not any(f in ours for f in finalizers):
        wanted = [*finalizers, FINALIZER_CASCADE]
    elif not cascade:
        wanted = [f for f in finalizers if f not in ours]
    if wanted != finalizers:
        await client.patch(
            APP_API_VERSION,
            KIND,
            name,
            namespace,
            patch={"metadata": {"resourceVersion": app["metadata"]["resourceVersion"], "finalizers": wanted}},
        )
    await client.delete(APP_API_VERSION, KIND, name, namespace, missing_ok=False)
