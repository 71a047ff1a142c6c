"""Credentials a caller presents: UI/CLI sessions (HMAC-signed with rudder-secret's
session key, revocable at logout) and account tokens for CLI and CI (random, stored
only as SHA-256 hashes in rudder-secret, listed and revoked by id). Used by the auth
dependency and the session/account routes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from rudder.api.accounts import SECRET_KEY
from rudder.api.settings import Settings

SESSION_PREFIX = "rds_"
TOKEN_PREFIX = "rdt_"
REVOKED_SESSIONS = "sessions.revoked"


class CredentialError(Exception):
    """The presented credential is not valid; the message says why (never echoes it)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, and with what."""

    username: str
    kind: str  # "session" or "token"
    credential_id: str
    expires_at: float  # 0: never


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    account: str
    name: str
    issued_at: float
    expires_at: float

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "issuedAt": _iso(self.issued_at),
            "expiresAt": _iso(self.expires_at) if self.expires_at else None,
        }


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_key(account: str) -> str:
    return f"accounts.{account}.tokens"


def _entries(data: dict[str, str], account: str) -> list[dict[str, Any]]:
    try:
        items = json.loads(data.get(tokens_key(account), "[]"))
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


class Credentials:
    """Issue and check sessions and account tokens against rudder-secret."""

    def __init__(self, settings: Settings, *, session_seconds: float) -> None:
        self.settings = settings
        self.session_seconds = session_seconds
        self._index: tuple[str, dict[str, tuple[str, dict[str, Any]]]] = ("", {})

    # -- sessions --------------------------------------------------------------------

    def _key(self) -> bytes:
        key = self.settings.secret().get(SECRET_KEY, "")
        if not key:
            raise CredentialError("the server has no session key yet; try again shortly")
        return key.encode()

    def issue_session(self, username: str) -> tuple[str, float]:
        now = time.time()
        expires = now + self.session_seconds
        payload = {"sub": username, "iat": int(now), "exp": int(expires), "jti": secrets.token_hex(12)}
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self._key(), body.encode(), hashlib.sha256).digest())
        return f"{SESSION_PREFIX}{body}.{signature}", expires

    def _session(self, token: str) -> Principal:
        body, _, signature = token[len(SESSION_PREFIX) :].partition(".")
        expected = _b64(hmac.new(self._key(), body.encode(), hashlib.sha256).digest())
        if not signature or not hmac.compare_digest(signature, expected):
            raise CredentialError("invalid session token")
        try:
            payload = json.loads(_unb64(body))
            username, expires, jti = str(payload["sub"]), float(payload["exp"]), str(payload["jti"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CredentialError("invalid session token") from exc
        if expires < time.time():
            raise CredentialError("session expired; log in again")
        if jti in self._revoked_sessions():
            raise CredentialError("session ended (logged out); log in again")
        return Principal(username=username, kind="session", credential_id=jti, expires_at=expires)

    def _revoked_sessions(self) -> dict[str, float]:
        try:
            revoked = json.loads(self.settings.secret().get(REVOKED_SESSIONS, "{}"))
        except ValueError:
            return {}
        return revoked if isinstance(revoked, dict) else {}

    async def end_session(self, principal: Principal) -> None:
        now = time.time()

        def change(data: dict[str, str]) -> dict[str, str | None]:
            try:
                revoked = json.loads(data.get(REVOKED_SESSIONS, "{}"))
            except ValueError:
                revoked = {}
            kept = {k: v for k, v in revoked.items() if float(v) > now}
            kept[principal.credential_id] = principal.expires_at
            return {REVOKED_SESSIONS: json.dumps(kept, separators=(",", ":"))}

        await self.settings.update_secret(change)

    # -- account tokens --------------------------------------------------------------

    def _token_index(self) -> dict[str, tuple[str, dict[str, Any]]]:
        data = self.settings.secret()
        version = self.settings.secret_version()
        if version and self._index[0] == version:
            return self._index[1]
        index: dict[str, tuple[str, dict[str, Any]]] = {}
        for key in data:
            if key.startswith("accounts.") and key.endswith(".tokens"):
                account = key[len("accounts.") : -len(".tokens")]
                for entry in _entries(data, account):
                    index[str(entry.get("id"))] = (account, entry)
        self._index = (version, index)
        return index

    def _account_token(self, token: str) -> Principal:
        token_id, _, secret = token[len(TOKEN_PREFIX) :].partition(".")
        found = self._token_index().get(token_id)
        if found is None or not secret:
            raise CredentialError("token revoked or unknown")
        account, entry = found
        if not hmac.compare_digest(str(entry.get("sha256", "")), _digest(secret)):
            raise CredentialError("token revoked or unknown")
        expires = float(entry.get("exp") or 0)
        if expires and expires < time.time():
            raise CredentialError("token expired; create a new one with `rudder account token create`")
        return Principal(username=account, kind="token", credential_id=token_id, expires_at=expires)

    def tokens(self, account: str) -> list[TokenInfo]:
        return [
            TokenInfo(
                id=str(e.get("id")),
                account=account,
                name=str(e.get("name", "")),
                issued_at=float(e.get("iat") or 0),
                expires_at=float(e.get("exp") or 0),
            )
            for e in _entries(self.settings.secret(), account)
        ]

    async def create_token(self, account: str, *, name: str, expires_in: float) -> tuple[str, TokenInfo]:
        """A new token for ``account``; the returned string is the only copy of it."""
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        now = time.time()
        entry: dict[str, Any] = {
            "id": token_id,
            "name": name,
            "iat": int(now),
            "exp": int(now + expires_in) if expires_in > 0 else 0,
            "sha256": _digest(secret),
        }

        def change(data: dict[str, str]) -> dict[str, str | None]:
            kept = [e for e in _entries(data, account) if not e.get("exp") or float(e["exp"]) > now]
            return {tokens_key(account): json.dumps([*kept, entry], separators=(",", ":"))}

        await self.settings.update_secret(change)
        info = TokenInfo(
            id=token_id,
            account=account,
            name=name,
            issued_at=float(entry["iat"]),
            expires_at=float(entry["exp"]),
        )
        return f"{TOKEN_PREFIX}{token_id}.{secret}", info

    async def revoke_token(self, account: str, token_id: str) -> bool:
        """Remove one token; False when ``account`` has no token with that id."""
        found = False

        def change(data: dict[str, str]) -> dict[str, str | None]:
            nonlocal found
            entries = _entries(data, account)
            kept = [e for e in entries if str(e.get("id")) != token_id]
            found = len(kept) != len(entries)
            return {tokens_key(account): json.dumps(kept, separators=(",", ":"))} if found else {}

        await self.settings.update_secret(change)
        return found

    # -- either ----------------------------------------------------------------------

    def authenticate(self, token: str) -> Principal:
        if token.startswith(SESSION_PREFIX):
            return self._session(token)
        if token.startswith(TOKEN_PREFIX):
            return self._account_token(token)
        raise CredentialError("unrecognised credential; expected a session or an account token")
