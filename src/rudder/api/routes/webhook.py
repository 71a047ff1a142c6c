"""``POST /api/webhook``: Git push notifications. Rate-limited per client, size-limited
while reading, signature-checked when a secret is configured, then every
Application the push concerns is refreshed at once through the
``argocd.argoproj.io/refresh`` annotation (the controller reacts through its watch).
Responses carry counts only, never application names."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request

from rudder.api import webhook as hooks
from rudder.api.auth import State
from rudder.api.errors import ApiError, error_responses
from rudder.api.schemas import WebhookResult
from rudder.model.application import APP_API_VERSION, REFRESH_ANNOTATION
from rudder.model.errors import ClusterError
from rudder.observability import metrics
from rudder.observability.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["webhook"])
REFRESH_CONCURRENCY = 16


def _count(provider: str, result: str) -> None:
    metrics.WEBHOOK_REQUESTS.labels(provider, result).inc()


async def _read_limited(request: Request, limit: int, provider: str) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        _count(provider, "too_large")
        raise ApiError(413, f"payload of {declared} bytes exceeds the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            _count(provider, "too_large")
            raise ApiError(413, f"payload exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/api/webhook",
    response_model=WebhookResult,
    responses=error_responses(400, 401, 404, 413, 429),
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def webhook(request: Request, state: State) -> WebhookResult:
    """A push from GitHub, GitLab, Bitbucket or a generic sender; refreshes the affected apps."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    provider = hooks.provider_of(headers)
    client = request.client.host if request.client else "unknown"
    wait = state.webhook_limiter.allow(client)
    if wait:
        _count(provider, "rate_limited")
        raise ApiError(
            429, f"too many webhook requests from {client}", headers={"Retry-After": str(int(wait) + 1)}
        )
    body = await _read_limited(request, state.options.webhook_max_bytes, provider)
    problem = hooks.verify(provider, state.settings.secret(), headers, body)
    if problem:
        _count(provider, "bad_signature")
        log.warning("webhook_refused", provider=provider, client=client, reason=problem)
        raise ApiError(401, f"{provider} webhook refused: {problem}")
    event = hooks.event_of(provider, headers)
    try:
        payload: Any = json.loads(body or b"null")
    except ValueError as exc:
        _count(provider, "malformed")
        raise ApiError(400, f"{provider} webhook: body is not valid JSON: {exc}") from exc
    if not hooks.is_push(provider, event):
        _count(provider, "ignored")
        return WebhookResult(message=f"{provider} event {event!r} ignored (only pushes refresh apps)")
    try:
        push = hooks.parse_push(provider, payload)
    except hooks.WebhookError as exc:
        _count(provider, "malformed")
        raise ApiError(400, f"{provider} webhook: {exc}") from exc
    matched: list[tuple[str, str]] = []
    skipped = 0
    for (namespace, name), _ in state.index.ordered():
        app = state.index.get(namespace, name)
        if app is None:
            continue
        uses, due = hooks.concerns(push, app)
        if due:
            matched.append((namespace, name))
        elif uses:
            skipped += 1
    if not matched and not skipped:
        _count(provider, "unknown_repo")
        repo = push.full_name or (push.repo_urls[0] if push.repo_urls else "?")
        raise ApiError(404, f"{provider} webhook: no application uses repository {repo}")
    semaphore = asyncio.Semaphore(REFRESH_CONCURRENCY)

    async def refresh(namespace: str, name: str) -> bool:
        async with semaphore:
            try:
                updated = await state.client.patch(
                    APP_API_VERSION,
                    "Application",
                    name,
                    namespace,
                    patch={"metadata": {"annotations": {REFRESH_ANNOTATION: "normal"}}},
                )
            except ClusterError as exc:
                log.warning("webhook_refresh_failed", app=f"{namespace}/{name}", error=str(exc))
                return False
            state.index.observe(updated)
            return True

    results = await asyncio.gather(*(refresh(ns, n) for ns, n in matched))
    refreshed = sum(results)
    _count(provider, "refreshed" if refreshed else "ignored")
    log.info(
        "webhook", provider=provider, refreshed=refreshed, skipped=skipped, revisions=list(push.revisions)
    )
    return WebhookResult(
        message=f"{refreshed} application(s) refreshed, {skipped} skipped (other branch or paths)",
        refreshed=refreshed,
        skipped=skipped,
    )
