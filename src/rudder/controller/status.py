"""Builds the pieces of an Application's ``status`` in Argo CD's shape: sync, health,
resources, conditions (with stable transition times), operationState, history and the
image summary. Pure; used by the reconciler."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from rudder.controller.compare import Comparison, ResourceState
from rudder.model.health import HealthResult
from rudder.model.resource import Manifest
from rudder.model.sync import ChangeSet, OperationPhase, ResourceResult


def now() -> str:
    """RFC 3339 time in seconds, as Kubernetes writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_patch(old: Any, new: Any) -> Any:
    """A JSON merge patch (RFC 7386) that turns ``old`` into ``new``: keys that ``new``
    drops are set to null, so a nested object is replaced, not merged."""
    if not isinstance(new, dict) or not isinstance(old, dict):
        return new
    patch = {key: merge_patch(old.get(key), value) for key, value in new.items()}
    patch.update({key: None for key in old if key not in new})
    return patch


def health_status(result: HealthResult) -> dict[str, str]:
    out = {"status": result.status.value}
    if result.message:
        out["message"] = result.message
    return out


def resource_entry(state: ResourceState) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "group": state.key.group,
        "version": state.version,
        "kind": state.key.kind,
        "namespace": state.key.namespace,
        "name": state.key.name,
        "status": state.status.value,
    }
    if state.health is not None:
        entry["health"] = health_status(state.health)
    if state.requires_pruning:
        entry["requiresPruning"] = True
    if state.message:
        entry["message"] = state.message
    return {k: v for k, v in entry.items() if v != ""}


def resources(comparison: Comparison) -> list[dict[str, Any]]:
    return [resource_entry(s) for s in sorted(comparison.resources, key=lambda s: s.key)]


def conditions(wanted: Iterable[tuple[str, str]], previous: Sequence[Manifest]) -> list[dict[str, str]]:
    """Condition list for ``wanted`` (type, message); a condition that was already
    present with the same message keeps its lastTransitionTime."""
    old = {
        (str(c.get("type")), str(c.get("message"))): str(c.get("lastTransitionTime", "")) for c in previous
    }
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    stamp = now()
    for ctype, message in wanted:
        if (ctype, message) in seen:
            continue
        seen.add((ctype, message))
        out.append(
            {"type": ctype, "message": message, "lastTransitionTime": old.get((ctype, message)) or stamp}
        )
    return out


def _image_paths(obj: Manifest) -> list[Manifest]:
    spec = obj.get("spec") or {}
    kind = obj.get("kind")
    if kind == "Pod":
        return [spec]
    if kind == "CronJob":
        return [((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}]
    template = spec.get("template")
    if isinstance(template, dict):
        return [template.get("spec") or {}]
    return []


def images(objects: Iterable[Manifest]) -> list[str]:
    """Container images used by the app's workloads, sorted and unique."""
    found: set[str] = set()
    for obj in objects:
        for pod_spec in _image_paths(obj):
            for field in ("initContainers", "containers", "ephemeralContainers"):
                for container in pod_spec.get(field) or []:
                    image = container.get("image") if isinstance(container, dict) else None
                    if image:
                        found.add(str(image))
    return sorted(found)


def result_entry(result: ResourceResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "group": result.key.group,
        "version": result.version,
        "kind": result.key.kind,
        "namespace": result.key.namespace,
        "name": result.key.name,
        "status": result.status.value,
        "message": result.message,
        "syncPhase": result.sync_phase.value,
        "syncWave": result.wave,
    }
    if result.hook_type is not None:
        entry["hookType"] = result.hook_type.value
    if result.hook_phase is not None:
        entry["hookPhase"] = result.hook_phase.value
    return entry


def operation_state(
    *,
    operation: Manifest,
    phase: OperationPhase,
    message: str,
    started_at: str,
    changes: ChangeSet | None,
    source: Manifest,
    retry_count: int = 0,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "operation": operation,
        "phase": phase.value,
        "message": message,
        "startedAt": started_at,
        "retryCount": retry_count,
    }
    if phase.completed:
        state["finishedAt"] = now()
    if changes is not None:
        state["syncResult"] = {
            "revision": changes.revision,
            "source": source,
            "resources": [result_entry(r) for r in changes.results],
        }
    return state


def append_history(
    history: Sequence[Manifest],
    *,
    revision: str,
    source: Manifest,
    started_at: str,
    initiated_by: Manifest,
    limit: int,
) -> list[Manifest]:
    """``history`` plus a new entry with the next id, keeping the newest ``limit``."""
    next_id = max((int(h.get("id", 0) or 0) for h in history), default=-1) + 1
    entry = {
        "id": next_id,
        "revision": revision,
        "deployedAt": now(),
        "deployStartedAt": started_at,
        "source": source,
        "initiatedBy": initiated_by,
    }
    out = [*history, entry]
    if limit >= 0:
        out = out[-limit:] if limit else []
    return out
