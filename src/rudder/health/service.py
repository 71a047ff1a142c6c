"""Health of a v1 Service: a LoadBalancer is Progressing until the cloud assigns it an
address, every other type is Healthy (as Argo CD). Registered by the health registry."""

from __future__ import annotations

from rudder.health.status import section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    if text(section(obj, "spec"), "type") != "LoadBalancer":
        return HealthResult(HealthStatus.HEALTHY)
    if section(section(obj, "status"), "loadBalancer").get("ingress"):
        return HealthResult(HealthStatus.HEALTHY)
    return HealthResult(HealthStatus.PROGRESSING, "Waiting for the load balancer to be assigned an address")
