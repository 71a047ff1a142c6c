"""``/api/v1/account/tokens``: list, create and revoke the caller's API tokens (for the
CLI and CI). A token is shown once at creation; only its hash is stored. Accounts
need the ``apiKey`` capability; acting for another account needs RBAC
``accounts, update, <name>``."""

from __future__ import annotations

from fastapi import APIRouter

from rudder.api.accounts import accounts
from rudder.api.auth import Caller, CurrentCaller
from rudder.api.errors import ApiError, error_responses
from rudder.api.schemas import CreatedToken, CreateTokenBody, Message, TokenItem, TokenList

router = APIRouter(prefix="/api/v1/account", tags=["account"])


def _account(caller: Caller, account: str, action: str) -> str:
    name = account or caller.username
    if name != caller.username:
        caller.require("accounts", action, name)
    found = accounts(caller.state.settings).get(name)
    if found is None:
        raise ApiError(404, f"account {name}: not found")
    if not found.can_have_tokens:
        raise ApiError(403, f"account {name} may not have API tokens (no apiKey capability in rudder-cm)")
    return name


@router.get("/tokens", response_model=TokenList, responses=error_responses(401, 403, 404))
async def list_tokens(caller: CurrentCaller, account: str = "") -> TokenList:
    """The account's tokens (ids, names, dates; never the tokens)."""
    name = _account(caller, account, "get")
    return TokenList(items=[TokenItem(**t.public()) for t in caller.state.credentials.tokens(name)])


@router.post("/tokens", response_model=CreatedToken, responses=error_responses(400, 401, 403, 404, 422))
async def create_token(body: CreateTokenBody, caller: CurrentCaller, account: str = "") -> CreatedToken:
    """Create a token; the response holds it once."""
    name = _account(caller, account, "update")
    token, info = await caller.state.credentials.create_token(name, name=body.name, expires_in=body.expiresIn)
    return CreatedToken(token=token, **info.public())


@router.delete("/tokens/{token_id}", response_model=Message, responses=error_responses(401, 403, 404))
async def revoke_token(token_id: str, caller: CurrentCaller, account: str = "") -> Message:
    """Revoke a token; it stops working at once."""
    name = _account(caller, account, "update")
    if not await caller.state.credentials.revoke_token(name, token_id):
        raise ApiError(404, f"account {name}: no token with id {token_id}")
    return Message(message=f"token {token_id} revoked")
