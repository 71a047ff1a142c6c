"""Local accounts: the built-in ``admin`` (initial password generated once, bcrypt hash
in rudder-secret, plain text in rudder-initial-admin-secret until printed) and accounts
declared in rudder-cm as Argo CD declares them in argocd-cm (``accounts.alice: apiKey,
login``). Used by the session and token routes and by ``rudder admin``."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import bcrypt

from rudder.api.settings import (
    CONFIG_MAP,
    INITIAL_ADMIN_SECRET,
    SECRET_NAME,
    Settings,
    decode_data,
    encode,
    secret_manifest,
)
from rudder.cluster.client import KubeClient
from rudder.model.errors import ConfigError, ConflictError, NotFoundError
from rudder.observability.logging import get_logger

log = get_logger(__name__)
ADMIN = "admin"
SECRET_KEY = "server.secretkey"
LOGIN, API_KEY = "login", "apiKey"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    capabilities: frozenset[str]
    enabled: bool
    password_hash: str

    @property
    def can_login(self) -> bool:
        return self.enabled and LOGIN in self.capabilities and bool(self.password_hash)

    @property
    def can_have_tokens(self) -> bool:
        return self.enabled and API_KEY in self.capabilities


def password_key(name: str) -> str:
    return "admin.password" if name == ADMIN else f"accounts.{name}.password"


def hash_password(password: str, *, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def accounts(settings: Settings) -> dict[str, Account]:
    """Every account: ``admin`` (unless ``admin.enabled: "false"``) and each ``accounts.<name>``."""
    config = settings.config_map(CONFIG_MAP)
    secret = settings.secret()
    out = {
        ADMIN: Account(
            name=ADMIN,
            capabilities=frozenset({LOGIN, API_KEY}),
            enabled=config.get("admin.enabled", "true").lower() != "false",
            password_hash=secret.get(password_key(ADMIN), ""),
        )
    }
    for key, value in config.items():
        if not key.startswith("accounts.") or key.count(".") != 1:
            continue
        name = key.split(".", 1)[1]
        if not name or name == ADMIN:
            continue
        capabilities = frozenset(c.strip() for c in value.split(",") if c.strip()) or frozenset({LOGIN})
        out[name] = Account(
            name=name,
            capabilities=capabilities,
            enabled=config.get(f"accounts.{name}.enabled", "true").lower() != "false",
            password_hash=secret.get(password_key(name), ""),
        )
    return out


async def verify_login(
    settings: Settings, username: str, password: str, *, rounds: int = 12
) -> Account | None:
    """The account when ``password`` is right and the account may log in; None otherwise
    (the caller does not learn which)."""
    account = accounts(settings).get(username)
    if account is None or not account.can_login:
        # Spend the same time as a real check, so timing does not reveal accounts.
        await asyncio.to_thread(check_password, password, _dummy_hash(rounds))
        return None
    ok = await asyncio.to_thread(check_password, password, account.password_hash)
    return account if ok else None


_DUMMY_HASHES: dict[int, str] = {}


def _dummy_hash(rounds: int) -> str:
    if rounds not in _DUMMY_HASHES:
        _DUMMY_HASHES[rounds] = hash_password(secrets.token_urlsafe(16), rounds=rounds)
    return _DUMMY_HASHES[rounds]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def ensure_server_secret(client: KubeClient, namespace: str, *, rounds: int = 12) -> None:
    """Create rudder-secret with a session key and a generated admin password when they
    are missing; the password's plain text goes to rudder-initial-admin-secret, to be
    shown once by ``rudder admin initial-password``. Idempotent and safe to race."""
    try:
        await client.get("v1", "Namespace", namespace)
    except NotFoundError as exc:
        raise ConfigError(
            f"Namespace/{namespace}: not found; create it with `rudder install --namespace {namespace}`"
        ) from exc
    for _ in range(5):
        try:
            live = await client.get("v1", "Secret", SECRET_NAME, namespace)
        except NotFoundError:
            live = None
        data = decode_data(live)
        wanted: dict[str, str] = {}
        if not data.get(SECRET_KEY):
            wanted[SECRET_KEY] = secrets.token_urlsafe(48)
        password = ""
        if not data.get(password_key(ADMIN)):
            password = secrets.token_urlsafe(12)
            wanted[password_key(ADMIN)] = await asyncio.to_thread(hash_password, password, rounds=rounds)
            wanted["admin.passwordMtime"] = _now()
        if not wanted:
            return
        try:
            if live is None:
                await client.create(secret_manifest(namespace, SECRET_NAME, wanted))
            else:
                version = str((live.get("metadata") or {}).get("resourceVersion"))
                await client.patch(
                    "v1",
                    "Secret",
                    SECRET_NAME,
                    namespace,
                    patch={
                        "metadata": {"resourceVersion": version},
                        "data": {k: encode(v) for k, v in wanted.items()},
                    },
                )
        except ConflictError:
            continue
        if password:
            initial = secret_manifest(namespace, INITIAL_ADMIN_SECRET, {"password": password})
            await client.apply(initial, field_manager="rudder-server")
            log.info("admin_password_generated", namespace=namespace)
        return


async def take_initial_password(client: KubeClient, namespace: str) -> str:
    """Return the generated admin password and delete its Secret, so it is shown once."""
    try:
        live = await client.get("v1", "Secret", INITIAL_ADMIN_SECRET, namespace)
    except NotFoundError as exc:
        raise NotFoundError(
            f"Secret/{namespace}/{INITIAL_ADMIN_SECRET}: not found; the initial admin password was "
            "already shown (or replaced); set a new one with `rudder admin set-password admin`",
            status=404,
        ) from exc
    password = decode_data(live).get("password", "")
    await client.delete("v1", "Secret", INITIAL_ADMIN_SECRET, namespace)
    return password


async def set_password(
    client: KubeClient, namespace: str, account: str, password: str, *, rounds: int = 12
) -> None:
    """Store a new bcrypt hash for ``account`` in rudder-secret (creating it if needed)."""
    if len(password) < 8:
        raise ConfigError(f"account {account}: the password must have at least 8 characters")
    hashed = await asyncio.to_thread(hash_password, password, rounds=rounds)
    values = {password_key(account): encode(hashed)}
    if account == ADMIN:
        values["admin.passwordMtime"] = encode(_now())
    try:
        await client.patch("v1", "Secret", SECRET_NAME, namespace, patch={"data": values})
    except NotFoundError:
        await ensure_server_secret(client, namespace, rounds=rounds)
        await client.patch("v1", "Secret", SECRET_NAME, namespace, patch={"data": values})
    if account == ADMIN:
        await client.delete("v1", "Secret", INITIAL_ADMIN_SECRET, namespace)
