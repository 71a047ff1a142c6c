"""Generic health for any resource that reports standard ``status.conditions``
(Ready or Available, Stalled/Reconciling, observedGeneration), used by the registry
for every kind without a dedicated check. ``None`` means "no health notion"."""

from __future__ import annotations

from rudder.health.status import condition, generation, integer, is_true, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest

IN_PROGRESS_REASONS = frozenset(
    {
        "Progressing",
        "Reconciling",
        "InProgress",
        "Pending",
        "Creating",
        "Provisioning",
        "Initializing",
        "Deploying",
        "Updating",
        "Scaling",
        "Waiting",
        "DependencyNotReady",
    }
)
"""A Ready/Available=False condition with one of these reasons is on its way, not broken."""


def assess(obj: Manifest) -> HealthResult | None:
    status = section(obj, "status")
    if not status:
        return None
    ready = condition(status, "Ready") or condition(status, "Available")
    stalled = condition(status, "Stalled")
    reconciling = condition(status, "Reconciling")
    wanted = generation(obj)
    observed = integer(status, "observedGeneration", default=-1)
    lagging = 0 <= observed < wanted
    if ready is None and stalled is None and reconciling is None and not lagging:
        return None
    if section(obj, "spec").get("suspend") is True:
        return HealthResult(HealthStatus.SUSPENDED, f"{text(obj, 'kind') or 'Resource'} is suspended")
    if lagging:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for the controller to observe generation {wanted} (observed {observed})",
        )
    if is_true(stalled):
        return HealthResult(HealthStatus.DEGRADED, _describe(stalled or {}))
    if ready is not None:
        ready_generation = integer(ready, "observedGeneration", default=-1)
        if 0 <= ready_generation < wanted:
            return HealthResult(
                HealthStatus.PROGRESSING,
                f"Waiting for condition {text(ready, 'type')} to reflect generation {wanted} "
                f"(observed {ready_generation})",
            )
        if text(ready, "status") == "True":
            return HealthResult(HealthStatus.HEALTHY, text(ready, "message"))
    if is_true(reconciling):
        return HealthResult(HealthStatus.PROGRESSING, _describe(reconciling or {}))
    if ready is None:
        # Only Stalled=False / Reconciling=False: kstatus calls that reconciled.
        return HealthResult(HealthStatus.HEALTHY, "")
    if text(ready, "status") == "False" and text(ready, "reason") not in IN_PROGRESS_REASONS:
        return HealthResult(HealthStatus.DEGRADED, _describe(ready))
    return HealthResult(HealthStatus.PROGRESSING, _describe(ready))


def _describe(cond: Manifest) -> str:
    message = text(cond, "message")
    if message:
        return message
    reason = text(cond, "reason")
    summary = f"{text(cond, 'type')} is {text(cond, 'status') or 'Unknown'}"
    return f"{summary}: {reason}" if reason else summary
