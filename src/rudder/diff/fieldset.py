"""Parser for ``metadata.managedFields[].fieldsV1`` (the ``f:``/``k:``/``v:``/``i:``
field-set format of server-side apply) and the fields each manager owns. Used by
ignore for ``managedFieldsManagers``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rudder.diff.path import ItemKey, ItemValue, Path, Step


def parse_step(token: str) -> Step:
    """One field-set key: ``f:name`` (map field), ``k:{json}`` (list item by key
    fields), ``v:json`` (set item by value), ``i:3`` (list item by index)."""
    prefix, sep, rest = token.partition(":")
    if not sep:
        raise ValueError(f"fieldsV1: {token!r} has no type prefix")
    if prefix == "f":
        return rest
    if prefix == "k":
        fields = json.loads(rest)
        if not isinstance(fields, dict) or not fields:
            raise ValueError(f"fieldsV1: {token!r}: a key must be a non-empty JSON object")
        return ItemKey.of(fields)
    if prefix == "v":
        return ItemValue.of(json.loads(rest))
    if prefix == "i":
        if not rest.isdigit():
            raise ValueError(f"fieldsV1: {token!r}: an index must be a number")
        return int(rest)
    raise ValueError(f"fieldsV1: {token!r} has an unknown prefix {prefix!r}")


def leaf_paths(fields: Mapping[str, Any]) -> list[Path]:
    """The paths a field set owns outright: its leaves. A node marked ``.`` that also
    has children contributes only its children (as server-side apply's ``Leaves``)."""
    out: list[Path] = []

    def walk(node: Mapping[str, Any], prefix: Path) -> None:
        children = [(key, value) for key, value in node.items() if key != "."]
        if not children:
            if prefix:
                out.append(prefix)
            return
        for key, value in children:
            if value is not None and not isinstance(value, Mapping):
                raise ValueError(f"fieldsV1: {key!r}: expected an object")
            walk(value or {}, (*prefix, parse_step(key)))

    walk(fields, ())
    return out


def owned_paths(managed_fields: Iterable[Any], managers: Iterable[str]) -> list[Path]:
    """Leaf paths owned by any of ``managers`` in ``managed_fields`` (the raw
    ``metadata.managedFields`` list). Malformed entries are skipped: they come from
    the API server, and a bad one must not break the comparison of the whole app."""
    wanted = set(managers)
    out: list[Path] = []
    seen: set[Path] = set()
    for entry in managed_fields:
        if not isinstance(entry, Mapping) or entry.get("manager") not in wanted:
            continue
        fields = entry.get("fieldsV1")
        if not isinstance(fields, Mapping):
            continue
        try:
            paths = leaf_paths(fields)
        except (ValueError, json.JSONDecodeError):
            continue
        for path in paths:
            if path not in seen:
                seen.add(path)
                out.append(path)
    return out
