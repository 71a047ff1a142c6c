"""``POST /api/webhook`` against the real server: signed pushes refresh exactly the apps
they concern, bad or missing signatures and oversized bodies are refused (and
counted), unknown repositories get a clear 404, floods get 429, and a push refreshes
a running controller's app at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx
import pytest

from rudder.api.options import ServerOptions
from rudder.cluster.client import KubeClient
from rudder.model.application import APP_API_VERSION
from tests.api.conftest import WEBHOOK_SECRETS, ApiEnv, application
from tests.api.server import ThreadServer
from tests.controller.conftest import Harness
from tests.controller.test_reconcile import configmap
from tests.fixtures.cluster import ClusterInfo
from tests.fixtures.git import GitRepo

REFRESH = "argocd.argoproj.io/refresh"


def github_push(
    repo_url: str, *, branch: str = "main", files: tuple[str, ...] = ("app/cm.yaml",)
) -> dict[str, Any]:
    return {
        "ref": f"refs/heads/{branch}",
        "repository": {
            "html_url": repo_url.removesuffix(".git"),
            "clone_url": repo_url,
            "default_branch": "main",
        },
        "commits": [{"added": [], "modified": list(files), "removed": []}],
    }


def signed(body: bytes, secret: str = WEBHOOK_SECRETS["webhook.github.secret"]) -> dict[str, str]:
    return {
        "X-GitHub-Event": "push",
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "Content-Type": "application/json",
    }


async def _refresh_of(kube: KubeClient, namespace: str, name: str) -> str | None:
    app = await kube.get(APP_API_VERSION, "Application", name, namespace)
    return (app["metadata"].get("annotations") or {}).get(REFRESH)


def _counter(text: str, provider: str, result: str) -> float:
    prefix = f'rudder_webhook_requests_total{{provider="{provider}",result="{result}"}} '
    return sum(float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix))


@pytest.fixture
def repo_url() -> str:
    return f"https://github.example.com/org/svc-{uuid.uuid4().hex[:8]}.git"


async def test_signed_github_push_refreshes_exactly_the_concerned_apps(
    api_env: ApiEnv, kube: KubeClient, apps_ns: str, repo_url: str
) -> None:
    paths = {"argocd.argoproj.io/manifest-generate-paths": "."}
    await kube.create(application(apps_ns, "main-app", repo_url=repo_url))
    await kube.create(application(apps_ns, "release-app", repo_url=repo_url, revision="release"))
    await kube.create(application(apps_ns, "docs-app", repo_url=repo_url, path="docs", annotations=paths))
    await kube.create(application(apps_ns, "other-repo", repo_url=repo_url.replace("svc-", "other-")))
    for name in ("main-app", "release-app", "docs-app", "other-repo"):
        await api_env.wait_for_app(apps_ns, name)
    body = json.dumps(github_push(repo_url)).encode()
    async with api_env.client(None) as http:
        response = await http.post("/api/webhook", content=body, headers=signed(body))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "message": "1 application(s) refreshed, 2 skipped (other branch or paths)",
        "refreshed": 1,
        "skipped": 2,
    }
    assert await _refresh_of(kube, apps_ns, "main-app") == "normal"
    for untouched in ("release-app", "docs-app", "other-repo"):
        assert await _refresh_of(kube, apps_ns, untouched) is None


async def test_bad_missing_signature_and_oversized_payloads_are_refused_and_counted(
    api_env: ApiEnv, kube: KubeClient, apps_ns: str, repo_url: str
) -> None:
    await kube.create(application(apps_ns, "target", repo_url=repo_url))
    await api_env.wait_for_app(apps_ns, "target")
    body = json.dumps(github_push(repo_url)).encode()
    async with api_env.client(None) as http:
        before = (await http.get("/metrics")).text
        forged = await http.post("/api/webhook", content=body, headers=signed(body, "wrong-secret"))
        missing = await http.post(
            "/api/webhook",
            content=body,
            headers={"X-GitHub-Event": "push", "Content-Type": "application/json"},
        )
        huge = json.dumps({**github_push(repo_url), "padding": "x" * (1024 * 1024)}).encode()
        oversized = await http.post("/api/webhook", content=huge, headers=signed(huge))
        after = (await http.get("/metrics")).text
    assert forged.status_code == 401
    assert forged.json()["error"] == "github webhook refused: signature does not match the configured secret"
    assert missing.status_code == 401 and "missing X-Hub-Signature-256" in missing.json()["error"]
    assert oversized.status_code == 413 and "exceeds the limit" in oversized.json()["error"]
    assert _counter(after, "github", "bad_signature") - _counter(before, "github", "bad_signature") == 2
    assert _counter(after, "github", "too_large") - _counter(before, "github", "too_large") == 1
    assert await _refresh_of(kube, apps_ns, "target") is None


async def test_unknown_repository_malformed_body_and_other_providers(
    api_env: ApiEnv, kube: KubeClient, apps_ns: str, repo_url: str
) -> None:
    full_name = repo_url.removeprefix("https://github.example.com/").removesuffix(".git")
    await kube.create(application(apps_ns, "ci-target", repo_url=repo_url))
    await kube.create(application(apps_ns, "gitlab-target", repo_url=repo_url.replace("github", "gitlab")))
    await api_env.wait_for_app(apps_ns, "ci-target")
    await api_env.wait_for_app(apps_ns, "gitlab-target")
    async with api_env.client(None) as http:
        unknown = await http.post(
            "/api/webhook", json={"payload": {"push": {"repo": {"full_name": "nobody/nothing"}}}}
        )
        malformed = await http.post(
            "/api/webhook", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        ci = await http.post("/api/webhook", json={"payload": {"push": {"repo": {"full_name": full_name}}}})
        gitlab_body = {
            "ref": "refs/heads/main",
            "project": {
                "web_url": repo_url.replace("github", "gitlab").removesuffix(".git"),
                "default_branch": "main",
            },
            "commits": [],
            "total_commits_count": 0,
        }
        bad_token = await http.post(
            "/api/webhook",
            json=gitlab_body,
            headers={"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "nope"},
        )
        gitlab = await http.post(
            "/api/webhook",
            json=gitlab_body,
            headers={
                "X-Gitlab-Event": "Push Hook",
                "X-Gitlab-Token": WEBHOOK_SECRETS["webhook.gitlab.secret"],
            },
        )
        ping = await http.post(
            "/api/webhook", content=b"{}", headers=signed(b"{}") | {"X-GitHub-Event": "ping"}
        )
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "generic webhook: no application uses repository nobody/nothing"
    assert malformed.status_code == 400 and "not valid JSON" in malformed.json()["error"]
    assert ci.status_code == 200 and ci.json()["refreshed"] == 2  # org/svc-… on both hosts
    assert await _refresh_of(kube, apps_ns, "ci-target") == "normal"
    assert bad_token.status_code == 401
    assert gitlab.status_code == 200 and gitlab.json()["refreshed"] == 1
    assert ping.status_code == 200 and "ignored" in ping.json()["message"]


async def test_a_flood_of_webhooks_is_rate_limited(cluster: ClusterInfo, api_env: ApiEnv) -> None:
    options = ServerOptions(
        control_namespace=api_env.namespace, webhook_rate=0.1, webhook_burst=3, bcrypt_rounds=4
    )
    server = ThreadServer(cluster.kubeconfig, options).start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            codes = [
                (
                    await http.post(
                        "/api/webhook", json={"payload": {"push": {"repo": {"full_name": "x/y"}}}}
                    )
                ).status_code
                for _ in range(5)
            ]
            last = await http.post("/api/webhook", json={})
    finally:
        server.stop()
    assert codes == [404, 404, 404, 429, 429]
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1


async def test_push_webhook_makes_the_controller_deploy_the_new_commit_at_once(
    api_env: ApiEnv, harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    first = git_repo.commit("v1")
    await harness.create(harness.application("hooked", git_repo.url))
    await harness.wait_synced("hooked", revision=first)
    await api_env.wait_for_app(harness.namespace, "hooked")
    git_repo.write("app/cm.yaml", configmap("settings", level="2"))
    second = git_repo.commit("v2")
    async with api_env.client(None) as http:
        response = await http.post(
            "/api/webhook",
            json={"repoURL": git_repo.url, "ref": "refs/heads/main", "changedFiles": ["app/cm.yaml"]},
        )
    assert response.status_code == 200 and response.json()["refreshed"] == 1
    await harness.wait_synced("hooked", revision=second, timeout=30)  # the periodic refresh is an hour away
    live = await harness.kube.get("v1", "ConfigMap", "settings", harness.namespace)
    assert live["data"] == {"level": "2"}
