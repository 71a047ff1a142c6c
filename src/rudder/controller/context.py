"""Everything a reconcile needs, built once per controller process: the API client,
watch caches (live objects, Applications, AppProjects, repository Secrets), Git
mirrors, the renderer, the sync engine, options and per-app memory."""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.controller.compare import Comparer
from rudder.model.resource import Manifest, ResourceKey
from rudder.render.cache import RenderCache
from rudder.source.mirror import Mirrors
from rudder.sync.engine import SyncEngine

AppKey = tuple[str, str]
"""(namespace, name) of an Application."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ControllerOptions:
    control_namespace: str = "argocd"
    """Where repository Secrets and AppProjects live; apps here use bare tracking names."""
    namespaces: tuple[str, ...] = ()
    """Namespaces whose Applications are reconciled; empty means all."""
    workers: int = 4
    refresh_interval: float = 120.0
    """Each app polls Git once per interval, at its own fixed point in the interval."""
    cache_dir: Path = Path.home() / ".cache" / "rudder" / "controller"
    render_timeout: float = 90.0
    git_timeout: float = 120.0
    revision_reuse: float = 3.0
    """Seconds a periodic refresh may reuse a branch or tag that another app of the same
    repository resolved; a requested refresh always asks the remote."""
    wave_timeout: float = 600.0
    sops_age_keys: tuple[str, ...] = ()
    export_retention: float = 3600.0
    """Exported trees of commits no app has rendered for this long are deleted."""

    def next_refresh(self, key: AppKey, interval: float | None = None, *, now: float | None = None) -> float:
        """Seconds until ``key``'s next periodic refresh. Every app has a stable phase
        in the interval (a hash of its name), so apps stay spread evenly across it even
        after a restart: polling costs a steady trickle, not a burst, and with many apps
        on one repository some app looks at it every ``interval / N`` seconds."""
        base = self.refresh_interval if interval is None else interval
        phase = (zlib.crc32(f"{key[0]}/{key[1]}".encode()) / 2**32) * base
        moment = time.time() if now is None else now
        due = (math.floor((moment - phase) / base) + 1) * base + phase
        return due - moment


@dataclass
class AppMemory:
    """What the controller remembers about one app between reconciles."""

    revision: str = ""
    source_hash: str = ""
    next_poll: float = 0.0
    """Wall-clock time of the app's next scheduled look at Git (its phase point)."""
    poll_now: bool = False
    """Set when another app of the same repository found a new commit."""
    generation: int = 0
    self_heal_attempts: int = 0
    desired: tuple[Manifest, ...] = ()
    desired_for: str = ""  # f"{revision}:{source_hash}"


@dataclass
class ControllerContext:
    client: KubeClient
    live: LiveCache
    apps: LiveCache
    projects: LiveCache
    repo_secrets: LiveCache
    mirrors: Mirrors
    comparer: Comparer
    engine: SyncEngine
    render_cache: RenderCache
    options: ControllerOptions
    memory: dict[AppKey, AppMemory] = field(default_factory=dict)
    on_new_commit: Callable[[AppKey, str, str, str, str], Awaitable[None]] | None = None
    """Told (app, repoURL, targetRevision, previous sha, new sha) when a refresh finds a
    new commit."""

    def remember(self, key: AppKey) -> AppMemory:
        return self.memory.setdefault(key, AppMemory())

    def app(self, key: AppKey) -> Manifest | None:
        return self.apps.get(ResourceKey("argoproj.io", "Application", key[0], key[1]))

    def project(self, name: str) -> Manifest | None:
        return self.projects.get(
            ResourceKey("argoproj.io", "AppProject", self.options.control_namespace, name)
        )

    def manages(self, namespace: str) -> bool:
        return not self.options.namespaces or namespace in self.options.namespaces
