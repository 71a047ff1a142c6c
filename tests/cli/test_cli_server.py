"""The CLI against a running server (and, with --core, the cluster): login and logout,
app commands with tables and JSON, a live sync, waits, diffs, history and rollback,
create/set/delete, API tokens, and the documented exit codes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import yaml

from rudder.cluster.client import KubeClient
from rudder.model.application import APP_API_VERSION
from rudder.model.errors import NotFoundError
from tests.api.conftest import ApiEnv, application, password_of
from tests.cli.conftest import Rudder
from tests.controller.conftest import Harness
from tests.controller.test_reconcile import configmap
from tests.fixtures.cluster import ClusterInfo
from tests.fixtures.git import GitRepo


async def _login(cli: Rudder, api_env: ApiEnv, user: str = "admin") -> None:
    password = api_env.admin_password if user == "admin" else password_of(user)
    result = await cli("login", api_env.url, "--username", user, "--password-stdin", stdin=password + "\n")
    assert result.code == 0, result.err
    assert f"logged in to {api_env.url} as {user}" in result.out


async def test_login_list_get_and_logout(
    cli: Rudder, api_env: ApiEnv, kube: KubeClient, apps_ns: str, tmp_path: Path
) -> None:
    await kube.create(application(apps_ns, "listed", labels={"team": "web"}))
    await api_env.wait_for_app(apps_ns, "listed")
    await _login(cli, api_env, "alice")
    config = tmp_path / "rudder" / "config.yaml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    saved = yaml.safe_load(config.read_text())
    assert (
        saved["server"] == api_env.url and saved["username"] == "alice" and saved["token"].startswith("rds_")
    )

    table = await cli("app", "list", "-N", apps_ns)
    assert table.code == 0, table.err
    assert table.out.split("\n")[0].split() == ["NAME", "PROJECT", "SYNC", "HEALTH", "REVISION"]
    assert f"{apps_ns}/listed" in table.out
    as_json = json.loads((await cli("app", "list", "-N", apps_ns, "-l", "team=web", "-o", "json")).out)
    assert [a["name"] for a in as_json] == ["listed"]
    got = json.loads((await cli("app", "get", "listed", "-N", apps_ns, "-o", "json")).out)
    assert got["spec"]["source"]["repoURL"] == "https://git.example.com/org/app.git"

    out = await cli("logout")
    assert out.code == 0 and not config.exists()
    async with api_env.client(None) as http:  # the session is revoked server-side
        response = await http.get(
            "/api/v1/session/userinfo", headers={"Authorization": f"Bearer {saved['token']}"}
        )
    assert response.status_code == 401


async def test_exit_codes_for_scripts(cli: Rudder, api_env: ApiEnv, kube: KubeClient, apps_ns: str) -> None:
    await kube.create(application(apps_ns, "idle"))
    await api_env.wait_for_app(apps_ns, "idle")
    not_logged_in = await cli("app", "list", extra_env={"RUDDER_SERVER": api_env.url})
    assert not_logged_in.code == 6 and "not logged in" in not_logged_in.err
    await _login(cli, api_env)
    missing = await cli("app", "get", "nope", "-N", apps_ns)
    assert missing.code == 3 and f"Application/{apps_ns}/nope: not found" in missing.err
    bad_option = await cli("app", "sync", "idle", "-N", apps_ns, "--sync-option", "Prunez=true")
    assert bad_option.code == 2 and "unknown sync option 'Prunez'" in bad_option.err
    timeout = await cli("app", "wait", "idle", "-N", apps_ns, "--health", "--timeout", "1")
    assert timeout.code == 4 and "timed out" in timeout.err
    forbidden = await cli(
        "app", "delete", "idle", "-N", apps_ns, "-y", extra_env={"RUDDER_AUTH_TOKEN": api_env.tokens["bob"]}
    )
    assert forbidden.code == 6 and "permission denied: applications, delete" in forbidden.err
    unknown_flag = await cli("app", "list", "--colour")
    assert unknown_flag.code == 2


async def test_sync_wait_shows_progress_and_ends_synced(
    cli: Rudder, api_env: ApiEnv, harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    git_repo.write("app/late.yaml", configmap("late", wave=2, level="1"))
    sha = git_repo.commit("v1")
    ns = harness.namespace
    await harness.create(harness.application("deployed", git_repo.url, automated=False))
    await harness.wait("deployed", lambda a: a.get("status", {}).get("sync", {}).get("status") == "OutOfSync")
    await api_env.wait_for_app(ns, "deployed")
    await _login(cli, api_env)

    diff = await cli("app", "diff", "deployed", "-N", ns, "--exit-code")
    assert diff.code == 5, diff.err
    assert "ConfigMap" in diff.out and "+  level: '1'" in diff.out

    synced = await cli("app", "sync", "deployed", "-N", ns, "--wait", "--timeout", "120")
    assert synced.code == 0, synced.out + synced.err
    assert "operation Running" in synced.out or "operation Succeeded" in synced.out
    assert "Sync  2  ConfigMap" in synced.out.replace("   ", "  ")  # phase, wave, kind of the late one
    assert f"{ns}/deployed: operation Succeeded" in synced.out
    waited = await cli("app", "wait", "deployed", "-N", ns, "--sync", "--health", "--timeout", "30")
    assert waited.code == 0, waited.err

    clean = await cli("app", "diff", "deployed", "-N", ns, "--exit-code")
    assert clean.code == 0 and "no differences" in clean.out
    history = json.loads((await cli("app", "history", "deployed", "-N", ns, "-o", "json")).out)
    assert [h["revision"] for h in history] == [sha]

    rollback = await cli("app", "rollback", "deployed", "0", "-N", ns)
    assert rollback.code == 0 and "rollback" in rollback.out
    await harness.wait("deployed", lambda a: "operation" not in a, what="rollback done")


async def test_failed_sync_exits_5(cli: Rudder, api_env: ApiEnv, harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/bad.yaml", configmap("Not_A_Valid_Name", level="1"))
    git_repo.commit("broken")
    ns = harness.namespace
    await harness.create(harness.application("broken", git_repo.url, automated=False))
    await api_env.wait_for_app(ns, "broken")
    await _login(cli, api_env)
    result = await cli("app", "sync", "broken", "-N", ns, "--wait", "--timeout", "60", "-o", "json")
    assert result.code == 5, result.out + result.err
    final = json.loads(result.out)  # progress went to stderr, stdout is the final app
    assert final["status"]["operationState"]["phase"] in ("Failed", "Error")
    assert "operation Running" in result.err or "operation Failed" in result.err


async def test_create_set_and_delete(
    cli: Rudder, api_env: ApiEnv, kube: KubeClient, apps_ns: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump(application(apps_ns, "from-file")))
    await _login(cli, api_env)
    created = await cli("app", "create", "-f", str(manifest))
    assert created.code == 0 and f"application {apps_ns}/from-file created" in created.out
    again = await cli("app", "create", "-f", str(manifest))
    assert again.code == 0  # same spec: nothing to do
    changed = await cli(
        "app",
        "set",
        "from-file",
        "-N",
        apps_ns,
        "--revision",
        "v2",
        "--sync-policy",
        "automated",
        "--self-heal",
    )
    assert changed.code == 0, changed.err
    live = await kube.get(APP_API_VERSION, "Application", "from-file", apps_ns)
    assert live["spec"]["source"]["targetRevision"] == "v2"
    assert live["spec"]["syncPolicy"] == {"automated": {"selfHeal": True}}
    invalid = await cli("app", "set", "from-file", "-N", apps_ns, "--patch", '{"source": 3}')
    assert invalid.code == 2 and "spec.source" in invalid.err
    deleted = await cli("app", "delete", "from-file", "-N", apps_ns, "--no-cascade", "-y")
    assert deleted.code == 0
    try:
        await kube.get(APP_API_VERSION, "Application", "from-file", apps_ns)
        raise AssertionError("not deleted")
    except NotFoundError:
        pass


async def test_account_tokens_from_the_cli(cli: Rudder, api_env: ApiEnv) -> None:
    await _login(cli, api_env, "carol")
    created = await cli("account", "token", "create", "--name", "pipeline", "-o", "json")
    assert created.code == 0, created.err
    token = json.loads(created.out)
    listed = await cli("account", "token", "list")
    assert token["id"] in listed.out and "pipeline" in listed.out and token["token"] not in listed.out
    with_token = await cli(
        "app", "list", extra_env={"RUDDER_SERVER": api_env.url, "RUDDER_AUTH_TOKEN": token["token"]}
    )
    assert with_token.code == 0
    revoked = await cli("account", "token", "revoke", token["id"])
    assert revoked.code == 0
    refused = await cli(
        "app", "list", extra_env={"RUDDER_SERVER": api_env.url, "RUDDER_AUTH_TOKEN": token["token"]}
    )
    assert refused.code == 6 and "token revoked or unknown" in refused.err


async def test_core_mode_and_initial_password(
    cli: Rudder, cluster: ClusterInfo, kube: KubeClient, apps_ns: str
) -> None:
    await kube.create(application(apps_ns, "direct"))
    kubeconfig = str(cluster.kubeconfig)
    listed = await cli("app", "list", "--core", "--kubeconfig", kubeconfig, "-N", apps_ns, "-o", "json")
    assert listed.code == 0, listed.err
    assert [a["name"] for a in json.loads(listed.out)] == ["direct"]
    first = await cli("admin", "initial-password", "--kubeconfig", kubeconfig, "--namespace", apps_ns)
    assert first.code == 0 and len(first.out.strip()) >= 12
    second = await cli("admin", "initial-password", "--kubeconfig", kubeconfig, "--namespace", apps_ns)
    assert second.code == 3 and "already shown" in second.err
