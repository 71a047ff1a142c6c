"""Application actions shared by the HTTP API and the CLI's ``--core`` mode: read apps,
request a sync, refresh, rollback to a history entry, revert a commit in Git, and wait
for a state. Requests are written to the Application (``operation``, annotations) and
carried out by the controller, exactly as Argo CD's API does."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rudder.cluster.client import KubeClient
from rudder.model.application import APP_API_VERSION, REFRESH_ANNOTATION, SyncOptions, parse_spec
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
