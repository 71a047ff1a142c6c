"""The casbin policy without a server: Argo CD's policy.csv semantics (built-in roles,
globs, deny over allow, default role, regex mode), clear errors for bad lines, and
memoised decisions that always equal casbin's own."""

from __future__ import annotations

import random

import pytest

from rudder.api.rbac import Policy, PolicyError, parse_policy, policy_from_config

CSV = """
p, role:dev, applications, get, default/*, allow
p, role:dev, applications, sync, default/*, allow
p, role:dev, applications, sync, default/prod/*, deny
p, role:ops, applications, *, team-*/ops-*/*, allow
p, alice, applications, delete, default/sandbox/*, allow
g, alice, role:dev
g, olga, role:ops
"""


@pytest.mark.parametrize(
    ("subject", "action", "obj", "allowed"),
    [
        ("admin", "delete", "anything/ns/app", True),
        ("alice", "get", "default/ns/app", True),
        ("alice", "get", "default/app", True),
        ("alice", "sync", "default/ns/app", True),
        ("alice", "sync", "default/prod/app", False),  # deny wins
        ("alice", "delete", "default/sandbox/app", True),
        ("alice", "delete", "default/ns/app", False),
        ("alice", "get", "other/ns/app", False),
        ("olga", "update", "team-a/ops-1/x", True),
        ("olga", "update", "team-a/dev-1/x", False),
        ("nobody", "get", "default/ns/app", False),
    ],
)
def test_argo_cd_policy_semantics(subject: str, action: str, obj: str, allowed: bool) -> None:
    assert Policy(CSV).allowed(subject, "applications", action, obj) is allowed


def test_default_role_applies_to_everyone() -> None:
    policy = policy_from_config({"policy.csv": CSV, "policy.default": "role:readonly"})
    assert policy.allowed("nobody", "applications", "get", "any/ns/app")
    assert not policy.allowed("nobody", "applications", "sync", "any/ns/app")
    assert policy.roles("alice") == ["role:dev", "role:readonly"]


def test_regex_match_mode_and_extra_policy_files() -> None:
    policy = policy_from_config(
        {
            "policy.matchMode": "regex",
            "policy.csv": "p, role:r, applications, get, ^default/team-[0-9]+/.*$, allow\ng, rita, role:r",
            "policy.extra.csv": "p, rita, applications, sync, default/team-1/web, allow",
        }
    )
    assert policy.allowed("rita", "applications", "get", "default/team-12/web")
    assert not policy.allowed("rita", "applications", "get", "default/team-x/web")
    assert policy.allowed("rita", "applications", "sync", "default/team-1/web")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "p, role:x, applications, get",
            "line 1: expected `p, subject, resource, action, object, allow|deny`",
        ),
        ("p, role:x, applications, get, */*, maybe", "line 1: expected"),
        ("g, alice", "line 1: expected `g, subject, role`"),
        ("x, a, b", "line 1: unknown rule type 'x'"),
    ],
)
def test_bad_policy_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("|", r"\|").replace("(", r"\(")):
        parse_policy(line)


def test_memoised_decisions_equal_casbin_for_every_object() -> None:
    policy = Policy(CSV, default_role="")
    rng = random.Random(7)
    projects = ["default", "other", "team-a", "team-b"]
    namespaces = ["ns", "prod", "sandbox", "ops-1", "dev-1"]
    for _ in range(400):
        obj = f"{rng.choice(projects)}/{rng.choice(namespaces)}/app-{rng.randint(0, 50)}"
        for subject in ("alice", "olga", "nobody", "admin"):
            for action in ("get", "sync", "delete", "update"):
                assert policy.allowed(subject, "applications", action, obj) == policy.decide(
                    subject, "applications", action, obj
                ), (subject, action, obj)
