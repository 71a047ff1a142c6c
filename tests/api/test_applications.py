"""Application reads and writes through the HTTP API against a real cluster: paging
and filters from the watch-fed index, create/patch/delete, sync/refresh/rollback
requests, and bad input refused with a clear 4xx and nothing changed."""

from __future__ import annotations

from typing import Any

from rudder.cluster.client import KubeClient
from rudder.cluster.events import record_event
from rudder.model.application import APP_API_VERSION
from rudder.model.errors import NotFoundError
from tests.api.conftest import ApiEnv, application


async def _status(kube: KubeClient, namespace: str, name: str, status: dict[str, Any]) -> None:
    await kube.patch(
        APP_API_VERSION, "Application", name, namespace, patch={"status": status}, subresource="status"
    )


async def test_list_pages_sorts_and_combines_filters(api_env: ApiEnv, kube: KubeClient, apps_ns: str) -> None:
    specs = [
        ("web-a", "default", {"team": "web"}, "Healthy", "Synced"),
        ("web-b", "default", {"team": "web"}, "Degraded", "OutOfSync"),
        ("db-a", "default", {"team": "data"}, "Healthy", "Synced"),
        ("web-c", "other", {"team": "web"}, "Healthy", "OutOfSync"),
        ("api-z", "default", {"team": "web", "tier": "edge"}, "Progressing", "Synced"),
    ]
    for name, project, labels, health, sync in specs:
        await kube.create(application(apps_ns, name, project=project, labels=labels))
        await _status(
            kube, apps_ns, name, {"health": {"status": health}, "sync": {"status": sync, "revision": "abc"}}
        )
    await api_env.wait_until(
        lambda: all(
            (s := api_env.server.state.index.summary(apps_ns, n)) is not None and s["healthStatus"] == h  # type: ignore[union-attr]
            for n, _, _, h, _ in specs
        ),
        what="statuses in the index",
    )
    async with api_env.client("admin") as http:

        async def names(**params: Any) -> tuple[list[str], int]:
            response = await http.get("/api/v1/applications", params={"namespace": apps_ns, **params})
            assert response.status_code == 200, response.text
            body = response.json()
            return [i["name"] for i in body["items"]], body["total"]

        assert await names() == (["api-z", "db-a", "web-a", "web-b", "web-c"], 5)
        assert await names(limit=2, offset=2) == (["web-a", "web-b"], 5)
        assert await names(project="default", selector="team=web", health="Healthy,Progressing") == (
            ["api-z", "web-a"],
            2,
        )
        assert await names(sync="outofsync") == (["web-b", "web-c"], 2)
        assert await names(search="WEB", selector="!tier") == (["web-a", "web-b", "web-c"], 3)
        assert await names(selector="team in (data)") == (["db-a"], 1)
        first = (await http.get("/api/v1/applications", params={"namespace": apps_ns, "limit": 1})).json()
        summary = first["items"][0]
        assert summary == {
            "namespace": apps_ns,
            "name": "api-z",
            "project": "default",
            "repoURL": "https://git.example.com/org/app.git",
            "path": "app",
            "targetRevision": "HEAD",
            "destination": {"server": "https://kubernetes.default.svc", "name": "", "namespace": apps_ns},
            "syncStatus": "Synced",
            "healthStatus": "Progressing",
            "healthMessage": "",
            "revision": "abc",
            "reconciledAt": "",
            "operationPhase": "",
            "conditions": [],
            "labels": {"team": "web", "tier": "edge"},
        }
        bad = await http.get("/api/v1/applications", params={"selector": "team in (web"})
        assert bad.status_code == 400 and "label selector" in bad.json()["error"]
        too_many = await http.get("/api/v1/applications", params={"limit": 5000})
        assert too_many.status_code == 422 and "limit" in too_many.json()["error"]


async def test_get_history_and_events_of_one_app(api_env: ApiEnv, kube: KubeClient, apps_ns: str) -> None:
    app = await kube.create(application(apps_ns, "guestbook"))
    history = [{"id": 0, "revision": "a" * 40, "deployedAt": "2026-01-01T00:00:00Z", "source": {}}]
    await _status(kube, apps_ns, "guestbook", {"history": history})
    await record_event(kube, app, reason="SyncSucceeded", message="sync to aaaa succeeded")
    await api_env.wait_for_app(apps_ns, "guestbook")
    async with api_env.client("alice") as http:
        got = await http.get(f"/api/v1/applications/{apps_ns}/guestbook")
        assert got.status_code == 200
        assert got.json()["metadata"]["name"] == "guestbook" and "managedFields" not in got.json()["metadata"]
        await api_env.wait_until(
            lambda: (api_env.server.state.index.get(apps_ns, "guestbook") or {}).get("status") is not None,  # type: ignore[union-attr]
            what="status in cache",
        )
        assert (await http.get(f"/api/v1/applications/{apps_ns}/guestbook/history")).json() == {
            "items": history
        }
        events = (await http.get(f"/api/v1/applications/{apps_ns}/guestbook/events")).json()["items"]
        assert [e["reason"] for e in events] == ["SyncSucceeded"]
        missing = await http.get(f"/api/v1/applications/{apps_ns}/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": f"Application/{apps_ns}/nope: not found", "code": 404}


async def test_create_upsert_patch_and_delete(api_env: ApiEnv, kube: KubeClient, apps_ns: str) -> None:
    manifest = application(apps_ns, "made-by-api")
    async with api_env.client("admin") as http:
        created = await http.post("/api/v1/applications", json=manifest)
        assert created.status_code == 200, created.text
        same = await http.post("/api/v1/applications", json=manifest)
        assert same.status_code == 200  # identical spec: nothing to do
        changed = application(apps_ns, "made-by-api", path="other")
        conflict = await http.post("/api/v1/applications", json=changed)
        assert conflict.status_code == 409 and "upsert" in conflict.json()["error"]
        upserted = await http.post("/api/v1/applications", json=changed, params={"upsert": "true"})
        assert upserted.status_code == 200 and upserted.json()["spec"]["source"]["path"] == "other"

        patched = await http.patch(
            f"/api/v1/applications/{apps_ns}/made-by-api", json={"source": {"targetRevision": "v2"}}
        )
        assert patched.status_code == 200
        live = await kube.get(APP_API_VERSION, "Application", "made-by-api", apps_ns)
        assert live["spec"]["source"] == {
            "repoURL": "https://git.example.com/org/app.git",
            "path": "other",
            "targetRevision": "v2",
        }
        invalid = await http.patch(f"/api/v1/applications/{apps_ns}/made-by-api", json={"source": "nope"})
        assert invalid.status_code == 400 and "spec.source" in invalid.json()["error"]
        assert (await kube.get(APP_API_VERSION, "Application", "made-by-api", apps_ns))["spec"] == live[
            "spec"
        ]

        kept = await http.delete(f"/api/v1/applications/{apps_ns}/made-by-api", params={"cascade": "false"})
        assert kept.json() == {"namespace": apps_ns, "name": "made-by-api", "cascade": False}
        try:
            await kube.get(APP_API_VERSION, "Application", "made-by-api", apps_ns)
            raise AssertionError("still there")
        except NotFoundError:
            pass

        await http.post("/api/v1/applications", json=application(apps_ns, "cascading"))
        await api_env.wait_for_app(apps_ns, "cascading")
        assert (await http.delete(f"/api/v1/applications/{apps_ns}/cascading")).status_code == 200
    deleting = await kube.get(APP_API_VERSION, "Application", "cascading", apps_ns)
    assert deleting["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
    assert deleting["metadata"].get("deletionTimestamp")


async def test_bad_manifests_are_refused_and_nothing_is_created(
    api_env: ApiEnv, kube: KubeClient, apps_ns: str
) -> None:
    no_source = application(apps_ns, "broken")
    del no_source["spec"]["source"]
    wrong_kind = {**application(apps_ns, "broken"), "kind": "Deployment"}
    async with api_env.client("admin") as http:
        cases = {
            "spec.source: missing": await http.post("/api/v1/applications", json=no_source),
            "expected apiVersion argoproj.io/v1alpha1 and kind Application": await http.post(
                "/api/v1/applications", json=wrong_kind
            ),
            "not valid JSON": await http.post(
                "/api/v1/applications",
                content=b'{"apiVersion": ',
                headers={"Content-Type": "application/json"},
            ),
            "metadata.name is required": await http.post(
                "/api/v1/applications",
                json={"apiVersion": APP_API_VERSION, "kind": "Application", "spec": {}},
            ),
        }
    for message, response in cases.items():
        assert response.status_code == 400, (message, response.text)
        assert message in response.json()["error"]
        assert "Traceback" not in response.text
    assert (await kube.list(APP_API_VERSION, "Application", apps_ns)).items == []


async def test_sync_refresh_and_rollback_requests(api_env: ApiEnv, kube: KubeClient, apps_ns: str) -> None:
    manual = application(apps_ns, "manual")
    await kube.create(manual)
    auto = application(apps_ns, "auto")
    auto["spec"]["syncPolicy"] = {"automated": {"prune": True}}
    await kube.create(auto)
    await _status(kube, apps_ns, "auto", {"history": [{"id": 3, "revision": "b" * 40, "source": {}}]})
    await api_env.wait_for_app(apps_ns, "manual")
    await api_env.wait_for_app(apps_ns, "auto")
    base = f"/api/v1/applications/{apps_ns}"
    async with api_env.client("alice") as http:
        bad_option = await http.post(f"{base}/manual/sync", json={"syncOptions": ["Prunez=true"]})
        assert bad_option.status_code == 400 and "unknown sync option 'Prunez'" in bad_option.json()["error"]
        bad_field = await http.post(f"{base}/manual/sync", json={"dryrun": True})
        assert bad_field.status_code == 422 and "dryrun" in bad_field.json()["error"]
        bad_resource = await http.post(f"{base}/manual/sync", json={"resources": [{"kind": "ConfigMap"}]})
        assert bad_resource.status_code == 422 and "name" in bad_resource.json()["error"]
        assert "operation" not in await kube.get(APP_API_VERSION, "Application", "manual", apps_ns)

        synced = await http.post(
            f"{base}/manual/sync",
            json={"prune": True, "resources": [{"group": "", "kind": "ConfigMap", "name": "cm"}]},
        )
        assert synced.status_code == 200, synced.text
        operation = (await kube.get(APP_API_VERSION, "Application", "manual", apps_ns))["operation"]
        assert operation["initiatedBy"] == {"username": "alice"}
        assert operation["sync"]["resources"] == [
            {"group": "", "kind": "ConfigMap", "name": "cm", "namespace": ""}
        ]
        busy = await http.post(f"{base}/manual/sync", json={})
        assert busy.status_code == 409 and "already in progress" in busy.json()["error"]

        refreshed = await http.post(f"{base}/manual/refresh", params={"hard": "true"})
        assert refreshed.status_code == 200
        live = await kube.get(APP_API_VERSION, "Application", "manual", apps_ns)
        assert live["metadata"]["annotations"]["argocd.argoproj.io/refresh"] == "hard"

        await api_env.wait_until(
            lambda: bool(
                ((api_env.server.state.index.get(apps_ns, "auto") or {}).get("status") or {}).get("history")
            ),  # type: ignore[union-attr]
            what="history in cache",
        )
        refused = await http.post(f"{base}/auto/rollback", json={"id": 3})
        assert refused.status_code == 400 and "automated sync is enabled" in refused.json()["error"]
        unknown = await http.post(f"{base}/manual/rollback", json={"id": 42})
        assert unknown.status_code == 404 and "history id 42 not found" in unknown.json()["error"]
    assert "operation" not in await kube.get(APP_API_VERSION, "Application", "auto", apps_ns)
