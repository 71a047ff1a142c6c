"""Fixtures for the web UI tests: Debian's Chromium driven by Playwright (never a browser
that Playwright downloads), one page per test that fails the test on any uncaught
JavaScript error, a page whose origin serves only the UI's static files (for the pure
module tests), a real ``rudder server`` next to the controller harness, and the folder
where screenshots are kept (test-artifacts/ui)."""

from __future__ import annotations

import mimetypes
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright

from rudder.ui import static_dir
from tests.controller.conftest import Harness, harness  # noqa: F401  (fixture used by rudder_server)
from tests.fixtures.cluster import ClusterInfo
from tests.ui.server import RudderServer, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
STATIC_ORIGIN = "http://rudder-ui.test"


def chromium_path() -> Path:
    found = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or CHROMIUM)
    if not found.exists():
        pytest.fail("Debian chromium is missing: run `make bootstrap` (apt-get install -y chromium)")
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A 1440x900 page; an uncaught error in the UI's JavaScript fails the test."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme="light")
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        await context.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"


async def _serve_static(route: Route) -> None:
    path = route.request.url.removeprefix(STATIC_ORIGIN).split("?", 1)[0].lstrip("/")
    target = (static_dir() / path).resolve()
    if not path or not target.is_file() or static_dir().resolve() not in target.parents:
        await route.fulfill(status=200, body="<!doctype html><title>blank</title>", content_type="text/html")
        return
    await route.fulfill(
        status=200,
        body=target.read_bytes(),
        content_type=mimetypes.guess_type(target.name)[0] or "text/plain",
    )


@pytest.fixture
async def module_page(page: Page) -> Page:
    """A blank page on an origin that serves the UI's static files and nothing else, so a
    test can ``import('/js/tree.js')`` and call the pure functions."""
    await page.route(f"{STATIC_ORIGIN}/**", _serve_static)
    await page.goto(f"{STATIC_ORIGIN}/blank")
    return page


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
async def rudder_server(
    harness: Harness,  # noqa: F811  (the controller harness fixture imported above)
    cluster: ClusterInfo,
    tmp_path: Path,
) -> AsyncIterator[RudderServer]:
    """``rudder server`` serving the harness's namespace, with a control namespace of its
    own (``<namespace>-ctl``, deleted afterwards) like the controller's ``argocd``."""
    control = f"{harness.namespace}-ctl"
    await harness.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": control}})
    try:
        async with running_server(
            harness.kube,
            cluster.kubeconfig,
            control_namespace=control,
            app_namespace=harness.namespace,
            log=tmp_path / "server.log",
        ) as server:
            yield server
    finally:
        await harness.kube.delete("v1", "Namespace", control)
