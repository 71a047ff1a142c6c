"""Which health check judges which (group, kind): the built-in checks, checks that
users register in Python, and ``assess()`` that the reconciler and sync waves call
for every live object. Kinds without a check fall back to the generic
status.conditions check; ``None`` means the kind has no notion of health."""

from __future__ import annotations

from collections.abc import Callable

from rudder.health import (
    application,
    conditions,
    cronjob,
    daemonset,
    deployment,
    horizontalpodautoscaler,
    ingress,
    job,
    persistentvolumeclaim,
    pod,
    replicaset,
    service,
    statefulset,
)
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest, split_api_version

HealthCheck = Callable[[Manifest], HealthResult | None]
"""Judge one live object; ``None`` when it has no notion of health."""

MISSING = HealthResult(HealthStatus.MISSING, "Resource does not exist")
PENDING_DELETION = HealthResult(HealthStatus.PROGRESSING, "Pending deletion")

BUILTIN_CHECKS: tuple[tuple[str, str, HealthCheck], ...] = (
    ("apps", "Deployment", deployment.assess),
    ("extensions", "Deployment", deployment.assess),
    ("apps", "StatefulSet", statefulset.assess),
    ("apps", "DaemonSet", daemonset.assess),
    ("extensions", "DaemonSet", daemonset.assess),
    ("apps", "ReplicaSet", replicaset.assess),
    ("extensions", "ReplicaSet", replicaset.assess),
    ("", "Pod", pod.assess),
    ("", "Service", service.assess),
    ("", "PersistentVolumeClaim", persistentvolumeclaim.assess),
    ("networking.k8s.io", "Ingress", ingress.assess),
    ("extensions", "Ingress", ingress.assess),
    ("batch", "Job", job.assess),
    ("batch", "CronJob", cronjob.assess),
    ("autoscaling", "HorizontalPodAutoscaler", horizontalpodautoscaler.assess),
    ("argoproj.io", "Application", application.assess),
)


class Registry:
    """A table of health checks by (group, kind). Later registrations win."""

    def __init__(self, *, builtins: bool = True) -> None:
        self._checks: dict[tuple[str, str], HealthCheck] = {}
        if builtins:
            for group, kind, check in BUILTIN_CHECKS:
                self.register(group, kind, check)

    def register(self, group: str, kind: str, check: HealthCheck) -> None:
        """Judge objects of ``group``/``kind`` (``""`` is the core group) with ``check``,
        replacing any earlier check for that kind, built-in or not."""
        if not kind:
            raise ValueError("register(): kind must not be empty")
        self._checks[(group, kind)] = check

    def check_for(self, group: str, kind: str) -> HealthCheck:
        """The check for ``group``/``kind``: registered, else the generic conditions check."""
        return self._checks.get((group, kind), conditions.assess)

    def assess(self, live: Manifest | None) -> HealthResult | None:
        """Health of one live object; Missing when it does not exist, Progressing while
        it is being deleted, Unknown when its check fails, ``None`` when its kind has no
        notion of health (such objects do not count towards the application's health)."""
        if live is None:
            return MISSING
        if (live.get("metadata") or {}).get("deletionTimestamp"):
            return PENDING_DELETION
        group, _ = split_api_version(str(live.get("apiVersion", "")))
        check = self.check_for(group, str(live.get("kind", "")))
        try:
            # Typed as object: a user's check may not honour its annotation.
            result: object = check(live)
        except Exception as exc:  # a broken check must not stop the reconcile
            return HealthResult(HealthStatus.UNKNOWN, f"health check failed: {exc}")
        if result is None or isinstance(result, HealthResult):
            return result
        return HealthResult(
            HealthStatus.UNKNOWN, f"health check returned {type(result).__name__}, not HealthResult"
        )


DEFAULT_REGISTRY = Registry()
"""The process-wide registry used by ``register()`` and ``assess()``."""


def register(group: str, kind: str, check: HealthCheck) -> None:
    """Register ``check`` for ``group``/``kind`` in the process-wide registry."""
    DEFAULT_REGISTRY.register(group, kind, check)


def assess(live: Manifest | None) -> HealthResult | None:
    """Judge ``live`` with the process-wide registry (see ``Registry.assess``)."""
    return DEFAULT_REGISTRY.assess(live)
