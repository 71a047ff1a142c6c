"""Health of an apps/v1 Deployment, as Argo CD judges it (kubectl's rollout-status
rules). Registered for ``apps`` and ``extensions`` by the health registry."""

from __future__ import annotations

from rudder.health.status import condition, generation, integer, name, section
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    spec = section(obj, "spec")
    status = section(obj, "status")
    if spec.get("paused") is True:
        return HealthResult(HealthStatus.SUSPENDED, "Deployment is paused")
    if generation(obj) > integer(status, "observedGeneration"):
        return HealthResult(
            HealthStatus.PROGRESSING,
            "Waiting for rollout to finish: observed deployment generation less then desired generation",
        )
    progressing = condition(status, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        return HealthResult(HealthStatus.DEGRADED, f'Deployment "{name(obj)}" exceeded its progress deadline')
    # The API server defaults spec.replicas to 1; a live object always carries it.
    desired = integer(spec, "replicas", default=1)
    replicas = integer(status, "replicas")
    updated = integer(status, "updatedReplicas")
    available = integer(status, "availableReplicas")
    if updated < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated...",
        )
    if replicas > updated:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {replicas - updated} old replicas are pending termination...",
        )
    if available < updated:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {available} of {updated} updated replicas are available...",
        )
    return HealthResult(HealthStatus.HEALTHY)
