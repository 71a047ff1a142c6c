"""Fixtures for API tests: one real ``rudder server`` per test process (session scope,
in a thread, serving every namespace) with its own control namespace holding local
accounts and an RBAC policy, logged-in tokens for each account, and helpers to make
Applications. The controller harness is re-exported for tests that need syncs.

Accounts (password ``<name>-password``):
    admin  built-in role:admin
    alice  role:dev   (applications get + sync in project default), login + apiKey
    bob    role:readonly, login only (no API tokens)
    carol  no role at all, login + apiKey
    dave   disabled
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest

from rudder.api.accounts import set_password, take_initial_password
from rudder.api.options import ServerOptions
from rudder.api.settings import CONFIG_MAP, RBAC_CONFIG_MAP, SECRET_NAME
from rudder.cluster.client import KubeClient
from rudder.controller.install import install_crds
from rudder.model.application import APP_API_VERSION
from rudder.model.resource import Manifest
from tests.api.server import ThreadServer
from tests.controller.conftest import harness  # noqa: F401  (re-exported fixture)
from tests.fixtures.cluster import ClusterInfo

T = TypeVar("T")
USERS = ("alice", "bob", "carol", "dave")
POLICY = """
p, role:dev, applications, get, default/*, allow
p, role:dev, applications, sync, default/*, allow
g, alice, role:dev
g, bob, role:readonly
"""
WEBHOOK_SECRETS = {
    "webhook.github.secret": "github-hmac-secret",
    "webhook.gitlab.secret": "gitlab-token",
    "webhook.bitbucketserver.secret": "bitbucket-server-secret",
}
ACCOUNTS = {
    "accounts.alice": "login, apiKey",
    "accounts.bob": "login",
    "accounts.carol": "login, apiKey",
    "accounts.dave": "login, apiKey",
    "accounts.dave.enabled": "false",
}


def password_of(user: str) -> str:
    return f"{user}-password"


def run_in_thread(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a fresh loop in another thread (usable from
    sync fixtures without touching the test's event loop)."""
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(factory()))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def config_map(namespace: str, name: str, data: dict[str, str]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }


def application(
    namespace: str,
    name: str,
    *,
    repo_url: str = "https://git.example.com/org/app.git",
    path: str = "app",
    project: str = "default",
    labels: dict[str, str] | None = None,
    revision: str = "HEAD",
    annotations: dict[str, str] | None = None,
) -> Manifest:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels or {}}
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": APP_API_VERSION,
        "kind": "Application",
        "metadata": meta,
        "spec": {
            "project": project,
            "source": {"repoURL": repo_url, "path": path, "targetRevision": revision},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        },
    }


@dataclass
class ApiEnv:
    server: ThreadServer
    namespace: str
    admin_password: str
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    def client(self, user: str | None = "admin") -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers=self.headers(user), timeout=30)

    async def wait_for_app(self, namespace: str, name: str, *, timeout: float = 15.0) -> None:
        """Until the server's watch has delivered the app."""
        deadline = time.monotonic() + timeout
        while self.server.state is None or self.server.state.index.get(namespace, name) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"server never saw Application/{namespace}/{name}")
            await asyncio.sleep(0.05)

    async def wait_until(
        self, predicate: Callable[[], bool], *, timeout: float = 15.0, what: str = ""
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or 'condition'}")
            await asyncio.sleep(0.05)


def _login(url: str, user: str, password: str) -> str:
    response = httpx.post(f"{url}/api/v1/session", json={"username": user, "password": password}, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="session")
def api_env(cluster: ClusterInfo) -> Iterator[ApiEnv]:
    control = f"rudder-api-{uuid.uuid4().hex[:8]}"

    async def prepare() -> None:
        async with await KubeClient.from_kubeconfig(cluster.kubeconfig) as kube:
            await install_crds(kube)
            await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": control}})
            await kube.apply(config_map(control, CONFIG_MAP, ACCOUNTS))
            await kube.apply(config_map(control, RBAC_CONFIG_MAP, {"policy.csv": POLICY}))
            for user in USERS:
                await set_password(kube, control, user, password_of(user), rounds=4)
            await kube.patch(
                "v1",
                "Secret",
                SECRET_NAME,
                control,
                patch={"stringData": WEBHOOK_SECRETS},
            )

    run_in_thread(prepare)
    server = ThreadServer(
        cluster.kubeconfig, ServerOptions(control_namespace=control, bcrypt_rounds=4)
    ).start()

    async def initial() -> str:
        assert server.client is not None
        return await take_initial_password(server.client, control)

    admin_password = server.call(initial)
    env = ApiEnv(server=server, namespace=control, admin_password=admin_password)
    env.tokens["admin"] = _login(server.url, "admin", admin_password)
    for user in ("alice", "bob", "carol"):
        env.tokens[user] = _login(server.url, user, password_of(user))
    try:
        yield env
    finally:
        server.stop()

        async def cleanup() -> None:
            async with await KubeClient.from_kubeconfig(cluster.kubeconfig) as kube:
                await kube.delete("v1", "Namespace", control)

        run_in_thread(cleanup)


@pytest.fixture
async def apps_ns(api_env: ApiEnv, kube: KubeClient, namespace: str) -> AsyncIterator[str]:
    """A fresh namespace for this test's Applications (the server serves it)."""
    yield namespace
    listed = await kube.list(APP_API_VERSION, "Application", namespace)
    for app in listed.items:  # no controller may be left to remove finalizers
        if app["metadata"].get("finalizers"):
            await kube.patch(
                APP_API_VERSION,
                "Application",
                app["metadata"]["name"],
                namespace,
                patch={"metadata": {"finalizers": None}},
            )
