"""``spec.ignoreDifferences``: which rules apply to an object, the fields they select
(jsonPointers, jqPathExpressions, managedFieldsManagers), removing those fields
before a comparison (``strip_ignored``) and keeping their live values at sync time
(``preserve_ignored``). Called by compare and by the sync engine."""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

import jq

from rudder.diff import path as paths
from rudder.diff.fieldset import owned_paths
from rudder.diff.normalize import SERVER_METADATA, is_empty
from rudder.diff.path import ItemKey, Path
from rudder.diff.pointer import parse_pointer
from rudder.model.application import IgnoreDifference
from rudder.model.errors import ConfigError
from rudder.model.resource import Manifest, ResourceKey, key_of

_NEVER_APPLIED: tuple[Path, ...] = (("status",), *(("metadata", field) for field in SERVER_METADATA))


def matches(rule: IgnoreDifference, key: ResourceKey) -> bool:
    """Whether ``rule`` selects the object ``key``. Empty fields match anything; group
    and kind also accept globs (``*``), as Argo CD does."""
    return (
        (not rule.group or fnmatch.fnmatchcase(key.group, rule.group))
        and (not rule.kind or fnmatch.fnmatchcase(key.kind, rule.kind))
        and (not rule.name or rule.name == key.name)
        and (not rule.namespace or rule.namespace == key.namespace)
    )


def rules_for(key: ResourceKey, rules: Iterable[IgnoreDifference]) -> list[IgnoreDifference]:
    return [rule for rule in rules if matches(rule, key)]


def validate(rules: Iterable[IgnoreDifference]) -> None:
    """Raise ConfigError naming the first malformed jsonPointer or jq expression, so
    the controller can report it once instead of per object."""
    for index, rule in enumerate(rules):
        where = f"spec.ignoreDifferences[{index}]"
        for pointer in rule.json_pointers:
            try:
                parse_pointer(pointer)
            except ConfigError as exc:
                raise ConfigError(f"{where}.{exc}") from exc
        for expression in rule.jq_path_expressions:
            try:
                _compiled(expression, wrapper="del({})")
            except ConfigError as exc:
                raise ConfigError(f"{where}.{exc}") from exc


def strip_ignored(
    obj: Manifest,
    rules: Sequence[IgnoreDifference],
    *,
    key: ResourceKey | None = None,
    managed_fields: Sequence[Any] | None = None,
) -> Manifest:
    """A copy of ``obj`` without the fields the rules matching ``key`` (default: the
    object's own key) ignore. ``managed_fields`` is the ownership record used for
    managedFieldsManagers; pass the live object's so both sides of a comparison lose
    the same fields (default: ``obj``'s own). Pointers that select nothing and jq
    expressions that fail on this object are skipped, as in Argo CD; malformed ones
    raise ConfigError."""
    applicable = rules_for(key or key_of(obj), rules)
    result = copy.deepcopy(obj)
    for rule in applicable:
        for pointer in rule.json_pointers:
            paths.delete(result, parse_pointer(pointer))
        for expression in rule.jq_path_expressions:
            result = _jq_delete(result, expression)
    managers = [manager for rule in applicable for manager in rule.managed_fields_managers]
    if managers:
        record = managed_fields if managed_fields is not None else _managed_fields(obj)
        _strip_owned(result, owned_paths(record, managers))
    if applicable:
        _drop_emptied_items(result)
    return result


def preserve_ignored(
    desired: Manifest,
    live: Manifest | None,
    rules: Sequence[IgnoreDifference],
    *,
    key: ResourceKey | None = None,
) -> Manifest:
    """A copy of ``desired`` in which every ignored field carries its live value — or
    is absent when the live object lacks it — so that applying it leaves ignored
    fields alone. (Argo CD overwrites them on sync; Rudder does not.) List items that
    jq selects are re-addressed by ``name`` when they have one, so they land on the
    same item in ``desired`` even when the order differs."""
    result = copy.deepcopy(desired)
    if live is None:
        return result
    applicable = rules_for(key or key_of(live), rules)
    selected: list[Path] = []
    for rule in applicable:
        selected.extend(parse_pointer(pointer) for pointer in rule.json_pointers)
        for expression in rule.jq_path_expressions:
            selected.extend(_by_name(live, found) for found in _jq_paths(live, expression))
            selected.extend(_by_name(desired, found) for found in _jq_paths(desired, expression))
    managers = [manager for rule in applicable for manager in rule.managed_fields_managers]
    if managers:
        selected.extend(owned_paths(_managed_fields(live), managers))
    done: set[Path] = set()
    for target in selected:
        if not target or target in done or _never_applied(target):
            continue
        done.add(target)
        value = paths.get(live, target)
        if value is paths.MISSING:
            paths.delete(result, target)
        else:
            paths.put(result, target, copy.deepcopy(value))
    return result


def _never_applied(target: Path) -> bool:
    return any(target[: len(prefix)] == prefix for prefix in _NEVER_APPLIED)


def _managed_fields(obj: Manifest) -> list[Any]:
    record = (obj.get("metadata") or {}).get("managedFields")
    return record if isinstance(record, list) else []


_GONE: Any = object()


def _strip_owned(obj: Manifest, owned: list[Path]) -> None:
    """Delete the owned leaves in place. All are located before any is removed:
    removing ``name`` first would leave the ``k:{"name":...}`` item unfindable."""
    located = [where for where in (paths.resolve(obj, path) for path in owned) if where]
    for where in located:
        container: Any = paths.get(obj, where[:-1])
        container[where[-1]] = _GONE
    _sweep(obj)


def _sweep(value: Any) -> Any:
    if isinstance(value, dict):
        for field in [f for f, v in value.items() if v is _GONE]:
            del value[field]
        for item in value.values():
            _sweep(item)
    elif isinstance(value, list):
        value[:] = [item for item in value if item is not _GONE]
        for item in value:
            _sweep(item)
    return value


def _drop_emptied_items(value: Any) -> None:
    """Remove list items that hold nothing any more (as Argo CD does after applying
    ignore rules), e.g. a container whose every field was ignored."""
    if isinstance(value, dict):
        for item in value.values():
            _drop_emptied_items(item)
    elif isinstance(value, list):
        for item in value:
            _drop_emptied_items(item)
        value[:] = [item for item in value if not (isinstance(item, dict) and is_empty(item))]


@functools.lru_cache(maxsize=512)
def _compiled(expression: str, *, wrapper: str) -> Any:
    """``expression`` compiled inside ``wrapper`` (``del({})`` or ``[path({})]``)."""
    try:
        return jq.compile(wrapper.format(expression))
    except ValueError as exc:
        # jq's position refers to the wrapped program, so only the cause is kept.
        cause = (str(exc).splitlines() or ["syntax error"])[0].split(" at <top-level>")[0]
        raise ConfigError(f"jqPathExpressions: {expression!r} is not a jq path expression: {cause}") from exc


def _jq_input(obj: Manifest) -> str:
    # YAML may hand us dates and other non-JSON scalars; jq sees their text.
    return json.dumps(obj, default=str)


def _jq_delete(obj: Manifest, expression: str) -> Manifest:
    program = _compiled(expression, wrapper="del({})")
    try:
        result = program.input_text(_jq_input(obj)).first()
    except (ValueError, StopIteration):
        return obj  # the expression does not apply to this object: nothing is ignored
    return result if isinstance(result, dict) else obj


def _jq_paths(obj: Manifest, expression: str) -> list[Path]:
    program = _compiled(expression, wrapper="[path({})]")
    try:
        found = program.input_text(_jq_input(obj)).first()
    except (ValueError, StopIteration):
        return []
    out: list[Path] = []
    for item in found if isinstance(found, list) else []:
        if isinstance(item, list) and all(isinstance(step, str | int) for step in item):
            out.append(tuple(item))
    return out


def _by_name(obj: Manifest, concrete: Path) -> Path:
    """Replace list indexes with ``name`` selectors where the item has a name."""
    out: list[paths.Step] = []
    current: Any = obj
    for step in concrete:
        where = paths.locate(current, step)
        if where is None:
            out.extend(concrete[len(out) :])
            break
        item = current[where]
        if isinstance(current, list) and isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append(ItemKey.of({"name": item["name"]}))
        else:
            out.append(step)
        current = item
    return tuple(out)
