"""Application health from resource health: the worst wins, in Argo CD's order, and
the message names the resource responsible."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rudder.health import aggregate
from rudder.model.health import HealthResult, HealthStatus, worst
from rudder.model.resource import ResourceKey

WEB = ResourceKey("apps", "Deployment", "prod", "web")
LB = ResourceKey("", "Service", "prod", "lb")
NS = ResourceKey("", "Namespace", "", "prod")
H = HealthStatus


def test_no_resources_is_healthy() -> None:
    assert aggregate({}) == HealthResult(H.HEALTHY, "")


def test_resources_without_health_do_not_count() -> None:
    assert aggregate({WEB: None, LB: None}) == HealthResult(H.HEALTHY, "")
    assert aggregate({WEB: None, LB: HealthResult(H.PROGRESSING, "waiting")}) == HealthResult(
        H.PROGRESSING, "Service/prod/lb: waiting"
    )


def test_all_healthy_has_no_message() -> None:
    results = {WEB: HealthResult(H.HEALTHY, "fine"), LB: HealthResult(H.HEALTHY, "")}
    assert aggregate(results) == HealthResult(H.HEALTHY, "")


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        (H.HEALTHY, H.SUSPENDED),
        (H.SUSPENDED, H.PROGRESSING),
        (H.PROGRESSING, H.MISSING),
        (H.MISSING, H.DEGRADED),
        (H.DEGRADED, H.UNKNOWN),
    ],
)
def test_argo_cd_order(better: HealthStatus, worse: HealthStatus) -> None:
    for results in (
        [(WEB, HealthResult(better, "b")), (LB, HealthResult(worse, "w"))],
        [(LB, HealthResult(worse, "w")), (WEB, HealthResult(better, "b"))],
    ):
        assert aggregate(results) == HealthResult(worse, "Service/prod/lb: w")


def test_first_of_equally_bad_resources_is_named() -> None:
    results = [(LB, HealthResult(H.DEGRADED, "no endpoints")), (WEB, HealthResult(H.DEGRADED, "crash"))]
    assert aggregate(results).message == "Service/prod/lb: no endpoints"


def test_empty_message_falls_back_to_the_status() -> None:
    assert aggregate({NS: HealthResult(H.MISSING, "")}) == HealthResult(H.MISSING, "Namespace/prod: Missing")


@given(st.lists(st.sampled_from(list(HealthStatus)), max_size=8), st.randoms())
def test_aggregate_status_is_the_worst_in_any_order(statuses: list[HealthStatus], rnd: object) -> None:
    keys = [ResourceKey("", "ConfigMap", "ns", f"c{i}") for i in range(len(statuses))]
    pairs = [(k, HealthResult(s, "m")) for k, s in zip(keys, statuses, strict=True)]
    shuffled = list(pairs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert aggregate(pairs).status == worst(statuses)
    assert aggregate(shuffled).status == worst(statuses)
