"""AppProject rules as Argo CD applies them: permitted source repositories,
destinations, and cluster-/namespace-scoped kinds (allow and deny lists, globs with
``!`` negation for repositories). Pure; used by the reconciler before rendering and syncing."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

from rudder.model.application import ApplicationSpec
from rudder.model.resource import Manifest, ResourceKey

DEFAULT_PROJECT = "default"


def _glob(pattern: str, value: str) -> bool:
    return fnmatchcase(value, pattern)


def _permitted_by(patterns: Iterable[str], value: str) -> bool:
    """Argo CD's rule: some pattern matches and no ``!pattern`` matches."""
    allowed = False
    for raw in patterns:
        pattern = str(raw)
        if pattern.startswith("!"):
            if _glob(pattern[1:], value):
                return False
        elif _glob(pattern, value):
            allowed = True
    return allowed


def _group_kinds(spec: Manifest, field: str) -> list[tuple[str, str]]:
    return [(str(item.get("group", "")), str(item.get("kind", ""))) for item in spec.get(field) or []]


def _matches(entries: list[tuple[str, str]], key: ResourceKey) -> bool:
    return any(_glob(group, key.group) and _glob(kind, key.kind) for group, kind in entries)


def check_application(
    project: Manifest | None,
    name: str,
    spec: ApplicationSpec,
    *,
    server: str,
    app_namespace: str = "",
    control_namespace: str = "",
) -> list[str]:
    """Reasons ``spec`` is not permitted by ``project`` (empty = permitted). An app outside
    the control namespace must match ``sourceNamespaces`` when the project sets it (Argo CD
    also refuses when it is unset; Rudder leaves that to the controller's --namespaces)."""
    if project is None:
        return [f"Application referencing project {name} which does not exist"]
    pspec: dict[str, Any] = project.get("spec") or {}
    problems: list[str] = []
    source_namespaces = [str(n) for n in pspec.get("sourceNamespaces") or []]
    outside = app_namespace and app_namespace != control_namespace
    if outside and source_namespaces and not _permitted_by(source_namespaces, app_namespace):
        problems.append(f"application namespace {app_namespace} is not permitted in project '{name}'")
    repos = [str(r) for r in pspec.get("sourceRepos") or []]
    if not _permitted_by(repos, spec.source.repo_url):
        problems.append(f"application repo {spec.source.repo_url} is not permitted in project '{name}'")
    destinations = pspec.get("destinations") or []
    dest = spec.destination
    ok = False
    for item in destinations:
        server_ok = (
            _glob(str(item.get("server") or "*"), server)
            if item.get("server") or not item.get("name")
            else True
        )
        name_ok = _glob(str(item["name"]), dest.name or "in-cluster") if item.get("name") else True
        ns_ok = _glob(str(item.get("namespace") or "*"), dest.namespace)
        if server_ok and name_ok and ns_ok:
            ok = True
            break
    if not ok:
        problems.append(
            f"application destination server '{server}' and namespace '{dest.namespace}' do not match any of "
            f"the allowed destinations in project '{name}'"
        )
    return problems


def forbidden_resources(project: Manifest | None, keys: Iterable[ResourceKey]) -> list[str]:
    """Messages for objects whose kind the project does not permit."""
    if project is None:
        return []
    pspec: dict[str, Any] = project.get("spec") or {}
    cluster_allow = _group_kinds(pspec, "clusterResourceWhitelist")
    cluster_deny = _group_kinds(pspec, "clusterResourceBlacklist")
    ns_allow = _group_kinds(pspec, "namespaceResourceWhitelist")
    ns_deny = _group_kinds(pspec, "namespaceResourceBlacklist")
    out: list[str] = []
    for key in keys:
        if key.namespace:
            permitted = (not ns_allow or _matches(ns_allow, key)) and not _matches(ns_deny, key)
        else:
            permitted = _matches(cluster_allow, key) and not _matches(cluster_deny, key)
        if not permitted:
            scope = "namespaced" if key.namespace else "cluster-scoped"
            out.append(f"{key}: {scope} resource {key.group_kind} is not permitted in project")
    return out
