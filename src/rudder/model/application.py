"""Typed, read-only view of an Argo CD ``Application`` spec, parsed from the raw
custom resource. Pure; used by the reconciler, render, diff and sync stages."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import posixpath
from dataclasses import dataclass, field
from typing import Any

from rudder.model.duration import parse_duration
from rudder.model.errors import ConfigError
from rudder.model.resource import Manifest

APP_API_VERSION = "argoproj.io/v1alpha1"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
IN_CLUSTER_NAME = "in-cluster"
FINALIZER_CASCADE = "resources-finalizer.argocd.argoproj.io"
FINALIZER_CASCADE_BACKGROUND = "resources-finalizer.argocd.argoproj.io/background"
REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
REFRESH_INTERVAL_ANNOTATION = "rudder.dev/refresh-interval"
MANIFEST_PATHS_ANNOTATION = "argocd.argoproj.io/manifest-generate-paths"


@dataclass(frozen=True, slots=True, kw_only=True)
class NameValue:
    name: str
    value: str
    code: bool = False
    force_string: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HelmSource:
    release_name: str = ""
    value_files: tuple[str, ...] = ()
    values: str = ""
    values_object: Manifest | None = None
    parameters: tuple[NameValue, ...] = ()
    file_parameters: tuple[NameValue, ...] = ()
    skip_crds: bool = False
    ignore_missing_value_files: bool = False
    namespace: str = ""
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()
    skip_tests: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class KustomizeSource:
    name_prefix: str = ""
    name_suffix: str = ""
    images: tuple[str, ...] = ()
    common_labels: tuple[tuple[str, str], ...] = ()
    common_annotations: tuple[tuple[str, str], ...] = ()
    namespace: str = ""
    replicas: tuple[tuple[str, int], ...] = ()
    force_common_labels: bool = False
    force_common_annotations: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonnetSource:
    ext_vars: tuple[NameValue, ...] = ()
    tlas: tuple[NameValue, ...] = ()
    libs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectorySource:
    recurse: bool = False
    include: str = ""
    exclude: str = ""
    jsonnet: JsonnetSource = field(default_factory=JsonnetSource)


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    repo_url: str
    path: str = ""
    target_revision: str = "HEAD"
    chart: str = ""
    helm: HelmSource | None = None
    kustomize: KustomizeSource | None = None
    directory: DirectorySource | None = None
    raw: Manifest = field(default_factory=dict, compare=False, repr=False)

    @property
    def spec_hash(self) -> str:
        """Stable hash of the whole source spec, part of the render-cache key."""
        blob = json.dumps(self.raw, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    server: str = ""
    name: str = ""
    namespace: str = ""

    @property
    def in_cluster(self) -> bool:
        return self.server in ("", IN_CLUSTER_SERVER) and self.name in ("", IN_CLUSTER_NAME)


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    duration: float = 5.0
    factor: float = 2.0
    max_duration: float = 180.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    limit: int = 0
    backoff: Backoff = field(default_factory=Backoff)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        seconds = self.backoff.duration * (self.backoff.factor ** max(attempt - 1, 0))
        return min(seconds, self.backoff.max_duration)


@dataclass(frozen=True, slots=True, kw_only=True)
class Automated:
    prune: bool = False
    self_heal: bool = False
    allow_empty: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncOptions:
    """``syncPolicy.syncOptions`` (or the per-resource annotation) as a lookup."""

    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, items: list[str] | str | None) -> SyncOptions:
        if items is None:
            return cls()
        raw = items.split(",") if isinstance(items, str) else items
        pairs: list[tuple[str, str]] = []
        for item in raw:
            text = str(item).strip()
            if not text:
                continue
            name, _, value = text.partition("=")
            pairs.append((name.strip(), value.strip()))
        return cls(values=tuple(pairs))

    def get(self, name: str) -> str | None:
        for key, value in reversed(self.values):
            if key == name:
                return value
        return None

    def enabled(self, name: str, *, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        return value.lower() == "true"

    def disabled(self, name: str) -> bool:
        value = self.get(name)
        return value is not None and value.lower() == "false"


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncPolicy:
    automated: Automated | None = None
    sync_options: SyncOptions = field(default_factory=SyncOptions)
    retry: RetryPolicy | None = None
    managed_namespace_labels: tuple[tuple[str, str], ...] = ()
    managed_namespace_annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoreDifference:
    group: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    json_pointers: tuple[str, ...] = ()
    jq_path_expressions: tuple[str, ...] = ()
    managed_fields_managers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationSpec:
    project: str
    source: Source
    destination: Destination
    sync_policy: SyncPolicy = field(default_factory=SyncPolicy)
    ignore_differences: tuple[IgnoreDifference, ...] = ()
    revision_history_limit: int = 10


def _str(spec: Manifest, key: str, where: str, default: str = "") -> str:
    value = spec.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float | bool):
        raise ConfigError(f"{where}.{key}: expected a string, got {type(value).__name__}")
    return str(value)


def _bool(spec: Manifest, key: str, where: str) -> bool:
    value = spec.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value is None:
        return False
    raise ConfigError(f"{where}.{key}: expected true or false, got {value!r}")


def _list(spec: Manifest, key: str, where: str) -> list[Any]:
    value = spec.get(key) or []
    if not isinstance(value, list):
        raise ConfigError(f"{where}.{key}: expected a list")
    return value


def _map(spec: Manifest, key: str, where: str) -> dict[str, Any]:
    value = spec.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.{key}: expected a map")
    return value


def _name_values(items: list[Any], where: str) -> tuple[NameValue, ...]:
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"{where}[{i}]: expected an object with a name")
        out.append(
            NameValue(
                name=str(item["name"]),
                value=str(item.get("value", item.get("path", ""))),
                code=bool(item.get("code", False)),
                force_string=bool(item.get("forceString", False)),
            )
        )
    return tuple(out)


def parse_helm(raw: Manifest) -> HelmSource:
    where = "spec.source.helm"
    values_object = raw.get("valuesObject")
    if values_object is not None and not isinstance(values_object, dict):
        raise ConfigError(f"{where}.valuesObject: expected a map")
    values = raw.get("values", "")
    if isinstance(values, dict):  # Argo CD accepts values as an object too
        values = json.dumps(values)
    return HelmSource(
        release_name=_str(raw, "releaseName", where),
        value_files=tuple(str(v) for v in _list(raw, "valueFiles", where)),
        values=str(values or ""),
        values_object=values_object,
        parameters=_name_values(_list(raw, "parameters", where), f"{where}.parameters"),
        file_parameters=_name_values(_list(raw, "fileParameters", where), f"{where}.fileParameters"),
        skip_crds=_bool(raw, "skipCrds", where),
        ignore_missing_value_files=_bool(raw, "ignoreMissingValueFiles", where),
        namespace=_str(raw, "namespace", where),
        kube_version=_str(raw, "kubeVersion", where),
        api_versions=tuple(str(v) for v in _list(raw, "apiVersions", where)),
        skip_tests=_bool(raw, "skipTests", where),
    )


def parse_kustomize(raw: Manifest) -> KustomizeSource:
    where = "spec.source.kustomize"
    replicas = []
    for i, item in enumerate(_list(raw, "replicas", where)):
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"{where}.replicas[{i}]: expected name and count")
        try:
            replicas.append((str(item["name"]), int(item.get("count", 0))))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}.replicas[{i}].count: {item.get('count')!r} is not a number") from exc
    return KustomizeSource(
        name_prefix=_str(raw, "namePrefix", where),
        name_suffix=_str(raw, "nameSuffix", where),
        images=tuple(str(v) for v in _list(raw, "images", where)),
        common_labels=tuple(sorted((str(k), str(v)) for k, v in _map(raw, "commonLabels", where).items())),
        common_annotations=tuple(
            sorted((str(k), str(v)) for k, v in _map(raw, "commonAnnotations", where).items())
        ),
        namespace=_str(raw, "namespace", where),
        replicas=tuple(replicas),
        force_common_labels=_bool(raw, "forceCommonLabels", where),
        force_common_annotations=_bool(raw, "forceCommonAnnotations", where),
    )


def parse_directory(raw: Manifest) -> DirectorySource:
    where = "spec.source.directory"
    jsonnet = _map(raw, "jsonnet", where)
    jwhere = f"{where}.jsonnet"
    return DirectorySource(
        recurse=_bool(raw, "recurse", where),
        include=_str(raw, "include", where),
        exclude=_str(raw, "exclude", where),
        jsonnet=JsonnetSource(
            ext_vars=_name_values(_list(jsonnet, "extVars", jwhere), f"{jwhere}.extVars"),
            tlas=_name_values(_list(jsonnet, "tlas", jwhere), f"{jwhere}.tlas"),
            libs=tuple(str(v) for v in _list(jsonnet, "libs", jwhere)),
        ),
    )


def parse_source(raw: Manifest) -> Source:
    where = "spec.source"
    repo_url = _str(raw, "repoURL", where)
    if not repo_url:
        raise ConfigError(f"{where}.repoURL is required")
    helm = _map(raw, "helm", where)
    kustomize = _map(raw, "kustomize", where)
    directory = _map(raw, "directory", where)
    return Source(
        repo_url=repo_url,
        path=_str(raw, "path", where).strip("/") if raw.get("path") not in (None, ".", "./") else "",
        target_revision=_str(raw, "targetRevision", where) or "HEAD",
        chart=_str(raw, "chart", where),
        helm=parse_helm(helm) if "helm" in raw else None,
        kustomize=parse_kustomize(kustomize) if "kustomize" in raw else None,
        directory=parse_directory(directory) if "directory" in raw else None,
        raw=raw,
    )


def parse_sync_policy(raw: Manifest) -> SyncPolicy:
    where = "spec.syncPolicy"
    automated = raw.get("automated")
    auto: Automated | None = None
    if isinstance(automated, dict):
        if automated.get("enabled", True) is not False:
            auto = Automated(
                prune=_bool(automated, "prune", f"{where}.automated"),
                self_heal=_bool(automated, "selfHeal", f"{where}.automated"),
                allow_empty=_bool(automated, "allowEmpty", f"{where}.automated"),
            )
    elif automated is not None:
        raise ConfigError(f"{where}.automated: expected a map")
    retry: RetryPolicy | None = None
    retry_raw = raw.get("retry")
    if isinstance(retry_raw, dict):
        backoff = _map(retry_raw, "backoff", f"{where}.retry")
        retry = RetryPolicy(
            limit=int(retry_raw.get("limit", 0) or 0),
            backoff=Backoff(
                duration=parse_duration(
                    backoff.get("duration", "5s"), field=f"{where}.retry.backoff.duration"
                ),
                factor=float(backoff.get("factor", 2) or 2),
                max_duration=parse_duration(
                    backoff.get("maxDuration", "3m"), field=f"{where}.retry.backoff.maxDuration"
                ),
            ),
        )
    managed_ns = _map(raw, "managedNamespaceMetadata", where)
    return SyncPolicy(
        automated=auto,
        sync_options=SyncOptions.parse([str(v) for v in _list(raw, "syncOptions", where)]),
        retry=retry,
        managed_namespace_labels=tuple(
            sorted((str(k), str(v)) for k, v in (managed_ns.get("labels") or {}).items())
        ),
        managed_namespace_annotations=tuple(
            sorted((str(k), str(v)) for k, v in (managed_ns.get("annotations") or {}).items())
        ),
    )


def parse_ignore_differences(items: list[Any]) -> tuple[IgnoreDifference, ...]:
    out = []
    for i, item in enumerate(items):
        where = f"spec.ignoreDifferences[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a map")
        out.append(
            IgnoreDifference(
                group=_str(item, "group", where),
                kind=_str(item, "kind", where),
                name=_str(item, "name", where),
                namespace=_str(item, "namespace", where),
                json_pointers=tuple(str(v) for v in _list(item, "jsonPointers", where)),
                jq_path_expressions=tuple(str(v) for v in _list(item, "jqPathExpressions", where)),
                managed_fields_managers=tuple(str(v) for v in _list(item, "managedFieldsManagers", where)),
            )
        )
    return tuple(out)


def parse_spec(app: Manifest) -> ApplicationSpec:
    """Parse ``app['spec']``; raises ConfigError naming the bad field."""
    spec = app.get("spec")
    if not isinstance(spec, dict):
        raise ConfigError("spec: missing")
    source_raw = spec.get("source")
    if not isinstance(source_raw, dict):
        sources = spec.get("sources")
        if isinstance(sources, list) and sources and isinstance(sources[0], dict):
            if len(sources) > 1:
                raise ConfigError("spec.sources: multiple sources are not supported yet; use spec.source")
            source_raw = sources[0]
        else:
            raise ConfigError("spec.source: missing")
    dest_raw = _map(spec, "destination", "spec")
    limit = spec.get("revisionHistoryLimit")
    return ApplicationSpec(
        project=_str(spec, "project", "spec") or "default",
        source=parse_source(source_raw),
        destination=Destination(
            server=_str(dest_raw, "server", "spec.destination"),
            name=_str(dest_raw, "name", "spec.destination"),
            namespace=_str(dest_raw, "namespace", "spec.destination"),
        ),
        sync_policy=parse_sync_policy(_map(spec, "syncPolicy", "spec")),
        ignore_differences=parse_ignore_differences(_list(spec, "ignoreDifferences", "spec")),
        revision_history_limit=10 if limit is None else int(limit),
    )


def manifest_paths_match(app: Manifest, source_path: str, files: tuple[str, ...]) -> bool:
    """Whether a change to ``files`` (repository-relative) concerns ``app``, as Argo CD
    reads ``argocd.argoproj.io/manifest-generate-paths``: ``;``-separated paths relative to
    the source path (absolute ones from the repository root), globs allowed. An app
    without the annotation is concerned by every change."""
    annotations = (app.get("metadata") or {}).get("annotations") or {}
    raw = str(annotations.get(MANIFEST_PATHS_ANNOTATION) or "").strip()
    if not raw:
        return True
    for entry in (e.strip() for e in raw.split(";")):
        if not entry:
            continue
        base = entry.lstrip("/") if entry.startswith("/") else posixpath.join(source_path, entry)
        base = posixpath.normpath(base).lstrip("/")
        base = "" if base == "." else base
        for path in files:
            if (
                not base
                or path == base
                or path.startswith(base.rstrip("/") + "/")
                or fnmatch.fnmatchcase(path, base)
            ):
                return True
    return False
