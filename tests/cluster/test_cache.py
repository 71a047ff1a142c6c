"""The watch-fed cache against the real cluster: our own writes and what they carry."""

from __future__ import annotations

import asyncio

from rudder.cluster.cache import LiveCache
from rudder.cluster.client import KubeClient
from rudder.model.resource import Manifest


async def test_a_write_observed_with_notify_reaches_subscribers_once_with_others_changes(
    kube: KubeClient, namespace: str
) -> None:
    await kube.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": namespace}}
    )
    cache = LiveCache(kube, namespace=namespace)
    seen: list[tuple[str, Manifest, Manifest | None]] = []
    try:
        await cache.ensure("v1", "ConfigMap")
        cache.subscribe(lambda kind, obj, previous: seen.append((kind, obj, previous)))
        # Someone else labels it; our write, made right after, answers with that label too.
        await kube.patch("v1", "ConfigMap", "cm", namespace, patch={"metadata": {"labels": {"team": "a"}}})
        ours = await kube.patch("v1", "ConfigMap", "cm", namespace, patch={"data": {"k": "v"}})
        cache.observe(ours, notify=True)
        await asyncio.sleep(1.0)  # the watch delivers both events meanwhile
    finally:
        await cache.close()
    version = ours["metadata"]["resourceVersion"]
    mine = [obj for _, obj, _ in seen if obj["metadata"]["resourceVersion"] == version]
    assert len(mine) == 1  # from observe; the watch's copy of it is not news
    assert mine[0]["metadata"]["labels"] == {"team": "a"} and mine[0]["data"] == {"k": "v"}
