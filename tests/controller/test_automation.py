"""When automated sync acts on its own, as Argo CD's syncPolicy.automated does."""

from __future__ import annotations

from typing import Any

from rudder.controller.automation import decide, retry_delay
from rudder.model.application import Automated, Backoff, RetryPolicy
from rudder.model.sync import SyncStatus

SHA = "a" * 40
NEW = "b" * 40


def last(
    phase: str, revision: str = SHA, *, automated: bool = True, finished: str = "2026-01-01T00:00:00Z"
) -> dict[str, Any]:
    initiated = {"automated": True} if automated else {"username": "alice"}
    return {
        "phase": phase,
        "finishedAt": finished,
        "operation": {"sync": {"revision": revision}, "initiatedBy": initiated},
        "syncResult": {"revision": revision},
    }


def run(**kw: Any) -> Any:
    args: dict[str, Any] = {
        "automated": Automated(prune=True, self_heal=False),
        "sync_status": SyncStatus.OUT_OF_SYNC,
        "revision": SHA,
        "desired_count": 3,
        "last_operation": None,
        "self_heal_attempts": 0,
        "now": 1_800_000_000.0,
    }
    args.update(kw)
    return decide(**args)


def test_manual_apps_and_synced_apps_are_left_alone() -> None:
    assert not run(automated=None).sync
    assert not run(sync_status=SyncStatus.SYNCED).sync


def test_first_sync_and_new_revision_are_synced_once() -> None:
    assert run().sync
    assert run(revision=NEW, last_operation=last("Succeeded")).sync
    assert not run(last_operation=last("Succeeded")).sync  # same revision, selfHeal off


def test_failed_revision_is_not_retried_and_says_why() -> None:
    decision = run(last_operation=last("Failed"))
    assert not decision.sync
    assert "not attempted again" in decision.blocked


def test_empty_target_needs_allow_empty() -> None:
    decision = run(desired_count=0)
    assert not decision.sync and "allowEmpty" in decision.blocked
    assert run(desired_count=0, automated=Automated(prune=True, allow_empty=True)).sync


def test_self_heal_backs_off() -> None:
    heal = Automated(self_heal=True)
    first = run(automated=heal, last_operation=last("Succeeded"), self_heal_attempts=0)
    assert first.sync and "self-heal" in first.reason
    finished = "2026-01-15T08:00:00Z"  # 1768464000
    later = run(
        automated=heal,
        last_operation=last("Succeeded", finished=finished),
        self_heal_attempts=3,
        now=1768464005.0,
    )
    assert not later.sync and later.wait == 15.0  # 5s * 2^2 after the finish, 5s already gone


def test_a_manual_sync_of_the_same_revision_does_not_block_automation() -> None:
    assert run(last_operation=last("Succeeded", automated=False)).sync


def test_interrupted_sync_is_resumed() -> None:
    assert run(last_operation=last("Running")).sync


def test_retry_delays_follow_the_policy() -> None:
    policy = RetryPolicy(limit=3, backoff=Backoff(duration=5, factor=2, max_duration=12))
    assert [retry_delay(policy, n) for n in range(4)] == [5, 10, 12, None]
    assert retry_delay(None, 0) is None
    assert retry_delay(RetryPolicy(limit=-1), 100) is not None
