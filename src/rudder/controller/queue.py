"""Asyncio work queue with client-go semantics: a key is queued at most once, never
handled by two workers at a time (a key added while in flight is re-queued when it
finishes), delayed adds, and per-key exponential backoff. Used by the controller.

Keys added with ``background=True`` (bulk work: every app at start-up, the siblings of an
app that found a new commit) are handed out only when no ordinary key is ready, so a
thousand background refreshes never delay the one app a user or a watch event is waiting
on. An ordinary add of a key waiting in the background moves it to the front lane."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackoffOptions:
    base: float = 1.0
    factor: float = 2.0
    maximum: float = 300.0


@dataclass(order=True)
class _Delayed(Generic[K]):
    due: float
    seq: int
    key: K = field(compare=False)


class ShutdownError(Exception):
    """The queue was shut down while waiting for a key."""


class WorkQueue(Generic[K]):
    def __init__(self, backoff: BackoffOptions | None = None) -> None:
        self._backoff = backoff or BackoffOptions()
        self._ready: deque[K] = deque()
        self._background: deque[K] = deque()
        self._in_background: set[K] = set()
        self._queued: set[K] = set()
        self._processing: set[K] = set()
        self._dirty: dict[K, bool] = {}
        self._delayed: list[_Delayed[K]] = []
        self._delayed_due: dict[K, float] = {}
        self._failures: dict[K, int] = {}
        self._seq = itertools.count()
        self._wakeup = asyncio.Event()
        self._closed = False

    @property
    def depth(self) -> int:
        """Keys ready to be handled now (queued, not in flight), both lanes."""
        return len(self._queued)

    @property
    def waiting(self) -> int:
        return len(self._delayed_due)

    def add(self, key: K, *, background: bool = False) -> None:
        if self._closed:
            return
        if key in self._processing:
            self._dirty[key] = self._dirty.get(key, True) and background
            return
        if key in self._queued:
            if not background and key in self._in_background:
                # Its entry in the background lane is skipped when reached.
                self._in_background.discard(key)
                self._ready.append(key)
            return
        self._queued.add(key)
        if background:
            self._in_background.add(key)
            self._background.append(key)
        else:
            self._ready.append(key)
        self._wakeup.set()

    def add_after(self, key: K, delay: float) -> None:
        """Queue ``key`` after ``delay`` seconds; an earlier pending time wins."""
        if delay <= 0:
            self.add(key)
            return
        due = time.monotonic() + delay
        current = self._delayed_due.get(key)
        if current is not None and current <= due:
            return
        self._delayed_due[key] = due
        heapq.heappush(self._delayed, _Delayed(due, next(self._seq), key))
        self._wakeup.set()

    def add_rate_limited(self, key: K) -> float:
        """Queue ``key`` after its next backoff delay; returns the delay."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        delay = min(self._backoff.base * (self._backoff.factor**failures), self._backoff.maximum)
        self.add_after(key, delay)
        return delay

    def forget(self, key: K) -> None:
        """Reset ``key``'s backoff after a success."""
        self._failures.pop(key, None)

    def failures(self, key: K) -> int:
        return self._failures.get(key, 0)

    def _promote_due(self) -> float | None:
        now = time.monotonic()
        while self._delayed and self._delayed[0].due <= now:
            item = heapq.heappop(self._delayed)
            if self._delayed_due.get(item.key) == item.due:
                del self._delayed_due[item.key]
                self.add(item.key)
        return self._delayed[0].due - now if self._delayed else None

    def _next_key(self) -> K | None:
        if self._ready:
            return self._ready.popleft()
        while self._background:
            key = self._background.popleft()
            if key in self._in_background:
                self._in_background.discard(key)
                return key
        return None

    async def get(self) -> K:
        """The next key to handle; call ``done(key)`` when finished."""
        while True:
            if self._closed:
                raise ShutdownError
            next_due = self._promote_due()
            key = self._next_key()
            if key is not None:
                self._queued.discard(key)
                self._processing.add(key)
                return key
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=next_due)
            except TimeoutError:
                continue

    def done(self, key: K) -> None:
        self._processing.discard(key)
        background = self._dirty.pop(key, None)
        if background is not None:
            self.add(key, background=background)

    def shutdown(self) -> None:
        self._closed = True
        self._wakeup.set()
