"""The Grafana dashboard in deploy/grafana/ queries only metrics that Rudder exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

from rudder.observability import metrics  # noqa: F401  (registers the shared metrics)

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "rudder.json"
SERVER_ONLY = {"rudder_app_info"}  # collected from the application index at scrape time


def test_every_dashboard_query_uses_an_exported_metric() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {
        re.sub(r"_(bucket|count|sum|total)$", "", m) for e in exprs for m in re.findall(r"rudder_[a-z_]+", e)
    }
    exported = {m.name for m in REGISTRY.collect() if m.name.startswith("rudder_")} | SERVER_ONLY
    assert used, "no queries found"
    assert used <= exported, f"unknown metrics: {sorted(used - exported)}"
    assert {
        "rudder_app_info",
        "rudder_app_reconcile_seconds",
        "rudder_workqueue_depth",
        "rudder_webhook_requests",
    } <= used
