"""The summary of an Application shown in lists and streamed to the UI (name, project,
source, destination, sync and health status, last operation), and the list filter
(project, label selector, health, sync, name search, namespace) that combines its
terms with AND. Pure; used by the application index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rudder.api.selector import Requirement, matches
from rudder.model.resource import Manifest


def summarize(app: Manifest) -> dict[str, Any]:
    meta = app.get("metadata") or {}
    spec = app.get("spec") or {}
    status = app.get("status") or {}
    source = spec.get("source") or {}
    if not source and isinstance(spec.get("sources"), list) and spec["sources"]:
        source = spec["sources"][0] if isinstance(spec["sources"][0], dict) else {}
    if not isinstance(source, dict):
        source = {}
    destination = spec.get("destination") if isinstance(spec.get("destination"), dict) else {}
    sync = status.get("sync") or {}
    health = status.get("health") or {}
    operation_state = status.get("operationState") or {}
    phase = str(operation_state.get("phase") or "")
    if app.get("operation") and phase != "Running":
        phase = "Pending"
    return {
        "namespace": str(meta.get("namespace") or ""),
        "name": str(meta.get("name") or ""),
        "project": str(spec.get("project") or "default"),
        "repoURL": str(source.get("repoURL") or ""),
        "path": str(source.get("path") or source.get("chart") or ""),
        "targetRevision": str(source.get("targetRevision") or "HEAD"),
        "destination": {
            "server": str((destination or {}).get("server") or ""),
            "name": str((destination or {}).get("name") or ""),
            "namespace": str((destination or {}).get("namespace") or ""),
        },
        "syncStatus": str(sync.get("status") or "Unknown"),
        "healthStatus": str(health.get("status") or "Unknown"),
        "healthMessage": str(health.get("message") or ""),
        "revision": str(sync.get("revision") or ""),
        "reconciledAt": str(status.get("reconciledAt") or ""),
        "operationPhase": phase,
        "conditions": [
            {"type": str(c.get("type") or ""), "message": str(c.get("message") or "")}
            for c in status.get("conditions") or []
            if isinstance(c, dict)
        ],
        "labels": {str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
    }


def _terms(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class ListFilter:
    projects: frozenset[str] = frozenset()
    selector: tuple[Requirement, ...] = ()
    health: frozenset[str] = frozenset()
    sync: frozenset[str] = frozenset()
    search: str = ""
    namespaces: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        project: str = "",
        selector: tuple[Requirement, ...] = (),
        health: str = "",
        sync: str = "",
        search: str = "",
        namespace: str = "",
    ) -> ListFilter:
        """Comma-separated values mean any of them (``health=Degraded,Missing``)."""
        return cls(
            projects=_terms(project),
            selector=selector,
            health=frozenset(h.lower() for h in _terms(health)),
            sync=frozenset(s.lower() for s in _terms(sync)),
            search=search.strip().lower(),
            namespaces=_terms(namespace),
        )

    def accepts(self, summary: dict[str, Any]) -> bool:
        if self.namespaces and summary["namespace"] not in self.namespaces:
            return False
        if self.projects and summary["project"] not in self.projects:
            return False
        if self.health and summary["healthStatus"].lower() not in self.health:
            return False
        if self.sync and summary["syncStatus"].lower() not in self.sync:
            return False
        if self.search and self.search not in summary["name"].lower():
            return False
        return not self.selector or matches(self.selector, summary["labels"])
