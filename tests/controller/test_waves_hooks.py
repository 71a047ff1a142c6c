"""Sync waves and resource hooks, observed on the real cluster through a watch."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import yaml

from rudder.cluster.client import KubeClient
from tests.controller.test_reconcile import configmap, deployment
from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo


def job(name: str, hook: str, policy: str | None = None) -> str:
    annotations = {"argocd.argoproj.io/hook": hook}
    if policy:
        annotations["argocd.argoproj.io/hook-delete-policy"] = policy
    return yaml.safe_dump(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "annotations": annotations},
            "spec": {
                "backoffLimit": 0,
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "run", "image": "busybox", "command": ["true"]}],
                    }
                },
            },
        }
    )


async def _record(
    kube: KubeClient, namespace: str, kind: str, api_version: str, log: list[tuple[str, str, Any]]
) -> None:
    async for event in kube.watch(api_version, kind, namespace):
        if event.type == "BOOKMARK":
            continue
        log.append((event.type, f"{kind}/{event.object['metadata']['name']}", event.object))


async def test_each_wave_waits_for_the_previous_one_to_be_healthy(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/first.yaml", configmap("first", wave=-1))
    git_repo.write("app/web.yaml", deployment("web", replicas=2, wave=0))
    git_repo.write("app/last.yaml", configmap("last", wave=1))
    git_repo.commit("waves")
    log: list[tuple[str, str, Any]] = []
    watchers = [
        asyncio.create_task(_record(harness.kube, harness.namespace, "ConfigMap", "v1", log)),
        asyncio.create_task(_record(harness.kube, harness.namespace, "Deployment", "apps/v1", log)),
    ]
    await asyncio.sleep(0.3)
    try:
        await harness.create(harness.application("waves", git_repo.url))
        await harness.wait_synced("waves")
    finally:
        for task in watchers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    added = [name for kind, name, _ in log if kind == "ADDED" and name != "ConfigMap/kube-root-ca.crt"]
    assert added == ["ConfigMap/first", "Deployment/web", "ConfigMap/last"]
    last_at = next(i for i, (kind, name, _) in enumerate(log) if kind == "ADDED" and name == "ConfigMap/last")
    web_states = [obj for _, name, obj in log[:last_at] if name == "Deployment/web"]
    assert (web_states[-1].get("status") or {}).get("availableReplicas") == 2  # healthy before wave 1


async def test_hooks_run_in_their_phase_and_follow_the_delete_policy(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/migrate.yaml", job("migrate", "PreSync", "HookSucceeded"))
    git_repo.write("app/smoke.yaml", job("smoke", "PostSync"))  # default policy: BeforeHookCreation
    git_repo.write("app/cm.yaml", configmap("settings", value="1"))
    git_repo.commit("hooks")
    await harness.create(harness.application("hooks", git_repo.url))
    app = await harness.wait_synced("hooks")

    results = app["status"]["operationState"]["syncResult"]["resources"]
    hooks = {(r["name"], r["hookType"], r["hookPhase"]) for r in results if "hookType" in r}
    assert hooks == {("migrate", "PreSync", "Succeeded"), ("smoke", "PostSync", "Succeeded")}
    jobs = await harness.names("batch/v1", "Job")
    assert jobs == {"smoke"}  # migrate was deleted after succeeding
    first_uid = (await harness.kube.get("batch/v1", "Job", "smoke", harness.namespace))["metadata"]["uid"]
    assert {r["name"] for r in app["status"]["resources"]} == {"settings"}  # hooks are not app resources

    git_repo.write("app/cm.yaml", configmap("settings", value="2"))
    sha = git_repo.commit("v2")
    await harness.refresh("hooks")
    await harness.wait_synced("hooks", revision=sha)
    await harness.wait(
        "hooks",
        lambda a: (
            a["status"]["operationState"]["syncResult"]["revision"] == sha
            and a["status"]["operationState"]["phase"] == "Succeeded"
        ),
        what="second sync finished",
    )
    second_uid = (await harness.kube.get("batch/v1", "Job", "smoke", harness.namespace))["metadata"]["uid"]
    assert second_uid != first_uid  # re-created: the old one was deleted before creation
