"""The values that go into and come out of rendering: RenderRequest (what to render),
RenderOptions (how), RenderResult (the manifests) and the Checkout handed to each
renderer. Built by the controller, consumed by render.manifests and the renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from rudder.model.application import Source
from rudder.model.resource import Manifest
from rudder.render.buildenv import BuildEnv

if TYPE_CHECKING:
    from rudder.render.cache import RenderCache


class Tool(StrEnum):
    """Argo CD's application source types that Rudder renders."""

    DIRECTORY = "Directory"
    KUSTOMIZE = "Kustomize"
    HELM = "Helm"


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderRequest:
    """Render ``source`` at commit ``revision`` from the read-only export ``root``
    (``Mirrors.export``) for the app ``app_name`` deploying to ``namespace``."""

    source: Source
    root: Path
    revision: str
    app_name: str
    namespace: str = ""
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """``timeout`` bounds every tool run (seconds); ``age_keys`` decrypt sops documents
    (never shown in repr); ``work_dir`` holds temp files (system temp if None);
    ``cache`` makes an unchanged app skip rendering."""

    timeout: float = 90.0
    age_keys: tuple[str, ...] = field(default=(), repr=False)
    work_dir: Path | None = None
    cache: RenderCache | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderResult:
    """The desired objects, in render order, and the tool that produced them.
    Treat ``manifests`` as read-only; a cache hit hands out a private copy."""

    manifests: tuple[Manifest, ...]
    tool: Tool
    from_cache: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkout:
    """What a renderer works on: the repository ``root``, the app directory inside it,
    its repo-relative ``path`` (for messages), the build env and the options.
    ``writable`` is true for a temporary copy that a tool may change."""

    root: Path
    app_dir: Path
    path: str
    env: BuildEnv
    options: RenderOptions
    request: RenderRequest
    writable: bool = False
