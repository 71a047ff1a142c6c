"""Health of an Ingress (networking.k8s.io and extensions): Progressing until the
ingress controller publishes an address in status.loadBalancer, as Argo CD does.
Registered by the health registry."""

from __future__ import annotations

from rudder.health.status import section
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    if section(section(obj, "status"), "loadBalancer").get("ingress"):
        return HealthResult(HealthStatus.HEALTHY)
    return HealthResult(HealthStatus.PROGRESSING, "Waiting for the ingress controller to assign an address")
