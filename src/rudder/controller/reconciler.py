"""One reconcile of one Application, as a straight line of stages that each report
into status: resolve the revision, render, prepare, compare with the live cache, run
the requested or automated sync, and always write status at the end. Returns when to
look again. Called by the controller's workers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rudder.controller import operation as op
from rudder.controller import status as st
from rudder.controller.automation import decide
from rudder.controller.compare import Comparison
from rudder.controller.context import AppKey, ControllerContext
from rudder.controller.desired import prepare_desired
from rudder.controller.finalize import finalize
from rudder.controller.project import check_application, forbidden_resources
from rudder.controller.sources import credentials_for, render_revision
from rudder.health.registry import assess
from rudder.health.rollup import aggregate
from rudder.model.application import (
    IN_CLUSTER_SERVER,
    REFRESH_ANNOTATION,
    REFRESH_INTERVAL_ANNOTATION,
    ApplicationSpec,
    parse_spec,
)
from rudder.model.duration import parse_duration
from rudder.model.errors import ConfigError, RudderError
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest, app_instance_name, key_of
from rudder.model.sync import SyncStatus
from rudder.observability.logging import get_logger
from rudder.sync.hooks import hook_spec

log = get_logger(__name__)


@dataclass
class Pass:
    """State of one reconcile pass; becomes the status patch."""

    app: Manifest
    key: AppKey
    instance: str
    conditions: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    status: dict[str, Any] = field(default_factory=dict)
    requeue: float | None = None


async def reconcile(ctx: ControllerContext, key: AppKey) -> float | None:
    """Reconcile the Application ``key``; returns seconds until the next look (None = never)."""
    app = ctx.app(key)
    instance = app_instance_name(key[0], key[1], control_namespace=ctx.options.control_namespace)
    if app is None:
        ctx.memory.pop(key, None)
        ctx.comparer.forget_app(instance)
        return None
    meta = app.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return await finalize(ctx, app, instance)
    run = Pass(app=app, key=key, instance=instance)
    previous = app.get("status") or {}
    try:
        await _reconcile(ctx, run)
    except RudderError as exc:
        run.conditions.append(
            ("ComparisonError" if not isinstance(exc, ConfigError) else "InvalidSpecError", str(exc))
        )
        _fallback_status(ctx, run)
        if exc.temporary:
            run.requeue = min(run.requeue or ctx.options.refresh_interval, 30.0)
        log.info("reconcile_failed", app=f"{key[0]}/{key[1]}", error=str(exc))
    finally:
        run.status["conditions"] = st.conditions(
            [*run.conditions, *run.warnings], previous.get("conditions") or []
        )
        run.status["reconciledAt"] = st.now()
        run.status["observedAt"] = run.status["reconciledAt"]
        await op.patch_status(ctx, app, run.status)
        if (meta.get("annotations") or {}).get(REFRESH_ANNOTATION):
            await op.clear_refresh(ctx, app)
    if run.requeue is None:
        memory = ctx.memory.get(key)
        upcoming = memory.next_poll - time.time() if memory and memory.next_poll else 0.0
        run.requeue = upcoming if upcoming > 0 else ctx.options.next_refresh(key, _interval(app))
    return run.requeue


def _interval(app: Manifest) -> float | None:
    raw = ((app.get("metadata") or {}).get("annotations") or {}).get(REFRESH_INTERVAL_ANNOTATION)
    if not raw:
        return None
    try:
        return max(parse_duration(str(raw), field=REFRESH_INTERVAL_ANNOTATION), 1.0)
    except ConfigError:
        return None


def _fallback_status(ctx: ControllerContext, run: Pass) -> None:
    """After a failed comparison: sync Unknown, health from what the app tracks."""
    tracked = ctx.live.tracked(run.instance)
    health = aggregate([(k, assess(v)) for k, v in tracked.items() if not hook_spec(v).is_hook])
    run.status.setdefault("sync", {})["status"] = SyncStatus.UNKNOWN.value
    run.status["health"] = st.health_status(health if tracked else HealthResult(HealthStatus.UNKNOWN, ""))


async def _reconcile(ctx: ControllerContext, run: Pass) -> None:
    app = run.app
    spec = parse_spec(app)
    server = IN_CLUSTER_SERVER
    if not spec.destination.in_cluster:
        raise ConfigError(
            f"destination {spec.destination.server or spec.destination.name}: cluster is not configured "
            f"(only {IN_CLUSTER_SERVER} / in-cluster is supported)"
        )
    project = ctx.project(spec.project)
    problems = check_application(
        project,
        spec.project,
        spec,
        server=server,
        app_namespace=run.key[0],
        control_namespace=ctx.options.control_namespace,
    )
    if problems:
        raise ConfigError("; ".join(problems))
    memory = ctx.remember(run.key)
    annotations = (app.get("metadata") or {}).get("annotations") or {}
    refresh_kind = str(annotations.get(REFRESH_ANNOTATION) or "")
    generation = int((app.get("metadata") or {}).get("generation") or 0)
    # The schedule is its own: a refresh for another reason (a sibling's new commit, a
    # webhook) does not push the next periodic look further away.
    interval = _interval(app) or ctx.options.refresh_interval
    now = time.time()
    due = memory.poll_now or now >= memory.next_poll or memory.next_poll - now > interval
    refresh = bool(refresh_kind) or due or generation != memory.generation or not memory.revision
    # A refresh someone asked for (annotation, spec change) asks the remote; a periodic or
    # first one may reuse what another app of the same repository learnt a moment ago, so
    # N apps on one repository do not cost N ls-remotes per interval.
    asked = bool(refresh_kind) or (
        bool(memory.revision)
        and (generation != memory.generation or memory.source_hash != spec.source.spec_hash)
    )
    credentials = credentials_for(ctx, spec.source.repo_url)
    if refresh or memory.source_hash != spec.source.spec_hash:
        previous = memory.revision
        memory.revision = await ctx.mirrors.resolve_revision(
            spec.source.repo_url, spec.source.target_revision, credentials=credentials, refresh=asked
        )
        if previous and memory.revision != previous and ctx.on_new_commit is not None:
            await ctx.on_new_commit(
                run.key, spec.source.repo_url, spec.source.target_revision, previous, memory.revision
            )
        memory.poll_now = False
        memory.next_poll = time.time() + ctx.options.next_refresh(run.key, _interval(app))
        memory.source_hash = spec.source.spec_hash
        memory.generation = generation
    revision = memory.revision
    run.status["sync"] = {
        "status": SyncStatus.UNKNOWN.value,
        "revision": revision,
        "comparedTo": {"source": spec.source.raw, "destination": _destination(spec)},
    }
    desired, tool = await _desired(ctx, run, spec, revision, hard=refresh_kind == "hard")
    run.status["sourceType"] = tool
    denied = forbidden_resources(project, [key_of(o) for o in desired])
    if denied:
        raise ConfigError("; ".join(denied))
    comparison = await ctx.comparer.compare(
        app_instance=run.instance, desired=desired, ignore=spec.ignore_differences
    )
    _comparison_status(run, comparison)
    comparison = await _operate(
        ctx, run, spec=spec, revision=revision, desired=desired, comparison=comparison
    )
    if comparison.sync_status == SyncStatus.SYNCED:
        memory.self_heal_attempts = 0


def _destination(spec: ApplicationSpec) -> dict[str, str]:
    out = {"namespace": spec.destination.namespace}
    if spec.destination.name:
        out["name"] = spec.destination.name
    else:
        out["server"] = spec.destination.server or IN_CLUSTER_SERVER
    return out


async def _desired(
    ctx: ControllerContext, run: Pass, spec: ApplicationSpec, revision: str, *, hard: bool
) -> tuple[tuple[Manifest, ...], str]:
    memory = ctx.remember(run.key)
    stamp = f"{revision}:{spec.source.spec_hash}"
    if memory.desired_for == stamp and not hard:
        return memory.desired, str(run.app.get("status", {}).get("sourceType") or "")
    manifests, tool = await render_revision(ctx, run.key[1], spec, revision, hard=hard)
    prepared = await prepare_desired(
        ctx.client, manifests, namespace=spec.destination.namespace, app_instance=run.instance
    )
    for api_version, kind in {(str(o["apiVersion"]), str(o["kind"])) for o in prepared.objects}:
        if (api_version.rsplit("/", 1)[0] if "/" in api_version else "", kind) not in prepared.pending_kinds:
            await ctx.live.ensure(api_version, kind)
    memory.desired, memory.desired_for = prepared.objects, stamp
    return prepared.objects, tool


def _comparison_status(run: Pass, comparison: Comparison) -> None:
    run.status["sync"]["status"] = comparison.sync_status.value
    run.status["health"] = st.health_status(comparison.health)
    run.status["resources"] = st.resources(comparison)
    run.status["summary"] = {"images": st.images(r.live for r in comparison.resources if r.live)}
    run.warnings = list(comparison.warnings)


async def _operate(
    ctx: ControllerContext,
    run: Pass,
    *,
    spec: ApplicationSpec,
    revision: str,
    desired: tuple[Manifest, ...],
    comparison: Comparison,
) -> Comparison:
    """Run the requested operation, a retry, or an automated sync; return the
    comparison that describes the cluster afterwards."""
    app = run.app
    operation = app.get("operation")
    last = (app.get("status") or {}).get("operationState")
    if isinstance(operation, dict) and operation.get("sync") is not None:
        result = await op.run_operation(
            ctx,
            run,
            spec=spec,
            revision=revision,
            desired=desired,
            comparison=comparison,
            operation=operation,
            last=last,
        )
    else:
        retrying = _automation_due(
            ctx, run, spec=spec, revision=revision, desired=desired, comparison=comparison
        )
        if retrying is None:
            return comparison
        result = await op.run_automated(
            ctx,
            run,
            spec=spec,
            revision=revision,
            desired=desired,
            comparison=comparison,
            last=last,
            retrying=retrying,
        )
    if result is None:
        return comparison
    after = await ctx.comparer.compare(
        app_instance=run.instance, desired=desired, ignore=spec.ignore_differences
    )
    _comparison_status(run, after)
    return after


def _automation_due(
    ctx: ControllerContext,
    run: Pass,
    *,
    spec: ApplicationSpec,
    revision: str,
    desired: tuple[Manifest, ...],
    comparison: Comparison,
) -> bool | None:
    """None when automation should not sync now; otherwise whether the sync is a retry."""
    last = (run.app.get("status") or {}).get("operationState")
    retry = op.pending_retry(spec, last, revision)
    if retry is not None:
        if retry > 0:
            run.requeue = retry
            return None
        return True
    memory = ctx.remember(run.key)
    decision = decide(
        automated=spec.sync_policy.automated,
        sync_status=comparison.sync_status,
        revision=revision,
        desired_count=sum(1 for o in desired if not hook_spec(o).is_hook),
        last_operation=last,
        self_heal_attempts=memory.self_heal_attempts,
        now=time.time(),
    )
    if decision.blocked:
        run.conditions.append(("SyncError", decision.blocked))
    if decision.wait:
        run.requeue = decision.wait
    if not decision.sync:
        if last:
            run.status["operationState"] = last
        return None
    if "self-heal" in decision.reason:
        memory.self_heal_attempts += 1
    log.info("auto_sync", app=f"{run.key[0]}/{run.key[1]}", reason=decision.reason, revision=revision)
    return False


__all__ = ["reconcile"]
