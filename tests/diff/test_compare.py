"""Per-resource comparison, table-driven: each fixtures/<kind>-<state>.yaml holds the
rendered manifest, the dry-run result (or null), the live object, the app's
ignoreDifferences and what the comparison must conclude."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rudder.diff.compare import compare, equivalent, overlay
from rudder.model.application import parse_ignore_differences
from rudder.model.resource import ResourceKey, key_of
from rudder.model.sync import SyncStatus

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.glob("*.yaml"))


def _case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load((FIXTURES / name).read_text())
    return case


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str) -> None:
    case = _case(name)
    desired, predicted, live = case.get("desired"), case.get("predicted"), case.get("live")
    key = key_of(desired if desired is not None else live)
    rules = parse_ignore_differences(case.get("rules") or [])
    result = compare(key, desired=desired, predicted=predicted, live=live, rules=rules)
    expect = case["expect"]
    assert result.key == key
    assert result.status == SyncStatus(expect["status"]), result.diff
    if "server_side" in expect:
        assert result.server_side is expect["server_side"]
    if "message" in expect:
        assert result.message == expect["message"]
    if "diff" in expect:
        assert result.diff == expect["diff"]
    for needle in expect.get("diff_contains", []):
        assert needle in result.diff.splitlines(), f"{needle!r} not in:\n{result.diff}"
    for needle in expect.get("diff_excludes", []):
        assert needle not in result.diff, f"{needle!r} in:\n{result.diff}"
    if result.status == SyncStatus.OUT_OF_SYNC:
        assert result.diff, "an OutOfSync resource always explains itself"


def test_inputs_are_not_modified() -> None:
    case = _case("deployment-managed-by-hpa.yaml")
    before = yaml.safe_dump(case)
    rules = parse_ignore_differences(case["rules"])
    compare(
        key_of(case["live"]),
        desired=case["desired"],
        predicted=case["predicted"],
        live=case["live"],
        rules=rules,
    )
    assert yaml.safe_dump(case) == before


def test_states_are_normalised_and_masked() -> None:
    case = _case("secret-changed.yaml")
    result = compare(
        key_of(case["live"]), desired=case["desired"], predicted=case["predicted"], live=case["live"]
    )
    assert result.live is not None and result.target is not None
    assert result.live["data"] == {"password": "++++++++++++", "user": "++++++++"}
    assert result.target["data"] == {"password": "++++++++", "user": "++++++++"}
    assert "annotations" not in result.live["metadata"]  # last-applied (plaintext) is gone


def test_nothing_to_compare_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="ConfigMap/prod/x"):
        compare(ResourceKey("", "ConfigMap", "prod", "x"), desired=None, predicted=None, live=None)


@pytest.mark.parametrize(
    ("base", "patch", "merged"),
    [
        ({"a": 1, "b": 2}, {"b": 3}, {"a": 1, "b": 3}),
        ({"a": {"x": 1, "y": 2}}, {"a": {"y": 5}}, {"a": {"x": 1, "y": 5}}),
        (
            {"l": [{"n": 1, "d": 0}, {"n": 2}]},
            {"l": [{"n": 1}, {"n": 3}]},
            {"l": [{"n": 1, "d": 0}, {"n": 3}]},
        ),
        ({"l": [1, 2, 3]}, {"l": [1]}, {"l": [1]}),
        ({"a": {"x": 1}}, {"a": "text"}, {"a": "text"}),
        ({}, {"new": {"x": 1}}, {"new": {"x": 1}}),
    ],
)
def test_overlay(base: Any, patch: Any, merged: Any) -> None:
    assert overlay(base, patch) == merged


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"a": 1}, {"a": 1}, True),
        ({"a": 1}, {"a": 2}, False),
        ({"a": {}}, {}, True),
        ({"a": {"b": []}}, {}, True),
        ({"a": {"b": [1]}}, {}, False),
        ({"a": None}, {}, True),
        ({"a": [1, 2]}, {"a": [2, 1]}, False),
        ({"a": True}, {"a": 1}, False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": "1"}, {"a": 1}, False),
        ([{}], [], False),
    ],
)
def test_equivalent(a: Any, b: Any, same: bool) -> None:
    assert equivalent(a, b) is same
    assert equivalent(b, a) is same


@pytest.mark.parametrize(
    "name", [n for n in CASES if _case(n).get("rules") and _case(n)["expect"]["status"] == "Synced"]
)
def test_ignore_rules_are_what_makes_the_case_synced(name: str) -> None:
    case = _case(name)
    key = key_of(case["desired"])
    result = compare(key, desired=case["desired"], predicted=case.get("predicted"), live=case["live"])
    assert result.status == SyncStatus.OUT_OF_SYNC
