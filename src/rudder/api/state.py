"""Everything one ``rudder server`` process holds: the API client, the application
index, the settings (accounts, tokens, policy) read from watch caches, resource
trees, managed-resource comparison, rate limiters. Started and stopped by the
server's lifespan; handed to every route through the request."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from rudder.api.accounts import ensure_server_secret
from rudder.api.comparison import ManagedResources
from rudder.api.events import AppEvents
from rudder.api.index import AppIndex
from rudder.api.options import ServerOptions
from rudder.api.ratelimit import RateLimiter
from rudder.api.rbac import Policy, PolicyError, policy_from_config
from rudder.api.settings import RBAC_CONFIG_MAP, Settings
from rudder.api.tokens import Credentials
from rudder.api.tree import ResourceTrees
from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.model.resource import Manifest
from rudder.observability.logging import get_logger

log = get_logger(__name__)


class ServerState:
    def __init__(self, client: KubeClient, options: ServerOptions, *, work_dir: Path | None = None) -> None:
        self.client = client
        self.options = options
        self._tmp = None if work_dir else tempfile.TemporaryDirectory(prefix="rudder-server-")
        self.work_dir = work_dir or Path(self._tmp.name if self._tmp else ".")
        self.index = AppIndex(client, options)
        self.settings = Settings(
            client, LiveCache(client, namespace=options.control_namespace), options.control_namespace
        )
        self.credentials = Credentials(self.settings, session_seconds=options.session_seconds)
        self.trees = ResourceTrees(client, timeout=options.cache_timeout)
        self.managed = ManagedResources(
            client, self.trees.cache, cache_dir=self.work_dir, control_namespace=options.control_namespace
        )
        self.events = AppEvents(client, options)
        self.webhook_limiter = RateLimiter(rate=options.webhook_rate, burst=options.webhook_burst)
        self.login_failures: dict[str, list[float]] = {}
        self._policy: tuple[str, Policy] = ("", Policy())
        self.started_at = 0.0
        self.ready = False

    async def start(self) -> None:
        await ensure_server_secret(
            self.client, self.options.control_namespace, rounds=self.options.bcrypt_rounds
        )
        await self.settings.start(timeout=self.options.cache_timeout)
        self.index.subscribe(self._on_app)
        await self.index.start()
        self.started_at = time.time()
        self.ready = True
        log.info(
            "server_ready",
            control_namespace=self.options.control_namespace,
            applications=len(self.index),
        )

    async def stop(self) -> None:
        self.ready = False
        await self.index.close()
        await self.trees.close()
        await self.events.close()
        await self.settings.cache.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def _on_app(self, event_type: str, summary: dict[str, Any], _: Manifest) -> None:
        if event_type == "DELETED":
            self.managed.forget(summary["namespace"], summary["name"])

    def policy(self) -> Policy:
        """The RBAC policy of rudder-rbac-cm, recompiled when the ConfigMap changes. A
        broken policy keeps the last good one (and is logged)."""
        obj = self.settings.object("ConfigMap", RBAC_CONFIG_MAP)
        version = str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "none")
        if version != self._policy[0]:
            try:
                self._policy = (version, policy_from_config(self.settings.config_map(RBAC_CONFIG_MAP)))
            except (PolicyError, ValueError) as exc:
                log.error("rbac_policy_invalid", config_map=RBAC_CONFIG_MAP, error=str(exc))
                self._policy = (version, self._policy[1])
        return self._policy[1]

    def policy_version(self) -> str:
        self.policy()
        return self._policy[0]
