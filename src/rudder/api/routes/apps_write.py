"""Write routes for Applications: sync, refresh, rollback, revert, create, patch spec,
delete. Each checks RBAC, then writes the request onto the Application exactly as the
CLI's core mode does (rudder.api.applications); the controller carries it out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from rudder.api import applications as actions
from rudder.api.auth import CurrentCaller, app_object, rbac_object
from rudder.api.errors import ApiError, error_responses
from rudder.api.routes.apps_read import shown
from rudder.api.schemas import Deleted, RevertBody, RevertResult, RollbackBody, SyncBody
from rudder.model.application import parse_spec
from rudder.model.resource import Manifest
from rudder.observability.logging import get_logger
from rudder.source.credentials import credentials_for

log = get_logger(__name__)
router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 502, 503)


@router.post("/{namespace}/{name}/sync", response_model=dict[str, Any], responses=_WRITE_ERRORS)
async def sync(namespace: str, name: str, body: SyncBody, caller: CurrentCaller) -> Manifest:
    """Request a sync (optionally of a revision, with prune, as a dry run, of some resources)."""
    caller.app(namespace, name, "sync")
    spec = actions.SyncRequestSpec(
        revision=body.revision,
        prune=body.prune,
        dry_run=body.dryRun,
        sync_options=tuple(body.syncOptions),
        resources=tuple(r.model_dump() for r in body.resources),
        username=caller.username,
    )
    updated = await actions.request_sync(caller.state.client, namespace, name, spec)
    caller.state.index.observe(updated)
    log.info("sync_requested", app=f"{namespace}/{name}", user=caller.username)
    return shown(updated)


@router.post("/{namespace}/{name}/refresh", response_model=dict[str, Any], responses=_WRITE_ERRORS)
async def refresh(namespace: str, name: str, caller: CurrentCaller, hard: bool = False) -> Manifest:
    """Compare with Git now; ``hard`` also renders again."""
    caller.app(namespace, name, "get")
    updated = await actions.request_refresh(caller.state.client, namespace, name, hard=hard)
    caller.state.index.observe(updated)
    return shown(updated)


@router.post("/{namespace}/{name}/rollback", response_model=dict[str, Any], responses=_WRITE_ERRORS)
async def rollback(namespace: str, name: str, body: RollbackBody, caller: CurrentCaller) -> Manifest:
    """Sync the revision of a history entry. Refused while automated sync is on unless
    ``disableAutoSync`` (which turns it off first)."""
    caller.app(namespace, name, "sync")
    if body.disableAutoSync:
        caller.app(namespace, name, "update")
    updated = await actions.rollback(
        caller.state.client,
        namespace,
        name,
        body.id,
        prune=body.prune,
        disable_auto_sync=body.disableAutoSync,
        username=caller.username,
    )
    caller.state.index.observe(updated)
    return shown(updated)


@router.post("/{namespace}/{name}/revert", response_model=RevertResult, responses=_WRITE_ERRORS)
async def revert(namespace: str, name: str, body: RevertBody, caller: CurrentCaller) -> RevertResult:
    """Commit a ``git revert`` of a revision (default: the deployed one) on ``branch``
    and refresh; needs ``applications, update``."""
    app = caller.app(namespace, name, "update")
    credentials = credentials_for(caller.state.settings.secrets(), parse_spec(app).source.repo_url)
    sha = await actions.revert(
        caller.state.client,
        namespace,
        name,
        branch=body.branch,
        revision=body.revision,
        credentials=credentials,
        username=caller.username,
    )
    return RevertResult(commit=sha)


@router.post("", response_model=dict[str, Any], responses=_WRITE_ERRORS)
async def create(
    caller: CurrentCaller,
    manifest: Annotated[dict[str, Any], Body(description="an argoproj.io/v1alpha1 Application")],
    upsert: bool = False,
) -> Manifest:
    """Create an Application from a manifest; ``upsert`` replaces the spec of an existing one."""
    state = caller.state
    clean = actions.validate_manifest(manifest, default_namespace=state.options.control_namespace)
    meta = clean["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    if not state.options.serves(namespace):
        raise ApiError(
            400, f"namespace {namespace} is not served by this server (see --application-namespaces)"
        )
    project = str(clean["spec"].get("project") or "default")
    caller.require("applications", "create", rbac_object(state, project, namespace, name))
    existing = state.index.get(namespace, name)
    if existing is not None:
        if not caller.can("applications", "get", app_object(state, existing)):
            raise ApiError(
                403,
                f"permission denied: applications, create, {rbac_object(state, project, namespace, name)}",
            )
        if upsert:
            caller.require("applications", "update", app_object(state, existing))
            caller.require("applications", "update", rbac_object(state, project, namespace, name))
    created = await actions.create_application(state.client, clean, upsert=upsert)
    state.index.observe(created)
    log.info("application_created", app=f"{namespace}/{name}", user=caller.username, upsert=upsert)
    return shown(created)


@router.patch("/{namespace}/{name}", response_model=dict[str, Any], responses=_WRITE_ERRORS)
async def patch(
    namespace: str,
    name: str,
    caller: CurrentCaller,
    spec_patch: Annotated[
        dict[str, Any],
        Body(description='JSON merge patch of spec, e.g. {"source": {"targetRevision": "v2"}}'),
    ],
) -> Manifest:
    """Merge-patch the spec (``rudder app set``); moving to another project needs update there too."""
    app = caller.app(namespace, name, "update")
    new_project = spec_patch.get("project")
    if isinstance(new_project, str) and new_project:
        caller.require("applications", "update", rbac_object(caller.state, new_project, namespace, name))
    updated = await actions.patch_spec(caller.state.client, app, spec_patch)
    caller.state.index.observe(updated)
    return shown(updated)


@router.delete("/{namespace}/{name}", response_model=Deleted, responses=_WRITE_ERRORS)
async def delete(
    namespace: str,
    name: str,
    caller: CurrentCaller,
    cascade: Annotated[bool, Query(description="also delete the resources the app deployed")] = True,
) -> Deleted:
    """Delete the Application (and, with cascade, what it deployed)."""
    caller.app(namespace, name, "delete")
    await actions.delete_application(caller.state.client, namespace, name, cascade=cascade)
    log.info("application_deleted", app=f"{namespace}/{name}", user=caller.username, cascade=cascade)
    return Deleted(namespace=namespace, name=name, cascade=cascade)
