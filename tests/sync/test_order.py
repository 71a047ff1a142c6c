"""Argo CD's sync order: phase, wave, kind, name."""

from __future__ import annotations

import pytest

from rudder.model.errors import ConfigError
from rudder.model.resource import ResourceKey
from rudder.sync.order import kind_rank, sort_key, wave_of


def test_namespaces_and_crds_come_first_custom_resources_last() -> None:
    kinds = ["Widget", "Deployment", "Service", "CustomResourceDefinition", "ConfigMap", "Namespace"]
    ordered = sorted(kinds, key=kind_rank)
    assert ordered[:2] == ["Namespace", "CustomResourceDefinition"]
    assert ordered.index("ConfigMap") < ordered.index("Service") < ordered.index("Deployment")
    assert ordered[-1] == "Widget"


def test_wave_beats_kind_and_phase_beats_wave() -> None:
    ns = ResourceKey("", "Namespace", "", "a")
    deploy = ResourceKey("apps", "Deployment", "a", "d")
    keys = [
        sort_key(ns, wave=5),
        sort_key(deploy, wave=-1),
        sort_key(deploy, wave=-10, phase_order=2),
    ]
    assert sorted(keys) == [keys[1], keys[0], keys[2]]


@pytest.mark.parametrize(
    ("annotations", "wave"),
    [
        ({}, 0),
        ({"argocd.argoproj.io/sync-wave": "-2"}, -2),
        ({"argocd.argoproj.io/sync-wave": " 3 "}, 3),
        ({"helm.sh/hook": "pre-install", "helm.sh/hook-weight": "7"}, 7),
        ({"helm.sh/hook-weight": "7"}, 0),
        ({"helm.sh/hook": "pre-install", "helm.sh/hook-weight": "7", "argocd.argoproj.io/sync-wave": "1"}, 1),
    ],
)
def test_wave_of(annotations: dict[str, str], wave: int) -> None:
    assert wave_of({"metadata": {"annotations": annotations}}) == wave


def test_bad_wave_names_the_object() -> None:
    key = ResourceKey("", "ConfigMap", "ns", "c")
    with pytest.raises(ConfigError, match="ConfigMap/ns/c"):
        wave_of({"metadata": {"annotations": {"argocd.argoproj.io/sync-wave": "first"}}}, key=key)
