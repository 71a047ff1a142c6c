"""``rudder server``: the FastAPI application (routes, error handlers, OpenAPI at
/api/docs and /api/openapi.json, request metrics) and running it under uvicorn.
``create_app`` is used by the CLI and by tests that run the server in-process."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from rudder.api.accounts import ensure_server_secret
from rudder.api.errors import install_handlers
from rudder.api.options import ServerOptions
from rudder.api.routes import account, apps_read, apps_write, session, stream, system, webhook
from rudder.api.state import ServerState
from rudder.cluster.client import KubeClient
from rudder.model.application import APP_API_VERSION
from rudder.model.errors import ConfigError, NotFoundError
from rudder.observability import metrics

DEFAULT_STATIC = Path(__file__).resolve().parent.parent / "ui" / "static"


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs from the assets of the swagger-ui-py package, so the docs
    work without internet access."""
    assets = Path(str(resources.files("swagger_ui") / "static"))
    app.mount("/api/docs/static", StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Rudder API",
            swagger_js_url="/api/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/static/swagger-ui.css",
            swagger_favicon_url="/api/docs/static/favicon-32x32.png",
        )


async def preflight(client: KubeClient, options: ServerOptions) -> None:
    """Fail early, with the fix in the message, when the cluster is not ready for a server."""
    try:
        await client.resource(APP_API_VERSION, "Application")
    except NotFoundError as exc:
        raise ConfigError(f"{exc}; install Rudder first with `rudder install`") from exc
    await ensure_server_secret(client, options.control_namespace, rounds=options.bcrypt_rounds)


def create_app(client: KubeClient, options: ServerOptions) -> FastAPI:
    """The ASGI application; its lifespan starts and stops the server state."""
    state = ServerState(client, options)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            await state.start()
        except BaseException:
            await state.stop()  # watches started so far, the work directory
            raise
        try:
            yield
        finally:
            await state.stop()

    app = FastAPI(
        title="Rudder API",
        version="1",
        description="GitOps continuous delivery for Kubernetes, speaking the Argo CD Application API. "
        "Authenticate with POST /api/v1/session or an account token (Authorization: Bearer).",
        docs_url=None,  # served below from the packaged Swagger UI, not a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.rudder = state
    registry = CollectorRegistry(auto_describe=True)
    registry.register(system.AppInfoCollector(state.index))
    app.state.app_registry = registry
    install_handlers(app)

    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "other") if route is not None else "unmatched"
        if template != "/api/v1/stream/applications":
            metrics.API_REQUEST_SECONDS.labels(template, request.method, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    for module in (session, account, apps_read, apps_write, stream, webhook, system):
        app.include_router(module.router)
    _mount_docs(app)
    system.mount_ui(app, options.static_dir or DEFAULT_STATIC)
    return app
