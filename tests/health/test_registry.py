"""The health registry: which check judges which kind, custom checks registered in
Python, missing and deleting objects, and checks that fail."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rudder.health.registry as registry_module
from rudder.health import MISSING, PENDING_DELETION, Registry, assess, register
from rudder.health.registry import BUILTIN_CHECKS
from rudder.model.health import HealthResult, HealthStatus
from rudder.model.resource import Manifest

PAUSED_DEPLOYMENT: Manifest = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "prod", "generation": 1},
    "spec": {"paused": True},
    "status": {"observedGeneration": 1},
}


def _widget(**status: Any) -> Manifest:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "prod"},
        "status": status,
    }


def _always(status: HealthStatus, message: str = "") -> Any:
    def check(obj: Manifest) -> HealthResult:
        return HealthResult(status, message)

    return check


def test_missing_object_is_missing() -> None:
    assert Registry().assess(None) == MISSING
    assert MISSING.status == HealthStatus.MISSING


def test_deleting_object_is_progressing_even_with_a_custom_check() -> None:
    reg = Registry()
    reg.register("example.com", "Widget", _always(HealthStatus.DEGRADED))
    obj = _widget()
    obj["metadata"]["deletionTimestamp"] = "2025-03-01T10:00:00Z"
    assert reg.assess(obj) == PENDING_DELETION


def test_custom_check_for_a_crd() -> None:
    reg = Registry()
    assert reg.assess(_widget(rpm=3)) is None  # no conditions: no health notion
    reg.register("example.com", "Widget", lambda obj: HealthResult(HealthStatus.DEGRADED, "too slow"))
    assert reg.assess(_widget(rpm=3)) == HealthResult(HealthStatus.DEGRADED, "too slow")


def test_later_registration_wins_over_builtin() -> None:
    reg = Registry()
    assert reg.assess(PAUSED_DEPLOYMENT) == HealthResult(HealthStatus.SUSPENDED, "Deployment is paused")
    reg.register("apps", "Deployment", _always(HealthStatus.HEALTHY, "first"))
    reg.register("apps", "Deployment", _always(HealthStatus.DEGRADED, "second"))
    assert reg.assess(PAUSED_DEPLOYMENT) == HealthResult(HealthStatus.DEGRADED, "second")


def test_custom_check_may_declare_no_health() -> None:
    reg = Registry()
    reg.register("apps", "Deployment", lambda obj: None)
    assert reg.assess(PAUSED_DEPLOYMENT) is None


def test_registration_is_by_group_not_just_kind() -> None:
    reg = Registry()
    other = dict(PAUSED_DEPLOYMENT, apiVersion="example.com/v1")
    # A CRD that happens to be called Deployment is not judged as apps/Deployment.
    assert reg.assess(other) is None
    legacy = dict(PAUSED_DEPLOYMENT, apiVersion="extensions/v1beta1")
    assert reg.assess(legacy) == HealthResult(HealthStatus.SUSPENDED, "Deployment is paused")


def test_without_builtins_every_kind_uses_the_generic_check() -> None:
    reg = Registry(builtins=False)
    assert reg.assess(PAUSED_DEPLOYMENT) is None
    available = dict(PAUSED_DEPLOYMENT, status={"conditions": [{"type": "Available", "status": "True"}]})
    assert reg.assess(available) == HealthResult(HealthStatus.HEALTHY, "")


def test_failing_check_is_unknown_not_an_exception() -> None:
    def broken(obj: Manifest) -> HealthResult:
        raise RuntimeError("boom")

    reg = Registry()
    reg.register("example.com", "Widget", broken)
    assert reg.assess(_widget()) == HealthResult(HealthStatus.UNKNOWN, "health check failed: boom")


def test_check_returning_the_wrong_type_is_unknown() -> None:
    reg = Registry()
    reg.register("example.com", "Widget", lambda obj: "Healthy")  # type: ignore[arg-type,return-value]
    result = reg.assess(_widget())
    assert result == HealthResult(HealthStatus.UNKNOWN, "health check returned str, not HealthResult")


def test_empty_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        Registry().register("example.com", "", _always(HealthStatus.HEALTHY))


def test_module_level_register_uses_the_process_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "DEFAULT_REGISTRY", Registry())
    register("example.com", "Widget", _always(HealthStatus.SUSPENDED, "parked"))
    assert assess(_widget()) == HealthResult(HealthStatus.SUSPENDED, "parked")
    assert Registry().assess(_widget()) is None  # a fresh registry is unaffected


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "replicas",
        "observedGeneration",
        "conditions",
        "phase",
        "paused",
        "suspend",
        "active",
        "health",
        "containerStatuses",
        "loadBalancer",
        "updateStrategy",
        "type",
        "lastScheduleTime",
    ]
)


@given(
    builtin=st.sampled_from(BUILTIN_CHECKS),
    spec=st.dictionaries(FIELDS, JSON, max_size=4),
    status=st.dictionaries(FIELDS, JSON, max_size=4),
    generation=JSON,
)
def test_malformed_objects_fail_only_with_a_readable_type_or_value_error(
    builtin: tuple[str, str, Any], spec: dict[str, Any], status: dict[str, Any], generation: Any
) -> None:
    """Checks read raw objects defensively: junk yields a result or a TypeError /
    ValueError naming the field (which assess() reports as Unknown), never a KeyError,
    AttributeError or IndexError from a careless lookup."""
    group, kind, check = builtin
    obj = {
        "apiVersion": f"{group}/v1" if group else "v1",
        "kind": kind,
        "metadata": {"name": "x", "generation": generation},
        "spec": spec,
        "status": status,
    }
    try:
        result = check(obj)
    except (TypeError, ValueError) as exc:
        assert str(exc)
        outcome = assess(obj)
        assert outcome == HealthResult(HealthStatus.UNKNOWN, f"health check failed: {exc}")
    else:
        assert result is None or isinstance(result, HealthResult)
        assert assess(obj) == result
