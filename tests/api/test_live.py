"""What the server shows of a running app: the resource tree from ownerReferences
(Deployment → ReplicaSet → Pod), managed resources with masked diffs from the same
comparison the controller makes, the live event stream filtered by RBAC, and
``rudder_app_info`` on /metrics."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import yaml

from rudder.cluster.client import KubeClient
from tests.api.conftest import ApiEnv, application
from tests.controller.conftest import Harness
from tests.controller.test_reconcile import configmap, deployment
from tests.fixtures.git import GitRepo


def secret(name: str, **values: str) -> str:
    return yaml.safe_dump(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": values}
    )


async def test_resource_tree_follows_owner_references(
    api_env: ApiEnv, harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/web.yaml", deployment("web", replicas=2))
    sha = git_repo.commit("web")
    await harness.create(harness.application("tree", git_repo.url))
    await harness.wait_synced("tree", revision=sha, timeout=90)
    ns = harness.namespace
    async with api_env.client("alice") as http:
        nodes: list[dict[str, Any]] = []
        for _ in range(100):
            nodes = (await http.get(f"/api/v1/applications/{ns}/tree/resource-tree")).json()["nodes"]
            if sum(n["kind"] == "Pod" for n in nodes) == 2:
                break
            await asyncio.sleep(0.2)
    kinds = {n["kind"]: n for n in nodes}
    assert sorted(n["kind"] for n in nodes) == ["Deployment", "Pod", "Pod", "ReplicaSet"]
    deploy, replicaset = kinds["Deployment"], kinds["ReplicaSet"]
    assert deploy["syncStatus"] == "Synced" and deploy["health"]["status"] == "Healthy"
    assert deploy["images"] == ["nginx:1.27"] and deploy["uid"]
    assert replicaset["parentRefs"] == [
        {"group": "apps", "kind": "Deployment", "namespace": ns, "name": "web", "uid": deploy["uid"]}
    ]
    for pod in (n for n in nodes if n["kind"] == "Pod"):
        assert pod["parentRefs"][0]["uid"] == replicaset["uid"]
        assert {"name": "Containers", "value": "1/1"} in pod["info"] or pod["health"][
            "status"
        ] == "Progressing"


async def test_managed_resources_show_masked_diffs(
    api_env: ApiEnv, harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    git_repo.write("app/secret.yaml", secret("creds", password="hunter2-old"))
    first = git_repo.commit("v1")
    await harness.create(harness.application("diffed", git_repo.url, automated=False))
    ns = harness.namespace
    await api_env.wait_for_app(ns, "diffed")
    async with api_env.client("admin") as http:
        await http.post(f"/api/v1/applications/{ns}/diffed/sync", json={})
        await harness.wait_synced("diffed", revision=first)
        git_repo.write("app/cm.yaml", configmap("settings", level="2"))
        git_repo.write("app/secret.yaml", secret("creds", password="hunter2-new"))
        git_repo.commit("v2")
        refreshed = await http.post(f"/api/v1/applications/{ns}/diffed/refresh")
        assert refreshed.status_code == 200, refreshed.text
        await harness.wait("diffed", lambda a: a["status"]["sync"]["status"] == "OutOfSync", what="OutOfSync")
        await api_env.wait_until(
            lambda: api_env.server.state.index.summary(ns, "diffed")["syncStatus"] == "OutOfSync",  # type: ignore[union-attr,index]
            what="OutOfSync in the index",
        )
        response = await http.get(f"/api/v1/applications/{ns}/diffed/managed-resources")
    assert response.status_code == 200, response.text
    items = {i["kind"]: i for i in response.json()["items"]}
    assert items["ConfigMap"]["status"] == "OutOfSync"
    assert "-  level: '1'" in items["ConfigMap"]["diff"] and "+  level: '2'" in items["ConfigMap"]["diff"]
    assert items["Secret"]["status"] == "OutOfSync"
    assert "hunter2" not in response.text and "aHVudGVyMi" not in response.text  # neither plain nor base64


async def test_stream_sends_changes_only_for_visible_apps(
    api_env: ApiEnv, kube: KubeClient, apps_ns: str
) -> None:
    received: dict[str, list[dict[str, Any]]] = {"alice": [], "carol": []}

    async def listen(user: str) -> None:
        async with (
            httpx.AsyncClient(base_url=api_env.url, headers=api_env.headers(user), timeout=None) as http,
            http.stream("GET", "/api/v1/stream/applications") as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "application":
                    data = json.loads(line.split(":", 1)[1])
                    if data["application"]["namespace"] == apps_ns:
                        received[user].append(data)

    state = api_env.server.state
    assert state is not None
    subscribed = state.index.listeners
    listeners = [asyncio.create_task(listen(u)) for u in received]
    await api_env.wait_until(lambda: state.index.listeners >= subscribed + 2, what="both streams subscribed")
    await kube.create(application(apps_ns, "streamed"))
    await kube.create(application(apps_ns, "hidden", project="secret-project"))
    await kube.patch(
        "argoproj.io/v1alpha1", "Application", "streamed", apps_ns, patch={"metadata": {"labels": {"v": "2"}}}
    )
    await kube.delete("argoproj.io/v1alpha1", "Application", "streamed", apps_ns)
    for _ in range(100):
        if [e["type"] for e in received["alice"]][-1:] == ["DELETED"]:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    assert [e["type"] for e in received["alice"]] == ["ADDED", "MODIFIED", "DELETED"]
    assert {e["application"]["name"] for e in received["alice"]} == {"streamed"}
    assert received["alice"][1]["application"]["labels"] == {"v": "2"}
    assert received["carol"] == []


async def test_metrics_export_app_info_and_shared_metrics(
    api_env: ApiEnv, kube: KubeClient, apps_ns: str
) -> None:
    await kube.create(application(apps_ns, "measured", repo_url="https://git.example.com/org/measured.git"))
    await api_env.wait_for_app(apps_ns, "measured")
    async with api_env.client(None) as http:
        text = (await http.get("/metrics")).text
        health = (await http.get("/healthz")).json()
    assert (
        f'rudder_app_info{{dest_server="https://kubernetes.default.svc",health_status="Unknown",name="measured",'
        f'namespace="{apps_ns}",project="default",repo="https://git.example.com/org/measured.git",'
        f'sync_status="Unknown"}} 1.0'
    ) in text
    for name in (
        "rudder_app_reconcile_seconds",
        "rudder_app_sync_total",
        "rudder_workqueue_depth",
        "rudder_git_request_total",
        "rudder_git_request_duration_seconds",
        "rudder_render_seconds",
        "rudder_webhook_requests_total",
        "rudder_cluster_cache_age_seconds",
        "rudder_api_request_seconds",
    ):
        assert f"# TYPE {name} " in text, name
    assert health["status"] == "ok" and health["applications"] >= 1
