"""Periodic refresh scheduling: each app at a stable phase of the interval."""

from __future__ import annotations

from rudder.controller.context import ControllerOptions


def test_each_app_has_a_stable_phase_and_waits_at_most_one_interval() -> None:
    options = ControllerOptions(refresh_interval=120.0)
    for now in (1_000_000.0, 1_000_007.5, 1_000_119.9):
        delay = options.next_refresh(("argocd", "web"), now=now)
        assert 0 < delay <= 120
        assert round((now + delay) % 120, 6) == round(options.next_refresh(("argocd", "web"), now=0) % 120, 6)


def test_apps_spread_across_the_interval() -> None:
    options = ControllerOptions(refresh_interval=100.0)
    phases = sorted((options.next_refresh(("ns", f"app-{i}"), now=0.0)) % 100 for i in range(200))
    buckets = [sum(1 for p in phases if lo <= p < lo + 10) for lo in range(0, 100, 10)]
    assert min(buckets) >= 8  # no empty stretch: some app polls every few seconds


def test_an_app_interval_override_is_honoured() -> None:
    options = ControllerOptions(refresh_interval=120.0)
    assert options.next_refresh(("argocd", "web"), 5.0, now=1234.0) <= 5.0
