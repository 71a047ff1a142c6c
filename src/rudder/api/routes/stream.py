"""``/api/v1/stream/applications``: server-sent events, one ``application`` event per
Application change (``{"type": ADDED|MODIFIED|DELETED, "application": summary}``),
only for apps the caller may see. A client that cannot keep up is disconnected (it
reconnects and reloads); the stream ends when the caller's credential stops being valid."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse

from rudder.api.auth import CurrentCaller, presented_token, rbac_object
from rudder.api.errors import error_responses
from rudder.api.tokens import CredentialError
from rudder.model.resource import Manifest

router = APIRouter(prefix="/api/v1/stream", tags=["stream"])
RECHECK_SECONDS = 15.0
_OVERFLOW: dict[str, Any] = {}


@router.get(
    "/applications",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "event stream"},
        **error_responses(401),
    },
)
async def stream_applications(request: Request, caller: CurrentCaller) -> EventSourceResponse:
    """Live changes of the Applications the caller may see."""
    state = caller.state
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=state.options.stream_queue)
    token = presented_token(request)
    overflowed = False

    def listener(event_type: str, summary: dict[str, Any], _: Manifest) -> None:
        nonlocal overflowed
        obj = rbac_object(state, summary["project"], summary["namespace"], summary["name"])
        if overflowed or not caller.can("applications", "get", obj):
            return
        try:
            queue.put_nowait({"type": event_type, "application": summary})
        except asyncio.QueueFull:
            overflowed = True
            queue.get_nowait()
            queue.put_nowait(_OVERFLOW)

    async def events() -> AsyncIterator[dict[str, Any]]:
        state.index.subscribe(listener)
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), RECHECK_SECONDS)
                except TimeoutError:
                    try:
                        state.credentials.authenticate(token)
                    except CredentialError as exc:
                        yield {"event": "error", "data": json.dumps({"error": str(exc), "code": 401})}
                        return
                    continue
                if item is _OVERFLOW:
                    yield {
                        "event": "error",
                        "data": json.dumps({"error": "client too slow; reconnect", "code": 503}),
                    }
                    return
                yield {"event": "application", "data": json.dumps(item, separators=(",", ":"))}
        finally:
            state.index.unsubscribe(listener)

    return EventSourceResponse(events(), ping=15)
