"""Human-readable differences: normalised objects as YAML and a unified diff from
live to target, with Secret values masked so that equal values get equal masks and a
changed value visibly changes without revealing either side. Used by compare, the
status writer and the API."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Sequence
from typing import Any, overload

import yaml

from rudder.diff.normalize import LAST_APPLIED_ANNOTATION, align_empty, is_secret
from rudder.model.resource import Manifest, ResourceKey

MASK = "++++++++"
"""The first distinct value of a Secret key; each further distinct value gets four
more ``+`` (Argo CD's scheme), so masks never reveal a value's length."""

_SECRET_FIELDS = ("data", "stringData")


def mask_secrets(objs: Sequence[Manifest | None]) -> list[Manifest | None]:
    """Copies of ``objs`` with every Secret value masked consistently across all of
    them: per key, equal values share a mask and different values get different ones.
    Non-Secret objects are returned as copies, unchanged."""
    out = [copy.deepcopy(obj) for obj in objs]
    secrets = [obj for obj in out if obj is not None and is_secret(obj)]
    for field in _SECRET_FIELDS:
        names: list[str] = []
        for obj in secrets:
            values = obj.get(field)
            if isinstance(values, dict):
                names.extend(str(name) for name in values if str(name) not in names)
        for name in names:
            masks: dict[str, str] = {}
            for obj in secrets:
                values = obj.get(field)
                if isinstance(values, dict) and name in values:
                    plain = repr(values[name])
                    masks.setdefault(plain, MASK + "++++" * len(masks))
                    values[name] = masks[plain]
    for obj in secrets:
        annotations = (obj.get("metadata") or {}).get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED_ANNOTATION in annotations:
            # kubectl's copy of the whole manifest, plaintext values included.
            annotations[LAST_APPLIED_ANNOTATION] = MASK
    return out


@overload
def mask_secret(obj: Manifest) -> Manifest: ...
@overload
def mask_secret(obj: None) -> None: ...
def mask_secret(obj: Manifest | None) -> Manifest | None:
    """A copy of ``obj`` safe to show: a Secret's values are masked, anything else is
    unchanged. For the status, the API, events and logs."""
    return mask_secrets([obj])[0]


def to_yaml(obj: Manifest | None) -> str:
    """Stable YAML for display (sorted keys, no line folding); empty for None."""
    if obj is None:
        return ""
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1 << 16)


def unified_diff(key: ResourceKey, live: Manifest | None, target: Manifest | None) -> str:
    """Unified diff from ``live`` to ``target`` (either may be None: missing object or
    object to prune), Secret values masked. Empty when they are the same."""
    masked_target, masked_live = mask_secrets([target, live])
    shown_live: Any = masked_live
    shown_target: Any = masked_target
    if masked_live is not None and masked_target is not None:
        shown_live, shown_target = align_empty(masked_live, masked_target)
    lines = difflib.unified_diff(
        to_yaml(shown_live).splitlines(keepends=True),
        to_yaml(shown_target).splitlines(keepends=True),
        fromfile=f"{key} (live)",
        tofile=f"{key} (target)",
    )
    return "".join(lines)
