"""The RBAC matrix: each role by each action is allowed (2xx) or refused — 403 when the
caller may see the app, 404 when it may not (its existence is never revealed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from rudder.cluster.client import KubeClient
from rudder.model.application import APP_API_VERSION
from tests.api.conftest import ApiEnv, application

Action = Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]

ACTIONS: dict[str, Action] = {
    "list": lambda http, ns: http.get("/api/v1/applications", params={"namespace": ns}),
    "get": lambda http, ns: http.get(f"/api/v1/applications/{ns}/subject"),
    "resource-tree": lambda http, ns: http.get(f"/api/v1/applications/{ns}/subject/resource-tree"),
    "history": lambda http, ns: http.get(f"/api/v1/applications/{ns}/subject/history"),
    "events": lambda http, ns: http.get(f"/api/v1/applications/{ns}/subject/events"),
    "refresh": lambda http, ns: http.post(f"/api/v1/applications/{ns}/subject/refresh"),
    "sync": lambda http, ns: http.post(f"/api/v1/applications/{ns}/subject/sync", json={}),
    "rollback": lambda http, ns: http.post(f"/api/v1/applications/{ns}/subject/rollback", json={"id": 0}),
    "update": lambda http, ns: http.patch(
        f"/api/v1/applications/{ns}/subject", json={"source": {"path": "x"}}
    ),
    "delete": lambda http, ns: http.delete(f"/api/v1/applications/{ns}/subject", params={"cascade": "false"}),
    "create": lambda http, ns: http.post("/api/v1/applications", json=application(ns, "another")),
}

# admin: role:admin; bob: role:readonly; alice: role:dev (get + sync in default); carol: no role.
EXPECTED: dict[str, dict[str, int]] = {
    "list": {"admin": 200, "bob": 200, "alice": 200, "carol": 200},
    "get": {"admin": 200, "bob": 200, "alice": 200, "carol": 404},
    "resource-tree": {"admin": 200, "bob": 200, "alice": 200, "carol": 404},
    "history": {"admin": 200, "bob": 200, "alice": 200, "carol": 404},
    "events": {"admin": 200, "bob": 200, "alice": 200, "carol": 404},
    "refresh": {"admin": 200, "bob": 200, "alice": 200, "carol": 404},
    "sync": {"admin": 200, "bob": 403, "alice": 200, "carol": 404},
    "rollback": {"admin": 200, "bob": 403, "alice": 200, "carol": 404},
    "update": {"admin": 200, "bob": 403, "alice": 403, "carol": 404},
    "delete": {"admin": 200, "bob": 403, "alice": 403, "carol": 404},
    "create": {"admin": 200, "bob": 403, "alice": 403, "carol": 403},
}


@pytest.mark.parametrize("user", ["admin", "bob", "alice", "carol"])
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_rbac_matrix(api_env: ApiEnv, kube: KubeClient, apps_ns: str, action: str, user: str) -> None:
    await kube.create(application(apps_ns, "subject"))
    await kube.patch(
        APP_API_VERSION,
        "Application",
        "subject",
        apps_ns,
        patch={"status": {"history": [{"id": 0, "revision": "c" * 40, "source": {}}]}},
        subresource="status",
    )
    await api_env.wait_until(
        lambda: bool(
            ((api_env.server.state.index.get(apps_ns, "subject") or {}).get("status") or {}).get("history")
        ),  # type: ignore[union-attr]
        what="app in the server's cache",
    )
    before = await kube.get(APP_API_VERSION, "Application", "subject", apps_ns)

    async with api_env.client(user) as http:
        response = await ACTIONS[action](http, apps_ns)

    expected = EXPECTED[action][user]
    assert response.status_code == expected, response.text
    body = response.json()
    if expected == 403:
        assert body["error"].startswith("permission denied: applications, ")
    if expected == 404:
        assert body == {"error": f"Application/{apps_ns}/subject: not found", "code": 404}
    if action == "list":
        visible = [i["name"] for i in body["items"]]
        assert visible == ([] if user == "carol" else ["subject"])
    if expected >= 400:
        after = await kube.get(APP_API_VERSION, "Application", "subject", apps_ns)
        assert after["spec"] == before["spec"] and "operation" not in after
        assert not after["metadata"].get("deletionTimestamp")
        assert (await kube.list(APP_API_VERSION, "Application", apps_ns)).items[0]["metadata"][
            "name"
        ] == "subject"
