"""AppProject rules: repositories, destinations, source namespaces, permitted kinds."""

from __future__ import annotations

from typing import Any

import pytest

from rudder.controller.project import check_application, forbidden_resources
from rudder.model.application import parse_spec
from rudder.model.resource import ResourceKey

SERVER = "https://kubernetes.default.svc"


def spec(repo: str = "https://git.example.com/team/app.git", namespace: str = "prod") -> Any:
    return parse_spec(
        {"spec": {"source": {"repoURL": repo}, "destination": {"server": SERVER, "namespace": namespace}}}
    )


def project(**fields: Any) -> dict[str, Any]:
    return {"metadata": {"name": "team"}, "spec": fields}


def test_missing_project_is_named() -> None:
    assert check_application(None, "team", spec(), server=SERVER) == [
        "Application referencing project team which does not exist"
    ]


@pytest.mark.parametrize(
    ("repos", "allowed"),
    [
        (["*"], True),
        (["https://git.example.com/team/*"], True),
        (["https://git.example.com/other/*"], False),
        (["*", "!https://git.example.com/team/*"], False),
        ([], False),
    ],
)
def test_source_repos(repos: list[str], allowed: bool) -> None:
    proj = project(sourceRepos=repos, destinations=[{"server": "*", "namespace": "*"}])
    problems = check_application(proj, "team", spec(), server=SERVER)
    assert (problems == []) is allowed


def test_destination_namespace_glob() -> None:
    proj = project(sourceRepos=["*"], destinations=[{"server": SERVER, "namespace": "team-*"}])
    assert check_application(proj, "team", spec(namespace="team-a"), server=SERVER) == []
    problems = check_application(proj, "team", spec(namespace="kube-system"), server=SERVER)
    assert "do not match any of the allowed destinations" in problems[0]


def test_source_namespaces_apply_outside_the_control_namespace() -> None:
    proj = project(
        sourceRepos=["*"], destinations=[{"server": "*", "namespace": "*"}], sourceNamespaces=["team-*"]
    )
    ok = check_application(
        proj, "team", spec(), server=SERVER, app_namespace="team-a", control_namespace="argocd"
    )
    refused = check_application(
        proj, "team", spec(), server=SERVER, app_namespace="other", control_namespace="argocd"
    )
    home = check_application(
        proj, "team", spec(), server=SERVER, app_namespace="argocd", control_namespace="argocd"
    )
    assert ok == [] and home == []
    assert refused == ["application namespace other is not permitted in project 'team'"]


def test_cluster_scoped_kinds_need_the_whitelist() -> None:
    proj = project(
        clusterResourceWhitelist=[{"group": "", "kind": "Namespace"}],
        namespaceResourceBlacklist=[{"group": "", "kind": "Secret"}],
    )
    keys = [
        ResourceKey("", "Namespace", "", "prod"),
        ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "admin"),
        ResourceKey("", "Secret", "prod", "token"),
        ResourceKey("apps", "Deployment", "prod", "web"),
    ]
    problems = forbidden_resources(proj, keys)
    assert problems == [
        "ClusterRole/admin: cluster-scoped resource ClusterRole.rbac.authorization.k8s.io is not permitted in project",
        "Secret/prod/token: namespaced resource Secret is not permitted in project",
    ]
