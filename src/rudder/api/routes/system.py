"""``/healthz``, ``/metrics`` (the shared Prometheus registry plus ``rudder_app_info``
per served Application) and the web UI's static files with ``index.html`` as the
fallback for client-side routes outside ``/api``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from rudder.api.auth import State
from rudder.api.errors import error_response
from rudder.api.index import AppIndex
from rudder.api.schemas import Healthz
from rudder.observability import metrics

router = APIRouter(tags=["system"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class AppInfoCollector(Collector):
    """``rudder_app_info`` gauges (value 1) labelled with each app's state, read from the
    index at scrape time so deleted apps leave no stale series."""

    def __init__(self, index: AppIndex) -> None:
        self.index = index

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "rudder_app_info",
            "Information about an application (value is always 1)",
            labels=["name", "namespace", "project", "sync_status", "health_status", "repo", "dest_server"],
        )
        for _, summary in self.index.ordered():
            family.add_metric(
                [
                    summary["name"],
                    summary["namespace"],
                    summary["project"],
                    summary["syncStatus"],
                    summary["healthStatus"],
                    summary["repoURL"],
                    summary["destination"]["server"] or summary["destination"]["name"],
                ],
                1.0,
            )
        yield family


@router.get("/healthz", response_model=Healthz, responses={503: {"description": "caches not synced"}})
async def healthz(state: State) -> Response:
    """Ready when the application caches are synced."""
    body = {"status": "ok" if state.ready else "starting", "applications": len(state.index)}
    return JSONResponse(body, status_code=200 if state.ready else 503)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def prometheus(request: Request, state: State) -> Response:
    """Prometheus exposition: shared Rudder metrics and per-app info."""
    metrics.CACHE_AGE_SECONDS.set(state.index.age_seconds())
    registry: CollectorRegistry = request.app.state.app_registry
    return Response(generate_latest(REGISTRY) + generate_latest(registry), media_type=CONTENT_TYPE)


def mount_ui(app: FastAPI, static_dir: Path | None) -> None:
    """Serve the UI's files when the folder exists; unknown paths outside /api get
    index.html so client-side routes work on reload."""
    if static_dir is None or not static_dir.is_dir():
        return
    root = static_dir.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def ui(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            return error_response(404, f"/{path}: no such API endpoint")
        candidate = (root / path).resolve() if path else root / "index.html"
        if candidate.is_file() and candidate.is_relative_to(root):
            # revalidate every time, so an upgraded UI never mixes old and new modules
            return FileResponse(candidate, headers={"Cache-Control": "no-cache"})
        index = root / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return error_response(404, f"/{path}: not found")
