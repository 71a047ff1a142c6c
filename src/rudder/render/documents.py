"""Parses YAML and JSON text into Kubernetes objects: multi-document, ``*List`` kinds
flattened, empty documents skipped, errors naming the file and the line. Used by the
directory, kustomize, helm and sops renderers."""

from __future__ import annotations

import json
from typing import Any

import yaml

from rudder.model.errors import RenderError
from rudder.model.resource import Manifest


class _Loader(yaml.CSafeLoader):
    """YAML 1.1 like Kubernetes' own loader, but timestamps stay strings (as in
    sigs.k8s.io/yaml) so every object remains JSON-serialisable."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def _line_of(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "unknown line"


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    if context and context_mark and problem_mark and context_mark.line != problem_mark.line:
        context = f"{context} (started at line {context_mark.line + 1})"
    parts = [str(p) for p in (context, problem) if p]
    return ", ".join(parts) if parts else str(exc).splitlines()[0]


def load_yaml_documents(text: str, *, origin: str) -> list[Any]:
    """Every non-empty document of ``text``; invalid YAML raises RenderError
    ``<origin>: invalid YAML at line N: <problem>``."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.YAMLError as exc:
        raise RenderError(f"{origin}: invalid YAML at {_line_of(exc)}: {_problem(exc)}") from exc


def load_json_document(text: str, *, origin: str) -> Any:
    """One JSON value; invalid JSON raises RenderError naming the file and line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RenderError(f"{origin}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc


def is_object(value: Any) -> bool:
    """Whether ``value`` looks like a Kubernetes object (a map with apiVersion and kind)."""
    return isinstance(value, dict) and bool(value.get("apiVersion")) and bool(value.get("kind"))


def to_manifests(values: list[Any], *, origin: str) -> list[Manifest]:
    """Objects from parsed documents: ``List`` kinds flattened (recursively), anything
    that is not an object raises RenderError naming ``origin`` and the document."""
    out: list[Manifest] = []
    for index, value in enumerate(values, start=1):
        if isinstance(value, list):
            out.extend(to_manifests(value, origin=f"{origin} (document {index})"))
            continue
        if not is_object(value):
            found = type(value).__name__ if not isinstance(value, dict) else "a map without apiVersion/kind"
            raise RenderError(
                f"{origin}: document {index} is not a Kubernetes object (expected apiVersion and kind, "
                f"found {found})"
            )
        kind = str(value["kind"])
        items = value.get("items")
        if kind.endswith("List") and isinstance(items, list):
            out.extend(to_manifests(items, origin=f"{origin} ({kind} items)"))
        else:
            out.append(value)
    return out


def parse_manifests(text: str, *, origin: str) -> list[Manifest]:
    """Multi-document YAML (or JSON) tool output → flattened objects."""
    return to_manifests(load_yaml_documents(text, origin=origin), origin=origin)
