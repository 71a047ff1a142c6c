"""``/api/v1/session``: log in with a local account (a session token, also set as the
HttpOnly ``rudder_session`` cookie for the UI), log out (the session is revoked), and
who am I. Repeated failed logins for one account are refused for a while."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from rudder.api.accounts import verify_login
from rudder.api.auth import SESSION_COOKIE, CurrentCaller, State, presented_token
from rudder.api.errors import ApiError, error_responses
from rudder.api.schemas import LoginRequest, Message, SessionToken, UserInfo
from rudder.api.tokens import CredentialError
from rudder.observability import metrics
from rudder.observability.logging import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/api/v1/session", tags=["session"])


MAX_TRACKED = 10_000


def _recent_failures(state: State, username: str) -> list[float]:
    now = time.monotonic()
    window = state.options.login_window
    if len(state.login_failures) > MAX_TRACKED:  # bounded memory under a flood of made-up names
        for name in [
            n for n, times in state.login_failures.items() if not times or now - times[-1] >= window
        ]:
            del state.login_failures[name]
    failures = [t for t in state.login_failures.get(username, []) if now - t < window]
    state.login_failures[username] = failures
    return failures


@router.post("", response_model=SessionToken, responses=error_responses(400, 401, 422, 429))
async def login(body: LoginRequest, request: Request, response: Response, state: State) -> SessionToken:
    """Log in; returns a session token and sets it as an HttpOnly cookie."""
    failures = _recent_failures(state, body.username)
    if len(failures) >= state.options.login_failures:
        metrics.LOGIN_TOTAL.labels("locked").inc()
        retry = int(state.options.login_window - (time.monotonic() - failures[0])) + 1
        raise ApiError(
            429,
            f"too many failed logins for {body.username}; try again in {retry}s",
            headers={"Retry-After": str(retry)},
        )
    account = await verify_login(
        state.settings, body.username, body.password, rounds=state.options.bcrypt_rounds
    )
    if account is None:
        failures.append(time.monotonic())
        metrics.LOGIN_TOTAL.labels("failure").inc()
        log.info("login_failed", username=body.username)
        raise ApiError(401, "invalid username or password")
    state.login_failures.pop(body.username, None)
    try:
        token, expires = state.credentials.issue_session(account.name)
    except CredentialError as exc:
        raise ApiError(503, str(exc)) from exc
    metrics.LOGIN_TOTAL.labels("success").inc()
    log.info("login", username=account.name)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(expires - time.time()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return SessionToken(token=token)


@router.delete("", response_model=Message, responses=error_responses(503))
async def logout(request: Request, response: Response, state: State) -> Message:
    """Log out: the presented session is revoked and the cookie cleared."""
    token = presented_token(request)
    response.delete_cookie(SESSION_COOKIE, path="/")
    if not token:
        return Message(message="no session")
    try:
        principal = state.credentials.authenticate(token)
    except CredentialError:
        return Message(message="no active session")
    if principal.kind == "session":
        await state.credentials.end_session(principal)
        log.info("logout", username=principal.username)
        return Message(message="logged out")
    return Message(message="account tokens are revoked with DELETE /api/v1/account/tokens/{id}")


@router.get("/userinfo", response_model=UserInfo, responses=error_responses(401))
async def userinfo(caller: CurrentCaller) -> UserInfo:
    """The caller's account and roles."""
    return UserInfo(username=caller.username, roles=caller.state.policy().roles(caller.username))
