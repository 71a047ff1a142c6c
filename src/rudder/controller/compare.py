"""The comparison stage of a reconcile: for each desired object, asks the API server
what a server-side apply would produce (dry run, cached while neither side changes),
compares it with the live object from the watch cache, assesses health, and finds
tracked objects that need pruning and objects owned by another app. Used by the reconciler."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.diff.compare import ResourceDiff
from rudder.diff.compare import compare as compare_resource
from rudder.diff.normalize import normalize
from rudder.health.registry import assess
from rudder.health.rollup import aggregate
from rudder.model.application import IgnoreDifference
from rudder.model.errors import ClusterError
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import TRACKING_ANNOTATION, Manifest, ResourceKey, key_of, parse_tracking_id
from rudder.model.sync import SyncStatus
from rudder.sync.hooks import hook_spec
from rudder.sync.plan import COMPARE_OPTIONS_ANNOTATION

_MISSING = HealthResult(HealthStatus.MISSING, "resource is missing")


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceState:
    key: ResourceKey
    version: str
    desired: Manifest | None
    live: Manifest | None
    status: SyncStatus
    health: HealthResult | None
    requires_pruning: bool = False
    diff: str = ""
    message: str = ""
    shared_with: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    resources: tuple[ResourceState, ...]
    sync_status: SyncStatus
    health: HealthResult
    warnings: tuple[tuple[str, str], ...] = ()  # (condition type, message)
    statuses: dict[ResourceKey, SyncStatus] = field(default_factory=dict)

    @property
    def live(self) -> dict[ResourceKey, Manifest]:
        """Live objects this app owns (never one that another app tracks)."""
        return {r.key: r.live for r in self.resources if r.live is not None and not r.shared_with}


@dataclass(slots=True)
class _Known:
    """What the comparer remembers about one object: the dry-run answer for a desired
    digest on a live digest, and the comparison made from it for one live version."""

    desired_digest: str
    live_version: str
    live_digest: str
    predicted: Manifest | None
    message: str
    rules: tuple[IgnoreDifference, ...] | None = None
    result: ResourceDiff | None = None


def _resource_version(obj: Manifest) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def _digest(obj: Manifest) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def _version_of(obj: Manifest) -> str:
    return str(obj.get("apiVersion", "")).rsplit("/", 1)[-1]


class Comparer:
    """Compares an app's desired objects with the cluster. Keeps the last dry-run result
    per object so an unchanged app costs no API call."""

    def __init__(self, client: KubeClient, cache: LiveCache, *, concurrency: int = 8) -> None:
        self._client = client
        self._cache = cache
        # per app instance: key -> dry-run result and the comparison made from it
        self._predicted: dict[str, dict[ResourceKey, _Known]] = {}
        self._semaphore = asyncio.Semaphore(concurrency)

    async def _predict(
        self, app_instance: str, key: ResourceKey, desired: Manifest, live: Manifest
    ) -> _Known:
        """The dry-run result of applying ``desired`` (None + message when refused)."""
        desired_digest = _digest(desired)
        version = _resource_version(live)
        known = self._predicted.setdefault(app_instance, {})
        cached = known.get(key)
        if cached is not None and version and cached.live_version == version:
            live_digest = cached.live_digest  # same resourceVersion, same object
        else:
            live_digest = _digest(normalize(live))
        if (
            cached is not None
            and cached.desired_digest == desired_digest
            and cached.live_digest == live_digest
        ):
            if cached.live_version != version:
                cached.live_version, cached.result = version, None
            return cached
        async with self._semaphore:
            try:
                predicted: Manifest | None = await self._client.apply(desired, dry_run=True)
                message = ""
            except ClusterError as exc:
                if exc.temporary:
                    raise
                predicted, message = None, str(exc)
        entry = _Known(desired_digest, version, live_digest, predicted, message)
        known[key] = entry
        return entry

    def seed(self, app_instance: str, desired: Manifest, applied: Manifest) -> None:
        """Remember ``applied``, the server's answer to applying ``desired``, as the
        dry-run result for the object it became: applying the same manifest again
        changes nothing, so the comparison right after a sync needs no API call. Any
        later change to the live object changes its digest and brings the dry run back."""
        if not (desired.get("metadata") or {}).get("name"):
            return  # generateName: the object it became is not the one the key names
        known = self._predicted.setdefault(app_instance, {})
        known[key_of(desired)] = _Known(
            _digest(desired), _resource_version(applied), _digest(normalize(applied)), applied, ""
        )

    def forget_app(self, app_instance: str) -> None:
        """Drop what was remembered for an app that no longer exists."""
        self._predicted.pop(app_instance, None)

    async def compare(
        self,
        *,
        app_instance: str,
        desired: tuple[Manifest, ...],
        ignore: tuple[IgnoreDifference, ...],
    ) -> Comparison:
        tracked = self._cache.tracked(app_instance)
        states: list[ResourceState | None] = []
        warnings: list[tuple[str, str]] = []
        desired_keys: set[ResourceKey] = set()
        jobs = []
        for obj in desired:
            if hook_spec(obj).is_hook:
                continue
            key = key_of(obj)
            desired_keys.add(key)
            live = tracked.get(key) or self._cache.get(key)
            jobs.append(self._compare_one(app_instance, key, obj, live, ignore))
        results = await asyncio.gather(*jobs)
        states.extend(results)
        known = self._predicted.get(app_instance, {})
        for gone in [k for k in known if k not in desired_keys]:
            del known[gone]
        for state in results:
            if state.shared_with:
                warnings.append(
                    (
                        "SharedResourceWarning",
                        f"{state.key} is part of applications {state.shared_with} and {app_instance}; "
                        f"{app_instance} will not change it",
                    )
                )
            elif state.message:
                warnings.append(("ComparisonError", state.message))
        for key, live in tracked.items():
            if key in desired_keys or hook_spec(live).is_hook:
                continue
            if (live.get("metadata") or {}).get("ownerReferences"):
                continue  # created by a controller from one of ours (e.g. a copied annotation)
            states.append(
                ResourceState(
                    key=key,
                    version=_version_of(live),
                    desired=None,
                    live=live,
                    status=SyncStatus.OUT_OF_SYNC,
                    health=assess(live),
                    requires_pruning=True,
                )
            )
        resources = tuple(s for s in states if s is not None)
        counted = [r for r in resources if not _ignores_extraneous(r)]
        sync_status = (
            SyncStatus.SYNCED
            if all(r.status == SyncStatus.SYNCED for r in counted)
            else SyncStatus.OUT_OF_SYNC
        )
        health = aggregate(
            [(r.key, r.health) for r in resources if r.health is not None and not r.requires_pruning]
        )
        return Comparison(
            resources=resources,
            sync_status=sync_status,
            health=health,
            warnings=tuple(warnings),
            statuses={r.key: r.status for r in resources},
        )

    async def _compare_one(
        self,
        app_instance: str,
        key: ResourceKey,
        desired: Manifest,
        live: Manifest | None,
        ignore: tuple[IgnoreDifference, ...],
    ) -> ResourceState:
        version = _version_of(desired)
        if live is None:
            return ResourceState(
                key=key,
                version=version,
                desired=desired,
                live=None,
                status=SyncStatus.OUT_OF_SYNC,
                health=_MISSING,
            )
        owner = _owner(live)
        if owner and owner != app_instance:
            return ResourceState(
                key=key,
                version=version,
                desired=desired,
                live=live,
                status=SyncStatus.OUT_OF_SYNC,
                health=assess(live),
                shared_with=owner,
                message=f"owned by application {owner}",
            )
        entry = await self._predict(app_instance, key, desired, live)
        message = entry.message
        # The comparison depends on nothing else than these (managedFields included, as
        # the live object is the very same version), so an idle app compares for free.
        result = entry.result
        if result is None or entry.rules != ignore:
            result = compare_resource(
                key, desired=desired, predicted=entry.predicted, live=live, rules=ignore
            )
            entry.rules, entry.result = ignore, result
        return ResourceState(
            key=key,
            version=version,
            desired=desired,
            live=live,
            status=result.status,
            health=assess(live),
            diff=result.diff,
            message=message,
        )


def _owner(live: Manifest) -> str:
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    info = parse_tracking_id(str(annotations.get(TRACKING_ANNOTATION, "")))
    return info.app_instance if info else ""


def _ignores_extraneous(state: ResourceState) -> bool:
    """``argocd.argoproj.io/compare-options: IgnoreExtraneous`` keeps a resource that
    needs pruning from making the app OutOfSync, as in Argo CD."""
    if not state.requires_pruning or state.live is None:
        return False
    annotations = (state.live.get("metadata") or {}).get("annotations") or {}
    return "IgnoreExtraneous" in str(annotations.get(COMPARE_OPTIONS_ANNOTATION, ""))
