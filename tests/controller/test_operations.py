"""The operation API (``operation.sync``), rollback to a history entry and revert in Git."""

from __future__ import annotations

import uuid

import pytest

from rudder.api import applications as actions
from rudder.model.errors import ConfigError, ConflictError
from tests.controller.test_reconcile import configmap
from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo


async def test_operation_sync_on_a_manual_app_runs_once_and_is_cleared(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    sha = git_repo.commit("v1")
    await harness.create(harness.application("manual", git_repo.url, automated=False))
    await harness.wait(
        "manual", lambda a: (a.get("status") or {}).get("sync", {}).get("status") == "OutOfSync"
    )

    await actions.request_sync(
        harness.kube, harness.namespace, "manual", actions.SyncRequestSpec(username="alice")
    )
    app = await harness.wait_synced("manual", revision=sha)
    app = await harness.wait("manual", lambda a: "operation" not in a, what="operation cleared")

    state = app["status"]["operationState"]
    assert state["phase"] == "Succeeded"
    assert state["operation"]["initiatedBy"] == {"username": "alice"}
    assert app["status"]["history"][-1]["initiatedBy"] == {"username": "alice"}


async def test_dry_run_sync_changes_nothing(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    git_repo.commit("v1")
    await harness.create(harness.application("preview", git_repo.url, automated=False))
    await harness.wait(
        "preview", lambda a: (a.get("status") or {}).get("sync", {}).get("status") == "OutOfSync"
    )

    await actions.request_sync(
        harness.kube, harness.namespace, "preview", actions.SyncRequestSpec(dry_run=True)
    )
    app = await harness.wait(
        "preview",
        lambda a: (
            (a.get("status") or {}).get("operationState", {}).get("phase") == "Succeeded"
            and "operation" not in a
        ),
        what="dry run finished",
    )
    assert "dry run" in app["status"]["operationState"]["message"]
    assert await harness.names("v1", "ConfigMap") == set()
    assert not app["status"].get("history")


async def test_unknown_sync_option_is_refused_before_anything_happens(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    git_repo.commit("v1")
    await harness.create(harness.application("strict", git_repo.url, automated=False))
    with pytest.raises(ConfigError, match="unknown sync option 'Prunez'"):
        await actions.request_sync(
            harness.kube, harness.namespace, "strict", actions.SyncRequestSpec(sync_options=("Prunez=true",))
        )
    assert "operation" not in await harness.app("strict")


async def test_rollback_explains_auto_sync_and_then_sticks(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    first = git_repo.commit("v1")
    await harness.create(harness.application("roll", git_repo.url))
    await harness.wait_synced("roll", revision=first)
    git_repo.write("app/cm.yaml", configmap("settings", level="2"))
    second = git_repo.commit("v2")
    await harness.refresh("roll")
    await harness.wait_synced("roll", revision=second)
    history = (await harness.app("roll"))["status"]["history"]
    first_id = next(h["id"] for h in history if h["revision"] == first)

    with pytest.raises(ConfigError, match="automated sync is enabled"):
        await actions.rollback(harness.kube, harness.namespace, "roll", first_id)
    with pytest.raises(Exception, match="history id 99 not found"):
        await actions.rollback(harness.kube, harness.namespace, "roll", 99, disable_auto_sync=True)

    await actions.rollback(harness.kube, harness.namespace, "roll", first_id, disable_auto_sync=True)
    app = await harness.wait(
        "roll",
        lambda a: (
            "operation" not in a
            and (a.get("status") or {}).get("operationState", {}).get("syncResult", {}).get("revision")
            == first
        ),
        what="rollback finished",
    )
    assert "automated" not in app["spec"].get("syncPolicy", {})
    live = await harness.kube.get("v1", "ConfigMap", "settings", harness.namespace)
    assert live["data"] == {"level": "1"}
    assert app["status"]["sync"]["status"] == "OutOfSync"  # Git still says level 2
    await harness.refresh("roll")
    await harness.wait(
        "roll", lambda a: "argocd.argoproj.io/refresh" not in a["metadata"].get("annotations", {})
    )
    live = await harness.kube.get("v1", "ConfigMap", "settings", harness.namespace)
    assert live["data"] == {"level": "1"}  # nothing undid the rollback


async def test_revert_commits_to_git_and_the_app_follows(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    git_repo.commit("v1")
    await harness.create(harness.application("rev", git_repo.url))
    git_repo.write("app/cm.yaml", configmap("settings", level="broken"))
    bad = git_repo.commit("a bad change")
    await harness.refresh("rev")
    await harness.wait_synced("rev", revision=bad)

    new_sha = await actions.revert(harness.kube, harness.namespace, "rev")  # follows HEAD: the default branch

    assert git_repo.head() == new_sha
    assert git_repo.git("log", "-1", "--format=%s").strip() == 'Revert "a bad change"'
    await harness.wait_synced("rev", revision=new_sha)
    live = await harness.kube.get("v1", "ConfigMap", "settings", harness.namespace)
    assert live["data"] == {"level": "1"}


async def test_second_sync_while_one_is_pending_is_refused(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    git_repo.commit("v1")
    app = harness.application("busy", git_repo.url, automated=False)
    app["operation"] = {"sync": {"prune": False}, "initiatedBy": {"username": "bob"}}
    await harness.controller.stop(grace=5)  # nobody runs the pending operation
    await harness.create(app)
    with pytest.raises(ConflictError, match="another operation is already in progress"):
        await actions.request_sync(harness.kube, harness.namespace, "busy", actions.SyncRequestSpec())


async def test_failed_automated_sync_is_retried_with_backoff_until_it_works(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    sha = git_repo.commit("v1")
    target = f"t-late-{uuid.uuid4().hex[:8]}"
    retry = {
        "syncPolicy": {
            "automated": {"prune": True},
            "retry": {"limit": 5, "backoff": {"duration": "1s", "factor": 2}},
        }
    }
    await harness.create(
        harness.application("retry", git_repo.url, destination_namespace=target, extra_spec=retry)
    )
    app = await harness.wait(
        "retry",
        lambda a: int((a.get("status") or {}).get("operationState", {}).get("retryCount", 0)) >= 1,
        what="a retry to be scheduled",
    )
    assert "Retrying attempt #" in app["status"]["operationState"]["message"]
    await harness.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target}})
    try:
        app = await harness.wait_synced("retry", revision=sha, timeout=60)
        assert app["status"]["operationState"]["phase"] == "Succeeded"
    finally:
        await harness.kube.delete("v1", "Namespace", target)


async def test_retry_gives_up_after_the_limit(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    git_repo.commit("v1")
    retry = {
        "syncPolicy": {"automated": {}, "retry": {"limit": 2, "backoff": {"duration": "1s", "factor": 1}}}
    }
    await harness.create(
        harness.application("giveup", git_repo.url, destination_namespace="t-never-created", extra_spec=retry)
    )
    app = await harness.wait(
        "giveup",
        lambda a: (a.get("status") or {}).get("operationState", {}).get("phase") == "Failed",
        what="final failure",
        timeout=30,
    )
    assert app["status"]["operationState"]["retryCount"] == 2
    assert any(c["type"] == "SyncError" for c in app["status"]["conditions"])
