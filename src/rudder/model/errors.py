"""The error hierarchy. Every error says whether retrying can help (temporary) and
carries a message that names the object and the cause; raised by every layer."""

from __future__ import annotations


class RudderError(Exception):
    """Base error. ``temporary`` tells the caller whether a retry can succeed."""

    temporary: bool = False

    def __init__(self, message: str, *, temporary: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if temporary is not None:
            self.temporary = temporary

    def __str__(self) -> str:
        return self.message


class ConfigError(RudderError):
    """The user's configuration (a spec field, a flag) is invalid; retrying will not help."""


class SourceError(RudderError):
    """Git could not deliver the requested revision (unreachable repo, unknown revision)."""


class RenderError(RudderError):
    """Manifests could not be produced from the source (bad YAML, helm/kustomize failure)."""


class ClusterError(RudderError):
    """The Kubernetes API refused or failed a request."""

    def __init__(
        self, message: str, *, status: int = 0, reason: str = "", temporary: bool | None = None
    ) -> None:
        super().__init__(
            message, temporary=temporary if temporary is not None else status in (0, 429, 500, 502, 503, 504)
        )
        self.status = status
        self.reason = reason


class NotFoundError(ClusterError):
    """The object or resource type does not exist."""


class ConflictError(ClusterError):
    """An optimistic-concurrency or field-manager conflict."""


class SyncError(RudderError):
    """A sync operation had to stop."""


class ToolError(RudderError):
    """A required external tool is missing or failed to build."""
