"""Decides whether a reconcile should start a sync on its own, as Argo CD's automated
sync policy does: a new revision is synced once; with selfHeal, drift is corrected
again after a growing delay; failed syncs are retried per ``syncPolicy.retry``; an
empty target is not synced without allowEmpty. Pure; used by the reconciler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rudder.model.application import Automated, RetryPolicy
from rudder.model.sync import OperationPhase, SyncStatus

SELF_HEAL_BASE = 5.0
SELF_HEAL_MAX = 180.0


@dataclass(frozen=True, slots=True)
class Decision:
    sync: bool
    reason: str = ""
    wait: float = 0.0  # seconds until the decision should be revisited
    blocked: str = ""  # a message for the user when automation refuses to act


def _parse_time(value: Any) -> float | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def retry_delay(policy: RetryPolicy | None, retry_count: int) -> float | None:
    """Seconds before retry ``retry_count + 1``, or None when no retry is left.
    A negative limit retries forever, as in Argo CD."""
    if policy is None:
        return None
    if 0 <= policy.limit <= retry_count:
        return None
    return policy.delay(retry_count + 1)


def decide(
    *,
    automated: Automated | None,
    sync_status: SyncStatus,
    revision: str,
    desired_count: int,
    last_operation: dict[str, Any] | None,
    self_heal_attempts: int,
    now: float,
) -> Decision:
    """Whether to auto-sync ``revision`` now."""
    if automated is None:
        return Decision(False)
    if sync_status != SyncStatus.OUT_OF_SYNC:
        return Decision(False)
    if desired_count == 0 and not automated.allow_empty:
        return Decision(
            False,
            blocked="automated sync would delete every resource of the application; "
            "set syncPolicy.automated.allowEmpty: true to allow it",
        )
    if not last_operation:
        return Decision(True, reason="no previous sync")
    op = last_operation.get("operation") or {}
    initiated = op.get("initiatedBy") or {}
    result_revision = str((last_operation.get("syncResult") or {}).get("revision") or "")
    op_revision = str((op.get("sync") or {}).get("revision") or result_revision)
    phase = str(last_operation.get("phase") or "")
    if phase == OperationPhase.RUNNING.value:
        # A key is handled by one worker at a time, so a Running state seen here was
        # left by a controller that stopped mid-sync.
        return Decision(True, reason="resuming an interrupted sync")
    same_revision = revision in (op_revision, result_revision)
    if not same_revision or not initiated.get("automated"):
        return Decision(True, reason=f"new revision {revision[:12]}")
    if phase in (OperationPhase.FAILED.value, OperationPhase.ERROR.value):
        return Decision(
            False,
            blocked=f"automated sync to {revision[:12]} failed; it is not attempted again for the same "
            "revision (push a new commit, sync manually, or configure syncPolicy.retry)",
        )
    if not automated.self_heal:
        return Decision(False, reason="revision already synced; selfHeal is off")
    delay = (
        min(SELF_HEAL_BASE * (2 ** max(self_heal_attempts - 1, 0)), SELF_HEAL_MAX)
        if self_heal_attempts
        else 0.0
    )
    finished = _parse_time(last_operation.get("finishedAt")) or 0.0
    remaining = finished + delay - now
    if remaining > 0:
        return Decision(False, reason="self-heal backoff", wait=remaining)
    return Decision(True, reason="self-heal: live state drifted from Git")
