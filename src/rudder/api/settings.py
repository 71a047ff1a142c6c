"""Server settings kept in the control namespace, as Argo CD keeps them: ``rudder-secret``
(password hashes, token hashes, the session key), ``rudder-cm`` (local accounts) and
``rudder-rbac-cm`` (policy). Read from a watch-fed cache, written with optimistic
concurrency. Used by accounts, tokens, RBAC and webhooks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.model.errors import ConflictError, NotFoundError, RudderError
from rudder.model.resource import Manifest, ResourceKey

SECRET_NAME = "rudder-secret"
INITIAL_ADMIN_SECRET = "rudder-initial-admin-secret"
CONFIG_MAP = "rudder-cm"
RBAC_CONFIG_MAP = "rudder-rbac-cm"
PART_OF = {"app.kubernetes.io/part-of": "rudder"}

SecretChange = Callable[[dict[str, str]], dict[str, str | None]]
"""Given the Secret's current data, the keys to set (None: remove)."""


def decode_data(secret: Manifest | None) -> dict[str, str]:
    """A Secret's ``data`` (base64) and ``stringData`` decoded to text; undecodable values are skipped."""
    out: dict[str, str] = {}
    if not secret:
        return out
    for key, value in (secret.get("data") or {}).items():
        try:
            out[str(key)] = base64.b64decode(str(value)).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
    for key, value in (secret.get("stringData") or {}).items():
        out[str(key)] = str(value)
    return out


def encode(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


class Settings:
    """Read access to the settings objects through ``cache`` (ConfigMaps and Secrets of
    the control namespace) and safe writes to ``rudder-secret``."""

    def __init__(self, client: KubeClient, cache: LiveCache, namespace: str) -> None:
        self.client = client
        self.cache = cache
        self.namespace = namespace
        self._decoded: tuple[str, dict[str, str]] = ("", {})

    async def start(self, *, timeout: float = 60.0) -> None:
        await self.cache.ensure("v1", "ConfigMap", timeout=timeout)
        await self.cache.ensure("v1", "Secret", timeout=timeout)

    def object(self, kind: str, name: str) -> Manifest | None:
        return self.cache.get(ResourceKey("", kind, self.namespace, name))

    def config_map(self, name: str) -> dict[str, str]:
        data = (self.object("ConfigMap", name) or {}).get("data") or {}
        return {str(k): str(v) for k, v in data.items()}

    def secret(self, name: str = SECRET_NAME) -> dict[str, str]:
        """Decoded data of a Secret in the control namespace (memoised per version)."""
        obj = self.object("Secret", name)
        if name != SECRET_NAME:
            return decode_data(obj)
        version = str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "")
        if not version or version != self._decoded[0]:
            self._decoded = (version, decode_data(obj))
        return self._decoded[1]

    def secret_version(self) -> str:
        """resourceVersion of rudder-secret as last seen (changes with every write)."""
        self.secret()
        return self._decoded[0]

    def secrets(self) -> list[Manifest]:
        return self.cache.objects("v1", "Secret")

    async def update_secret(self, change: SecretChange, *, attempts: int = 8) -> dict[str, str]:
        """Apply ``change`` to rudder-secret with a resourceVersion precondition, retrying
        when another writer got there first. Returns the new decoded data."""
        for _ in range(attempts):
            try:
                live: Manifest | None = await self.client.get("v1", "Secret", SECRET_NAME, self.namespace)
            except NotFoundError:
                live = None
            current = decode_data(live)
            wanted = change(dict(current))
            try:
                if live is None:
                    data = {k: encode(v) for k, v in wanted.items() if v is not None}
                    updated = await self.client.create(_secret(self.namespace, SECRET_NAME, data))
                else:
                    version = str((live.get("metadata") or {}).get("resourceVersion"))
                    patch: dict[str, Any] = {
                        "metadata": {"resourceVersion": version},
                        "data": {k: (encode(v) if v is not None else None) for k, v in wanted.items()},
                    }
                    updated = await self.client.patch(
                        "v1", "Secret", SECRET_NAME, self.namespace, patch=patch
                    )
            except ConflictError:
                continue
            self.cache.observe(updated)
            return decode_data(updated)
        raise RudderError(
            f"Secret/{self.namespace}/{SECRET_NAME}: too many concurrent updates", temporary=True
        )


def _secret(namespace: str, name: str, data: dict[str, str]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(PART_OF)},
        "data": data,
    }


def secret_manifest(namespace: str, name: str, values: dict[str, str]) -> Manifest:
    return _secret(namespace, name, {k: encode(v) for k, v in values.items()})
