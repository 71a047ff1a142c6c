"""The controller's work queue: deduplication, one worker per key, delays, backoff."""

from __future__ import annotations

import asyncio

import pytest

from rudder.controller.queue import BackoffOptions, ShutdownError, WorkQueue


async def test_duplicate_adds_are_merged() -> None:
    queue: WorkQueue[str] = WorkQueue()
    for _ in range(3):
        queue.add("a")
    queue.add("b")
    assert queue.depth == 2
    assert [await queue.get(), await queue.get()] == ["a", "b"]


async def test_key_added_while_in_flight_is_handled_again_after_done() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    key = await queue.get()
    queue.add("a")
    assert queue.depth == 0  # not handed to a second worker
    queue.done(key)
    assert queue.depth == 1
    assert await queue.get() == "a"


async def test_delayed_add_arrives_later_and_earliest_time_wins() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.add_after("a", 5.0)
    queue.add_after("a", 0.05)
    assert queue.depth == 0
    assert await asyncio.wait_for(queue.get(), 2.0) == "a"


async def test_backoff_grows_and_forget_resets() -> None:
    queue: WorkQueue[str] = WorkQueue(BackoffOptions(base=1.0, factor=2.0, maximum=5.0))
    delays = [queue.add_rate_limited("a") for _ in range(4)]
    assert delays == [1.0, 2.0, 4.0, 5.0]
    queue.forget("a")
    assert queue.add_rate_limited("a") == 1.0


async def test_shutdown_wakes_waiting_workers() -> None:
    queue: WorkQueue[str] = WorkQueue()
    waiter = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.shutdown()
    with pytest.raises(ShutdownError):
        await waiter


async def test_background_keys_wait_for_ordinary_ones() -> None:
    queue: WorkQueue[str] = WorkQueue()
    for name in ("b1", "b2", "b3"):
        queue.add(name, background=True)
    queue.add("urgent")
    assert queue.depth == 4
    assert await queue.get() == "urgent"
    assert [await queue.get() for _ in range(3)] == ["b1", "b2", "b3"]
    assert queue.depth == 0


async def test_ordinary_add_moves_a_background_key_to_the_front_once() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.add("b1", background=True)
    queue.add("b2", background=True)
    queue.add("b2")
    queue.add("b2", background=True)  # already at the front: stays there
    assert queue.depth == 2
    assert [await queue.get(), await queue.get()] == ["b2", "b1"]
    queue.add("b3", background=True)
    assert await queue.get() == "b3"  # b2's old background entry was skipped, not handed out again
    assert queue.depth == 0


async def test_in_flight_key_comes_back_in_the_most_urgent_lane_it_was_asked_for() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    key = await queue.get()
    queue.add("a", background=True)
    queue.add("a")
    queue.add("z", background=True)
    queue.done(key)
    assert await queue.get() == "a"
    key = await queue.get()
    assert key == "z"
    queue.add("z", background=True)
    queue.add("y")
    queue.done(key)
    assert [await queue.get(), await queue.get()] == ["y", "z"]
