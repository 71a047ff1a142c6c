"""Sync ordering as Argo CD defines it: phase (PreSync, Sync, PostSync), then
``argocd.argoproj.io/sync-wave``, then kind (Namespaces and CRDs first, then Helm's
install order), then name. Pure; used by sync.engine to plan an operation."""

from __future__ import annotations

from rudder.model.errors import ConfigError
from rudder.model.resource import Manifest, ResourceKey, annotations_of

SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
HELM_HOOK_WEIGHT_ANNOTATION = "helm.sh/hook-weight"

# Helm's install order (pkg/releaseutil/kind_sorter.go), which Argo CD also follows;
# Namespaces and CRDs are lifted to the front so everything after them can be applied.
KIND_ORDER: tuple[str, ...] = (
    "Namespace",
    "CustomResourceDefinition",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)
_KIND_RANK = {kind: i for i, kind in enumerate(KIND_ORDER)}


def kind_rank(kind: str) -> int:
    """Position of ``kind`` in the install order; unknown kinds (custom resources) go last."""
    return _KIND_RANK.get(kind, len(KIND_ORDER))


def wave_of(obj: Manifest, *, key: ResourceKey | None = None) -> int:
    """The object's sync wave (default 0, negatives allowed). Helm's hook-weight is the
    wave of a Helm hook that has no Argo CD wave, as Argo CD does."""
    annotations = annotations_of(obj)
    raw = annotations.get(SYNC_WAVE_ANNOTATION)
    if raw is None:
        raw = annotations.get(HELM_HOOK_WEIGHT_ANNOTATION) if "helm.sh/hook" in annotations else None
    if raw is None or raw.strip() == "":
        return 0
    try:
        return int(raw.strip())
    except ValueError as exc:
        where = f"{key}: " if key else ""
        raise ConfigError(f"{where}annotation {SYNC_WAVE_ANNOTATION}={raw!r} is not an integer") from exc


def sort_key(key: ResourceKey, *, wave: int, phase_order: int = 1) -> tuple[int, int, int, str, str]:
    """Total order for applying: phase, wave, kind, namespace/name."""
    return (phase_order, wave, kind_rank(key.kind), key.namespace, key.name)
