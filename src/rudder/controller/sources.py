"""Glue between the reconciler and the source/render layers: repository credentials
from Argo CD-style Secrets in the control namespace, and rendering one revision of an
app's source into manifests (through the render cache)."""

from __future__ import annotations

from rudder.controller.context import ControllerContext
from rudder.model.application import ApplicationSpec
from rudder.model.resource import Manifest
from rudder.observability import metrics
from rudder.render.cache import RenderKey
from rudder.render.manifests import render_source
from rudder.render.request import RenderOptions, RenderRequest
from rudder.source.credentials import RepoCredentials
from rudder.source.credentials import credentials_for as credentials_for_url


def credentials_for(ctx: ControllerContext, repo_url: str) -> RepoCredentials | None:
    """The best-matching repository or repo-creds Secret for ``repo_url``."""
    return credentials_for_url(ctx.repo_secrets.objects("v1", "Secret"), repo_url)


async def render_revision(
    ctx: ControllerContext, app_name: str, spec: ApplicationSpec, revision: str, *, hard: bool
) -> tuple[tuple[Manifest, ...], str]:
    """Manifests of ``spec.source`` at commit ``revision`` and the tool that made them.
    A hard refresh renders again and replaces the cached result."""
    credentials = credentials_for(ctx, spec.source.repo_url)
    checkout = await ctx.mirrors.export(spec.source.repo_url, revision, credentials=credentials)
    request = RenderRequest(
        source=spec.source,
        root=checkout,
        revision=revision,
        app_name=app_name,
        namespace=spec.destination.namespace,
    )
    options = RenderOptions(
        timeout=ctx.options.render_timeout,
        age_keys=ctx.options.sops_age_keys,
        cache=None if hard else ctx.render_cache,
    )
    with metrics.RENDER_SECONDS.labels("any").time():
        result = await render_source(request, options)
    if hard:
        ctx.render_cache.put(RenderKey.of(request), result)
    return result.manifests, str(result.tool)
