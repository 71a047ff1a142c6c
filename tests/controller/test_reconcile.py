"""The engine end to end against the real cluster: an Argo CD Application written for
Argo CD is deployed, kept in sync with Git, self-healed and pruned."""

from __future__ import annotations

import asyncio

import yaml

from rudder.model.resource import TRACKING_ANNOTATION
from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo


def deployment(name: str, *, replicas: int = 1, image: str = "nginx:1.27", wave: int | None = None) -> str:
    annotations = {"argocd.argoproj.io/sync-wave": str(wave)} if wave is not None else {}
    return yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "annotations": annotations},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": image}]},
                },
            },
        }
    )


def configmap(name: str, *, wave: int | None = None, **data: str) -> str:
    annotations = {"argocd.argoproj.io/sync-wave": str(wave)} if wave is not None else {}
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "annotations": annotations},
            "data": data,
        }
    )


def service(name: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}]},
        }
    )


async def test_argo_cd_application_is_deployed_synced_and_healthy(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("deploy/app/web.yaml", deployment("web", replicas=3))
    git_repo.write("deploy/app/svc.yaml", service("web"))
    git_repo.write("deploy/app/cm.yaml", configmap("web-config", greeting="hello"))
    sha = git_repo.commit("web app")
    await harness.create(harness.application("my-app", git_repo.url, "deploy/app"))

    app = await harness.wait_synced("my-app", revision=sha)

    status = app["status"]
    assert {(r["kind"], r["name"], r["status"]) for r in status["resources"]} == {
        ("Deployment", "web", "Synced"),
        ("Service", "web", "Synced"),
        ("ConfigMap", "web-config", "Synced"),
    }
    assert status["summary"]["images"] == ["nginx:1.27"]
    assert status["health"] == {"status": "Healthy"}  # no stale "waiting for rollout" message
    assert status["history"][0]["revision"] == sha
    assert status["history"][0]["initiatedBy"] == {"automated": True}
    assert status["operationState"]["phase"] == "Succeeded"
    assert status["reconciledAt"]
    live = await harness.kube.get("apps/v1", "Deployment", "web", harness.namespace)
    assert live["status"]["availableReplicas"] == 3
    assert live["metadata"]["annotations"][TRACKING_ANNOTATION] == (
        f"{harness.namespace}_my-app:apps/Deployment:{harness.namespace}/web"
    )
    managers = {m["manager"] for m in live["metadata"]["managedFields"]}
    assert "rudder" in managers


async def test_new_commit_is_out_of_sync_then_auto_synced(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    first = git_repo.commit("v1")
    await harness.create(harness.application("manual", git_repo.url, automated=False))
    await harness.wait(
        "manual",
        lambda a: (a.get("status") or {}).get("sync", {}).get("status") == "OutOfSync",
        what="OutOfSync",
    )
    assert await harness.names("v1", "ConfigMap") == set()  # manual app: nothing applied

    await harness.create(harness.application("auto", git_repo.url, path="app"))
    await harness.wait_synced("auto", revision=first)
    git_repo.write("app/cm.yaml", configmap("settings", level="2"))
    second = git_repo.commit("v2")
    await harness.refresh("auto")

    await harness.wait_synced("auto", revision=second)
    live = await harness.kube.get("v1", "ConfigMap", "settings", harness.namespace)
    assert live["data"] == {"level": "2"}
    history = (await harness.app("auto"))["status"]["history"]
    assert [h["revision"] for h in history] == [first, second]


async def test_kubectl_edit_is_reverted_by_self_heal(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/web.yaml", deployment("web", replicas=2))
    git_repo.commit("web")
    await harness.create(harness.application("healer", git_repo.url))
    await harness.wait_synced("healer")

    await harness.kube.patch(
        "apps/v1",
        "Deployment",
        "web",
        harness.namespace,
        patch={"spec": {"replicas": 5}},
        field_manager="kubectl-edit",
    )

    async def replicas() -> int:
        live = await harness.kube.get("apps/v1", "Deployment", "web", harness.namespace)
        return int(live["spec"]["replicas"])

    for _ in range(100):
        if await replicas() == 2:
            break
        await asyncio.sleep(0.1)
    assert await replicas() == 2
    await harness.wait_synced("healer")


async def test_deleting_a_file_prunes_exactly_that_object(harness: Harness, git_repo: GitRepo) -> None:
    for name in ("a", "b", "c"):
        git_repo.write(f"app/{name}.yaml", configmap(name, value=name))
    git_repo.commit("three")
    await harness.create(harness.application("pruner", git_repo.url))
    await harness.wait_synced("pruner")
    unrelated = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "not-ours", "namespace": harness.namespace},
    }
    await harness.kube.apply(unrelated, field_manager="someone-else")

    git_repo.delete("app/b.yaml")
    sha = git_repo.commit("drop b")
    await harness.refresh("pruner")
    await harness.wait_synced("pruner", revision=sha)

    assert await harness.names("v1", "ConfigMap") == {"a", "c", "not-ours"}
    result = (await harness.app("pruner"))["status"]["operationState"]["syncResult"]["resources"]
    assert [(r["name"], r["status"]) for r in result if r["status"] == "Pruned"] == [("b", "Pruned")]


async def test_without_prune_a_removed_object_stays_and_is_reported(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/a.yaml", configmap("a"))
    git_repo.write("app/b.yaml", configmap("b"))
    git_repo.commit("two")
    await harness.create(harness.application("keeper", git_repo.url, prune=False))
    await harness.wait_synced("keeper")
    git_repo.delete("app/b.yaml")
    git_repo.commit("drop b")
    await harness.refresh("keeper")

    app = await harness.wait(
        "keeper",
        lambda a: any(r.get("requiresPruning") for r in (a.get("status") or {}).get("resources") or []),
        what="b to require pruning",
    )
    assert app["status"]["sync"]["status"] == "OutOfSync"
    assert await harness.names("v1", "ConfigMap") == {"a", "b"}
