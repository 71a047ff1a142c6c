"""Health of a batch/v1 Job from its conditions: Failed is Degraded, Complete is
Healthy, Suspended is Suspended, anything else Progressing (as Argo CD). Registered by
the health registry; hooks are judged by the same rule."""

from __future__ import annotations

from rudder.health.status import condition, is_true, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    status = section(obj, "status")
    failed = condition(status, "Failed")
    if is_true(failed):
        return HealthResult(HealthStatus.DEGRADED, text(failed or {}, "message"))
    complete = condition(status, "Complete")
    if is_true(complete):
        return HealthResult(HealthStatus.HEALTHY, text(complete or {}, "message"))
    suspended = condition(status, "Suspended")
    # Argo CD counts any Suspended condition as "complete", so a resumed Job (condition
    # status False) would look Healthy while it runs; only status True means suspended.
    if is_true(suspended):
        return HealthResult(HealthStatus.SUSPENDED, text(suspended or {}, "message") or "Job is suspended")
    return HealthResult(HealthStatus.PROGRESSING, "")
