"""Resource hooks: reads Argo CD's ``argocd.argoproj.io/hook`` and
``hook-delete-policy`` annotations and maps Helm's ``helm.sh/hook*`` annotations onto
them as Argo CD does. Pure; used by sync.engine and by the comparison stage."""

from __future__ import annotations

from dataclasses import dataclass

from rudder.model.resource import Manifest, annotations_of
from rudder.model.sync import HookDeletePolicy, HookType

HOOK_ANNOTATION = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY_ANNOTATION = "argocd.argoproj.io/hook-delete-policy"
HELM_HOOK_ANNOTATION = "helm.sh/hook"
HELM_DELETE_POLICY_ANNOTATION = "helm.sh/hook-delete-policy"

_HELM_TO_ARGO = {
    "pre-install": HookType.PRE_SYNC,
    "pre-upgrade": HookType.PRE_SYNC,
    "post-install": HookType.POST_SYNC,
    "post-upgrade": HookType.POST_SYNC,
    "post-delete": HookType.POST_DELETE,
}
# Helm hooks Argo CD does not run (delete/rollback/test): the object is left out of the sync.
_HELM_UNSUPPORTED = {"pre-delete", "pre-rollback", "post-rollback", "test", "test-success", "test-failure"}
_HELM_POLICY = {
    "before-hook-creation": HookDeletePolicy.BEFORE_HOOK_CREATION,
    "hook-succeeded": HookDeletePolicy.HOOK_SUCCEEDED,
    "hook-failed": HookDeletePolicy.HOOK_FAILED,
}


@dataclass(frozen=True, slots=True)
class HookSpec:
    """The hook types of one object (empty = an ordinary resource) and its delete policies."""

    types: frozenset[HookType]
    delete_policies: frozenset[HookDeletePolicy]

    @property
    def is_hook(self) -> bool:
        return bool(self.types)

    @property
    def skip(self) -> bool:
        return HookType.SKIP in self.types


_RESOURCE = HookSpec(frozenset(), frozenset())


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def hook_spec(obj: Manifest) -> HookSpec:
    """Hook information of ``obj``. Argo CD's annotation wins over Helm's; a
    ``crd-install`` Helm hook is an ordinary resource, as in Argo CD."""
    annotations = annotations_of(obj)
    types: set[HookType] = set()
    policies: set[HookDeletePolicy] = set()
    if HOOK_ANNOTATION in annotations:
        for part in _split(annotations[HOOK_ANNOTATION]):
            try:
                types.add(HookType(part))
            except ValueError:
                continue
        for part in _split(annotations.get(HOOK_DELETE_POLICY_ANNOTATION, "")):
            try:
                policies.add(HookDeletePolicy(part))
            except ValueError:
                continue
    elif HELM_HOOK_ANNOTATION in annotations:
        helm_types = _split(annotations[HELM_HOOK_ANNOTATION])
        mapped = {_HELM_TO_ARGO[t] for t in helm_types if t in _HELM_TO_ARGO}
        if not mapped and any(t in _HELM_UNSUPPORTED for t in helm_types):
            return HookSpec(frozenset({HookType.SKIP}), frozenset())
        types |= mapped
        for part in _split(annotations.get(HELM_DELETE_POLICY_ANNOTATION, "")):
            if part in _HELM_POLICY:
                policies.add(_HELM_POLICY[part])
    if not types:
        return _RESOURCE
    if not policies:
        policies.add(HookDeletePolicy.BEFORE_HOOK_CREATION)
    return HookSpec(frozenset(types), frozenset(policies))
