"""Sync vocabulary shared by sync, controller and API: sync statuses, operation phases,
hook types, per-resource results and the ChangeSet a sync returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rudder.model.resource import ResourceKey


class SyncStatus(StrEnum):
    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    UNKNOWN = "Unknown"


class OperationPhase(StrEnum):
    RUNNING = "Running"
    TERMINATING = "Terminating"
    FAILED = "Failed"
    ERROR = "Error"
    SUCCEEDED = "Succeeded"

    @property
    def completed(self) -> bool:
        return self in (OperationPhase.FAILED, OperationPhase.ERROR, OperationPhase.SUCCEEDED)


class SyncPhase(StrEnum):
    """When a resource is applied. Ordered: PreSync, Sync, PostSync; SyncFail only on failure."""

    PRE_SYNC = "PreSync"
    SYNC = "Sync"
    POST_SYNC = "PostSync"
    SYNC_FAIL = "SyncFail"

    @property
    def order(self) -> int:
        return _PHASE_ORDER[self]


_PHASE_ORDER = {SyncPhase.PRE_SYNC: 0, SyncPhase.SYNC: 1, SyncPhase.POST_SYNC: 2, SyncPhase.SYNC_FAIL: 3}


class HookType(StrEnum):
    PRE_SYNC = "PreSync"
    SYNC = "Sync"
    POST_SYNC = "PostSync"
    SYNC_FAIL = "SyncFail"
    SKIP = "Skip"
    POST_DELETE = "PostDelete"


class HookDeletePolicy(StrEnum):
    HOOK_SUCCEEDED = "HookSucceeded"
    HOOK_FAILED = "HookFailed"
    BEFORE_HOOK_CREATION = "BeforeHookCreation"


class ResultCode(StrEnum):
    """Per-resource outcome, as in Argo CD's ``operationState.syncResult.resources[].status``."""

    SYNCED = "Synced"
    SYNC_FAILED = "SyncFailed"
    PRUNED = "Pruned"
    PRUNE_SKIPPED = "PruneSkipped"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceResult:
    key: ResourceKey
    version: str = ""
    status: ResultCode
    message: str = ""
    sync_phase: SyncPhase = SyncPhase.SYNC
    hook_type: HookType | None = None
    hook_phase: OperationPhase | None = None
    wave: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSet:
    """Everything one sync did, as values. ``phase`` is the operation's outcome."""

    phase: OperationPhase
    message: str
    revision: str
    results: tuple[ResourceResult, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[ResourceResult, ...]:
        return tuple(r for r in self.results if r.status == ResultCode.SYNC_FAILED)
