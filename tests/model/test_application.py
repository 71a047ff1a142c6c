"""Parsing Argo CD Application specs into Rudder's typed view."""

from __future__ import annotations

import pytest
import yaml

from rudder.model.application import SyncOptions, manifest_paths_match, parse_spec
from rudder.model.duration import parse_duration
from rudder.model.errors import ConfigError

ARGO_EXAMPLE = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: my-app
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/org/repo.git
    path: deploy/app
    targetRevision: HEAD
    kustomize:
      namePrefix: prod-
      images: [nginx:1.27]
      commonLabels: {team: web}
      replicas: [{name: web, count: 3}]
  destination:
    server: https://kubernetes.default.svc
    namespace: production
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions: [CreateNamespace=true, PruneLast=true]
    retry:
      limit: 5
      backoff: {duration: 5s, factor: 2, maxDuration: 3m}
  ignoreDifferences:
    - group: apps
      kind: Deployment
      jsonPointers: [/spec/replicas]
"""


def test_the_issue_manifest_parses_with_argo_defaults() -> None:
    spec = parse_spec(yaml.safe_load(ARGO_EXAMPLE))
    assert spec.source.repo_url == "https://github.com/org/repo.git"
    assert spec.source.path == "deploy/app"
    assert spec.destination.in_cluster
    assert spec.sync_policy.automated is not None
    assert spec.sync_policy.automated.prune and spec.sync_policy.automated.self_heal
    assert not spec.sync_policy.automated.allow_empty
    assert spec.sync_policy.sync_options.enabled("CreateNamespace")
    assert spec.sync_policy.retry is not None and spec.sync_policy.retry.limit == 5
    assert spec.sync_policy.retry.backoff.max_duration == 180
    assert spec.revision_history_limit == 10
    assert spec.source.kustomize is not None and spec.source.kustomize.replicas == (("web", 3),)
    assert spec.ignore_differences[0].json_pointers == ("/spec/replicas",)


def test_retry_delay_grows_and_is_capped() -> None:
    spec = parse_spec(yaml.safe_load(ARGO_EXAMPLE))
    retry = spec.sync_policy.retry
    assert retry is not None
    assert [retry.delay(n) for n in (1, 2, 3)] == [5, 10, 20]
    assert retry.delay(10) == 180


def test_spec_hash_changes_with_any_source_field() -> None:
    app = yaml.safe_load(ARGO_EXAMPLE)
    first = parse_spec(app).source.spec_hash
    app["spec"]["source"]["kustomize"]["namePrefix"] = "staging-"
    assert parse_spec(app).source.spec_hash != first


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"source": {"path": "x"}}, "repoURL is required"),
        ({"syncPolicy": {"automated": "yes"}}, "spec.syncPolicy.automated: expected a map"),
        ({"syncPolicy": {"retry": {"backoff": {"duration": "soon"}}}}, "not a duration"),
        ({"ignoreDifferences": "all"}, "spec.ignoreDifferences: expected a list"),
    ],
)
def test_bad_fields_are_named(patch: dict[str, object], message: str) -> None:
    app = yaml.safe_load(ARGO_EXAMPLE)
    app["spec"].update(patch)
    with pytest.raises(ConfigError, match=message):
        parse_spec(app)


def test_sync_options_last_value_wins_and_false_is_explicit() -> None:
    options = SyncOptions.parse(["Prune=true", "Prune=false", "Replace=true"])
    assert options.disabled("Prune")
    assert options.enabled("Replace")
    assert not options.enabled("PruneLast")
    assert SyncOptions.parse("Prune=false, Replace=true").disabled("Prune")


@pytest.mark.parametrize(
    ("text", "seconds"), [("5s", 5), ("3m", 180), ("1h30m", 5400), ("250ms", 0.25), ("7", 7)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration_is_refused() -> None:
    with pytest.raises(ConfigError):
        parse_duration("3 minutes")


def _annotated(paths: str | None) -> dict[str, object]:
    annotations = {} if paths is None else {"argocd.argoproj.io/manifest-generate-paths": paths}
    return {"metadata": {"name": "app", "annotations": annotations}}


def test_manifest_generate_paths_relative_absolute_and_glob() -> None:
    assert manifest_paths_match(_annotated(None), "apps/a", ("elsewhere/x.yaml",))
    assert manifest_paths_match(_annotated("."), "apps/a", ("apps/a/cm.yaml",))
    assert not manifest_paths_match(_annotated("."), "apps/a", ("apps/ab/cm.yaml", "apps/b/cm.yaml"))
    assert manifest_paths_match(_annotated(".;../shared"), "apps/a", ("apps/shared/base.yaml",))
    assert manifest_paths_match(_annotated("/charts"), "apps/a", ("charts/values.yaml",))
    assert manifest_paths_match(_annotated("/apps/*/common.yaml"), "apps/a", ("apps/b/common.yaml",))
    assert not manifest_paths_match(_annotated("/charts"), "apps/a", ("apps/a/cm.yaml",))
    assert not manifest_paths_match(_annotated("."), "apps/a", ())
