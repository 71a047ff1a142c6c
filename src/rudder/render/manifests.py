"""The render facade: turns a RenderRequest (source spec + read-only export of a commit)
into the app's desired manifests with the right tool, sops decryption, path confinement
and the render cache. The controller calls ``render_source``."""

from __future__ import annotations

import asyncio
import time

from rudder.model.application import DirectorySource
from rudder.model.errors import RenderError
from rudder.model.resource import Manifest
from rudder.observability.logging import get_logger
from rudder.render.buildenv import build_env
from rudder.render.cache import RenderKey
from rudder.render.confine import check_symlinks, confine
from rudder.render.detection import detect_tool
from rudder.render.directory import render_directory
from rudder.render.helm import render_helm
from rudder.render.kustomize import render_kustomize
from rudder.render.request import Checkout, RenderOptions, RenderRequest, RenderResult, Tool
from rudder.render.sops import decrypt_manifests
from rudder.render.workspace import decrypted_workspace

log = get_logger(__name__)


def _checkout(request: RenderRequest, options: RenderOptions) -> Checkout:
    source = request.source
    root = request.root
    path = source.path.strip("/")
    if source.chart:
        raise RenderError(
            f"spec.source.chart {source.chart!r}: charts from Helm repositories are not supported yet; "
            "use a chart stored in Git (spec.source.path)"
        )
    if not root.is_dir():
        raise RenderError(f"repository checkout {root} does not exist", temporary=True)
    check_symlinks(root)
    app_dir = root / path if path else root
    if path:
        confine(root, app_dir, what="path")
    if not app_dir.exists():
        raise RenderError(f"path {path}: does not exist in the repository at revision {request.revision}")
    if not app_dir.is_dir():
        raise RenderError(f"path {path}: is a file, expected a directory")
    env = build_env(
        app_name=request.app_name,
        namespace=request.namespace,
        revision=request.revision,
        path=path,
        repo_url=source.repo_url,
        target_revision=source.target_revision,
        kube_version=request.kube_version,
        api_versions=request.api_versions,
    )
    return Checkout(root=root, app_dir=app_dir, path=path, env=env, options=options, request=request)


async def _render(request: RenderRequest, options: RenderOptions) -> RenderResult:
    started = time.monotonic()
    checkout = await asyncio.to_thread(_checkout, request, options)
    tool = await asyncio.to_thread(detect_tool, request.source, checkout.app_dir)
    manifests: list[Manifest]
    if tool is Tool.KUSTOMIZE:
        async with decrypted_workspace(checkout) as workspace:
            manifests = await render_kustomize(request.source.kustomize, workspace)
    elif tool is Tool.HELM:
        async with decrypted_workspace(checkout) as workspace:
            manifests = await render_helm(request.source.helm, workspace)
    else:
        manifests = await render_directory(request.source.directory or DirectorySource(), checkout)
    manifests = await decrypt_manifests(manifests, options)
    log.info(
        "source_rendered",
        app=request.app_name,
        path=checkout.path or ".",
        revision=request.revision,
        tool=str(tool),
        objects=len(manifests),
        seconds=round(time.monotonic() - started, 3),
    )
    return RenderResult(manifests=tuple(manifests), tool=tool)


async def render_source(request: RenderRequest, options: RenderOptions) -> RenderResult:
    """The desired manifests of one application source at one commit. Served from
    ``options.cache`` when the same (repo, SHA, path, spec, app, namespace) was rendered
    before. Raises RenderError naming the file or tool and the cause."""
    if options.cache is None:
        return await _render(request, options)
    return await options.cache.get_or_render(RenderKey.of(request), lambda: _render(request, options))
