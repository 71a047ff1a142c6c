"""Cross-cutting observability: structured logging setup and Prometheus metrics.
Depends on nothing else in Rudder so every layer may use it."""
