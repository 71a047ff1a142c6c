"""Health assessment: one module per kind, a registry for custom checks, and the
worst-wins roll-up for an application. Called by the reconciler and by sync waves."""

from rudder.health.registry import (
    DEFAULT_REGISTRY,
    MISSING,
    PENDING_DELETION,
    HealthCheck,
    Registry,
    assess,
    register,
)
from rudder.health.rollup import aggregate

__all__ = [
    "DEFAULT_REGISTRY",
    "MISSING",
    "PENDING_DELETION",
    "HealthCheck",
    "Registry",
    "aggregate",
    "assess",
    "register",
]
