"""Health of an apps/v1 StatefulSet, as Argo CD judges it (kubectl's rollout-status
rules, including partitioned rolling updates). Registered by the health registry."""

from __future__ import annotations

from rudder.health.status import generation, integer, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    spec = section(obj, "spec")
    status = section(obj, "status")
    observed = integer(status, "observedGeneration")
    if observed == 0 or generation(obj) > observed:
        return HealthResult(HealthStatus.PROGRESSING, "Waiting for statefulset spec update to be observed...")
    desired = integer(spec, "replicas", default=1)
    ready = integer(status, "readyReplicas")
    updated = integer(status, "updatedReplicas")
    if ready < desired:
        return HealthResult(HealthStatus.PROGRESSING, f"Waiting for {desired - ready} pods to be ready...")
    strategy = section(spec, "updateStrategy")
    kind = text(strategy, "type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "RollingUpdate" and isinstance(rolling, dict):
        target = desired - integer(rolling, "partition")
        if updated < target:
            return HealthResult(
                HealthStatus.PROGRESSING,
                "Waiting for partitioned roll out to finish: "
                f"{updated} out of {target} new pods have been updated...",
            )
        return HealthResult(
            HealthStatus.HEALTHY, f"partitioned roll out complete: {updated} new pods have been updated..."
        )
    if kind == "OnDelete":
        return HealthResult(HealthStatus.HEALTHY, f"statefulset has {ready} ready pods ({updated} updated)")
    update_revision = text(status, "updateRevision")
    current_revision = text(status, "currentRevision")
    if update_revision != current_revision:
        return HealthResult(
            HealthStatus.PROGRESSING,
            "waiting for statefulset rolling update to complete "
            f"{updated} pods at revision {update_revision}...",
        )
    current = integer(status, "currentReplicas")
    return HealthResult(
        HealthStatus.HEALTHY,
        f"statefulset rolling update complete {current} pods at revision {current_revision}...",
    )
