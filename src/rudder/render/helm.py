"""Renders a local Helm chart with ``helm template``: release name, namespace, value
files (confined to the repository), values / valuesObject, parameters, file parameters,
CRDs unless skipCrds, kube/API versions, and ``file://`` dependencies built offline in a
temporary copy. Hooks stay in the output with their annotations. Called by render.manifests."""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from rudder.model.application import HelmSource
from rudder.model.errors import RenderError
from rudder.model.resource import Manifest
from rudder.model.toolchain import find_tool
from rudder.render.confine import join_inside
from rudder.render.documents import parse_manifests
from rudder.render.process import run_tool
from rudder.render.request import Checkout
from rudder.render.workspace import writable_copy

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def set_value(value: str) -> str:
    """Escape commas in a ``--set`` value as Argo CD does, except for ``{a,b}`` lists."""
    if value.startswith("{") and value.endswith("}"):
        return value
    return _UNESCAPED_COMMA.sub(r"\\,", value)


def _dependencies(chart_dir: Path) -> list[dict[str, Any]]:
    files = [chart_dir / "Chart.yaml", chart_dir / "requirements.yaml"]
    deps: list[dict[str, Any]] = []
    for path in files:
        if not path.is_file():
            continue
        try:
            doc = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise RenderError(f"helm {path.name}: invalid YAML: {exc}") from exc
        if isinstance(doc, dict):
            deps += [d for d in doc.get("dependencies") or [] if isinstance(d, dict)]
    return deps


def _missing_dependencies(chart_dir: Path) -> bool:
    """Whether a declared dependency has no chart in ``charts/`` yet."""
    charts = chart_dir / "charts"
    for dep in _dependencies(chart_dir):
        name = str(dep.get("name", ""))
        if not name:
            continue
        if (charts / name / "Chart.yaml").is_file():
            continue
        if charts.is_dir() and any(charts.glob(f"{name}-*.tgz")):
            continue
        return True
    return False


def _value_files(helm: HelmSource, checkout: Checkout) -> list[str]:
    args: list[str] = []
    for raw in helm.value_files:
        name = checkout.env.expand(raw)
        if _URL.match(name):
            args += ["--values", name]
            continue
        path = join_inside(checkout.root, checkout.app_dir, name, what="helm value file")
        if not path.is_file():
            if helm.ignore_missing_value_files:
                continue
            raise RenderError(f"helm {checkout.path or '.'}: value file {name} not found")
        args += ["--values", str(path)]
    return args


def template_args(helm: HelmSource, checkout: Checkout, values_dir: Path) -> list[str]:
    """Everything after ``helm template <release> <chart>`` for this source."""
    request = checkout.request
    args = _value_files(helm, checkout)
    if helm.values_object is not None:
        inline = values_dir / "values-object.json"
        inline.write_text(json.dumps(helm.values_object))
        args += ["--values", str(inline)]
    elif helm.values.strip():
        inline = values_dir / "values.yaml"
        inline.write_text(helm.values)
        args += ["--values", str(inline)]
    for param in helm.parameters:
        flag = "--set-string" if param.force_string else "--set"
        args += [flag, f"{param.name}={set_value(checkout.env.expand(param.value))}"]
    for param in helm.file_parameters:
        path = join_inside(
            checkout.root, checkout.app_dir, checkout.env.expand(param.value), what="helm file"
        )
        args += ["--set-file", f"{param.name}={path}"]
    namespace = helm.namespace or request.namespace
    if namespace:
        args += ["--namespace", namespace]
    args.append("--skip-crds" if helm.skip_crds else "--include-crds")
    if helm.skip_tests:
        args.append("--skip-tests")
    kube_version = helm.kube_version or request.kube_version
    if kube_version:
        args += ["--kube-version", kube_version]
    for api in helm.api_versions or request.api_versions:
        args += ["--api-versions", api]
    return args


async def render_helm(spec: HelmSource | None, checkout: Checkout) -> list[Manifest]:
    """``helm template`` of the chart in the app directory."""
    helm_bin = find_tool("helm")
    helm = spec or HelmSource()
    shown = checkout.path or "."
    if not (checkout.app_dir / "Chart.yaml").is_file():
        raise RenderError(f"helm template {shown}: no Chart.yaml in the directory")
    release = checkout.env.expand(helm.release_name) or checkout.request.app_name
    with tempfile.TemporaryDirectory(prefix="rudder-helm-", dir=checkout.options.work_dir) as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "HELM_CACHE_HOME": str(work / "cache"),
            "HELM_CONFIG_HOME": str(work / "config"),
            "HELM_DATA_HOME": str(work / "data"),
        }
        chart_dir = checkout.app_dir
        if await asyncio.to_thread(_missing_dependencies, chart_dir):
            copy = checkout.root
            if not checkout.writable:
                copy = work / "repo"
                await asyncio.to_thread(writable_copy, checkout.root, copy)
                chart_dir = copy / checkout.app_dir.relative_to(checkout.root)
            await run_tool(
                [helm_bin, "dependency", "build", "--skip-refresh", str(chart_dir)],
                tool="helm dependency build",
                path=shown,
                timeout=checkout.options.timeout,
                env=env,
                hide=(copy, checkout.root),
            )
        args = template_args(helm, checkout, work)
        out = await run_tool(
            [helm_bin, "template", release, str(chart_dir), *args],
            tool="helm template",
            path=shown,
            timeout=checkout.options.timeout,
            env=env,
            hide=(work / "repo", checkout.root, work),
        )
    return parse_manifests(out.decode("utf-8", "replace"), origin=f"helm template output of {shown}")
