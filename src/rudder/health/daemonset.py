"""Health of an apps/v1 DaemonSet, as Argo CD judges it (kubectl's rollout-status
rules). Registered for ``apps`` and ``extensions`` by the health registry."""

from __future__ import annotations

from rudder.health.status import generation, integer, name, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    spec = section(obj, "spec")
    status = section(obj, "status")
    if generation(obj) > integer(status, "observedGeneration"):
        return HealthResult(
            HealthStatus.PROGRESSING,
            "Waiting for rollout to finish: observed daemon set generation less then desired generation",
        )
    desired = integer(status, "desiredNumberScheduled")
    updated = integer(status, "updatedNumberScheduled")
    available = integer(status, "numberAvailable")
    if text(section(spec, "updateStrategy"), "type") == "OnDelete":
        return HealthResult(
            HealthStatus.HEALTHY, f"daemon set {updated} out of {desired} new pods have been updated"
        )
    if updated < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f'Waiting for daemon set "{name(obj)}" rollout to finish: '
            f"{updated} out of {desired} new pods have been updated...",
        )
    if available < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f'Waiting for daemon set "{name(obj)}" rollout to finish: '
            f"{available} of {desired} updated pods are available...",
        )
    return HealthResult(HealthStatus.HEALTHY)
