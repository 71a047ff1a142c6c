"""Health of an autoscaling HorizontalPodAutoscaler (v1 annotation or v2 conditions):
failures to read the scale target or metrics are Degraded, a working autoscaler is
Healthy, one that has not computed a recommendation yet is Progressing ("Waiting to
Autoscale", as Argo CD). Registered by the health registry."""

from __future__ import annotations

import json
from typing import Any

from rudder.health.status import conditions, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest, annotations_of

V1_CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"

_HEALTHY_LIMITS = {"DesiredWithinRange", "TooFewReplicas", "TooManyReplicas"}
_DEGRADED_REASONS = {("AbleToScale", "FailedGetScale"), ("AbleToScale", "FailedUpdateScale")}
WAITING = HealthResult(HealthStatus.PROGRESSING, "Waiting to Autoscale")


def assess(obj: Manifest) -> HealthResult:
    conds = _conditions(obj)
    for cond in conds:
        if _is_degraded(cond):
            return HealthResult(HealthStatus.DEGRADED, text(cond, "message"))
    healthy = [cond for cond in conds if _is_healthy(cond)]
    if healthy:
        return HealthResult(HealthStatus.HEALTHY, text(healthy[0], "message"))
    return WAITING


def _conditions(obj: Manifest) -> list[Manifest]:
    found = conditions(section(obj, "status"))
    if found:
        return found
    raw = annotations_of(obj).get(V1_CONDITIONS_ANNOTATION)
    if raw is None:
        return []
    try:
        parsed: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"annotation {V1_CONDITIONS_ANNOTATION} is not JSON: {exc}") from exc
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise ValueError(f"annotation {V1_CONDITIONS_ANNOTATION}: expected a list of conditions")
    return parsed


def _is_degraded(cond: Manifest) -> bool:
    kind, reason = text(cond, "type"), text(cond, "reason")
    if (kind, reason) in _DEGRADED_REASONS:
        return True
    # FailedGetResourceMetric, FailedGetExternalMetric, ..., InvalidSelector: the
    # autoscaler cannot compute a recommendation.
    return kind == "ScalingActive" and (reason.startswith("FailedGet") or reason.startswith("Invalid"))


def _is_healthy(cond: Manifest) -> bool:
    kind, reason, status = text(cond, "type"), text(cond, "reason"), text(cond, "status")
    if kind == "AbleToScale":
        # Backoff* means "scaled recently, waiting out the stabilisation window".
        return status == "True" or reason.startswith("Backoff") or reason == "SucceededRescale"
    return kind == "ScalingLimited" and reason in _HEALTHY_LIMITS
