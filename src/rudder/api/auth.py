"""Who is calling and what they may do: the FastAPI dependency that reads a bearer
token or the ``rudder_session`` cookie (401 when missing or invalid), and RBAC checks
against the casbin policy (403), with apps the caller may not see reported as not
found so their existence is never revealed. Used by every authenticated route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from rudder.api.accounts import accounts
from rudder.api.errors import ApiError
from rudder.api.state import ServerState
from rudder.api.tokens import CredentialError, Principal
from rudder.model.resource import Manifest

SESSION_COOKIE = "rudder_session"
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.rudder
    return state


def presented_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE, "")


def app_object(state: ServerState, app: Manifest) -> str:
    """Argo CD's RBAC object for an app: ``project/name`` in the control namespace,
    ``project/namespace/name`` elsewhere."""
    meta = app.get("metadata") or {}
    project = str((app.get("spec") or {}).get("project") or "default")
    return rbac_object(state, project, str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def rbac_object(state: ServerState, project: str, namespace: str, name: str) -> str:
    if namespace == state.options.control_namespace:
        return f"{project}/{name}"
    return f"{project}/{namespace}/{name}"


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    state: ServerState

    @property
    def username(self) -> str:
        return self.principal.username

    def can(self, resource: str, action: str, obj: str) -> bool:
        return self.state.policy().allowed(self.username, resource, action, obj)

    def require(self, resource: str, action: str, obj: str) -> None:
        if not self.can(resource, action, obj):
            raise ApiError(403, f"permission denied: {resource}, {action}, {obj} (user {self.username})")

    def app(self, namespace: str, name: str, action: str = "get") -> Manifest:
        """The Application if the caller may see it (else 404, as if it did not exist)
        and may ``action`` it (else 403)."""
        found = self.state.index.get(namespace, name)
        if found is None or not self.can("applications", "get", app_object(self.state, found)):
            raise ApiError(404, f"Application/{namespace}/{name}: not found")
        if action != "get":
            self.require("applications", action, app_object(self.state, found))
        return found


def authenticate(request: Request) -> Caller:
    state = server_state(request)
    token = presented_token(request)
    if not token:
        raise ApiError(
            401,
            "authentication required: log in (POST /api/v1/session) or send 'Authorization: Bearer <token>'",
            headers=_CHALLENGE,
        )
    try:
        principal = state.credentials.authenticate(token)
    except CredentialError as exc:
        raise ApiError(401, str(exc), headers=_CHALLENGE) from exc
    account = accounts(state.settings).get(principal.username)
    if account is None or not account.enabled:
        raise ApiError(
            401, f"account {principal.username} is disabled or no longer exists", headers=_CHALLENGE
        )
    if principal.kind == "token" and not account.can_have_tokens:
        raise ApiError(401, f"account {principal.username} may not use API tokens (no apiKey capability)")
    return Caller(principal=principal, state=state)


CurrentCaller = Annotated[Caller, Depends(authenticate)]
State = Annotated[ServerState, Depends(server_state)]
