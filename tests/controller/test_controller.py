"""Controller behaviour around the reconcile: Events, the per-app refresh interval,
Replace=true, and a graceful shutdown that lets a running sync finish."""

from __future__ import annotations

import asyncio

from tests.controller.test_reconcile import configmap
from tests.controller.test_waves_hooks import job
from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo


async def test_sync_start_and_success_are_kubernetes_events(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    sha = git_repo.commit("v1")
    await harness.create(harness.application("evented", git_repo.url))
    await harness.wait_synced("evented")
    events = (await harness.kube.list("v1", "Event", harness.namespace)).items
    mine = [e for e in events if e["involvedObject"]["name"] == "evented"]
    reasons = {e["reason"]: e["message"] for e in mine}
    assert {"SyncStarted", "SyncSucceeded"} <= set(reasons)
    assert sha[:12] in reasons["SyncSucceeded"]
    assert all(e["source"]["component"] == "rudder-controller" for e in mine)


async def test_refresh_interval_annotation_polls_git_for_one_app(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    git_repo.commit("v1")
    app = harness.application("poller", git_repo.url)
    app["metadata"]["annotations"] = {"rudder.dev/refresh-interval": "1s"}
    await harness.create(app)
    await harness.wait_synced("poller")
    git_repo.write("app/cm.yaml", configmap("settings", level="2"))
    sha = git_repo.commit("v2")  # no refresh, no webhook: the 1s interval finds it
    await harness.wait_synced("poller", revision=sha, timeout=20)


async def test_replace_sync_option_puts_the_whole_object(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    git_repo.commit("v1")
    await harness.create(
        harness.application("replacer", git_repo.url, sync_options=["Replace=true"], self_heal=False)
    )
    await harness.wait_synced("replacer")
    await harness.kube.patch(
        "v1",
        "ConfigMap",
        "settings",
        harness.namespace,
        patch={"data": {"extra": "x"}},
        field_manager="someone",
    )
    git_repo.write("app/cm.yaml", configmap("settings", level="2"))
    sha = git_repo.commit("v2")
    await harness.refresh("replacer")
    await harness.wait_synced("replacer", revision=sha)
    live = await harness.kube.get("v1", "ConfigMap", "settings", harness.namespace)
    assert live["data"] == {"level": "2"}  # replaced: the other manager's key is gone
    result = (await harness.app("replacer"))["status"]["operationState"]["syncResult"]["resources"]
    assert any(r["message"].endswith("replaced") for r in result)


async def test_stopping_the_controller_lets_a_running_sync_finish(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/pre.yaml", job("slow-migrate", "PreSync"))
    git_repo.write("app/cm.yaml", configmap("settings"))
    git_repo.commit("v1")
    await harness.create(harness.application("graceful", git_repo.url))
    await harness.wait(
        "graceful",
        lambda a: (a.get("status") or {}).get("operationState", {}).get("phase") == "Running",
        what="the sync to start",
    )
    await harness.controller.stop(grace=60)
    app = await harness.app("graceful")
    assert app["status"]["operationState"]["phase"] == "Succeeded"
    assert "settings" in await harness.names("v1", "ConfigMap")


async def test_invalid_spec_is_reported_not_crashed_on(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings"))
    git_repo.commit("v1")
    app = harness.application("bad-retry", git_repo.url)
    app["spec"]["syncPolicy"]["retry"] = {"backoff": {"duration": "soon"}}
    await harness.create(app)
    message = await harness.wait_condition("bad-retry", "InvalidSpecError", "duration")
    assert "soon" in message
    await asyncio.sleep(0.3)
    assert await harness.names("v1", "ConfigMap") == set()


async def test_a_new_commit_found_by_one_app_refreshes_its_siblings(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("a/cm.yaml", configmap("a", level="1"))
    git_repo.write("b/cm.yaml", configmap("b", level="1"))
    git_repo.commit("v1")
    fast = harness.application("fast", git_repo.url, path="a")
    fast["metadata"]["annotations"] = {"rudder.dev/refresh-interval": "1s"}
    await harness.create(fast)
    await harness.create(harness.application("slow", git_repo.url, path="b"))  # polls hourly here
    await harness.wait_synced("fast")
    await harness.wait_synced("slow")
    git_repo.write("b/cm.yaml", configmap("b", level="2"))
    sha = git_repo.commit("v2")  # no refresh asked: "fast" finds it, "slow" follows at once
    await harness.wait_synced("slow", revision=sha, timeout=20)
    live = await harness.kube.get("v1", "ConfigMap", "b", harness.namespace)
    assert live["data"] == {"level": "2"}


async def test_a_sibling_with_manifest_generate_paths_follows_only_commits_that_touch_them(
    harness: Harness, git_repo: GitRepo
) -> None:
    for name in ("a", "b", "c"):
        git_repo.write(f"{name}/cm.yaml", configmap(name, level="1"))
    first = git_repo.commit("v1")
    fast = harness.application("fast", git_repo.url, path="a")
    fast["metadata"]["annotations"] = {"rudder.dev/refresh-interval": "1s"}
    pinned = harness.application("pinned", git_repo.url, path="c")
    pinned["metadata"]["annotations"] = {"argocd.argoproj.io/manifest-generate-paths": "."}
    for app in (fast, harness.application("slow", git_repo.url, path="b"), pinned):
        await harness.create(app)
    for name in ("fast", "slow", "pinned"):
        await harness.wait_synced(name, revision=first)
    git_repo.write("b/cm.yaml", configmap("b", level="2"))
    second = git_repo.commit("v2: only b")
    await harness.wait_synced("slow", revision=second, timeout=20)
    await asyncio.sleep(1.0)  # "pinned" would have been queued with "slow"
    assert (await harness.app("pinned"))["status"]["sync"]["revision"] == first
    git_repo.write("c/cm.yaml", configmap("c", level="3"))
    third = git_repo.commit("v3: c")
    await harness.wait_synced("pinned", revision=third, timeout=20)
    live = await harness.kube.get("v1", "ConfigMap", "c", harness.namespace)
    assert live["data"] == {"level": "3"}
