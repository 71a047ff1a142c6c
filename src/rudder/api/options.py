"""Options of ``rudder server``: where it listens, which namespaces it serves, and the
limits it enforces (sessions, webhooks, logins). Built by the CLI and by tests; read by
every part of the API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerOptions:
    control_namespace: str = "argocd"
    """Holds rudder-secret, rudder-cm, rudder-rbac-cm and repository Secrets; apps here
    are tracked by their bare name."""
    app_namespaces: tuple[str, ...] = ()
    """Namespaces whose Applications the API serves besides the control namespace; empty: all."""
    session_seconds: float = 24 * 3600.0
    webhook_max_bytes: int = 1024 * 1024
    webhook_rate: float = 20.0
    """Webhook requests per second per client address (token bucket refill)."""
    webhook_burst: int = 50
    login_failures: int = 5
    """Failed logins per account within ``login_window`` before further tries get 429."""
    login_window: float = 300.0
    bcrypt_rounds: int = 12
    static_dir: Path | None = None
    """The web UI's files; default: the package's ui/static when it exists."""
    stream_queue: int = 1000
    """Events buffered per live-stream client before it is disconnected as too slow."""
    cache_timeout: float = 60.0

    def serves(self, namespace: str) -> bool:
        """Whether Applications in ``namespace`` are visible through this server."""
        return (
            namespace == self.control_namespace or not self.app_namespaces or namespace in self.app_namespaces
        )
