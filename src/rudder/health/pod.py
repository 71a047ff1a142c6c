"""Health of a v1 Pod, as Argo CD judges it: container errors (ImagePullBackOff,
CrashLoopBackOff, ...) are Degraded for long-running pods, finite pods (hooks) stay
Progressing until they finish. Registered by the health registry."""

from __future__ import annotations

from typing import Any

from rudder.health.status import condition, integer, is_true, section, text
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest, annotations_of

IGNORE_RESTART_POLICY_ANNOTATION = "argocd.argoproj.io/ignore-restart-policy"
"""Judge a ``Never``/``OnFailure`` pod like a long-running one (Argo CD's annotation)."""


def assess(obj: Manifest) -> HealthResult:
    spec = section(obj, "spec")
    status = section(obj, "status")
    # The API server defaults restartPolicy to Always.
    restart_policy = text(spec, "restartPolicy") or "Always"
    message = text(status, "message")
    if restart_policy == "Always":
        # Argo CD looks at app containers only; a crash-looping init container keeps a
        # pod Pending forever, so Rudder reports it as Degraded too.
        errors = [
            _waiting_message(ctr)
            for ctr in _containers(status, "initContainerStatuses") + _containers(status, "containerStatuses")
            if _is_waiting_on_error(ctr)
        ]
        if errors:
            return HealthResult(HealthStatus.DEGRADED, ", ".join(errors))

    phase = text(status, "phase")
    if phase == "Pending":
        return HealthResult(HealthStatus.PROGRESSING, message)
    if phase == "Succeeded":
        return HealthResult(HealthStatus.HEALTHY, message)
    if phase == "Failed":
        if message:
            return HealthResult(HealthStatus.DEGRADED, message)
        for ctr in _containers(status, "initContainerStatuses") + _containers(status, "containerStatuses"):
            failure = _failure_message(ctr)
            if failure:
                return HealthResult(HealthStatus.DEGRADED, failure)
        return HealthResult(HealthStatus.DEGRADED, "")
    if phase == "Running":
        long_running = restart_policy == "Always" or IGNORE_RESTART_POLICY_ANNOTATION in annotations_of(obj)
        if not long_running:
            # Pods that restart Never/OnFailure have a finite life (typically hooks):
            # running is not yet healthy.
            return HealthResult(HealthStatus.PROGRESSING, message)
        if is_true(condition(status, "Ready")):
            return HealthResult(HealthStatus.HEALTHY, message)
        for ctr in _containers(status, "containerStatuses"):
            if isinstance(section(ctr, "lastState").get("terminated"), dict):
                return HealthResult(HealthStatus.DEGRADED, message)
        return HealthResult(HealthStatus.PROGRESSING, message)
    return HealthResult(HealthStatus.UNKNOWN, message)


def _containers(status: Manifest, field: str) -> list[Manifest]:
    value: Any = status.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"status.{field}: expected a list of container statuses")
    return value


def _is_waiting_on_error(ctr: Manifest) -> bool:
    waiting = section(ctr, "state").get("waiting")
    if not isinstance(waiting, dict):
        return False
    reason = text(waiting, "reason")
    return reason.startswith("Err") or reason.endswith("Error") or reason.endswith("BackOff")


def _waiting_message(ctr: Manifest) -> str:
    waiting = section(section(ctr, "state"), "waiting")
    return text(waiting, "message") or f'container "{text(ctr, "name")}": {text(waiting, "reason")}'


def _failure_message(ctr: Manifest) -> str:
    terminated = section(ctr, "state").get("terminated")
    if not isinstance(terminated, dict):
        return ""
    if text(terminated, "message"):
        return text(terminated, "message")
    if text(terminated, "reason") == "OOMKilled":
        return "OOMKilled"
    code = integer(terminated, "exitCode")
    if code != 0:
        return f'container "{text(ctr, "name")}" failed with exit code {code}'
    return ""
