"""Hook annotations, Argo CD's own and Helm's mapped onto them."""

from __future__ import annotations

import pytest

from rudder.model.sync import HookDeletePolicy, HookType
from rudder.sync.hooks import hook_spec


def obj(**annotations: str) -> dict[str, object]:
    return {"metadata": {"annotations": annotations}}


def test_plain_resource_is_not_a_hook() -> None:
    assert not hook_spec(obj()).is_hook


def test_argo_hook_with_several_phases_and_default_policy() -> None:
    spec = hook_spec(obj(**{"argocd.argoproj.io/hook": "PreSync,PostSync"}))
    assert spec.types == {HookType.PRE_SYNC, HookType.POST_SYNC}
    assert spec.delete_policies == {HookDeletePolicy.BEFORE_HOOK_CREATION}


def test_explicit_delete_policy() -> None:
    spec = hook_spec(
        obj(**{"argocd.argoproj.io/hook": "Sync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"})
    )
    assert spec.delete_policies == {HookDeletePolicy.HOOK_SUCCEEDED}


@pytest.mark.parametrize(
    ("helm", "expected"),
    [
        ("pre-install", {HookType.PRE_SYNC}),
        ("pre-upgrade,post-upgrade", {HookType.PRE_SYNC, HookType.POST_SYNC}),
        ("post-install", {HookType.POST_SYNC}),
        ("test", {HookType.SKIP}),
    ],
)
def test_helm_hooks_map_like_argo_cd(helm: str, expected: set[HookType]) -> None:
    assert hook_spec(obj(**{"helm.sh/hook": helm})).types == expected


def test_helm_crd_install_is_an_ordinary_resource() -> None:
    assert not hook_spec(obj(**{"helm.sh/hook": "crd-install"})).is_hook


def test_helm_delete_policy_maps() -> None:
    spec = hook_spec(obj(**{"helm.sh/hook": "post-install", "helm.sh/hook-delete-policy": "hook-succeeded"}))
    assert spec.delete_policies == {HookDeletePolicy.HOOK_SUCCEEDED}


def test_argo_annotation_wins_over_helm() -> None:
    spec = hook_spec(obj(**{"helm.sh/hook": "pre-install", "argocd.argoproj.io/hook": "PostSync"}))
    assert spec.types == {HookType.POST_SYNC}


def test_skip() -> None:
    assert hook_spec(obj(**{"argocd.argoproj.io/hook": "Skip"})).skip
