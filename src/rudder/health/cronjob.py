"""Health of a batch/v1 CronJob from its schedule bookkeeping: suspended, never run,
last run succeeded or not (after Argo CD's built-in CronJob check). Registered by the
health registry."""

from __future__ import annotations

from typing import Any

from rudder.health.status import section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest


def assess(obj: Manifest) -> HealthResult:
    if section(obj, "spec").get("suspend") is True:
        return HealthResult(HealthStatus.SUSPENDED, "CronJob is Suspended")
    status = section(obj, "status")
    # RFC 3339 timestamps in UTC ("Z") compare correctly as strings.
    last_schedule = text(status, "lastScheduleTime")
    last_success = text(status, "lastSuccessfulTime")
    active: Any = status.get("active") or []
    if not isinstance(active, list):
        raise TypeError("status.active: expected a list")
    if active:
        # While a run is in flight lastScheduleTime is always newer than
        # lastSuccessfulTime, so the previous outcome cannot be known.
        if last_schedule and not last_success:
            return HealthResult(
                HealthStatus.HEALTHY, "The CronJob never completed successfully. It may not be healthy"
            )
        return HealthResult(
            HealthStatus.HEALTHY, "The job is running. Its last execution may not have been successful"
        )
    if not last_schedule:
        return HealthResult(HealthStatus.HEALTHY, "CronJob has not been scheduled yet")
    if not last_success or last_success < last_schedule:
        return HealthResult(
            HealthStatus.DEGRADED, "CronJob has not completed its last execution successfully"
        )
    return HealthResult(HealthStatus.HEALTHY, "CronJob has completed its last execution successfully")
