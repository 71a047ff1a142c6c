"""Login, logout, who-am-I, and what happens without or with bad credentials."""

from __future__ import annotations

import httpx

from rudder.api.settings import SECRET_NAME, decode_data
from rudder.cluster.client import KubeClient
from tests.api.conftest import ApiEnv, password_of


async def test_login_sets_an_httponly_cookie_that_authenticates_the_ui(api_env: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api_env.url) as http:
        response = await http.post(
            "/api/v1/session", json={"username": "alice", "password": password_of("alice")}
        )
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert "rudder_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert response.json()["token"].startswith("rds_")
        info = await http.get("/api/v1/session/userinfo")  # the cookie alone
        assert info.json() == {"username": "alice", "roles": ["role:dev"]}


async def test_admin_has_the_admin_and_readonly_roles(api_env: ApiEnv) -> None:
    async with api_env.client("admin") as http:
        assert (await http.get("/api/v1/session/userinfo")).json() == {
            "username": "admin",
            "roles": ["role:admin", "role:readonly"],
        }


async def test_wrong_password_and_unknown_user_get_the_same_401(api_env: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api_env.url) as http:
        wrong = await http.post("/api/v1/session", json={"username": "alice", "password": "nope"})
        unknown = await http.post("/api/v1/session", json={"username": "mallory", "password": "nope"})
        disabled = await http.post(
            "/api/v1/session", json={"username": "dave", "password": password_of("dave")}
        )
    for response in (wrong, unknown, disabled):
        assert response.status_code == 401
        assert response.json() == {"error": "invalid username or password", "code": 401}


async def test_repeated_failures_lock_the_account_for_a_while(api_env: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api_env.url) as http:
        codes = [
            (await http.post("/api/v1/session", json={"username": "locked-out", "password": "x"})).status_code
            for _ in range(6)
        ]
        last = await http.post("/api/v1/session", json={"username": "locked-out", "password": "x"})
    assert codes[:5] == [401] * 5
    assert last.status_code == 429 and "too many failed logins" in last.json()["error"]
    assert int(last.headers["retry-after"]) > 0


async def test_requests_without_credentials_get_401_with_a_message(api_env: ApiEnv) -> None:
    async with api_env.client(None) as http:
        for path in ("/api/v1/applications", "/api/v1/session/userinfo", "/api/v1/account/tokens"):
            response = await http.get(path)
            assert response.status_code == 401
            assert "authentication required" in response.json()["error"]
        garbage = await http.get("/api/v1/applications", headers={"Authorization": "Bearer nonsense"})
        assert garbage.status_code == 401 and "unrecognised credential" in garbage.json()["error"]
        forged = await http.get("/api/v1/applications", headers={"Authorization": "Bearer rds_e30.AAAA"})
        assert forged.status_code == 401 and forged.json()["error"] == "invalid session token"


async def test_logout_revokes_the_session_everywhere(api_env: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api_env.url) as http:
        token = (
            await http.post("/api/v1/session", json={"username": "carol", "password": password_of("carol")})
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await http.get("/api/v1/session/userinfo", headers=headers)).status_code == 200
        out = await http.delete("/api/v1/session", headers=headers)
        assert out.status_code == 200 and out.json() == {"message": "logged out"}
        after = await http.get("/api/v1/session/userinfo", headers=headers)
    assert after.status_code == 401
    assert "logged out" in after.json()["error"]


async def test_passwords_are_stored_as_bcrypt_hashes_only(api_env: ApiEnv, kube: KubeClient) -> None:
    data = decode_data(await kube.get("v1", "Secret", SECRET_NAME, api_env.namespace))
    assert data["accounts.alice.password"].startswith("$2b$")
    assert password_of("alice") not in str(data)
    assert api_env.admin_password not in str(data)
