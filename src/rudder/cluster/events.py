"""Kubernetes Events about an object (core/v1 Event), so ``kubectl describe`` and
``kubectl get events`` show what Rudder did. Failures to record are logged, never
raised: an event must not break a reconcile. Used by the controller."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Literal

from rudder.cluster.client import KubeClient
from rudder.model.errors import ClusterError
from rudder.model.resource import Manifest
from rudder.observability.logging import get_logger, mask_url

log = get_logger(__name__)
COMPONENT = "rudder-controller"


async def record_event(
    client: KubeClient,
    involved: Manifest,
    *,
    reason: str,
    message: str,
    event_type: Literal["Normal", "Warning"] = "Normal",
) -> None:
    """Create one Event about ``involved`` (which needs apiVersion, kind, metadata)."""
    meta = involved.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default")
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{meta.get('name', 'object')}.{secrets.token_hex(8)}", "namespace": namespace},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion"),
            "kind": involved.get("kind"),
            "name": meta.get("name"),
            "namespace": namespace,
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
        },
        "reason": reason,
        "message": mask_url(message)[:1024],
        "type": event_type,
        "source": {"component": COMPONENT},
        "reportingComponent": COMPONENT,
        "reportingInstance": COMPONENT,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }
    try:
        await client.create(event)
    except ClusterError as exc:
        log.warning("event_not_recorded", reason=reason, error=str(exc))
