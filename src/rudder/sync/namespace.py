"""``CreateNamespace=true``: makes sure the destination namespace exists before the
sync writes into it, with ``managedNamespaceMetadata`` labels and annotations.
Used by sync.engine."""

from __future__ import annotations

from rudder.cluster.client import KubeClient
from rudder.model.resource import Manifest


async def ensure_namespace(
    client: KubeClient, name: str, *, labels: dict[str, str], annotations: dict[str, str]
) -> Manifest:
    """Server-side apply the namespace (idempotent); only the metadata Rudder manages
    is owned by the ``rudder`` field manager."""
    meta: Manifest = {"name": name}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return await client.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
