"""The web UI end to end in headless Chromium, against a real ``rudder server`` process,
a real controller and real Git repositories on the local cluster: sign in, see the list,
open an app, inspect its diff, press Sync and watch it become Synced live; roll back an
auto-synced app through the server's refusal; the list follows changes without a reload.
Screenshots of the pages go to test-artifacts/ui/."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from rudder.model.application import APP_API_VERSION
from tests.controller.conftest import Harness
from tests.fixtures.git import GitRepo
from tests.ui.server import RudderServer

SLOW = 90_000  # ms: a sync on the shared test cluster under xdist


def deployment(name: str, *, replicas: int = 2, image: str = "nginx:1.27") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: web
        image: {image}
        ports: [{{containerPort: 80}}]
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-settings
data:
  greeting: hello
"""


def status_of(app: dict[str, Any]) -> tuple[str, str]:
    status = app.get("status") or {}
    return (status.get("sync") or {}).get("status", ""), (status.get("health") or {}).get("status", "")


async def screenshot(page: Page, path: Path, *, full_page: bool = False) -> None:
    """A screenshot for people to look at: transient notices dismissed first."""
    await page.evaluate("document.querySelectorAll('.toast').forEach((toast) => toast.remove())")
    await page.screenshot(path=path, full_page=full_page)


async def sign_in(page: Page, server: RudderServer) -> None:
    await page.goto(server.url)
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Username").fill("admin")
    await page.get_by_label("Password").fill(server.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Applications")).to_be_visible()
    await expect(page.get_by_test_id("username")).to_have_text("admin")


async def test_sign_in_see_list_open_app_sync_until_synced(
    harness: Harness, git_repo: GitRepo, rudder_server: RudderServer, page: Page, artifacts: Path
) -> None:
    git_repo.write("guestbook/all.yaml", deployment("guestbook-ui"))
    git_repo.write("frontend/all.yaml", deployment("frontend", replicas=1))
    git_repo.commit("guestbook and frontend")
    await harness.create(harness.application("guestbook", git_repo.url, "guestbook", automated=False))
    await harness.create(harness.application("frontend", git_repo.url, "frontend"))
    await harness.create(harness.application("broken", git_repo.url, "does/not/exist", automated=False))
    await harness.wait("guestbook", lambda a: status_of(a)[0] == "OutOfSync", what="OutOfSync")
    await harness.wait_synced("frontend", timeout=SLOW / 1000)

    # Not signed in: the login page; a wrong password is refused with a message.
    await page.goto(rudder_server.url)
    await page.get_by_label("Username").fill("admin")
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    await screenshot(page, artifacts / "login.png")
    await sign_in(page, rudder_server)

    rows = page.get_by_test_id("app-row")
    await expect(rows).to_have_count(3)
    guestbook = page.locator("tr[data-key$='/guestbook']")
    await expect(guestbook.locator("[data-sync]")).to_have_attribute("data-sync", "OutOfSync")
    frontend = page.locator("tr[data-key$='/frontend']")
    await expect(frontend.locator("[data-health]")).to_have_attribute("data-health", "Healthy", timeout=SLOW)
    await expect(page.locator(".live")).to_have_attribute("data-state", "live")
    await expect(page.get_by_test_id("app-count")).to_have_text("3 applications")
    broken = page.locator("tr[data-key$='/broken']")
    await expect(broken.get_by_test_id("app-problem")).to_contain_text("does/not/exist", timeout=SLOW)
    await expect(page.locator("main")).not_to_contain_text("null")
    await screenshot(page, artifacts / "applications.png")
    await page.set_viewport_size({"width": 420, "height": 860})  # a phone: the rows become cards
    await expect(guestbook.locator("[data-sync]")).to_be_visible()
    await screenshot(page, artifacts / "applications-narrow.png")
    await page.set_viewport_size({"width": 1440, "height": 900})

    await guestbook.get_by_role("link", name="guestbook").click()
    await expect(page.get_by_role("heading", name="guestbook", exact=True)).to_be_visible()
    await expect(page).to_have_url(re.compile(r"#/applications/[^/]+/guestbook$"))
    header = page.locator(".app-header")
    await expect(header.locator("[data-sync]")).to_have_attribute("data-sync", "OutOfSync")

    # The live diff: the Deployment is missing, so its whole manifest is an addition.
    await page.get_by_role("tab", name=re.compile("Diff")).click()
    await expect(page.locator(".diff-item").first).to_be_visible()
    await expect(page.locator(".dl.add").filter(has_text="guestbook-ui").first).to_be_visible()
    await screenshot(page, artifacts / "application-diff.png", full_page=True)
    await page.get_by_role("tab", name=re.compile("Resources")).click()

    # Sync, confirmed in the dialog; the page follows the stream to Synced and Healthy.
    await header.get_by_role("button", name="Sync").click()
    dialog = page.get_by_role("dialog", name="Sync guestbook")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("Prune")).not_to_be_checked()
    await dialog.get_by_role("button", name="Synchronize").click()
    await expect(dialog).to_be_hidden()
    await expect(header.locator("[data-sync]")).to_have_attribute("data-sync", "Synced", timeout=SLOW)
    await expect(header.locator("[data-health]")).to_have_attribute("data-health", "Healthy", timeout=SLOW)
    synced = await harness.app("guestbook")
    assert status_of(synced) == ("Synced", "Healthy")
    assert synced["status"]["history"][-1]["initiatedBy"] == {"username": "admin"}

    # The resource tree nests Deployment → ReplicaSet → Pod, each with its health.
    pods = page.locator(
        "li[aria-label^='Deployment guestbook-ui'] li[aria-label^='ReplicaSet guestbook-ui-']"
        " li[aria-label^='Pod guestbook-ui-']"
    )
    await expect(pods).to_have_count(2, timeout=SLOW)
    await expect(pods.first.locator(".node [data-health]").first).to_have_attribute(
        "data-health", "Healthy", timeout=SLOW
    )
    await page.get_by_role("tab", name=re.compile("History")).click()
    await expect(page.locator("tr[data-history-id]")).to_have_count(1)

    # Refresh, hard, confirmed: the controller reconciles again.
    before = synced["status"]["reconciledAt"]
    await asyncio.sleep(1.1)  # reconciledAt has a resolution of one second
    await header.get_by_role("button", name="Refresh").click()
    dialog = page.get_by_role("dialog", name="Refresh guestbook")
    await dialog.get_by_label(re.compile("^Hard")).check()
    await dialog.get_by_role("button", name="Refresh").click()
    await expect(dialog).to_be_hidden()
    await harness.wait(
        "guestbook", lambda a: a["status"].get("reconciledAt") != before, what="a reconcile after Refresh"
    )
    await page.get_by_role("tab", name=re.compile("Resources")).click()
    await expect(page.locator("main")).not_to_contain_text("null")
    await screenshot(page, artifacts / "application.png", full_page=True)

    # Back on the list, guestbook's row has followed without a reload.
    await page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Applications").click()
    await expect(guestbook.locator("[data-sync]")).to_have_attribute("data-sync", "Synced")


async def test_rollback_with_auto_sync_shows_the_servers_reason_then_rolls_back(
    harness: Harness, git_repo: GitRepo, rudder_server: RudderServer, page: Page, artifacts: Path
) -> None:
    git_repo.write("web/all.yaml", deployment("web", replicas=1, image="nginx:1.26"))
    first = git_repo.commit("web 1.26")
    await harness.create(harness.application("web", git_repo.url, "web"))
    await harness.wait_synced("web", revision=first, timeout=SLOW / 1000)
    git_repo.write("web/all.yaml", deployment("web", replicas=1, image="nginx:1.27"))
    second = git_repo.commit("web 1.27")
    await harness.refresh("web")
    await harness.wait_synced("web", revision=second, timeout=SLOW / 1000)

    await sign_in(page, rudder_server)
    await page.locator("tr[data-key$='/web']").get_by_role("link", name="web").click()
    await page.get_by_role("tab", name=re.compile("History")).click()
    await expect(page.locator("tr[data-history-id]")).to_have_count(2)
    await expect(page.locator(".note")).to_contain_text("Automated sync is on")
    await page.get_by_role("button", name=re.compile(f"Roll back to history 0 \\({first[:7]}\\)")).click()

    dialog = page.get_by_role("dialog", name="Roll back web")
    await dialog.get_by_role("button", name="Roll back").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("automated sync is enabled")
    await expect(dialog).to_be_visible()
    await screenshot(page, artifacts / "rollback-refused.png")
    app = await harness.app("web")
    assert app["spec"]["syncPolicy"].get("automated"), "a refused rollback changed the app"

    await dialog.get_by_label(re.compile("Disable automated sync")).check()
    await dialog.get_by_role("button", name="Disable auto-sync and roll back").click()
    await expect(dialog).to_be_hidden()
    rolled = await harness.wait(
        "web",
        lambda a: (
            (a.get("status") or {}).get("operationState", {}).get("phase") == "Succeeded"
            and (a.get("status") or {}).get("operationState", {}).get("syncResult", {}).get("revision")
            == first
        ),
        timeout=SLOW / 1000,
        what=f"rolled back to {first}",
    )
    assert not (rolled["spec"].get("syncPolicy") or {}).get("automated")
    await expect(page.locator("tr[data-history-id]")).to_have_count(3, timeout=SLOW)
    await expect(page.locator(".app-header [data-sync]")).to_have_attribute("data-sync", "OutOfSync")


async def test_list_filters_paginates_and_follows_changes_live(
    harness: Harness, rudder_server: RudderServer, page: Page
) -> None:
    # Apps whose repository does not exist: they never sync, which is all a list needs.
    for i in range(27):
        app = harness.application(f"svc-{i:02d}", "file:///nonexistent/repo.git", automated=False)
        app["metadata"]["labels"] = {"team": "blue" if i % 3 else "red"}
        await harness.create(app)
    await sign_in(page, rudder_server)
    await expect(page.get_by_test_id("app-count")).to_have_text("27 applications")
    await expect(page.get_by_test_id("app-row")).to_have_count(27)

    await page.get_by_label("Applications per page").select_option("25")
    await expect(page.get_by_test_id("app-row")).to_have_count(25)
    await expect(page.locator(".pagination")).to_contain_text("1\N{EN DASH}25 of 27")
    await page.get_by_role("button", name="Next page").click()
    await expect(page.get_by_test_id("app-row")).to_have_count(2)
    await expect(page).to_have_url(re.compile(r"page=2"))

    await page.get_by_label("Search").fill("svc-1")
    await expect(page.get_by_test_id("app-count")).to_have_text("10 matches")
    await expect(page).to_have_url(re.compile(r"search=svc-1"))
    await page.get_by_label("Labels").fill("team=red")
    await expect(page.get_by_test_id("app-row")).to_have_count(3)  # svc-12, svc-15, svc-18
    await page.get_by_role("button", name="Clear all filters").click()
    await expect(page.get_by_test_id("app-count")).to_have_text("27 applications")

    # A new Application appears without a reload, and a deleted one goes.
    await page.get_by_label("Search").fill("late")
    await expect(page.get_by_test_id("app-count")).to_have_text("0 matches")
    await harness.create(harness.application("late-arrival", "file:///nonexistent/repo.git", automated=False))
    await expect(page.locator("tr[data-key$='/late-arrival']")).to_be_visible()
    await harness.kube.delete(APP_API_VERSION, "Application", "late-arrival", harness.namespace)
    await expect(page.locator("tr[data-key$='/late-arrival']")).to_have_count(0)

    # A session that ends sends the UI back to the login page, which returns here.
    await page.context.clear_cookies()
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"#/login\?next="))
