"""Runs sync operations for the reconciler: the ``operation.sync`` a user (CLI, API,
kubectl) put on the Application, automated syncs, and retries; records
operationState, history and Events, and writes status patches."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rudder.cluster.events import record_event
from rudder.controller import status as st
from rudder.controller.automation import retry_delay
from rudder.controller.compare import Comparison
from rudder.controller.context import ControllerContext
from rudder.controller.desired import prepare_desired
from rudder.controller.sources import credentials_for, render_revision
from rudder.model.application import APP_API_VERSION as APP_API
from rudder.model.application import ApplicationSpec, SyncOptions, parse_source
from rudder.model.errors import ClusterError, RudderError
from rudder.model.resource import Manifest, ResourceKey, key_of
from rudder.model.sync import ChangeSet, OperationPhase, ResourceResult, ResultCode
from rudder.observability import metrics
from rudder.observability.logging import get_logger
from rudder.sync.plan import SyncRequest

if TYPE_CHECKING:
    from rudder.controller.reconciler import Pass

log = get_logger(__name__)
PROGRESS_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class Outcome:
    revision: str
    changes: ChangeSet


async def patch_status(ctx: ControllerContext, app: Manifest, status: dict[str, Any]) -> None:
    """Replace the given top-level status fields (others are kept as they are)."""
    meta = app.get("metadata") or {}
    key = (str(meta.get("namespace")), str(meta.get("name")))
    current = (ctx.app(key) or app).get("status") or {}
    patch = {field: st.merge_patch(current.get(field), value) for field, value in status.items()}
    try:
        updated = await ctx.client.patch(
            APP_API,
            "Application",
            key[1],
            key[0],
            patch={"status": patch},
            subresource="status",
        )
        ctx.apps.observe(updated, notify=True)
    except ClusterError as exc:
        log.warning("status_patch_failed", app=f"{meta.get('namespace')}/{meta.get('name')}", error=str(exc))


async def _patch_app(ctx: ControllerContext, app: Manifest, patch: dict[str, Any]) -> None:
    meta = app.get("metadata") or {}
    try:
        updated = await ctx.client.patch(
            APP_API, "Application", str(meta.get("name")), str(meta.get("namespace")), patch=patch
        )
        ctx.apps.observe(updated, notify=True)
    except ClusterError as exc:
        log.warning("app_patch_failed", app=f"{meta.get('namespace')}/{meta.get('name')}", error=str(exc))


async def clear_refresh(ctx: ControllerContext, app: Manifest) -> None:
    """Remove ``argocd.argoproj.io/refresh`` once the refresh happened, as Argo CD does."""
    await _patch_app(ctx, app, {"metadata": {"annotations": {"argocd.argoproj.io/refresh": None}}})


def pending_retry(spec: ApplicationSpec, last: Manifest | None, revision: str) -> float | None:
    """Seconds until a scheduled automated retry is due (0 = now), or None."""
    if not last or last.get("phase") != OperationPhase.RUNNING.value or not int(last.get("retryCount") or 0):
        return None
    operation = last.get("operation") or {}
    if not (operation.get("initiatedBy") or {}).get("automated"):
        return None
    if str((operation.get("sync") or {}).get("revision") or "") != revision:
        return None
    due = float(last.get("nextRetryAt") or 0)
    return max(due - time.time(), 0.0)


def _initiated_by(operation: Manifest) -> dict[str, Any]:
    initiated = operation.get("initiatedBy") or {}
    if initiated.get("automated"):
        return {"automated": True}
    return {"username": str(initiated.get("username") or "unknown")}


async def run_operation(
    ctx: ControllerContext,
    run: Pass,
    *,
    spec: ApplicationSpec,
    revision: str,
    desired: tuple[Manifest, ...],
    comparison: Comparison,
    operation: Manifest,
    last: Manifest | None,
) -> Outcome | None:
    """Execute ``operation.sync`` from the Application; clear it when finished."""
    sync = operation.get("sync") or {}
    retry_count = 0
    if last and last.get("phase") == OperationPhase.RUNNING.value and last.get("operation") == operation:
        retry_count = int(last.get("retryCount") or 0)
        due = float(last.get("nextRetryAt") or 0) - time.time()
        if retry_count and due > 0:
            run.status["operationState"] = last
            run.requeue = due
            return None
    source_raw = sync.get("source") if isinstance(sync.get("source"), dict) else None
    source = parse_source(source_raw) if source_raw else spec.source
    target = str(sync.get("revision") or "")
    op_revision = revision
    op_desired, op_comparison = desired, comparison
    if target or source_raw:
        credentials = credentials_for(ctx, source.repo_url)
        op_revision = await ctx.mirrors.resolve_revision(
            source.repo_url, target or source.target_revision, credentials=credentials, refresh=True
        )
        if op_revision != revision or source_raw:
            op_spec = _with_source(spec, source)
            manifests, _ = await render_revision(ctx, run.key[1], op_spec, op_revision, hard=False)
            prepared = await prepare_desired(
                ctx.client, manifests, namespace=spec.destination.namespace, app_instance=run.instance
            )
            op_desired = prepared.objects
            op_comparison = await ctx.comparer.compare(
                app_instance=run.instance, desired=op_desired, ignore=spec.ignore_differences
            )
    options = SyncOptions(
        values=spec.sync_policy.sync_options.values + SyncOptions.parse(sync.get("syncOptions")).values
    )
    resources = _resource_subset(sync.get("resources"), spec.destination.namespace)
    changes = await execute(
        ctx,
        run,
        spec,
        revision=op_revision,
        desired=op_desired,
        comparison=op_comparison,
        operation=operation,
        prune=bool(sync.get("prune")),
        dry_run=bool(sync.get("dryRun")),
        options=options,
        resources=resources,
        retry_count=retry_count,
        source=source.raw,
    )
    delay = retry_delay(_retry_policy(operation, spec), retry_count) if _failed(changes) else None
    if delay is not None:
        _schedule_retry(run, changes, retry_count, delay)
        return Outcome(op_revision, changes)
    await _patch_app(ctx, run.app, {"operation": None})
    return Outcome(op_revision, changes)


async def run_automated(
    ctx: ControllerContext,
    run: Pass,
    *,
    spec: ApplicationSpec,
    revision: str,
    desired: tuple[Manifest, ...],
    comparison: Comparison,
    last: Manifest | None,
    retrying: bool,
) -> Outcome:
    automated = spec.sync_policy.automated
    retry_count = int((last or {}).get("retryCount") or 0) if retrying else 0
    sync: dict[str, Any] = {"revision": revision, "prune": bool(automated and automated.prune)}
    operation: dict[str, Any] = {
        "sync": sync,
        "initiatedBy": {"automated": True},
        "retry": {"limit": spec.sync_policy.retry.limit} if spec.sync_policy.retry else {},
    }
    if spec.sync_policy.sync_options.values:
        sync["syncOptions"] = [f"{k}={v}" for k, v in spec.sync_policy.sync_options.values]
    changes = await execute(
        ctx,
        run,
        spec,
        revision=revision,
        desired=desired,
        comparison=comparison,
        operation=operation,
        prune=bool(automated and automated.prune),
        dry_run=False,
        options=spec.sync_policy.sync_options,
        resources=None,
        retry_count=retry_count,
        source=spec.source.raw,
    )
    delay = retry_delay(spec.sync_policy.retry, retry_count) if _failed(changes) else None
    if delay is not None:
        _schedule_retry(run, changes, retry_count, delay)
    return Outcome(revision, changes)


def _failed(changes: ChangeSet) -> bool:
    return changes.phase in (OperationPhase.FAILED, OperationPhase.ERROR)


def _retry_policy(operation: Manifest, spec: ApplicationSpec) -> Any:
    from rudder.model.application import parse_sync_policy

    raw = operation.get("retry")
    if isinstance(raw, dict) and raw:
        return parse_sync_policy({"retry": raw}).retry
    return spec.sync_policy.retry


def _schedule_retry(run: Pass, changes: ChangeSet, retry_count: int, delay: float) -> None:
    state = run.status["operationState"]
    state["phase"] = OperationPhase.RUNNING.value
    state["retryCount"] = retry_count + 1
    state["nextRetryAt"] = time.time() + delay
    state["message"] = f"Retrying attempt #{retry_count + 1} in {delay:.0f}s: {changes.message}"
    state.pop("finishedAt", None)
    run.requeue = delay


def _with_source(spec: ApplicationSpec, source: Any) -> ApplicationSpec:
    return replace(spec, source=source)


def _resource_subset(items: Any, namespace: str) -> frozenset[ResourceKey] | None:
    if not isinstance(items, list) or not items:
        return None
    return frozenset(
        ResourceKey(
            str(i.get("group") or ""),
            str(i.get("kind") or ""),
            str(i.get("namespace") or ""),
            str(i.get("name") or ""),
        )
        for i in items
        if isinstance(i, dict)
    )


async def execute(
    ctx: ControllerContext,
    run: Pass,
    spec: ApplicationSpec,
    *,
    revision: str,
    desired: tuple[Manifest, ...],
    comparison: Comparison,
    operation: Manifest,
    prune: bool,
    dry_run: bool,
    options: SyncOptions,
    resources: frozenset[ResourceKey] | None,
    retry_count: int,
    source: Manifest,
) -> ChangeSet:
    """Run the sync engine, reporting progress into operationState, then record the
    outcome (operationState, history on success, an Event, a log line)."""
    app = run.app
    name = f"{run.key[0]}/{run.key[1]}"
    started = st.now()
    recorded_operation = {**operation, "sync": {**(operation.get("sync") or {}), "revision": revision}}
    running = st.operation_state(
        operation=recorded_operation,
        phase=OperationPhase.RUNNING,
        message="sync started",
        started_at=started,
        changes=None,
        source=source,
        retry_count=retry_count,
    )
    await patch_status(ctx, app, {"operationState": running})
    who = "automated sync" if (operation.get("initiatedBy") or {}).get("automated") else "sync"
    await record_event(
        ctx.client,
        app,
        reason="SyncStarted",
        message=f"{who} to {revision[:12]} started (by {_who(operation)})",
    )
    last_progress = time.monotonic()  # the "sync started" patch above is the first report

    async def progress(message: str, results: tuple[ResourceResult, ...]) -> None:
        nonlocal last_progress
        if time.monotonic() - last_progress < PROGRESS_INTERVAL:
            return
        last_progress = time.monotonic()
        state = {**running, "message": message}
        state["syncResult"] = {
            "revision": revision,
            "source": source,
            "resources": [st.result_entry(r) for r in results],
        }
        await patch_status(ctx, app, {"operationState": state})

    shared = {r.key: r.shared_with for r in comparison.resources if r.shared_with}
    request = SyncRequest(
        app_instance=run.instance,
        revision=revision,
        desired=tuple(o for o in desired if key_of(o) not in shared),
        live=comparison.live,
        statuses=comparison.statuses,
        prune=prune,
        dry_run=dry_run,
        options=options,
        resources=resources,
        ignore=spec.ignore_differences,
        destination_namespace=spec.destination.namespace,
        managed_namespace_labels=spec.sync_policy.managed_namespace_labels,
        managed_namespace_annotations=spec.sync_policy.managed_namespace_annotations,
    )
    try:
        changes = await ctx.engine.run(
            request,
            progress=progress,
            on_applied=lambda desired, applied: ctx.comparer.seed(run.instance, desired, applied),
        )
    except RudderError as exc:
        changes = ChangeSet(phase=OperationPhase.ERROR, message=str(exc), revision=revision)
    if shared:
        changes = _refuse_shared(changes, shared)
    run.status["operationState"] = st.operation_state(
        operation=recorded_operation,
        phase=changes.phase,
        message=changes.message,
        started_at=started,
        changes=changes,
        source=source,
        retry_count=retry_count,
    )
    if changes.phase == OperationPhase.SUCCEEDED and not dry_run:
        history = (app.get("status") or {}).get("history") or []
        run.status["history"] = st.append_history(
            history,
            revision=revision,
            source=source,
            started_at=started,
            initiated_by=_initiated_by(operation),
            limit=spec.revision_history_limit,
        )
        await record_event(
            ctx.client, app, reason="SyncSucceeded", message=f"{who} to {revision[:12]} succeeded"
        )
    else:
        run.conditions.append(("SyncError", changes.message))
        await record_event(
            ctx.client,
            app,
            reason="SyncFailed",
            message=f"{who} to {revision[:12]} {changes.phase.value.lower()}: {changes.message}",
            event_type="Warning",
        )
    metrics.SYNC_TOTAL.labels(run.key[0], run.key[1], changes.phase.value).inc()
    log.info(
        "sync_finished",
        app=name,
        revision=revision,
        phase=changes.phase.value,
        resources=len(changes.results),
        message=changes.message,
    )
    return changes


def _refuse_shared(changes: ChangeSet, shared: dict[ResourceKey, str]) -> ChangeSet:
    """Objects another app owns were left alone; the operation fails and says so."""
    refused = tuple(
        ResourceResult(
            key=key,
            status=ResultCode.SYNC_FAILED,
            message=f"{key} is owned by application {owner}; not changed",
        )
        for key, owner in sorted(shared.items())
    )
    first = refused[0].message
    message = (
        changes.message if changes.phase != OperationPhase.SUCCEEDED else f"shared resource refused: {first}"
    )
    phase = OperationPhase.FAILED if changes.phase == OperationPhase.SUCCEEDED else changes.phase
    return replace(changes, phase=phase, message=message, results=changes.results + refused)


def _who(operation: Manifest) -> str:
    initiated = operation.get("initiatedBy") or {}
    return "automation" if initiated.get("automated") else str(initiated.get("username") or "unknown")
