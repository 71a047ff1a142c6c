"""Per-resource comparison of desired and live state: the server-side-apply dry-run
result against the live object when there is one, otherwise "every field in Git has
its value live", both after normalisation and ignoreDifferences. Called by the
reconciler's comparison stage for every tracked object."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rudder.diff.ignore import strip_ignored
from rudder.diff.normalize import is_empty, normalize
from rudder.diff.text import mask_secrets, unified_diff
from rudder.model.application import IgnoreDifference
from rudder.model.resource import Manifest, ResourceKey
from rudder.model.sync import SyncStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceDiff:
    """The comparison of one object, as values. ``live`` and ``target`` are the
    normalised states that were compared (ignored fields removed, Secret values
    masked); ``diff`` is the unified diff between them, empty when Synced."""

    key: ResourceKey
    status: SyncStatus
    diff: str = ""
    live: Manifest | None = None
    target: Manifest | None = None
    server_side: bool = False
    message: str = ""


def compare(
    key: ResourceKey,
    *,
    desired: Manifest | None,
    predicted: Manifest | None,
    live: Manifest | None,
    rules: Sequence[IgnoreDifference] = (),
) -> ResourceDiff:
    """Compare one object. ``desired`` is the rendered manifest (None: the object is
    no longer in Git), ``predicted`` the server-side-apply dry-run result (None when
    the dry run could not be done), ``live`` the cluster's object (None: missing).
    Raises ConfigError for a malformed ignoreDifferences rule."""
    if desired is None and live is None:
        raise ValueError(f"{key}: nothing to compare (neither desired nor live)")
    record = _managed_fields(live)

    def prepare(obj: Manifest) -> Manifest:
        return strip_ignored(normalize(obj), rules, key=key, managed_fields=record)

    live_state = prepare(live) if live is not None else None
    target: Manifest | None = None
    server_side = predicted is not None and desired is not None
    if desired is not None:
        if predicted is not None:
            target = prepare(predicted)
        elif live_state is not None:
            target = overlay(live_state, prepare(desired))
        else:
            target = prepare(desired)

    if live_state is None:
        status, message = SyncStatus.OUT_OF_SYNC, "resource is missing from the cluster"
    elif target is None:
        status, message = SyncStatus.OUT_OF_SYNC, "resource is not in the desired state (requires pruning)"
    elif equivalent(target, live_state):
        status, message = SyncStatus.SYNCED, ""
    else:
        status, message = SyncStatus.OUT_OF_SYNC, ""
    diff = "" if status == SyncStatus.SYNCED else unified_diff(key, live_state, target)
    shown_target, shown_live = mask_secrets([target, live_state])
    return ResourceDiff(
        key=key,
        status=status,
        diff=diff,
        live=shown_live,
        target=shown_target,
        server_side=server_side,
        message=message,
    )


def _managed_fields(live: Manifest | None) -> list[Any]:
    record = ((live or {}).get("metadata") or {}).get("managedFields")
    return record if isinstance(record, list) else []


def overlay(base: Any, patch: Any) -> Any:
    """``base`` with every field of ``patch`` written over it: maps merge recursively,
    lists of equal length merge element-wise, anything else is replaced. The live
    object as it would look if nothing but the fields in Git changed; used when no
    dry-run result is available."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for field, value in patch.items():
            merged[field] = overlay(base[field], value) if field in base else value
        return merged
    if isinstance(base, list) and isinstance(patch, list) and len(base) == len(patch):
        return [overlay(old, new) for old, new in zip(base, patch, strict=True)]
    return patch


def equivalent(a: Any, b: Any) -> bool:
    """Structural equality where an empty value equals an absent one and a boolean
    never equals a number."""
    if isinstance(a, dict) and isinstance(b, dict):
        for field in a.keys() | b.keys():
            if field in a and field in b:
                if not equivalent(a[field], b[field]):
                    return False
            elif not is_empty(a.get(field, b.get(field))):
                return False
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equivalent(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)
