"""Typed reads of the raw fields health checks look at (integers, conditions,
generation), raising TypeError on malformed input. Used by every health check."""

from __future__ import annotations

from typing import Any

from rudder.model.resource import Manifest


def section(obj: Manifest, name: str) -> Manifest:
    """``obj[name]`` as a map (``spec``, ``status``, ``metadata``); empty when absent."""
    value = obj.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{name}: expected a map, got {type(value).__name__}")
    return value


def integer(mapping: Manifest, field: str, default: int = 0) -> int:
    """An integer field; ``default`` when absent. Booleans and strings are rejected,
    as the API server's typed conversion would."""
    value: Any = mapping.get(field)
    if value is None:
        return default
    if isinstance(value, bool):
        raise TypeError(f"{field}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"{field}: expected an integer, got {value!r}")


def text(mapping: Manifest, field: str) -> str:
    """A string field; empty when absent."""
    value: Any = mapping.get(field)
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return str(value)
    raise TypeError(f"{field}: expected a string, got {type(value).__name__}")


def generation(obj: Manifest) -> int:
    return integer(section(obj, "metadata"), "generation")


def name(obj: Manifest) -> str:
    return text(section(obj, "metadata"), "name")


def conditions(status: Manifest) -> list[Manifest]:
    """``status.conditions`` as a list of maps; malformed entries are rejected."""
    value = status.get("conditions")
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"status.conditions: expected a list, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, dict):
            raise TypeError("status.conditions: every condition must be a map")
    return value


def condition(status: Manifest, kind: str) -> Manifest | None:
    """The first condition of type ``kind``, if any."""
    for item in conditions(status):
        if item.get("type") == kind:
            return item
    return None


def is_true(cond: Manifest | None) -> bool:
    return cond is not None and str(cond.get("status", "")) == "True"
