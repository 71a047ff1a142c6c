"""Health of a v1 PersistentVolumeClaim from its phase: Bound is Healthy, Pending is
Progressing, Lost is Degraded (as Argo CD). Registered by the health registry."""

from __future__ import annotations

from rudder.health.status import section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    phase = text(section(obj, "status"), "phase")
    if phase == "Bound":
        return HealthResult(HealthStatus.HEALTHY)
    if phase == "Pending":
        return HealthResult(HealthStatus.PROGRESSING, "Waiting for the claim to be bound")
    if phase == "Lost":
        return HealthResult(HealthStatus.DEGRADED, "The claim lost its underlying volume")
    return HealthResult(HealthStatus.UNKNOWN, f"Unknown claim phase {phase!r}" if phase else "")
