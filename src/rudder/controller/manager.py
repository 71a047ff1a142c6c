"""The controller process: builds the caches and the context, maps watch events to
application keys (Application changes, changes to objects an app tracks), runs the
worker pool over the work queue, and shuts down gracefully (in-flight syncs finish).
Used by ``rudder controller`` and by integration tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.controller.compare import Comparer
from rudder.controller.context import AppKey, ControllerContext, ControllerOptions
from rudder.controller.install import ensure_control_plane
from rudder.controller.queue import ShutdownError, WorkQueue
from rudder.controller.reconciler import reconcile
from rudder.controller.sources import credentials_for
from rudder.model.application import APP_API_VERSION as APP_API
from rudder.model.application import MANIFEST_PATHS_ANNOTATION, REFRESH_ANNOTATION, manifest_paths_match
from rudder.model.errors import SourceError
from rudder.model.resource import TRACKING_ANNOTATION, Manifest, parse_tracking_id
from rudder.observability import metrics
from rudder.observability.logging import get_logger
from rudder.render.cache import RenderCache
from rudder.source.credentials import normalize_url
from rudder.source.mirror import MirrorOptions, Mirrors
from rudder.sync.engine import EngineOptions, SyncEngine

log = get_logger(__name__)
REPO_SECRET_SELECTOR = "argocd.argoproj.io/secret-type in (repository,repo-creds)"


def _app_changed(obj: Manifest, previous: Manifest | None) -> bool:
    """Whether an Application event needs a reconcile (our own status writes do not)."""
    if previous is None:
        return True
    meta, old = obj.get("metadata") or {}, previous.get("metadata") or {}
    annotations = dict(meta.get("annotations") or {})
    old_annotations = dict(old.get("annotations") or {})
    if annotations.pop(REFRESH_ANNOTATION, None):
        return True  # a refresh was requested (its removal by us is not news)
    old_annotations.pop(REFRESH_ANNOTATION, None)
    return (
        meta.get("generation") != old.get("generation")
        or annotations != old_annotations
        or meta.get("labels") != old.get("labels")
        or meta.get("deletionTimestamp") != old.get("deletionTimestamp")
        or meta.get("finalizers") != old.get("finalizers")
    )


@dataclass
class _Stats:
    reconciles: int = 0
    failures: int = 0


class Controller:
    def __init__(self, client: KubeClient, options: ControllerOptions | None = None) -> None:
        self.options = options or ControllerOptions()
        self.client = client
        self.queue: WorkQueue[AppKey] = WorkQueue()
        live = LiveCache(client)
        self.ctx = ControllerContext(
            client=client,
            live=live,
            apps=LiveCache(client),
            projects=LiveCache(client, namespace=self.options.control_namespace),
            repo_secrets=LiveCache(
                client, namespace=self.options.control_namespace, label_selector=REPO_SECRET_SELECTOR
            ),
            mirrors=Mirrors(
                MirrorOptions(
                    cache_dir=self.options.cache_dir / "git",
                    timeout=self.options.git_timeout,
                    revision_ttl=self.options.revision_reuse,
                )
            ),
            comparer=Comparer(client, live),
            engine=SyncEngine(client, live, EngineOptions(wave_timeout=self.options.wave_timeout)),
            render_cache=RenderCache(),
            options=self.options,
        )
        self.ctx.on_new_commit = self._new_commit
        self._workers: list[asyncio.Task[None]] = []
        self._housekeeping: asyncio.Task[None] | None = None
        self._in_flight: set[AppKey] = set()
        self._announced: dict[tuple[str, str], str] = {}
        self.stats = _Stats()

    async def start(self) -> None:
        await ensure_control_plane(self.client, self.options.control_namespace)
        self.ctx.apps.subscribe(self._on_app)
        self.ctx.live.subscribe(self._on_live)
        self.ctx.projects.subscribe(self._on_project)
        await self.ctx.projects.ensure(APP_API, "AppProject")
        await self.ctx.repo_secrets.ensure("v1", "Secret")
        await self.ctx.apps.ensure(APP_API, "Application")
        for app in self.ctx.apps.objects(APP_API, "Application"):
            self._enqueue_app(app, background=True)
        self._workers = [
            asyncio.create_task(self._work(i), name=f"reconcile-worker-{i}")
            for i in range(self.options.workers)
        ]
        self._housekeeping = asyncio.create_task(self._prune_exports(), name="prune-exports")
        log.info("controller_started", workers=self.options.workers, namespaces=list(self.options.namespaces))

    async def stop(self, *, grace: float = 300.0) -> None:
        """Stop taking work, let in-flight reconciles (and their syncs) finish, close caches."""
        self.queue.shutdown()
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
        if self._workers:
            _, pending = await asyncio.wait(self._workers, timeout=grace)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for cache in (self.ctx.apps, self.ctx.live, self.ctx.projects, self.ctx.repo_secrets):
            await cache.close()
        log.info("controller_stopped", reconciles=self.stats.reconciles)

    def refresh(self, namespace: str, name: str) -> None:
        """Reconcile one app now (used by webhooks and tests)."""
        self.queue.add((namespace, name))

    # -- events ----------------------------------------------------------------------

    def _enqueue_app(self, app: Manifest, *, background: bool = False) -> None:
        meta = app.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        if self.ctx.manages(namespace):
            self.queue.add((namespace, str(meta.get("name"))), background=background)

    def _on_app(self, event_type: str, obj: Manifest, previous: Manifest | None) -> None:
        if event_type == "DELETED" or _app_changed(obj, previous):
            self._enqueue_app(obj)
            annotations = (obj.get("metadata") or {}).get("annotations") or {}
            if annotations.get(REFRESH_ANNOTATION):
                log.info("refresh_requested", app=(obj.get("metadata") or {}).get("name"))

    def _on_live(self, _: str, obj: Manifest, previous: Manifest | None) -> None:
        for candidate in (obj, previous):
            if candidate is None:
                continue
            annotations = (candidate.get("metadata") or {}).get("annotations") or {}
            info = parse_tracking_id(str(annotations.get(TRACKING_ANNOTATION, "")))
            if info is None:
                continue
            instance = info.app_instance
            if "_" in instance:
                namespace, name = instance.split("_", 1)
            else:
                namespace, name = self.options.control_namespace, instance
            if self.ctx.manages(namespace) and self.ctx.app((namespace, name)) is not None:
                self.queue.add((namespace, name))

    async def _new_commit(
        self, origin: AppKey, repo_url: str, target_revision: str, previous: str, sha: str
    ) -> None:
        """One app's refresh found a new commit: refresh now, in the background lane, every
        other app that follows the same branch of the same repository, instead of at its own
        next poll. An app with ``manifest-generate-paths`` is refreshed only when the commit
        touches its paths (as a webhook would); otherwise its own poll records the revision.
        Each commit is announced once: the siblings that then see it do not walk every app."""
        wanted = normalize_url(repo_url)
        if self._announced.get((wanted, target_revision)) == sha:
            return
        self._announced[(wanted, target_revision)] = sha
        changes: dict[str, tuple[str, ...] | None] = {}
        for app in self.ctx.apps.objects(APP_API, "Application"):
            meta = app.get("metadata") or {}
            key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
            source = (app.get("spec") or {}).get("source") or {}
            if key == origin or not self.ctx.manages(key[0]):
                continue
            if str(source.get("targetRevision") or "HEAD") != target_revision:
                continue
            if normalize_url(str(source.get("repoURL") or "")) != wanted:
                continue
            memory = self.ctx.remember(key)
            old = memory.revision
            if not old or old == sha:
                continue
            if MANIFEST_PATHS_ANNOTATION in (meta.get("annotations") or {}):
                if old not in changes:
                    changes[old] = await self._changed_paths(repo_url, old, sha)
                files = changes[old]
                if files is not None and not manifest_paths_match(app, str(source.get("path") or ""), files):
                    continue
            memory.poll_now = True
            self.queue.add(key, background=True)

    async def _changed_paths(self, repo_url: str, old: str, new: str) -> tuple[str, ...] | None:
        """Files changed between two commits; None when Git cannot tell (then every
        sibling refreshes)."""
        try:
            return await self.ctx.mirrors.changed_paths(
                repo_url, old, new, credentials=credentials_for(self.ctx, repo_url)
            )
        except SourceError as err:
            log.warning("changed_paths_unknown", error=str(err))
            return None

    def _on_project(self, _: str, __: Manifest, ___: Manifest | None) -> None:
        for app in self.ctx.apps.objects(APP_API, "Application"):
            self._enqueue_app(app, background=True)

    async def _prune_exports(self) -> None:
        """Keep the disk bounded: old commits' exported trees go after a while."""
        retention = self.options.export_retention
        while True:
            await asyncio.sleep(max(retention / 4, 1.0))
            try:
                await asyncio.to_thread(self.ctx.mirrors.prune_exports, older_than=retention)
            except OSError as exc:
                log.warning("exports_prune_failed", error=str(exc))

    # -- workers ---------------------------------------------------------------------

    async def _work(self, index: int) -> None:
        while True:
            try:
                key = await self.queue.get()
            except ShutdownError:
                return
            self._in_flight.add(key)
            started = time.perf_counter()
            try:
                delay = await reconcile(self.ctx, key)
                self.queue.forget(key)
                if delay is not None:
                    self.queue.add_after(key, delay)
            except Exception:
                self.stats.failures += 1
                log.exception("reconcile_crashed", app=f"{key[0]}/{key[1]}", worker=index)
                self.queue.add_rate_limited(key)
            finally:
                self.stats.reconciles += 1
                metrics.RECONCILE_SECONDS.observe(time.perf_counter() - started)
                metrics.WORKQUEUE_DEPTH.set(self.queue.depth)
                self._in_flight.discard(key)
                self.queue.done(key)
