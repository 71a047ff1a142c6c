"""HTTP errors as JSON ``{"error": message, "code": status}``: the ApiError type the
routers raise, and handlers that turn Rudder errors, request validation failures and
unexpected exceptions into that shape without a stack trace. Installed by the server."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from rudder.model.errors import (
    ClusterError,
    ConfigError,
    ConflictError,
    NotFoundError,
    RenderError,
    RudderError,
    SourceError,
)
from rudder.observability.logging import get_logger, mask_url

log = get_logger(__name__)


class ErrorBody(BaseModel):
    error: str
    code: int


class ApiError(Exception):
    """Stop a request with ``status`` and a message for the caller."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": mask_url(message), "code": status}, status_code=status, headers=headers)


def status_of(exc: RudderError) -> int:
    """The HTTP status that tells a caller what went wrong and whether to retry."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, ClusterError) and 400 <= exc.status < 500 and exc.status not in (401, 403):
        return exc.status
    if isinstance(exc, ConfigError | RenderError | SourceError) and not exc.temporary:
        return 400
    return 503 if exc.temporary else 502


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    where = str(loc[0]) if loc else ""
    name = ".".join(parts)
    return f"{where} {name}".strip() if where in ("query", "path", "header") else (name or "body")


def describe_validation(exc: RequestValidationError) -> tuple[int, str]:
    problems = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return 400, f"request body is not valid JSON: {error.get('ctx', {}).get('error', 'parse error')}"
        problems.append(f"{_field(tuple(error.get('loc') or ()))}: {error.get('msg')}")
    return 422, "invalid request: " + "; ".join(problems)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(RudderError)
    async def _rudder(request: Request, exc: RudderError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.warning("request_failed", path=request.url.path, status=status, error=str(exc))
        return error_response(status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, message = describe_validation(exc)
        return error_response(status, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return error_response(exc.status_code, message, dict(exc.headers or {}) or None)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("request_crashed", path=request.url.path, error=type(exc).__name__, exc_info=exc)
        return error_response(500, "internal server error; see the server log")


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries for the error statuses a route can return."""
    text = {
        400: "Bad request (malformed JSON, invalid option)",
        401: "Not authenticated",
        403: "Not allowed by RBAC",
        404: "Not found (or not visible to the caller)",
        409: "Conflict (operation in progress, exists, changed meanwhile)",
        413: "Payload too large",
        422: "Invalid request fields",
        429: "Too many requests",
        502: "Upstream (Kubernetes, Git) failed",
        503: "Temporarily unavailable; retry",
    }
    return {code: {"model": ErrorBody, "description": text.get(code, "Error")} for code in codes}
