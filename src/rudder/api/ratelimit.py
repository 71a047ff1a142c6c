"""A token-bucket rate limiter per client address, for unauthenticated endpoints
(webhooks). In memory, per server process. Used by the webhook route."""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self, *, rate: float, burst: int, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._max_clients = max_clients

    def allow(self, client: str) -> float:
        """0 when the request may proceed, else the seconds to wait before retrying."""
        now = time.monotonic()
        tokens, stamp = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
        if len(self._buckets) >= self._max_clients and client not in self._buckets:
            self._buckets.clear()  # bounded memory under address churn
        self._buckets[client] = (tokens - 1.0, now)
        return 0.0
