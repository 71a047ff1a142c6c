"""The UI's pure JavaScript modules, run in the real Chromium: the resource tree built
from parentRefs, unified-diff parsing, formatting, the list's live-update filter; and
the static assets themselves (every module loads, nothing comes from another origin)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page

from rudder.ui import static_dir


async def call(page: Page, module: str, function: str, *args: Any) -> Any:
    return await page.evaluate(
        """async ([module, fn, args]) => (await import(module))[fn](...args)""",
        [module, function, list(args)],
    )


def node(kind: str, name: str, uid: str, *parents: dict[str, str], group: str = "") -> dict[str, Any]:
    return {
        "group": group,
        "kind": kind,
        "namespace": "web",
        "name": name,
        "uid": uid,
        "parentRefs": list(parents),
    }


def shape(forest: list[dict[str, Any]]) -> list[Any]:
    return [[f"{e['node']['kind']}/{e['node']['name']}", shape(e["children"])] for e in forest]


async def test_tree_nests_deployment_replicaset_pod_by_uid(module_page: Page) -> None:
    nodes = [
        node("Pod", "web-abc-1", "p1", {"kind": "ReplicaSet", "name": "web-abc", "uid": "r1"}),
        node(
            "ReplicaSet", "web-abc", "r1", {"group": "apps", "kind": "Deployment", "name": "web", "uid": "d1"}
        ),
        node("Service", "web", "s1"),
        node("Deployment", "web", "d1", group="apps"),
        node("Pod", "web-abc-0", "p0", {"kind": "ReplicaSet", "name": "web-abc", "uid": "r1"}),
    ]
    forest = await call(module_page, "/js/tree.js", "buildTree", nodes)
    assert shape(forest) == [
        ["Service/web", []],
        ["Deployment/web", [["ReplicaSet/web-abc", [["Pod/web-abc-0", []], ["Pod/web-abc-1", []]]]]],
    ]


async def test_tree_finds_parents_without_uid_and_keeps_orphans_and_cycles_visible(module_page: Page) -> None:
    nodes = [
        node(
            "ReplicaSet", "rs", "", {"group": "apps", "kind": "Deployment", "namespace": "web", "name": "d"}
        ),
        {**node("Deployment", "d", "", group="apps")},
        node("Pod", "orphan", "p9", {"kind": "ReplicaSet", "name": "gone", "uid": "nope"}),
        node("ConfigMap", "a", "a", {"kind": "ConfigMap", "name": "b", "uid": "b"}),
        node("ConfigMap", "b", "b", {"kind": "ConfigMap", "name": "a", "uid": "a"}),
    ]
    forest = await call(module_page, "/js/tree.js", "buildTree", nodes)
    names = shape(forest)
    assert ["Deployment/d", [["ReplicaSet/rs", []]]] in names
    assert ["Pod/orphan", []] in names

    def count(entries: list[Any]) -> int:
        return sum(1 + count(children) for _, children in entries)

    assert count(names) == len(nodes)  # the owner cycle is broken, nothing lost or doubled


async def test_tree_health_counts(module_page: Page) -> None:
    nodes = [
        {"health": {"status": "Healthy"}},
        {"health": {"status": "Healthy"}},
        {"health": {"status": "Degraded"}},
        {},
    ]
    assert await call(module_page, "/js/tree.js", "healthCounts", nodes) == {"Healthy": 2, "Degraded": 1}


async def test_unified_diff_lines_are_classified_and_numbered(module_page: Page) -> None:
    text = "--- live\n+++ target\n@@ -3,3 +3,3 @@\n spec:\n-  replicas: 1\n+  replicas: 3\n   selector: {}\n"
    lines = await call(module_page, "/js/diff.js", "parseUnifiedDiff", text)
    assert [(line["kind"], line["oldNo"], line["newNo"]) for line in lines] == [
        ("meta", None, None),
        ("meta", None, None),
        ("hunk", None, None),
        ("ctx", 3, 3),
        ("del", 4, None),
        ("add", None, 4),
        ("ctx", 5, 5),
    ]
    assert await call(module_page, "/js/diff.js", "diffStats", text) == {"added": 1, "removed": 1}
    assert await call(module_page, "/js/diff.js", "parseUnifiedDiff", "") == []


@pytest.mark.parametrize(
    ("function", "argument", "expected"),
    [
        ("shortRevision", "9c1e0a4b2f7d8e6a5c3b1d0f9e8a7b6c5d4e3f2a", "9c1e0a4"),
        ("shortRevision", "v1.2.3", "v1.2.3"),
        ("repoLabel", "https://github.com/org/app.git", "github.com/org/app"),
        ("repoLabel", "git@github.com:org/app.git", "github.com/org/app"),
        ("repoLabel", "ssh://git@gitlab.example.com:2222/group/sub/app.git", "…/sub/app"),
        ("repoLabel", "file:///tmp/pytest-1/repo", "tmp/pytest-1/repo"),
        ("repoLabel", "file:///tmp/pytest-1/test_x0/repo", "…/test_x0/repo"),
        (
            "destinationLabel",
            {"server": "https://kubernetes.default.svc", "namespace": "web"},
            "in-cluster / web",
        ),
        ("destinationLabel", {"name": "prod-eu", "namespace": "web"}, "prod-eu / web"),
        ("kindShort", "Deployment", "deploy"),
        ("kindShort", "VeryCustomThing", "verycus"),
    ],
)
async def test_format(module_page: Page, function: str, argument: Any, expected: str) -> None:
    assert await call(module_page, "/js/format.js", function, argument) == expected


async def test_relative_times(module_page: Page) -> None:
    now = 1_700_000_000_000
    iso = await module_page.evaluate("(ms) => new Date(ms).toISOString()", now - 3 * 3600 * 1000)
    assert await call(module_page, "/js/format.js", "ago", iso, now) == "3h ago"
    assert await call(module_page, "/js/format.js", "ago", "not a time", now) == ""
    assert (
        await call(module_page, "/js/format.js", "duration", "2024-01-01T00:00:00Z", "2024-01-01T00:01:05Z")
        == "1m 05s"
    )


async def test_live_update_filter_matches_the_server_filters(module_page: Page) -> None:
    app = {
        "name": "checkout-api",
        "namespace": "pay",
        "project": "core",
        "healthStatus": "Degraded",
        "syncStatus": "Synced",
    }
    matches = [
        ({}, True),
        ({"search": "CHECKOUT"}, True),
        ({"search": "ledger"}, False),
        ({"health": "Degraded", "project": "core"}, True),
        ({"health": "Healthy"}, False),
        ({"sync": "OutOfSync"}, False),
        ({"namespace": "other"}, False),
    ]
    for filters, expected in matches:
        state = {"search": "", "project": "", "namespace": "", "health": "", "sync": "", **filters}
        assert await call(module_page, "/js/views/list.js", "matchesFilters", app, state) is expected, filters


async def test_tree_shows_resources_that_are_not_live_yet(module_page: Page) -> None:
    nodes = [{**node("Deployment", "web", "d1", group="apps"), "health": {"status": "Healthy"}}]
    resources = [
        {"group": "apps", "kind": "Deployment", "namespace": "web", "name": "web", "status": "Synced"},
        {
            "group": "",
            "kind": "Secret",
            "namespace": "web",
            "name": "db",
            "status": "OutOfSync",
            "health": {"status": "Missing"},
        },
    ]
    merged = await call(module_page, "/js/views/panels.js", "mergeResources", nodes, resources)
    assert [(n["kind"], n.get("syncStatus"), (n.get("health") or {}).get("status")) for n in merged] == [
        ("Deployment", "Synced", "Healthy"),
        ("Secret", "OutOfSync", "Missing"),
    ]


def test_static_assets_are_local_and_complete() -> None:
    root = static_dir()
    assert (root / "index.html").is_file()
    referenced: set[str] = set()
    for path in [root / "index.html", *root.rglob("*.js"), *root.rglob("*.css")]:
        text = path.read_text()
        assert not re.search(
            r"""(src|href)=["']https?://|@import\s+url\(["']?https?://|from\s+["']https?://""", text
        ), f"{path.name} loads something from another origin"
        for target in re.findall(r"""(?:from|import\()\s*["'](\.{1,2}/[^"']+)["']""", text):
            referenced.add(str((path.parent / target).resolve().relative_to(root.resolve())))
        for target in re.findall(r"""(?:src|href)=["'](/[^"'#?]+)["']""", text):
            referenced.add(target.lstrip("/"))
    missing = sorted(name for name in referenced if not (root / name).is_file())
    assert not missing, f"referenced but not shipped: {missing}"


async def test_every_module_loads(module_page: Page) -> None:
    modules = sorted(
        str(p.relative_to(static_dir())) for p in static_dir().rglob("*.js") if p.name != "main.js"
    )
    failed = await module_page.evaluate(
        """async (modules) => {
            const failed = [];
            for (const m of modules) { try { await import('/' + m); } catch (e) { failed.push(m + ': ' + e); } }
            return failed;
        }""",
        modules,
    )
    assert failed == []
