"""Sync plans: which objects are applied, hooked or pruned, and in what order."""

from __future__ import annotations

from rudder.model.application import SyncOptions
from rudder.model.resource import TRACKING_ANNOTATION, Manifest, ResourceKey, key_of, tracking_id
from rudder.model.sync import SyncPhase, SyncStatus
from rudder.sync.plan import Action, SyncRequest, build_plan


def cm(name: str, wave: int = 0, **annotations: str) -> Manifest:
    if wave:
        annotations["argocd.argoproj.io/sync-wave"] = str(wave)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "ns", "annotations": annotations},
    }


def tracked(obj: Manifest, app: str = "app") -> Manifest:
    obj["metadata"]["annotations"][TRACKING_ANNOTATION] = tracking_id(app, key_of(obj))
    return obj


def request(desired: list[Manifest], live: list[Manifest] | None = None, **kw: object) -> SyncRequest:
    return SyncRequest(
        app_instance="app",
        revision="abc",
        desired=tuple(desired),
        live={key_of(o): tracked(o) for o in live or []},
        **kw,  # type: ignore[arg-type]
    )


def test_waves_order_applies_and_prunes_run_in_reverse_wave_order() -> None:
    plan = build_plan(
        request(
            [cm("b", 1), cm("a", -1), cm("c")],
            live=[cm("old-low", -5), cm("old-high", 5)],
            prune=True,
        )
    )
    applies = [
        name for _, tasks in plan.waves(SyncPhase.SYNC, Action.APPLY) for name in (t.key.name for t in tasks)
    ]
    assert applies == ["a", "c", "b"]
    prunes = [t.key.name for _, tasks in plan.waves(SyncPhase.SYNC, Action.PRUNE) for t in tasks]
    assert prunes == ["old-high", "old-low"]


def test_prune_off_or_annotation_skips_pruning() -> None:
    keep = cm("keep", **{"argocd.argoproj.io/sync-options": "Prune=false"})
    plan = build_plan(request([], live=[cm("gone"), keep], prune=True))
    skipped = {t.key.name: t.prune_skipped for t in plan.tasks}
    assert skipped == {"gone": False, "keep": True}
    plan = build_plan(request([], live=[cm("gone")], prune=False))
    assert all(t.prune_skipped for t in plan.tasks)


def test_hooks_go_to_their_phase_and_skip_is_left_out() -> None:
    pre = cm("migrate", **{"argocd.argoproj.io/hook": "PreSync"})
    skipped = cm("ignored", **{"argocd.argoproj.io/hook": "Skip"})
    plan = build_plan(request([pre, skipped, cm("app")]))
    assert [(t.key.name, t.phase, t.action) for t in plan.tasks] == [
        ("migrate", SyncPhase.PRE_SYNC, Action.HOOK),
        ("app", SyncPhase.SYNC, Action.APPLY),
    ]


def test_live_hooks_are_never_pruned() -> None:
    old_hook = cm("migrate-old", **{"argocd.argoproj.io/hook": "PreSync"})
    assert build_plan(request([], live=[old_hook], prune=True)).tasks == ()


def test_apply_out_of_sync_only() -> None:
    a, b = cm("a"), cm("b")
    plan = build_plan(
        request(
            [a, b],
            options=SyncOptions.parse(["ApplyOutOfSyncOnly=true"]),
            statuses={key_of(a): SyncStatus.SYNCED, key_of(b): SyncStatus.OUT_OF_SYNC},
        )
    )
    assert [t.key.name for t in plan.tasks] == ["b"]


def test_resource_subset_runs_no_hooks_and_prunes_only_selected() -> None:
    hook = cm("h", **{"argocd.argoproj.io/hook": "PreSync"})
    plan = build_plan(
        request(
            [cm("a"), cm("b"), hook],
            live=[cm("x"), cm("y")],
            prune=True,
            resources=frozenset(
                {ResourceKey("", "ConfigMap", "ns", "a"), ResourceKey("", "ConfigMap", "ns", "x")}
            ),
        )
    )
    assert sorted((t.key.name, t.action.value) for t in plan.tasks) == [("a", "apply"), ("x", "prune")]


def test_replace_from_app_options_or_resource_annotation() -> None:
    plan = build_plan(request([cm("a"), cm("b", **{"argocd.argoproj.io/sync-options": "Replace=true"})]))
    assert {t.key.name: t.replace for t in plan.tasks} == {"a": False, "b": True}
    plan = build_plan(request([cm("a")], options=SyncOptions.parse(["Replace=true"])))
    assert plan.tasks[0].replace


def test_prune_last_is_reported() -> None:
    assert build_plan(request([], options=SyncOptions.parse(["PruneLast=true"]))).prune_last


def test_objects_tracked_by_another_app_are_never_pruned() -> None:
    theirs = tracked(cm("theirs"), app="other-app")
    plan = build_plan(
        SyncRequest(app_instance="app", revision="abc", desired=(), live={key_of(theirs): theirs}, prune=True)
    )
    assert plan.tasks == ()
