"""Health of an apps/v1 ReplicaSet, as Argo CD judges it: a ReplicaFailure condition
is Degraded, missing available replicas are Progressing. Registered by the registry."""

from __future__ import annotations

from rudder.health.status import condition, generation, integer, is_true, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    spec = section(obj, "spec")
    status = section(obj, "status")
    if generation(obj) > integer(status, "observedGeneration"):
        return HealthResult(
            HealthStatus.PROGRESSING,
            "Waiting for rollout to finish: observed replica set generation less then desired generation",
        )
    failure = condition(status, "ReplicaFailure")
    if failure is not None and is_true(failure):
        return HealthResult(HealthStatus.DEGRADED, text(failure, "message"))
    desired = integer(spec, "replicas", default=1)
    available = integer(status, "availableReplicas")
    if available < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {available} out of {desired} new replicas are available...",
        )
    return HealthResult(HealthStatus.HEALTHY)
