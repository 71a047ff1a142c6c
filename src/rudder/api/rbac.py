"""Role-based access control with Argo CD's policy.csv semantics, enforced by casbin:
``p, <subject>, <resource>, <action>, <object>, allow|deny`` and ``g, <user>, <role>``
lines from rudder-rbac-cm (``policy.csv``, ``policy.default``, ``policy.matchMode``,
``scopes``), on top of the built-in ``role:readonly`` and ``role:admin``. Decisions
are memoised per policy version. Used by the auth dependency of every route."""

from __future__ import annotations

import csv
import fnmatch
import io
import re
from functools import lru_cache

import casbin
from casbin.model import Model

from rudder.observability.logging import get_logger

log = get_logger(__name__)

MODEL = """
[request_definition]
r = sub, res, act, obj

[policy_definition]
p = sub, res, act, obj, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && rudderMatch(r.res, p.res) && rudderMatch(r.act, p.act) && rudderMatch(r.obj, p.obj)
"""

BUILTIN_POLICY = """
p, role:readonly, applications, get, */*, allow
p, role:readonly, applicationsets, get, */*, allow
p, role:readonly, projects, get, *, allow
p, role:readonly, repositories, get, *, allow
p, role:readonly, clusters, get, *, allow
p, role:readonly, accounts, get, *, allow
p, role:readonly, logs, get, */*, allow
p, role:admin, applications, *, */*, allow
p, role:admin, applicationsets, *, */*, allow
p, role:admin, projects, *, *, allow
p, role:admin, repositories, *, *, allow
p, role:admin, clusters, *, *, allow
p, role:admin, accounts, *, *, allow
p, role:admin, logs, *, */*, allow
p, role:admin, exec, *, */*, allow
g, role:admin, role:readonly
g, admin, role:admin
"""

RESOURCES = (
    "applications",
    "applicationsets",
    "projects",
    "repositories",
    "clusters",
    "accounts",
    "logs",
    "exec",
)


class PolicyError(ValueError):
    """A policy line that cannot be understood; names the line."""


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern))


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def parse_policy(text: str, *, where: str = "policy.csv") -> list[list[str]]:
    """Policy lines as fields; ``p`` lines get ``allow`` when the effect is omitted."""
    rules: list[list[str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), skipinitialspace=True), start=1):
        fields = [f.strip() for f in row]
        if not fields or not fields[0] or fields[0].startswith("#"):
            continue
        if fields[0] == "p":
            if len(fields) == 5:
                fields.append("allow")
            if len(fields) != 6 or fields[5] not in ("allow", "deny"):
                raise PolicyError(
                    f"{where} line {number}: expected `p, subject, resource, action, object, allow|deny`"
                )
        elif fields[0] == "g":
            if len(fields) != 3:
                raise PolicyError(f"{where} line {number}: expected `g, subject, role`")
        else:
            raise PolicyError(f"{where} line {number}: unknown rule type {fields[0]!r} (p or g)")
        rules.append(fields)
    return rules


class Policy:
    """One compiled policy. ``allowed()`` answers whether a subject may do an action."""

    def __init__(self, csv_text: str = "", *, default_role: str = "", match_mode: str = "glob") -> None:
        self.default_role = default_role.strip()
        regex = match_mode.strip() == "regex"
        model = Model()
        model.load_model_from_text(MODEL)
        self._enforcer = casbin.Enforcer(model)
        self._match = self._regex_match if regex else self._glob_match
        self._enforcer.add_function("rudderMatch", self._match)
        rules = parse_policy(BUILTIN_POLICY, where="built-in policy") + parse_policy(csv_text)
        for fields in rules:
            self._add(fields)
        self._patterns = tuple(sorted({f[4] for f in rules if f[0] == "p"}))
        self._memo: dict[tuple[str, str, str, str], bool] = {}
        self._by_class: dict[tuple[str, str, str, tuple[bool, ...]], bool] = {}

    @staticmethod
    def _glob_match(value: str, pattern: str) -> bool:
        return pattern in (value, "*") or _glob(pattern).match(value) is not None

    @staticmethod
    def _regex_match(value: str, pattern: str) -> bool:
        if value == pattern:
            return True
        try:
            return _regex(pattern).fullmatch(value) is not None
        except re.error:
            return False

    def _add(self, fields: list[str]) -> None:
        if fields[0] == "p":
            self._enforcer.add_named_policy("p", fields[1:])
        else:
            self._enforcer.add_named_grouping_policy("g", fields[1:])

    def _enforce(self, subject: str, resource: str, action: str, obj: str) -> bool:
        return bool(self._enforcer.enforce(subject, resource, action, obj))

    def allowed(self, subject: str, resource: str, action: str, obj: str) -> bool:
        """Whether ``subject`` (or the default role) may ``action`` on ``resource`` ``obj``.

        casbin decides once per *class* of objects: the matcher sees an object only
        through ``rudderMatch(obj, p.obj)``, so objects that match the same object
        patterns of the policy get the same decision. Listing 5,000 apps then costs a
        pattern test per app and a casbin call per class, not 5,000 casbin calls."""
        key = (subject, resource, action, obj)
        decision = self._memo.get(key)
        if decision is None:
            group = (subject, resource, action, tuple(self._match(obj, p) for p in self._patterns))
            decision = self._by_class.get(group)
            if decision is None:
                decision = self.decide(subject, resource, action, obj)
                self._by_class[group] = decision
            if len(self._memo) > 200_000:
                self._memo.clear()
            self._memo[key] = decision
        return decision

    def decide(self, subject: str, resource: str, action: str, obj: str) -> bool:
        """The casbin decision itself, without memoisation."""
        return self._enforce(subject, resource, action, obj) or bool(
            self.default_role and self._enforce(self.default_role, resource, action, obj)
        )

    def roles(self, subject: str) -> list[str]:
        found = [str(r) for r in self._enforcer.get_implicit_roles_for_user(subject)]
        if self.default_role and self.default_role not in found:
            found.append(self.default_role)
        return sorted(set(found))


def policy_from_config(data: dict[str, str]) -> Policy:
    """The Policy of an rudder-rbac-cm's data; ``policy.csv`` plus every ``policy.*.csv``
    (as Argo CD merges them)."""
    parts = [data.get("policy.csv", "")]
    parts += [
        v
        for k, v in sorted(data.items())
        if k.startswith("policy.") and k.endswith(".csv") and k != "policy.csv"
    ]
    return Policy(
        "\n".join(parts),
        default_role=data.get("policy.default", ""),
        match_mode=data.get("policy.matchMode", "glob"),
    )
