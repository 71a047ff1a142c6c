"""The render facade: tool detection, path and symlink confinement, missing paths, and
the render cache (hits, misses, isolation, bounds, concurrent renders)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from rudder.model.application import parse_source
from rudder.model.errors import RenderError
from rudder.render.cache import RenderCache, RenderKey
from rudder.render.detection import detect_tool
from rudder.render.manifests import render_source
from rudder.render.request import RenderOptions, RenderRequest, RenderResult, Tool
from tests.fixtures.git import GitRepo
from tests.render.conftest import Renderer, names

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


@pytest.mark.parametrize(
    ("files", "spec", "expected"),
    [
        ({"kustomization.yaml": ""}, {}, Tool.KUSTOMIZE),
        ({"kustomization.yml": ""}, {}, Tool.KUSTOMIZE),
        ({"Kustomization": ""}, {}, Tool.KUSTOMIZE),
        ({"Chart.yaml": ""}, {}, Tool.HELM),
        ({"Chart.yaml": "", "kustomization.yaml": ""}, {}, Tool.KUSTOMIZE),
        ({"a.yaml": ""}, {}, Tool.DIRECTORY),
        ({"kustomization.yaml": ""}, {"directory": {"recurse": True}}, Tool.DIRECTORY),
        ({"a.yaml": ""}, {"helm": {"releaseName": "x"}}, Tool.HELM),
        ({"Chart.yaml": ""}, {"kustomize": {"namePrefix": "x-"}}, Tool.KUSTOMIZE),
    ],
)
def test_detect_tool(tmp_path: Path, files: dict[str, str], spec: dict[str, object], expected: Tool) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert detect_tool(parse_source({"repoURL": "x", **spec}), tmp_path) is expected


def test_two_explicit_tools_are_refused(tmp_path: Path) -> None:
    source = parse_source({"repoURL": "x", "helm": {}, "kustomize": {}})
    with pytest.raises(RenderError, match="multiple application source types defined"):
        detect_tool(source, tmp_path)


async def test_missing_path_is_a_permanent_error(renderer: Renderer) -> None:
    with pytest.raises(RenderError) as info:
        await renderer.render("deploy/nope")
    assert "path deploy/nope: does not exist in the repository at revision" in str(info.value)
    assert info.value.temporary is False


async def test_path_escaping_with_dotdot_is_refused(renderer: Renderer) -> None:
    with pytest.raises(RenderError, match=r"path \.\./\.\./\.\.: resolves outside the repository"):
        await renderer.render("../../..")


async def test_escaping_symlink_anywhere_in_repository_is_refused(
    renderer: Renderer, git_repo: GitRepo
) -> None:
    git_repo.write("deploy/cm.yaml", CM.format(name="ok"))
    git_repo.symlink("deploy/passwd.yaml", "/etc/passwd")
    with pytest.raises(RenderError) as info:
        await renderer.render("deploy")
    assert str(info.value) == (
        "symlink deploy/passwd.yaml -> /etc/passwd: points outside the repository; refusing to render"
    )


async def test_relative_symlink_escape_in_other_directory_is_refused(
    renderer: Renderer, git_repo: GitRepo
) -> None:
    git_repo.write("deploy/cm.yaml", CM.format(name="ok"))
    git_repo.symlink("other/up", "../../../..")
    with pytest.raises(
        RenderError, match=re.escape("symlink other/up -> ../../../..: points outside the repository")
    ):
        await renderer.render("deploy")


async def test_symlinks_inside_repository_are_followed(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("shared/cm.yaml", CM.format(name="shared"))
    git_repo.symlink("deploy/cm.yaml", "../shared/cm.yaml")
    git_repo.symlink("app", "deploy")
    assert names(await renderer.render("app")) == ["ConfigMap/shared"]


async def test_helm_repository_charts_are_reported_unsupported(renderer: Renderer) -> None:
    with pytest.raises(RenderError, match="charts from Helm repositories are not supported yet"):
        await renderer.render("", chart="nginx")


# -- cache ----------------------------------------------------------------------------------


async def test_unchanged_app_is_served_from_cache(renderer: Renderer, git_repo: GitRepo) -> None:
    cache = RenderCache()
    options = RenderOptions(cache=cache)
    git_repo.write("deploy/cm.yaml", CM.format(name="a"))
    root, sha = await renderer.export()
    request = renderer.request(root, sha, "deploy")

    first = await render_source(request, options)
    second = await render_source(request, options)
    assert (cache.hits, cache.misses) == (1, 1)
    assert not first.from_cache and second.from_cache
    assert second.manifests == first.manifests

    # Callers may mutate what they get without poisoning the cache.
    second.manifests[0]["metadata"]["name"] = "mutated"
    first.manifests[0]["metadata"]["labels"] = {"x": "y"}
    third = await render_source(request, options)
    assert third.manifests[0]["metadata"] == {"name": "a"}

    # The cache does not even need the checkout any more.
    request_without_tree = RenderRequest(
        source=request.source,
        root=Path("/nonexistent"),
        revision=sha,
        app_name="my-app",
        namespace="production",
    )
    assert (await render_source(request_without_tree, options)).from_cache


@pytest.mark.parametrize(
    "change",
    ["revision", "namespace", "app_name", "spec", "path", "kube_version"],
)
async def test_anything_that_changes_output_misses(
    renderer: Renderer, git_repo: GitRepo, change: str
) -> None:
    cache = RenderCache()
    options = RenderOptions(cache=cache)
    git_repo.write("deploy/cm.yaml", CM.format(name="a"))
    git_repo.write("other/cm.yaml", CM.format(name="b"))
    root, sha = await renderer.export()
    base = renderer.request(root, sha, "deploy")
    await render_source(base, options)
    if change == "revision":
        git_repo.write("deploy/cm2.yaml", CM.format(name="c"))
        root2, sha2 = await renderer.export()
        other = renderer.request(root2, sha2, "deploy")
    elif change == "namespace":
        other = RenderRequest(
            source=base.source, root=root, revision=sha, app_name="my-app", namespace="staging"
        )
    elif change == "app_name":
        other = RenderRequest(
            source=base.source, root=root, revision=sha, app_name="b", namespace="production"
        )
    elif change == "spec":
        other = renderer.request(root, sha, "deploy", directory={"recurse": True})
    elif change == "path":
        other = renderer.request(root, sha, "other")
    else:
        other = renderer.request(root, sha, "deploy", kube_version="1.30.0")
    result = await render_source(other, options)
    assert not result.from_cache
    assert (cache.hits, cache.misses) == (0, 2)


async def test_concurrent_renders_of_one_app_run_once(renderer: Renderer, git_repo: GitRepo) -> None:
    cache = RenderCache()
    git_repo.write("deploy/cm.yaml", CM.format(name="a"))
    root, sha = await renderer.export()
    request = renderer.request(root, sha, "deploy")
    results = await asyncio.gather(*(render_source(request, RenderOptions(cache=cache)) for _ in range(8)))
    assert cache.misses == 1
    assert cache.hits == 7
    assert all(r.manifests == results[0].manifests for r in results)


async def test_render_errors_are_not_cached(renderer: Renderer, git_repo: GitRepo) -> None:
    cache = RenderCache()
    git_repo.write("deploy/x.yaml", "apiVersion: v1\nkind: X\nmetadata: [\n")
    root, sha = await renderer.export()
    request = renderer.request(root, sha, "deploy")
    for _ in range(2):
        with pytest.raises(RenderError):
            await render_source(request, RenderOptions(cache=cache))
    assert (cache.hits, cache.misses, len(cache)) == (0, 2, 0)


def _result(name: str, size: int = 10) -> RenderResult:
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": {"x": "y" * size},
    }
    return RenderResult(manifests=(manifest,), tool=Tool.DIRECTORY)


def _key(n: int) -> RenderKey:
    return RenderKey("repo", f"{n:040x}", "p", "h", "app", "ns", "", ())


def test_cache_evicts_least_recently_used_entry() -> None:
    cache = RenderCache(max_entries=2)
    cache.put(_key(1), _result("one"))
    cache.put(_key(2), _result("two"))
    assert cache.get(_key(1)) is not None  # 1 is now more recent than 2
    cache.put(_key(3), _result("three"))
    assert cache.get(_key(2)) is None
    assert cache.get(_key(1)) is not None and cache.get(_key(3)) is not None
    assert len(cache) == 2


def test_cache_is_bounded_by_size() -> None:
    cache = RenderCache(max_bytes=1000)
    for n in range(10):
        cache.put(_key(n), _result(str(n), size=300))
    assert cache.size_bytes <= 1000
    assert len(cache) == 2
    cache.put(_key(99), _result("huge", size=5000))  # larger than the bound: not stored
    assert cache.get(_key(99)) is None
    assert len(cache) == 2


async def test_export_is_never_modified(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("deploy/cm.yaml", CM.format(name="a"))
    root, sha = await renderer.export()
    before = sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))
    await render_source(renderer.request(root, sha, "deploy"), RenderOptions())
    after = sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))
    assert before == after
