"""What is never a difference: server-managed metadata, status, the last-applied
annotation, nulls and empty values the API server drops, and Secret ``stringData``
(folded into ``data`` as the API server does). Used by compare and the reconciler."""

from __future__ import annotations

import base64
from typing import Any

from rudder.model.resource import Manifest

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"

SERVER_METADATA = (
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
"""metadata fields the API server owns; never part of a desired state."""


def is_secret(obj: Manifest | None) -> bool:
    return obj is not None and obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def normalize(obj: Manifest) -> Manifest:
    """A copy of ``obj`` without anything that is never a difference. Idempotent."""
    # _prune builds new maps and lists all the way down, so the result is a deep copy
    # without first copying what is dropped anyway (status, managedFields).
    top = {key: value for key, value in obj.items() if key != "status"}
    if isinstance(top.get("metadata"), dict):
        top["metadata"] = {k: v for k, v in top["metadata"].items() if k not in SERVER_METADATA}
    out: Manifest = _prune(top)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(LAST_APPLIED_ANNOTATION, None)
        for field in ("annotations", "labels"):
            if meta.get(field) == {}:
                del meta[field]
    if is_secret(out):
        _fold_string_data(out)
    return out


def _prune(value: Any) -> Any:
    """Drop null values and empty lists from maps, recursively: the API server never
    stores a null and omits empty lists, so neither can be a difference."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item is not None and item != []}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def _fold_string_data(secret: Manifest) -> None:
    string_data = secret.pop("stringData", None)
    if not isinstance(string_data, dict) or not string_data:
        return
    data = secret.get("data")
    if not isinstance(data, dict):
        data = {}
        secret["data"] = data
    for key, value in string_data.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        data[key] = base64.b64encode(text.encode()).decode()


def is_empty(value: Any) -> bool:
    """Null, an empty list, or a map holding only empty values: the same as absent."""
    if value is None or value == []:
        return True
    return isinstance(value, dict) and all(is_empty(item) for item in value.values())


def align_empty(a: Any, b: Any) -> tuple[Any, Any]:
    """Copies of ``a`` and ``b`` where a key holding an empty value on one side and
    absent on the other is dropped from that side, so that ``{}`` vs missing is no
    difference while ``emptyDir: {}`` present on both sides stays visible."""
    if isinstance(a, dict) and isinstance(b, dict):
        left: dict[str, Any] = {}
        right: dict[str, Any] = {}
        for key in a.keys() | b.keys():
            if key in a and key in b:
                left[key], right[key] = align_empty(a[key], b[key])
            elif key in a and not is_empty(a[key]):
                left[key] = a[key]
            elif key in b and not is_empty(b[key]):
                right[key] = b[key]
        return _ordered(left, a), _ordered(right, b)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = [align_empty(x, y) for x, y in zip(a, b, strict=True)]
        return [x for x, _ in pairs], [y for _, y in pairs]
    return a, b


def _ordered(aligned: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    return {key: aligned[key] for key in original if key in aligned}
