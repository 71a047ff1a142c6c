"""Renders a Kustomize app with ``kubectl kustomize``. ``spec.source.kustomize`` overrides
(images, namePrefix/Suffix, commonLabels/Annotations, namespace, replicas) go into a
temporary overlay that references the app directory, so the read-only export is never
modified. Unlike Argo CD's in-place ``kustomize edit``, a namePrefix/Suffix adds to one
already in the app's kustomization instead of replacing it. Called by render.manifests."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from rudder.model.application import KustomizeSource
from rudder.model.errors import RenderError
from rudder.model.resource import Manifest
from rudder.model.toolchain import find_tool
from rudder.render.buildenv import BuildEnv
from rudder.render.documents import parse_manifests
from rudder.render.process import run_tool
from rudder.render.request import Checkout

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def find_kustomization(directory: Path) -> Path | None:
    """The kustomization file of ``directory``, in kustomize's order of preference."""
    for name in KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    return None


def parse_image(text: str) -> dict[str, str]:
    """An Argo CD / ``kustomize edit set image`` override → a kustomization ``images``
    entry: ``nginx:1.2``, ``nginx=registry/nginx:1.2``, ``nginx@sha256:…``."""
    name, sep, new = text.strip().partition("=")
    if not sep:
        new, name = name, ""
    new_name, tag, digest = new, "", ""
    if "@" in new:
        new_name, digest = new.split("@", 1)
    else:
        slash, colon = new.rfind("/"), new.rfind(":")
        if colon > slash:
            new_name, tag = new[:colon], new[colon + 1 :]
    name = name or new_name
    if not name:
        raise RenderError(f"kustomize image override {text!r}: no image name")
    entry = {"name": name}
    if new_name and new_name != name:
        entry["newName"] = new_name
    if tag:
        entry["newTag"] = tag
    if digest:
        entry["digest"] = digest
    return entry


def overlay_kustomization(spec: KustomizeSource, resource: str, env: BuildEnv) -> dict[str, Any]:
    """The overlay's kustomization: ``resource`` (the app dir) plus every override set."""
    doc: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [resource],
    }
    if spec.name_prefix:
        doc["namePrefix"] = env.expand(spec.name_prefix)
    if spec.name_suffix:
        doc["nameSuffix"] = env.expand(spec.name_suffix)
    if spec.namespace:
        doc["namespace"] = env.expand(spec.namespace)
    if spec.images:
        doc["images"] = [parse_image(env.expand(image)) for image in spec.images]
    if spec.common_labels:
        doc["commonLabels"] = {k: env.expand(v) for k, v in spec.common_labels}
    if spec.common_annotations:
        doc["commonAnnotations"] = {k: env.expand(v) for k, v in spec.common_annotations}
    if spec.replicas:
        doc["replicas"] = [{"name": name, "count": count} for name, count in spec.replicas]
    return doc


def _has_overrides(spec: KustomizeSource | None) -> bool:
    if spec is None:
        return False
    return bool(
        spec.name_prefix
        or spec.name_suffix
        or spec.namespace
        or spec.images
        or spec.common_labels
        or spec.common_annotations
        or spec.replicas
    )


def _write_overlay(spec: KustomizeSource, checkout: Checkout, overlay: Path) -> None:
    # kustomize refuses absolute resource paths; a relative one may leave the overlay root.
    resource = os.path.relpath(checkout.app_dir, overlay)
    document = overlay_kustomization(spec, resource, checkout.env)
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


async def render_kustomize(spec: KustomizeSource | None, checkout: Checkout) -> list[Manifest]:
    """``kubectl kustomize`` of the app directory, with the overrides applied."""
    shown = checkout.path or "."
    if await asyncio.to_thread(find_kustomization, checkout.app_dir) is None:
        raise RenderError(
            f"kustomize {shown}: no kustomization.yaml, kustomization.yml or Kustomization in the directory"
        )
    kubectl = find_tool("kubectl")
    env = {**os.environ, "KUSTOMIZE_PLUGIN_HOME": "/nonexistent"}
    if spec is None or not _has_overrides(spec):
        out = await run_tool(
            [kubectl, "kustomize", str(checkout.app_dir)],
            tool="kustomize",
            path=shown,
            timeout=checkout.options.timeout,
            env=env,
            hide=(checkout.root,),
        )
    else:
        with tempfile.TemporaryDirectory(prefix="rudder-kustomize-", dir=checkout.options.work_dir) as tmp:
            overlay = Path(tmp)
            await asyncio.to_thread(_write_overlay, spec, checkout, overlay)
            out = await run_tool(
                [kubectl, "kustomize", str(overlay)],
                tool="kustomize",
                path=shown,
                timeout=checkout.options.timeout,
                env=env,
                hide=(checkout.root, overlay),
            )
    return parse_manifests(out.decode("utf-8", "replace"), origin=f"kustomize output of {shown}")
