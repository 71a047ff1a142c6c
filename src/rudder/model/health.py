"""Health statuses as Argo CD reports them and the rule that the worst one wins.
Used by health checks, the reconciler and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class HealthStatus(StrEnum):
    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"
    PROGRESSING = "Progressing"
    MISSING = "Missing"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"

    @property
    def severity(self) -> int:
        """Argo CD's order, best to worst: Healthy, Suspended, Progressing, Missing, Degraded, Unknown."""
        return _ORDER.index(self)


_ORDER = list(HealthStatus)


@dataclass(frozen=True, slots=True)
class HealthResult:
    status: HealthStatus
    message: str = ""


HEALTHY = HealthResult(HealthStatus.HEALTHY)


def worst(statuses: Iterable[HealthStatus]) -> HealthStatus:
    """The worst of ``statuses``; Healthy when there are none."""
    result = HealthStatus.HEALTHY
    for status in statuses:
        if status.severity > result.severity:
            result = status
    return result
