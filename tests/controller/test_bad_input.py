"""Bad input never changes the cluster and always says what is wrong, naming the
object as Kind/namespace/name and the cause."""

from __future__ import annotations

import asyncio
import uuid

import yaml

from rudder.model.application import APP_API_VERSION
from tests.controller.test_reconcile import configmap
from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo


async def _nothing_deployed(harness: Harness) -> None:
    await asyncio.sleep(0.5)
    assert await harness.names("v1", "ConfigMap") == set()


async def test_invalid_yaml_names_the_file(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/good.yaml", configmap("good"))
    git_repo.write("app/broken.yaml", "kind: ConfigMap\nmetadata: [unclosed\n")
    git_repo.commit("broken")
    await harness.create(harness.application("yaml", git_repo.url))
    message = await harness.wait_condition("yaml", "ComparisonError", "broken.yaml")
    assert "line" in message
    app = await harness.app("yaml")
    assert app["status"]["sync"]["status"] == "Unknown"
    await _nothing_deployed(harness)


async def test_kind_without_crd_is_named_and_nothing_is_applied(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/good.yaml", configmap("good"))
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {}}
    git_repo.write("app/widget.yaml", yaml.safe_dump(widget))
    git_repo.commit("widget")
    await harness.create(harness.application("nocrd", git_repo.url))
    message = await harness.wait_condition("nocrd", "ComparisonError", f"Widget/{harness.namespace}/w1")
    assert "CustomResourceDefinition" in message
    await _nothing_deployed(harness)


async def test_missing_path_and_revision(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/good.yaml", configmap("good"))
    git_repo.commit("v1")
    await harness.create(harness.application("nopath", git_repo.url, path="does/not/exist"))
    await harness.create(harness.application("norev", git_repo.url, revision="no-such-branch"))
    assert "does/not/exist" in await harness.wait_condition("nopath", "ComparisonError")
    assert "no-such-branch" in await harness.wait_condition("norev", "ComparisonError")
    await _nothing_deployed(harness)


async def test_unreachable_repo_is_reported_without_credentials(harness: Harness) -> None:
    url = "http://robot:s3cr3t-token@127.0.0.1:9/org/repo.git"
    await harness.create(harness.application("offline", url))
    message = await harness.wait_condition("offline", "ComparisonError", "127.0.0.1:9")
    app = await harness.app("offline")
    assert "s3cr3t-token" not in str(app["status"])
    assert "s3cr3t-token" not in message
    events = await harness.kube.list("v1", "Event", harness.namespace)
    assert all("s3cr3t-token" not in str(e) for e in events.items)


async def test_object_rejected_by_the_api_server_stops_the_whole_sync(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/good.yaml", configmap("good"))
    bad = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "bad-port"},
        "spec": {"ports": [{"port": 99999}]},
    }
    git_repo.write("app/bad.yaml", yaml.safe_dump(bad))
    git_repo.commit("bad service")
    await harness.create(harness.application("rejected", git_repo.url))
    message = await harness.wait_condition("rejected", "SyncError", f"Service/{harness.namespace}/bad-port")
    assert "99999" in message or "port" in message
    assert "nothing was applied" in message
    app = await harness.app("rejected")
    assert app["status"]["operationState"]["phase"] == "Failed"
    await _nothing_deployed(harness)


async def test_missing_destination_namespace_needs_create_namespace(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/good.yaml", configmap("good"))
    git_repo.commit("v1")
    target = f"t-dest-{uuid.uuid4().hex[:8]}"
    await harness.create(harness.application("nons", git_repo.url, destination_namespace=target))
    message = await harness.wait_condition("nons", "SyncError", target)
    assert "not found" in message
    try:
        await harness.create(
            harness.application(
                "withns", git_repo.url, destination_namespace=target, sync_options=["CreateNamespace=true"]
            )
        )
        await harness.wait_synced("withns")
        assert "good" in await harness.names("v1", "ConfigMap", target)
    finally:
        await harness.kube.delete("v1", "Namespace", target)


async def test_second_app_claiming_an_object_gets_shared_resource_warning(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("one/cm.yaml", configmap("shared", owner="one"))
    git_repo.write("two/cm.yaml", configmap("shared", owner="two"))
    git_repo.commit("two apps, one object")
    await harness.create(harness.application("one", git_repo.url, path="one"))
    await harness.wait_synced("one")
    await harness.create(harness.application("two", git_repo.url, path="two"))
    message = await harness.wait_condition("two", "SharedResourceWarning")
    assert f"ConfigMap/{harness.namespace}/shared" in message
    await asyncio.sleep(1)
    live = await harness.kube.get("v1", "ConfigMap", "shared", harness.namespace)
    assert live["data"] == {"owner": "one"}


async def test_deleting_with_finalizer_cascades_and_without_keeps(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("cascade/cm.yaml", configmap("cascaded"))
    git_repo.write("keep/cm.yaml", configmap("kept"))
    git_repo.commit("two apps")
    await harness.create(harness.application("cascade", git_repo.url, path="cascade", finalizer=True))
    await harness.create(harness.application("keep", git_repo.url, path="keep"))
    await harness.wait_synced("cascade")
    await harness.wait_synced("keep")

    for name in ("cascade", "keep"):
        await harness.kube.delete(APP_API_VERSION, "Application", name, harness.namespace)
    for _ in range(100):
        remaining = await harness.kube.list(APP_API_VERSION, "Application", harness.namespace)
        if not remaining.items:
            break
        await asyncio.sleep(0.2)
    assert await harness.names("v1", "ConfigMap") == {"kept"}
