"""Kustomize and Helm applications through the controller, with real kubectl kustomize
and helm, and their failures reported without touching the cluster."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import yaml

from tests.controller.test_reconcile import configmap, deployment
from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo

CHART = """apiVersion: v2
name: web
version: 0.1.0
"""
DEPLOYMENT_TEMPLATE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image }}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  env: {{ .Values.env | quote }}
"""
HOOK_TEMPLATE = """apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: hook-succeeded
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox, command: ["true"]}]
"""


async def test_kustomize_overlay_with_argo_overrides(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("base/web.yaml", deployment("web", replicas=1))
    git_repo.write("base/cm.yaml", configmap("settings", env="base"))
    git_repo.write("base/kustomization.yaml", "resources: [web.yaml, cm.yaml]\n")
    git_repo.write(
        "overlays/prod/kustomization.yaml",
        "resources: [../../base]\nnamePrefix: prod-\npatches:\n  - target: {kind: ConfigMap}\n"
        '    patch: \'[{"op": "replace", "path": "/data/env", "value": "prod"}]\'\n',
    )
    git_repo.commit("kustomize")
    source = {
        "kustomize": {
            "images": ["nginx:1.28"],
            "commonLabels": {"team": "web"},
            "replicas": [{"name": "prod-web", "count": 2}],
        }
    }
    await harness.create(harness.application("kust", git_repo.url, "overlays/prod", source=source))
    app = await harness.wait_synced("kust")

    assert app["status"]["sourceType"] == "Kustomize"
    live = await harness.kube.get("apps/v1", "Deployment", "prod-web", harness.namespace)
    assert live["spec"]["replicas"] == 2
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert live["metadata"]["labels"]["team"] == "web"
    cm = await harness.kube.get("v1", "ConfigMap", "prod-settings", harness.namespace)
    assert cm["data"] == {"env": "prod"}


async def test_helm_chart_with_value_files_and_hooks(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("chart/Chart.yaml", CHART)
    git_repo.write("chart/values.yaml", "replicas: 1\nimage: nginx:1.27\nenv: default\n")
    git_repo.write("chart/values-prod.yaml", "replicas: 3\nenv: production\n")
    git_repo.write("chart/templates/web.yaml", DEPLOYMENT_TEMPLATE)
    git_repo.write("chart/templates/migrate.yaml", HOOK_TEMPLATE)
    git_repo.commit("chart")
    source = {
        "helm": {
            "releaseName": "shop",
            "valueFiles": ["values-prod.yaml"],
            "parameters": [{"name": "image", "value": "nginx:1.28"}],
        }
    }
    await harness.create(harness.application("helm", git_repo.url, "chart", source=source))
    app = await harness.wait_synced("helm")

    assert app["status"]["sourceType"] == "Helm"
    live = await harness.kube.get("apps/v1", "Deployment", "shop-web", harness.namespace)
    assert live["spec"]["replicas"] == 3
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    cm = await harness.kube.get("v1", "ConfigMap", "shop-settings", harness.namespace)
    assert cm["data"] == {"env": "production"}
    hooks = [r for r in app["status"]["operationState"]["syncResult"]["resources"] if r.get("hookType")]
    assert [(h["name"], h["hookType"], h["hookPhase"]) for h in hooks] == [
        ("shop-migrate", "PreSync", "Succeeded")
    ]
    assert await harness.names("batch/v1", "Job") == set()  # hook-succeeded: deleted


async def test_render_failures_are_reported_and_change_nothing(
    harness: Harness, git_repo: GitRepo, git_repo_factory: Callable[[str], GitRepo]
) -> None:
    git_repo.write("kust/kustomization.yaml", "resources: [missing.yaml]\n")
    git_repo.write("chart/Chart.yaml", CHART)
    git_repo.write("chart/templates/bad.yaml", "{{ .Values.nope.deeper }}\n")
    git_repo.commit("two broken apps")
    hostile = git_repo_factory("hostile")
    hostile.write("escape/cm.yaml", configmap("escape"))
    hostile.symlink("escape/secret.yaml", "/etc/passwd")
    hostile.commit("a symlink out of the checkout")
    await harness.create(harness.application("kust-broken", git_repo.url, "kust"))
    await harness.create(harness.application("helm-broken", git_repo.url, "chart"))
    await harness.create(harness.application("escape", hostile.url, "escape"))

    assert "missing.yaml" in await harness.wait_condition("kust-broken", "ComparisonError", "kustomize")
    assert "nope" in await harness.wait_condition("helm-broken", "ComparisonError", "helm")
    assert "escape/secret.yaml" in await harness.wait_condition("escape", "ComparisonError", "outside")
    await asyncio.sleep(0.5)
    assert await harness.names("v1", "ConfigMap") == set()


async def test_ignored_field_is_left_alone_at_sync(harness: Harness, git_repo: GitRepo) -> None:
    git_repo.write("app/web.yaml", deployment("web", replicas=1))
    git_repo.write("app/cm.yaml", configmap("settings", level="1"))
    git_repo.commit("v1")
    ignore = {
        "ignoreDifferences": [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]
    }
    await harness.create(harness.application("hpa-like", git_repo.url, extra_spec=ignore))
    await harness.wait_synced("hpa-like")
    await harness.kube.patch(
        "apps/v1",
        "Deployment",
        "web",
        harness.namespace,
        patch={"spec": {"replicas": 4}},
        field_manager="autoscaler",
    )
    await asyncio.sleep(1.0)
    app = await harness.wait_synced("hpa-like")  # an ignored difference is not drift
    git_repo.write("app/cm.yaml", configmap("settings", level="2"))
    sha = git_repo.commit("v2")
    await harness.refresh("hpa-like")
    await harness.wait_synced("hpa-like", revision=sha)

    live = await harness.kube.get("apps/v1", "Deployment", "web", harness.namespace)
    assert live["spec"]["replicas"] == 4  # a sync did not reset it (Argo CD would)
    assert app["status"]["sync"]["status"] == "Synced"


async def test_private_repository_over_http_with_a_repository_secret(
    harness: Harness, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", configmap("private"))
    git_repo.commit("v1")
    git_repo.require_auth("robot", "hunter2-token")
    url = git_repo.http_url
    await harness.create(harness.application("private", url))
    message = await harness.wait_condition("private", "ComparisonError")
    assert "hunter2-token" not in message

    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"repo-{harness.namespace}",
            "namespace": "argocd",
            "labels": {"argocd.argoproj.io/secret-type": "repository"},
        },
        "stringData": {"url": url, "username": "robot", "password": "hunter2-token"},
    }
    await harness.kube.create(secret)
    try:
        await harness.refresh("private")
        app = await harness.wait_synced("private")
        assert "hunter2-token" not in yaml.safe_dump(app)
    finally:
        await harness.kube.delete("v1", "Secret", secret["metadata"]["name"], "argocd")
