"""Renders a plain directory as Argo CD does: ``*.yaml``/``*.yml``/``*.json`` files
(multi-document, ``List`` kinds flattened) and ``*.jsonnet`` files, optionally recursive,
filtered by ``include``/``exclude`` globs. Called by render.manifests."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from rudder.model.application import DirectorySource
from rudder.model.errors import RenderError
from rudder.model.resource import Manifest
from rudder.observability.logging import get_logger
from rudder.render.confine import confine
from rudder.render.documents import is_object, load_json_document, load_yaml_documents, to_manifests
from rudder.render.glob import glob_match
from rudder.render.jsonnet import evaluate_jsonnet
from rudder.render.request import Checkout
from rudder.render.sops import decrypt_file, is_encrypted

log = get_logger(__name__)

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", ".jsonnet")
_RESOURCE_MARKERS = ("apiVersion:", "kind:", "metadata:")


def list_files(app_dir: Path, spec: DirectorySource) -> list[str]:
    """App-relative paths of the files to render, in lexical walk order (as Go's
    filepath.Walk), after ``recurse``, ``include`` and ``exclude``."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(app_dir):
        dirnames.sort()
        if not spec.recurse:
            dirnames.clear()
        for name in sorted(filenames):
            if not name.endswith(_MANIFEST_SUFFIXES):
                continue
            rel = Path(dirpath, name).relative_to(app_dir).as_posix()
            if spec.exclude and glob_match(spec.exclude, rel):
                continue
            if spec.include and not glob_match(spec.include, rel):
                continue
            found.append(rel)
    return sorted(found, key=lambda rel: rel.split("/"))


def _encrypted(documents: list[Any]) -> bool:
    return any(isinstance(doc, dict) and is_encrypted(doc) for doc in documents)


def _yaml_file(text: str, origin: str) -> list[Manifest]:
    # Argo CD ignores YAML that is not Kubernetes objects (values files, CI configs)
    # unless it looks like a resource. Unlike Argo CD, a syntax error in a file that
    # mentions apiVersion or kind is always reported rather than silently skipped.
    try:
        documents = load_yaml_documents(text, origin=origin)
    except RenderError:
        if any(marker in text for marker in _RESOURCE_MARKERS[:2]):
            raise
        log.debug("file_skipped", file=origin, reason="invalid YAML that is not a manifest")
        return []
    try:
        return to_manifests(documents, origin=origin)
    except RenderError:
        if all(marker in text for marker in _RESOURCE_MARKERS) or any(is_object(doc) for doc in documents):
            raise
        log.debug("file_skipped", file=origin, reason="not a Kubernetes manifest")
        return []


def _json_value(value: Any, origin: str) -> list[Manifest]:
    values = value if isinstance(value, list) else [value]
    return to_manifests(values, origin=origin)


async def render_directory(spec: DirectorySource, checkout: Checkout) -> list[Manifest]:
    """All objects of the app directory, file by file in walk order."""
    files = await asyncio.to_thread(list_files, checkout.app_dir, spec)
    manifests: list[Manifest] = []
    for rel in files:
        path = checkout.app_dir / rel
        origin = f"{checkout.path}/{rel}" if checkout.path else rel
        if rel.endswith(".jsonnet"):
            manifests += _json_value(await evaluate_jsonnet(path, spec.jsonnet, checkout), origin)
            continue
        real = confine(checkout.root, path, what="file")
        try:
            text = await asyncio.to_thread(real.read_text, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RenderError(f"{origin}: cannot read: {exc}") from exc
        if rel.endswith(".json"):
            value = load_json_document(text, origin=origin)
            if _encrypted([value]):
                text = await decrypt_file(real, origin=origin, options=checkout.options)
                value = load_json_document(text, origin=origin)
            manifests += _json_value(value, origin)
            continue
        objects = _yaml_file(text, origin)
        if _encrypted(objects):
            text = await decrypt_file(real, origin=origin, options=checkout.options)
            objects = _yaml_file(text, origin)
        manifests += objects
    return manifests
