"""Status building blocks: merge patches that replace nested objects, conditions with
stable transition times, history limits, image summaries."""

from __future__ import annotations

from rudder.api.applications import merge_patch as apply_merge_patch  # RFC 7386, as the API server applies it
from rudder.controller import status as st


def test_merge_patch_replaces_nested_objects() -> None:
    old = {
        "health": {"status": "Progressing", "message": "waiting"},
        "sync": {"status": "Synced", "revision": "a"},
    }
    new = {"health": {"status": "Healthy"}, "sync": {"status": "OutOfSync", "revision": "b"}}
    assert apply_merge_patch(old, st.merge_patch(old, new)) == new


def test_conditions_keep_their_transition_time() -> None:
    previous = [{"type": "SyncError", "message": "boom", "lastTransitionTime": "2020-01-01T00:00:00Z"}]
    out = st.conditions([("SyncError", "boom"), ("ComparisonError", "bad"), ("SyncError", "boom")], previous)
    assert out[0] == previous[0]
    assert [c["type"] for c in out] == ["SyncError", "ComparisonError"]


def test_history_ids_grow_and_the_limit_keeps_the_newest() -> None:
    history: list[dict[str, object]] = []
    for n in range(12):
        history = st.append_history(
            history, revision=f"r{n}", source={}, started_at="t", initiated_by={"automated": True}, limit=10
        )
    assert [h["id"] for h in history] == list(range(2, 12))
    assert history[-1]["revision"] == "r11"


def test_images_from_every_workload_shape() -> None:
    objects = [
        {
            "kind": "Deployment",
            "spec": {
                "template": {
                    "spec": {"containers": [{"image": "web:1"}], "initContainers": [{"image": "init:1"}]}
                }
            },
        },
        {
            "kind": "CronJob",
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"image": "job:2"}]}}}}},
        },
        {"kind": "Pod", "spec": {"containers": [{"image": "web:1"}]}},
        {"kind": "ConfigMap", "data": {}},
    ]
    assert st.images(objects) == ["init:1", "job:2", "web:1"]
