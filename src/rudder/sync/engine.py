"""Runs one sync operation: dry-runs the whole set first (nothing is written if any
object is refused), creates the destination namespace when asked, then runs PreSync
hooks, Sync waves (applies, then prunes in reverse wave order), PostSync hooks, and
SyncFail hooks on failure; each wave waits for the previous one to be healthy.
Returns a ChangeSet. Used by the controller's reconciler."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.diff.ignore import preserve_ignored
from rudder.health.registry import assess
from rudder.model.errors import ClusterError, NotFoundError
from rudder.model.health import HealthStatus
from rudder.model.resource import Manifest, ResourceKey, key_of
from rudder.model.sync import (
    ChangeSet,
    HookDeletePolicy,
    HookType,
    OperationPhase,
    ResourceResult,
    ResultCode,
    SyncPhase,
)
from rudder.observability.logging import get_logger
from rudder.sync.apply import write
from rudder.sync.namespace import ensure_namespace
from rudder.sync.order import kind_rank
from rudder.sync.plan import Action, SyncPlan, SyncRequest, Task, build_plan, resource_options

log = get_logger(__name__)

ProgressCallback = Callable[[str, tuple[ResourceResult, ...]], Awaitable[None]]
AppliedCallback = Callable[[Manifest, Manifest], None]
"""Called as ``(desired, server's object)`` after each server-side apply of a desired object."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOptions:
    wave_timeout: float = 600.0
    """Seconds a wave may take to become healthy before the operation fails."""
    hook_timeout: float = 600.0
    poll_interval: float = 0.2
    apply_concurrency: int = 8


@dataclass
class _Run:
    request: SyncRequest
    plan: SyncPlan
    results: dict[tuple[ResourceKey, str], ResourceResult] = field(default_factory=dict)
    on_applied: AppliedCallback | None = None

    def record(self, task: Task, result: ResourceResult) -> None:
        self.results[(task.key, task.phase.value if task.action == Action.HOOK else "")] = result

    def ordered(self) -> tuple[ResourceResult, ...]:
        return tuple(self.results.values())


class SyncFailed(Exception):
    """Internal: stops the operation after a task failed (its result is recorded)."""


class SyncEngine:
    """Executes sync plans against one cluster."""

    def __init__(self, client: KubeClient, cache: LiveCache, options: EngineOptions | None = None) -> None:
        self._client = client
        self._cache = cache
        self._options = options or EngineOptions()

    async def run(
        self,
        request: SyncRequest,
        *,
        progress: ProgressCallback | None = None,
        on_applied: AppliedCallback | None = None,
    ) -> ChangeSet:
        plan = build_plan(request)
        run = _Run(request=request, plan=plan, on_applied=on_applied)

        async def report(message: str) -> None:
            if progress is not None:
                await progress(message, run.ordered())

        refused = await self._dry_run(plan, request)
        if refused:
            for task, message in refused:
                run.record(task, _result(task, ResultCode.SYNC_FAILED, message))
            first = refused[0][1]
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            return _changeset(
                run, OperationPhase.FAILED, f"dry run refused, nothing was applied: {first}{more}"
            )
        if request.dry_run:
            for task in plan.tasks:
                code = ResultCode.PRUNE_SKIPPED if task.prune_skipped else _code_for(task)
                run.record(task, _result(task, code, f"{_verb(task)} (dry run)"))
            return _changeset(run, OperationPhase.SUCCEEDED, "dry run succeeded, nothing was changed")
        try:
            if request.options.enabled("CreateNamespace") and request.destination_namespace:
                await ensure_namespace(
                    self._client,
                    request.destination_namespace,
                    labels=dict(request.managed_namespace_labels),
                    annotations=dict(request.managed_namespace_annotations),
                )
            await report("running PreSync hooks")
            await self._run_hooks(run, SyncPhase.PRE_SYNC)
            await self._run_sync_phase(run, report)
            await report("running PostSync hooks")
            await self._run_hooks(run, SyncPhase.POST_SYNC)
            if plan.prune_last:
                await self._run_prunes(run, plan.phase(SyncPhase.SYNC))
        except SyncFailed as exc:
            await self._run_sync_fail(run)
            return _changeset(run, OperationPhase.FAILED, str(exc))
        except ClusterError as exc:
            await self._run_sync_fail(run)
            return _changeset(run, OperationPhase.ERROR, str(exc))
        return _changeset(run, OperationPhase.SUCCEEDED, "successfully synced (all tasks run)")

    # -- stages ----------------------------------------------------------------------

    async def _dry_run(self, plan: SyncPlan, request: SyncRequest) -> list[tuple[Task, str]]:
        """Dry-run every write; returns the refused tasks with the API server's message."""
        crd_kinds = {
            (
                str((t.obj.get("spec") or {}).get("group", "")),
                str(((t.obj.get("spec") or {}).get("names") or {}).get("kind", "")),
            )
            for t in plan.tasks
            if t.key.kind == "CustomResourceDefinition" and t.action != Action.PRUNE
        }
        new_namespaces = {
            t.key.name for t in plan.tasks if t.key.kind == "Namespace" and t.action != Action.PRUNE
        }
        if request.options.enabled("CreateNamespace") and request.destination_namespace:
            new_namespaces.add(request.destination_namespace)
        missing_namespaces = {ns for ns in new_namespaces if not await self._namespace_exists(ns)}
        semaphore = asyncio.Semaphore(self._options.apply_concurrency)

        async def check(task: Task) -> tuple[Task, str] | None:
            if task.action == Action.PRUNE:
                return None
            if (task.key.group, task.key.kind) in crd_kinds or task.key.namespace in missing_namespaces:
                return None  # cannot be dry-run before its CRD / namespace exists
            async with semaphore:
                try:
                    await write(
                        self._client,
                        self._prepared(task, request),
                        key=task.key,
                        replace=task.replace,
                        dry_run=True,
                    )
                except ClusterError as exc:
                    return task, _named(task.key, exc)
            return None

        outcomes = await asyncio.gather(*(check(t) for t in plan.tasks))
        return [o for o in outcomes if o is not None]

    async def _namespace_exists(self, name: str) -> bool:
        try:
            await self._client.get("v1", "Namespace", name)
        except NotFoundError:
            return False
        return True

    async def _run_sync_phase(self, run: _Run, report: Callable[[str], Awaitable[None]]) -> None:
        tasks = run.plan.phase(SyncPhase.SYNC)
        waves = sorted({t.wave for t in tasks if t.action != Action.PRUNE})
        later_work = bool(run.plan.phase(SyncPhase.POST_SYNC))
        for index, wave in enumerate(waves):
            await report(f"syncing wave {wave}")
            wave_tasks = [t for t in tasks if t.wave == wave and t.action != Action.PRUNE]
            await self._apply_wave(run, [t for t in wave_tasks if t.action == Action.APPLY])
            await self._run_hook_tasks(run, [t for t in wave_tasks if t.action == Action.HOOK])
            if index < len(waves) - 1 or later_work:
                await self._wait_healthy(run, [t for t in wave_tasks if t.action == Action.APPLY], wave)
        if not run.plan.prune_last:
            await report("pruning")
            await self._run_prunes(run, tasks)

    async def _apply_wave(self, run: _Run, tasks: list[Task]) -> None:
        semaphore = asyncio.Semaphore(self._options.apply_concurrency)
        by_rank: dict[int, list[Task]] = {}
        for task in tasks:
            by_rank.setdefault(kind_rank(task.key.kind), []).append(task)

        async def apply_one(task: Task) -> None:
            written = self._prepared(task, run.request)
            async with semaphore:
                try:
                    obj, verb = await write(self._client, written, key=task.key, replace=task.replace)
                except ClusterError as exc:
                    run.record(task, _result(task, ResultCode.SYNC_FAILED, _named(task.key, exc)))
                    return
                self._cache.observe(obj)
                if run.on_applied is not None and written is task.obj and not task.replace:
                    run.on_applied(task.obj, obj)
                run.record(task, _result(task, ResultCode.SYNCED, f"{_display(task.key)} {verb}"))

        for rank in sorted(by_rank):
            group = by_rank[rank]
            await asyncio.gather(*(apply_one(t) for t in group))
            if any(t.key.kind == "CustomResourceDefinition" for t in group):
                await self._wait_crds_established(
                    [t for t in group if t.key.kind == "CustomResourceDefinition"]
                )
        failed = [
            r for t in tasks if (r := run.results.get((t.key, ""))) and r.status == ResultCode.SYNC_FAILED
        ]
        if failed:
            raise SyncFailed(failed[0].message)

    async def _wait_crds_established(self, tasks: list[Task]) -> None:
        deadline = time.monotonic() + 60
        for task in tasks:
            while time.monotonic() < deadline:
                crd = await self._client.get(
                    "apiextensions.k8s.io/v1", "CustomResourceDefinition", task.key.name
                )
                conditions = (crd.get("status") or {}).get("conditions") or []
                if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                    break
                await asyncio.sleep(self._options.poll_interval)
        self._client.discovery.invalidate()

    async def _wait_healthy(self, run: _Run, tasks: list[Task], wave: int) -> None:
        """Wait until every object applied in ``wave`` is healthy (or has no health)."""
        kinds = {(str(t.obj.get("apiVersion")), t.key.kind) for t in tasks}
        for api_version, kind in kinds:
            await self._cache.ensure(api_version, kind)
        deadline = time.monotonic() + self._options.wave_timeout
        while True:
            waiting: list[str] = []
            for task in tasks:
                live = self._cache.get(task.key)
                if live is None:
                    waiting.append(f"{task.key} (not observed yet)")
                    continue
                health = assess(live)
                if health is None or health.status in (HealthStatus.HEALTHY, HealthStatus.SUSPENDED):
                    continue
                if health.status == HealthStatus.DEGRADED:
                    raise SyncFailed(f"wave {wave}: {task.key} is Degraded: {health.message}")
                waiting.append(f"{task.key} ({health.status}: {health.message})")
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise SyncFailed(
                    f"wave {wave} not healthy after {self._options.wave_timeout:.0f}s: {waiting[0]}"
                )
            await asyncio.sleep(self._options.poll_interval)

    async def _run_prunes(self, run: _Run, tasks: Iterable[Task]) -> None:
        prunes = [t for t in tasks if t.action == Action.PRUNE]
        waves: dict[int, list[Task]] = {}
        for task in prunes:
            waves.setdefault(task.wave, []).append(task)
        propagation = (run.request.options.get("PrunePropagationPolicy") or "foreground").capitalize()
        if propagation not in ("Foreground", "Background", "Orphan"):
            propagation = "Foreground"
        for wave in sorted(waves, reverse=True):
            for task in sorted(waves[wave], key=lambda t: t.order):
                if task.prune_skipped:
                    reason = (
                        "Prune=false annotation"
                        if resource_options(task.obj).disabled("Prune")
                        else "prune is off"
                    )
                    run.record(
                        task, _result(task, ResultCode.PRUNE_SKIPPED, f"ignored (requires pruning; {reason})")
                    )
                    continue
                try:
                    await self._client.delete(
                        str(task.obj.get("apiVersion")),
                        task.key.kind,
                        task.key.name,
                        task.key.namespace,
                        propagation=propagation,  # type: ignore[arg-type]
                    )
                except ClusterError as exc:
                    run.record(task, _result(task, ResultCode.SYNC_FAILED, _named(task.key, exc)))
                    raise SyncFailed(_named(task.key, exc)) from exc
                self._cache.forget(task.key)
                run.record(task, _result(task, ResultCode.PRUNED, "pruned"))

    # -- hooks -----------------------------------------------------------------------

    async def _run_hooks(self, run: _Run, phase: SyncPhase) -> None:
        for _, tasks in run.plan.waves(phase, Action.HOOK):
            await self._run_hook_tasks(run, tasks)

    async def _run_sync_fail(self, run: _Run) -> None:
        try:
            await self._run_hooks(run, SyncPhase.SYNC_FAIL)
        except (SyncFailed, ClusterError) as exc:
            log.warning("syncfail_hook_failed", app=run.request.app_instance, error=str(exc))

    async def _run_hook_tasks(self, run: _Run, tasks: list[Task]) -> None:
        if not tasks:
            return
        outcomes = await asyncio.gather(*(self._run_hook(run, t) for t in tasks))
        failed = [message for ok, message in outcomes if not ok]
        if failed:
            raise SyncFailed(failed[0])

    async def _run_hook(self, run: _Run, task: Task) -> tuple[bool, str]:
        assert task.hook is not None
        policies = task.hook.delete_policies
        api_version = str(task.obj.get("apiVersion"))
        await self._cache.ensure(api_version, task.key.kind)
        if HookDeletePolicy.BEFORE_HOOK_CREATION in policies and task.key.name:
            await self._delete_and_wait(api_version, task.key)
        try:
            created, _ = await write(self._client, self._prepared(task, run.request), key=task.key)
        except ClusterError as exc:
            message = _named(task.key, exc)
            run.record(task, _result(task, ResultCode.SYNC_FAILED, message, hook_phase=OperationPhase.FAILED))
            return False, message
        self._cache.observe(created)
        key = key_of(created)
        run.record(
            task, _result(task, ResultCode.SYNCED, "running", hook_phase=OperationPhase.RUNNING, key=key)
        )
        deadline = time.monotonic() + self._options.hook_timeout
        while True:
            live = self._cache.get(key) or created
            health = assess(live)
            if health is None or health.status == HealthStatus.HEALTHY:
                succeeded, message = True, health.message if health else "completed"
                break
            if health.status == HealthStatus.DEGRADED:
                succeeded, message = False, f"hook {key} failed: {health.message}"
                break
            if time.monotonic() > deadline:
                succeeded, message = (
                    False,
                    f"hook {key} did not finish within {self._options.hook_timeout:.0f}s",
                )
                break
            await asyncio.sleep(self._options.poll_interval)
        phase = OperationPhase.SUCCEEDED if succeeded else OperationPhase.FAILED
        code = ResultCode.SYNCED if succeeded else ResultCode.SYNC_FAILED
        run.record(task, _result(task, code, message or phase.value, hook_phase=phase, key=key))
        policy = HookDeletePolicy.HOOK_SUCCEEDED if succeeded else HookDeletePolicy.HOOK_FAILED
        if policy in policies:
            await self._client.delete(
                api_version, key.kind, key.name, key.namespace, propagation="Background"
            )
            self._cache.forget(key)
        return succeeded, message

    async def _delete_and_wait(self, api_version: str, key: ResourceKey) -> None:
        deleted = await self._client.delete(
            api_version, key.kind, key.name, key.namespace, propagation="Foreground"
        )
        if not deleted:
            return
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                await self._client.get(api_version, key.kind, key.name, key.namespace)
            except NotFoundError:
                self._cache.forget(key)
                return
            await asyncio.sleep(self._options.poll_interval)

    # -- helpers ---------------------------------------------------------------------

    def _prepared(self, task: Task, request: SyncRequest) -> Manifest:
        """The object to write: ignored fields keep their live values (our improvement
        over Argo CD, which overwrites them on sync)."""
        if task.action != Action.APPLY or not request.ignore:
            return task.obj
        live = self._cache.get(task.key) or request.live.get(task.key)
        if live is None:
            return task.obj
        return preserve_ignored(task.obj, live, request.ignore)


def _display(key: ResourceKey) -> str:
    return f"{key.kind.lower()}{'.' + key.group if key.group else ''}/{key.name}"


def _named(key: ResourceKey, exc: ClusterError) -> str:
    text = str(exc)
    return text if text.startswith(str(key)) else f"{key}: {text}"


def _verb(task: Task) -> str:
    if task.action == Action.PRUNE:
        return "would be pruned" if not task.prune_skipped else "requires pruning (prune is off)"
    return "would be applied"


def _code_for(task: Task) -> ResultCode:
    return ResultCode.PRUNED if task.action == Action.PRUNE else ResultCode.SYNCED


def _result(
    task: Task,
    code: ResultCode,
    message: str,
    *,
    hook_phase: OperationPhase | None = None,
    key: ResourceKey | None = None,
) -> ResourceResult:
    hook_type: HookType | None = None
    if task.action == Action.HOOK:
        hook_type = HookType(task.phase.value)
    version = str(task.obj.get("apiVersion", "")).rsplit("/", 1)[-1]
    return ResourceResult(
        key=key or task.key,
        version=version,
        status=code,
        message=message,
        sync_phase=task.phase,
        hook_type=hook_type,
        hook_phase=hook_phase,
        wave=task.wave,
    )


def _changeset(run: _Run, phase: OperationPhase, message: str) -> ChangeSet:
    return ChangeSet(phase=phase, message=message, revision=run.request.revision, results=run.ordered())
