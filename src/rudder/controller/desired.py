"""Prepares rendered manifests for comparison and sync: fills in the destination
namespace for namespaced kinds, drops it for cluster-scoped ones, adds Argo CD's
tracking-id annotation, and refuses objects without identity or with unknown kinds.
Used by the reconciler."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from rudder.cluster.client import KubeClient
from rudder.model.errors import NotFoundError, RenderError
from rudder.model.resource import TRACKING_ANNOTATION, Manifest, ResourceKey, key_of, tracking_id


@dataclass(frozen=True, slots=True)
class Desired:
    """Prepared manifests plus the keys whose kinds the server does not know yet but
    that a CRD in the same set defines (they cannot be compared until it is applied)."""

    objects: tuple[Manifest, ...]
    pending_kinds: frozenset[tuple[str, str]]


def _crd_scopes(manifests: list[Manifest]) -> dict[tuple[str, str], bool]:
    scopes: dict[tuple[str, str], bool] = {}
    for obj in manifests:
        if obj.get("kind") == "CustomResourceDefinition" and str(obj.get("apiVersion", "")).startswith(
            "apiextensions.k8s.io/"
        ):
            spec = obj.get("spec") or {}
            kind = str((spec.get("names") or {}).get("kind", ""))
            scopes[(str(spec.get("group", "")), kind)] = spec.get("scope", "Namespaced") == "Namespaced"
    return scopes


async def prepare_desired(
    client: KubeClient, manifests: tuple[Manifest, ...], *, namespace: str, app_instance: str
) -> Desired:
    """Return prepared copies of ``manifests``; raises RenderError naming the first
    object that cannot be handled (no kind/name, kind unknown to the server)."""
    crd_scopes = _crd_scopes(list(manifests))
    prepared: list[Manifest] = []
    pending: set[tuple[str, str]] = set()
    seen: dict[ResourceKey, int] = {}
    for index, source in enumerate(manifests):
        obj = copy.deepcopy(source)
        api_version = str(obj.get("apiVersion") or "")
        kind = str(obj.get("kind") or "")
        meta = obj.setdefault("metadata", {}) if isinstance(obj.get("metadata"), dict | None) else None
        if not api_version or not kind or meta is None:
            raise RenderError(f"manifest #{index + 1}: apiVersion, kind and metadata are required")
        if not meta.get("name") and not meta.get("generateName"):
            raise RenderError(f"{kind} (manifest #{index + 1}): metadata.name is required")
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        try:
            namespaced = (await client.resource(api_version, kind)).namespaced
        except NotFoundError as exc:
            if (group, kind) not in crd_scopes:
                name = meta.get("name") or meta.get("generateName")
                where = f"{kind}/{meta.get('namespace') or namespace}/{name}"
                raise RenderError(f"{where}: {exc}", temporary=True) from exc
            namespaced = crd_scopes[(group, kind)]
            pending.add((group, kind))
        if namespaced:
            if not meta.get("namespace"):
                if not namespace:
                    raise RenderError(
                        f"{kind}/{meta.get('name') or meta.get('generateName')}: namespaced object without a "
                        "namespace; set metadata.namespace or spec.destination.namespace"
                    )
                meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        key = key_of(obj)
        if key.name:
            if key in seen:
                raise RenderError(f"{key}: appears more than once in the rendered manifests")
            seen[key] = index
        annotations = meta.get("annotations") or {}
        annotations[TRACKING_ANNOTATION] = tracking_id(app_instance, key)
        meta["annotations"] = annotations
        prepared.append(obj)
    return Desired(objects=tuple(prepared), pending_kinds=frozenset(pending))
