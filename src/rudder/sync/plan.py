"""Turns desired and live objects into a sync plan: apply, hook and prune tasks grouped
into phases and waves in Argo CD's order, honouring prune, Prune=false, PruneLast,
ApplyOutOfSyncOnly, Replace and a resource subset. Pure; used by sync.engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from rudder.model.application import IgnoreDifference, SyncOptions
from rudder.model.errors import ConfigError
from rudder.model.resource import (
    TRACKING_ANNOTATION,
    Manifest,
    ResourceKey,
    annotations_of,
    key_of,
    parse_tracking_id,
)
from rudder.model.sync import SyncPhase, SyncStatus
from rudder.sync.hooks import HookSpec, hook_spec
from rudder.sync.order import kind_rank, wave_of

SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options"
COMPARE_OPTIONS_ANNOTATION = "argocd.argoproj.io/compare-options"

_HOOK_PHASES = {
    "PreSync": SyncPhase.PRE_SYNC,
    "Sync": SyncPhase.SYNC,
    "PostSync": SyncPhase.POST_SYNC,
    "SyncFail": SyncPhase.SYNC_FAIL,
}


class Action(StrEnum):
    APPLY = "apply"
    HOOK = "hook"
    PRUNE = "prune"


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    key: ResourceKey
    action: Action
    obj: Manifest  # desired for apply/hook, live for prune
    phase: SyncPhase
    wave: int
    hook: HookSpec | None = None
    replace: bool = False
    prune_skipped: bool = False

    @property
    def order(self) -> tuple[int, int, int, str, str]:
        wave = -self.wave if self.action == Action.PRUNE else self.wave
        return (self.phase.order, wave, kind_rank(self.key.kind), self.key.namespace, self.key.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncRequest:
    """Everything one sync operation needs, prepared by the reconciler: ``desired`` has
    namespaces and tracking annotations filled in; ``live`` is what the app tracks."""

    app_instance: str
    revision: str
    desired: tuple[Manifest, ...]
    live: Mapping[ResourceKey, Manifest]
    statuses: Mapping[ResourceKey, SyncStatus] = field(default_factory=dict)
    prune: bool = False
    dry_run: bool = False
    options: SyncOptions = field(default_factory=SyncOptions)
    resources: frozenset[ResourceKey] | None = None
    ignore: tuple[IgnoreDifference, ...] = ()
    destination_namespace: str = ""
    managed_namespace_labels: tuple[tuple[str, str], ...] = ()
    managed_namespace_annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncPlan:
    tasks: tuple[Task, ...]
    prune_last: bool

    def phase(self, phase: SyncPhase) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.phase == phase)

    def waves(self, phase: SyncPhase, action: Action | None = None) -> list[tuple[int, list[Task]]]:
        """Tasks of ``phase`` grouped by wave, in execution order."""
        groups: dict[int, list[Task]] = {}
        for task in sorted(self.phase(phase), key=lambda t: t.order):
            if action is not None and task.action != action:
                continue
            groups.setdefault(task.wave, []).append(task)
        reverse = action == Action.PRUNE
        return sorted(groups.items(), key=lambda item: item[0], reverse=reverse)


def resource_options(obj: Manifest) -> SyncOptions:
    """Per-resource ``argocd.argoproj.io/sync-options`` (comma-separated)."""
    return SyncOptions.parse(annotations_of(obj).get(SYNC_OPTIONS_ANNOTATION, ""))


def is_hook(obj: Manifest) -> bool:
    return hook_spec(obj).is_hook


def build_plan(request: SyncRequest) -> SyncPlan:
    """The ordered task list for ``request``."""
    tasks: list[Task] = []
    desired_keys: set[ResourceKey] = set()
    only_out_of_sync = request.options.enabled("ApplyOutOfSyncOnly")
    replace_all = request.options.enabled("Replace")
    for obj in request.desired:
        key = key_of(obj)
        spec = hook_spec(obj)
        if spec.skip:
            continue
        wave = wave_of(obj, key=key)
        if spec.is_hook:
            if request.resources is not None:
                continue  # a partial sync runs no hooks, as in Argo CD
            for hook_type in sorted(spec.types):
                phase = _HOOK_PHASES.get(hook_type.value)
                if phase is not None:
                    tasks.append(
                        Task(key=key, action=Action.HOOK, obj=obj, phase=phase, wave=wave, hook=spec)
                    )
            continue
        desired_keys.add(key)
        if request.resources is not None and key not in request.resources:
            continue
        if only_out_of_sync and request.statuses.get(key) == SyncStatus.SYNCED:
            continue
        own = resource_options(obj)
        replace = own.enabled("Replace") or (replace_all and not own.disabled("Replace"))
        tasks.append(
            Task(key=key, action=Action.APPLY, obj=obj, phase=SyncPhase.SYNC, wave=wave, replace=replace)
        )
    for key, live in request.live.items():
        if key in desired_keys or is_hook(live) or not _tracked_by(live, request.app_instance):
            continue
        if request.resources is not None and key not in request.resources:
            continue
        skipped = not request.prune or resource_options(live).disabled("Prune")
        wave = _safe_wave(live, key)
        tasks.append(
            Task(
                key=key, action=Action.PRUNE, obj=live, phase=SyncPhase.SYNC, wave=wave, prune_skipped=skipped
            )
        )
    return SyncPlan(
        tasks=tuple(sorted(tasks, key=lambda t: t.order)), prune_last=request.options.enabled("PruneLast")
    )


def _tracked_by(obj: Manifest, app_instance: str) -> bool:
    """Only objects whose tracking-id names this app are ever pruned."""
    info = parse_tracking_id(annotations_of(obj).get(TRACKING_ANNOTATION, ""))
    return info is not None and info.app_instance == app_instance


def _safe_wave(obj: Manifest, key: ResourceKey) -> int:
    try:
        return wave_of(obj, key=key)
    except ConfigError:
        return 0
