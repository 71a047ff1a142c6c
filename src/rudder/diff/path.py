"""Addresses of fields inside a raw object — map keys, list indexes, and list items
selected by key fields or by value (as in managedFields) — with get/put/delete.
Used by the ignoreDifferences rules in ``rudder.diff.ignore``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_INDEX = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class ItemKey:
    """The list item whose fields equal these (``k:{"name":"web"}`` in managedFields)."""

    fields_json: str

    @classmethod
    def of(cls, fields: dict[str, Any]) -> ItemKey:
        return cls(json.dumps(fields, sort_keys=True, separators=(",", ":")))

    def matches(self, item: Any) -> bool:
        if not isinstance(item, dict):
            return False
        fields: dict[str, Any] = json.loads(self.fields_json)
        return all(name in item and _same(item[name], value) for name, value in fields.items())

    def __str__(self) -> str:
        return f"[{self.fields_json}]"


@dataclass(frozen=True, slots=True)
class ItemValue:
    """The list item equal to this value (``v:"x"`` in managedFields: sets)."""

    value_json: str

    @classmethod
    def of(cls, value: Any) -> ItemValue:
        return cls(json.dumps(value, sort_keys=True, separators=(",", ":")))

    def matches(self, item: Any) -> bool:
        return _same(item, json.loads(self.value_json))

    def __str__(self) -> str:
        return f"[={self.value_json}]"


Step = str | int | ItemKey | ItemValue
"""One hop: a map key (or, on a list, a JSON-pointer index token), a list index, or
a list item selector."""

Path = tuple[Step, ...]

MISSING: Any = object()
"""Returned by ``get`` when nothing lives at the path."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def locate(container: Any, step: Step) -> str | int | None:
    """The concrete key or index ``step`` denotes in ``container``, if present."""
    if isinstance(container, dict):
        return step if isinstance(step, str) and step in container else None
    if not isinstance(container, list):
        return None
    if isinstance(step, bool):
        return None
    if isinstance(step, int):
        return step if 0 <= step < len(container) else None
    if isinstance(step, str):
        if _INDEX.fullmatch(step) and int(step) < len(container):
            return int(step)
        return None
    for index, item in enumerate(container):
        if step.matches(item):
            return index
    return None


def resolve(obj: Any, path: Path) -> tuple[str | int, ...] | None:
    """The concrete keys and indexes ``path`` denotes in ``obj``, or None."""
    out: list[str | int] = []
    current = obj
    for step in path:
        where = locate(current, step)
        if where is None:
            return None
        out.append(where)
        current = current[where]
    return tuple(out)


def get(obj: Any, path: Path) -> Any:
    """The value at ``path``, or ``MISSING``."""
    current = obj
    for step in path:
        where = locate(current, step)
        if where is None:
            return MISSING
        current = current[where]
    return current


def delete(obj: Any, path: Path) -> bool:
    """Remove the value at ``path`` in place; False when there was none."""
    if not path:
        return False
    parent = get(obj, path[:-1])
    if parent is MISSING:
        return False
    where = locate(parent, path[-1])
    if where is None:
        return False
    del parent[where]
    return True


def put(obj: Any, path: Path, value: Any) -> bool:
    """Set the value at ``path`` in place. Missing maps along the way are created;
    missing lists or list items are not (False is returned). A list step that matches
    no item (or the JSON-pointer token ``-``) appends ``value`` as a new item."""
    if not path:
        return False
    current = obj
    for position, step in enumerate(path[:-1]):
        where = locate(current, step)
        if where is None:
            following = path[position + 1]
            if not (isinstance(current, dict) and isinstance(step, str) and isinstance(following, str)):
                return False
            current[step] = {}
            where = step
        current = current[where]
    last = path[-1]
    if isinstance(current, dict):
        if not isinstance(last, str):
            return False
        current[last] = value
        return True
    if not isinstance(current, list):
        return False
    if isinstance(last, str) and not (_INDEX.fullmatch(last) or last == "-"):
        return False
    index = locate(current, last)
    if isinstance(index, int):
        current[index] = value
    else:
        current.append(value)
    return True


def render(path: Path) -> str:
    """A readable form of ``path`` for messages: ``spec.containers[{"name":"web"}].image``."""
    out = ""
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool):
            out += f"[{step}]"
        elif isinstance(step, str):
            out += f".{step}" if out else step
        else:
            out += str(step)
    return out
