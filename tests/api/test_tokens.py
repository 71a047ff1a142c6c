"""API tokens for CLI and CI: created once, stored hashed, listed without the secret,
revoked or expired with a clear 401."""

from __future__ import annotations

import asyncio

from rudder.api.settings import SECRET_NAME, decode_data
from rudder.cluster.client import KubeClient
from tests.api.conftest import ApiEnv


async def test_token_lifecycle_create_use_list_revoke(api_env: ApiEnv, kube: KubeClient) -> None:
    async with api_env.client("alice") as http:
        created = await http.post("/api/v1/account/tokens", json={"name": "ci"})
        assert created.status_code == 200
        body = created.json()
        token, token_id = body["token"], body["id"]
        assert token.startswith("rdt_") and body["expiresAt"] is None

        listed = (await http.get("/api/v1/account/tokens")).json()["items"]
        assert {"id": token_id, "name": "ci"}.items() <= next(
            t for t in listed if t["id"] == token_id
        ).items()
        assert token not in str(listed)

    stored = decode_data(await kube.get("v1", "Secret", SECRET_NAME, api_env.namespace))
    assert token.split(".", 1)[1] not in str(stored)  # only the SHA-256 is kept

    async with api_env.client(None) as anonymous:
        bearer = {"Authorization": f"Bearer {token}"}
        me = await anonymous.get("/api/v1/session/userinfo", headers=bearer)
        assert me.json()["username"] == "alice"

        async with api_env.client("alice") as http:
            revoked = await http.delete(f"/api/v1/account/tokens/{token_id}")
            assert revoked.status_code == 200
            again = await http.delete(f"/api/v1/account/tokens/{token_id}")
            assert again.status_code == 404 and token_id in again.json()["error"]
        after = await anonymous.get("/api/v1/session/userinfo", headers=bearer)
        assert after.status_code == 401
        assert after.json() == {"error": "token revoked or unknown", "code": 401}


async def test_expired_token_is_refused_with_a_clear_message(api_env: ApiEnv) -> None:
    async with api_env.client("carol") as http:
        token = (await http.post("/api/v1/account/tokens", json={"name": "short", "expiresIn": 1})).json()[
            "token"
        ]
    await asyncio.sleep(2.1)
    async with api_env.client(None) as http:
        response = await http.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "token expired" in response.json()["error"]


async def test_accounts_without_api_key_capability_cannot_have_tokens(api_env: ApiEnv) -> None:
    async with api_env.client("bob") as http:
        response = await http.post("/api/v1/account/tokens", json={"name": "nope"})
    assert response.status_code == 403
    assert "no apiKey capability" in response.json()["error"]


async def test_tokens_of_another_account_need_rbac(api_env: ApiEnv) -> None:
    async with api_env.client("alice") as http:
        denied = await http.get("/api/v1/account/tokens", params={"account": "carol"})
    assert denied.status_code == 403 and "accounts, get, carol" in denied.json()["error"]
    async with api_env.client("admin") as http:
        created = await http.post(
            "/api/v1/account/tokens", params={"account": "carol"}, json={"name": "by-admin"}
        )
        assert created.status_code == 200
        listed = await http.get("/api/v1/account/tokens", params={"account": "carol"})
        assert created.json()["id"] in {t["id"] for t in listed.json()["items"]}


async def test_bad_token_requests_are_refused_and_change_nothing(api_env: ApiEnv) -> None:
    async with api_env.client("carol") as http:
        before = (await http.get("/api/v1/account/tokens")).json()["items"]
        negative = await http.post("/api/v1/account/tokens", json={"expiresIn": -5})
        unknown_field = await http.post("/api/v1/account/tokens", json={"name": "x", "scope": "all"})
        malformed = await http.post(
            "/api/v1/account/tokens", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        after = (await http.get("/api/v1/account/tokens")).json()["items"]
    assert negative.status_code == 422 and "expiresIn" in negative.json()["error"]
    assert unknown_field.status_code == 422 and "scope" in unknown_field.json()["error"]
    assert malformed.status_code == 400 and "not valid JSON" in malformed.json()["error"]
    assert before == after
