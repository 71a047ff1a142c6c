"""Health of an Argo CD ``argoproj.io/Application`` (app of apps): the child's own
``status.health``, Progressing until it reports one (Argo CD's documented check).
Registered by the health registry."""

from __future__ import annotations

from rudder.health.status import section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    health = section(section(obj, "status"), "health")
    reported = text(health, "status")
    message = text(health, "message")
    if not reported:
        return HealthResult(
            HealthStatus.PROGRESSING, message or "Waiting for the application to report health"
        )
    try:
        return HealthResult(HealthStatus(reported), message)
    except ValueError:
        return HealthResult(HealthStatus.UNKNOWN, f"Unknown health status {reported!r}")
