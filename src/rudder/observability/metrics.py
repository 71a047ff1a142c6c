"""Prometheus metrics every component updates, named as the HTTP API exports them on
``/metrics``. Defined once here so the controller and the server share one registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RECONCILE_SECONDS = Histogram(
    "rudder_app_reconcile_seconds",
    "Time to reconcile one application",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
SYNC_TOTAL = Counter(
    "rudder_app_sync_total", "Sync operations by application and outcome", ["namespace", "name", "phase"]
)
WORKQUEUE_DEPTH = Gauge("rudder_workqueue_depth", "Applications waiting in the controller's work queue")
GIT_REQUESTS = Counter("rudder_git_request_total", "Git commands run against repositories", ["request_type"])
GIT_SECONDS = Histogram("rudder_git_request_duration_seconds", "Duration of git commands", ["request_type"])
RENDER_SECONDS = Histogram("rudder_render_seconds", "Time to render one application source", ["tool"])
CACHE_AGE_SECONDS = Gauge(
    "rudder_cluster_cache_age_seconds", "Seconds since the live cache last saw a watch event"
)
WEBHOOK_REQUESTS = Counter(
    "rudder_webhook_requests_total",
    "Git webhook requests by provider and result (refreshed, ignored, unknown_repo, bad_signature, "
    "too_large, rate_limited, malformed)",
    ["provider", "result"],
)
API_REQUEST_SECONDS = Histogram(
    "rudder_api_request_seconds",
    "HTTP API request duration by route template, method and status code",
    ["route", "method", "code"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LOGIN_TOTAL = Counter("rudder_login_total", "Login attempts by result (success, failure, locked)", ["result"])
