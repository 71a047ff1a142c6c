"""Helpers for render tests: commit the ``git_repo`` fixture, export the commit with a
real mirror (read-only tree) and render an Application source from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rudder.model.application import parse_source
from rudder.render.manifests import render_source
from rudder.render.request import RenderOptions, RenderRequest, RenderResult
from rudder.source.mirror import MirrorOptions, Mirrors
from tests.fixtures.git import GitRepo


@dataclass
class Renderer:
    """``await renderer.render(path, **source_fields)`` commits the repo, exports HEAD and
    renders ``spec.source`` = ``{repoURL, path, **source_fields}``."""

    repo: GitRepo
    mirrors: Mirrors
    options: RenderOptions = field(default_factory=lambda: RenderOptions(timeout=60))
    app_name: str = "my-app"
    namespace: str = "production"

    async def export(self) -> tuple[Path, str]:
        sha = self.repo.commit("render test")
        return await self.mirrors.export(self.repo.url, sha), sha

    def request(
        self,
        root: Path,
        sha: str,
        path: str,
        *,
        kube_version: str = "",
        api_versions: tuple[str, ...] = (),
        **source: Any,
    ) -> RenderRequest:
        raw = {"repoURL": self.repo.url, "path": path, "targetRevision": "HEAD", **source}
        return RenderRequest(
            source=parse_source(raw),
            root=root,
            revision=sha,
            app_name=self.app_name,
            namespace=self.namespace,
            kube_version=kube_version,
            api_versions=api_versions,
        )

    async def render(
        self,
        path: str,
        *,
        options: RenderOptions | None = None,
        kube_version: str = "",
        api_versions: tuple[str, ...] = (),
        **source: Any,
    ) -> RenderResult:
        root, sha = await self.export()
        request = self.request(
            root, sha, path, kube_version=kube_version, api_versions=api_versions, **source
        )
        return await render_source(request, options or self.options)


@pytest.fixture
def renderer(git_repo: GitRepo, tmp_path: Path) -> Renderer:
    return Renderer(repo=git_repo, mirrors=Mirrors(MirrorOptions(cache_dir=tmp_path / "cache")))


def names(result: RenderResult) -> list[str]:
    """``Kind/name`` of every rendered object, in order."""
    return [f"{m['kind']}/{m['metadata']['name']}" for m in result.manifests]


def by_name(result: RenderResult, kind: str, name: str) -> dict[str, Any]:
    for manifest in result.manifests:
        if manifest["kind"] == kind and manifest["metadata"]["name"] == name:
            return manifest
    raise AssertionError(f"{kind}/{name} not rendered; got {names(result)}")
