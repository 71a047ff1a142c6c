"""The application's health from its resources' health: the worst status wins and its
message names the resource responsible. Called by the reconciler after ``assess()``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rudder.model.health import HEALTHY, HealthResult
from rudder.model.resource import ResourceKey


def aggregate(
    results: Mapping[ResourceKey, HealthResult | None] | Iterable[tuple[ResourceKey, HealthResult | None]],
) -> HealthResult:
    """Worst of ``results`` in Argo CD's order (Healthy < Suspended < Progressing <
    Missing < Degraded < Unknown). ``None`` entries (kinds without health) are skipped;
    no resources at all is Healthy. On a tie the first resource given wins."""
    pairs = results.items() if isinstance(results, Mapping) else results
    worst_key: ResourceKey | None = None
    worst = HEALTHY
    for key, result in pairs:
        if result is None:
            continue
        if worst_key is None or result.status.severity > worst.status.severity:
            worst_key, worst = key, result
    if worst_key is None or worst.status == HEALTHY.status:
        return HEALTHY
    detail = worst.message or str(worst.status)
    return HealthResult(worst.status, f"{worst_key}: {detail}")
