"""Chooses the tool for a source as Argo CD does: an explicit ``helm``, ``kustomize``
or ``directory`` block wins (more than one is an error); otherwise a kustomization file
means Kustomize, a Chart.yaml means Helm, anything else is a Directory."""

from __future__ import annotations

from pathlib import Path

from rudder.model.application import Source
from rudder.model.errors import RenderError
from rudder.render.kustomize import find_kustomization
from rudder.render.request import Tool


def explicit_tool(source: Source) -> Tool | None:
    """The tool named by the spec, if any; RenderError when several are named."""
    named = [
        tool
        for tool, block in (
            (Tool.KUSTOMIZE, source.kustomize),
            (Tool.HELM, source.helm),
            (Tool.DIRECTORY, source.directory),
        )
        if block is not None
    ]
    if len(named) > 1:
        raise RenderError(
            f"spec.source: multiple application source types defined ({', '.join(named)}); keep one"
        )
    return named[0] if named else None


def detect_tool(source: Source, app_dir: Path) -> Tool:
    """The tool that renders ``source`` checked out at ``app_dir``."""
    explicit = explicit_tool(source)
    if explicit is not None:
        return explicit
    # Argo CD's discovery lets Kustomize win over Helm in the same directory.
    if find_kustomization(app_dir) is not None:
        return Tool.KUSTOMIZE
    if (app_dir / "Chart.yaml").is_file():
        return Tool.HELM
    return Tool.DIRECTORY
