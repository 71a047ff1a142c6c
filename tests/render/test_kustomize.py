"""Kustomize apps through the real ``kubectl kustomize``: overlays, Argo CD's
``source.kustomize`` overrides, and the errors a user sees."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest

from rudder.model.errors import RenderError
from rudder.render.request import RenderOptions
from tests.fixtures.git import GitRepo
from tests.render.conftest import Renderer, by_name, names

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
      - name: sidecar
        image: registry.example.com:5000/tools/proxy:1.0
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


@pytest.fixture
def base_and_overlay(git_repo: GitRepo) -> GitRepo:
    git_repo.write("base/deployment.yaml", DEPLOYMENT)
    git_repo.write("base/service.yaml", SERVICE)
    git_repo.write("base/kustomization.yaml", "resources: [deployment.yaml, service.yaml]\n")
    git_repo.write(
        "overlays/production/kustomization.yaml",
        "resources: [../../base]\nnamespace: prod\nlabels:\n- pairs: {env: production}\n"
        "configMapGenerator:\n- name: settings\n  literals: [mode=fast]\n",
    )
    return git_repo


async def test_overlay_referencing_base(renderer: Renderer, base_and_overlay: GitRepo) -> None:
    result = await renderer.render("overlays/production")
    assert result.tool == "Kustomize"
    assert sorted(names(result)) == ["ConfigMap/settings-t82mkhg8fd", "Deployment/web", "Service/web"]
    deployment = by_name(result, "Deployment", "web")
    assert deployment["metadata"]["namespace"] == "prod"
    assert deployment["metadata"]["labels"] == {"env": "production"}


async def test_argo_cd_overrides(renderer: Renderer, base_and_overlay: GitRepo) -> None:
    result = await renderer.render(
        "overlays/production",
        kustomize={
            "namePrefix": "$ARGOCD_APP_NAME-",
            "nameSuffix": "-v2",
            "namespace": "payments",
            "images": [
                "nginx:1.27",
                "registry.example.com:5000/tools/proxy=mirror.example.com/proxy@sha256:" + "a" * 64,
            ],
            "commonLabels": {"team": "payments"},
            "commonAnnotations": {"owner": "alice@example.com"},
            "replicas": [{"name": "web", "count": 4}],
        },
    )
    deployment = by_name(result, "Deployment", "my-app-web-v2")
    assert deployment["metadata"]["namespace"] == "payments"
    assert deployment["metadata"]["labels"] == {"env": "production", "team": "payments"}
    assert deployment["metadata"]["annotations"] == {"owner": "alice@example.com"}
    assert deployment["spec"]["replicas"] == 4
    assert deployment["spec"]["selector"]["matchLabels"]["team"] == "payments"
    images = [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert images == ["nginx:1.27", "mirror.example.com/proxy@sha256:" + "a" * 64]
    # References follow the renamed generator.
    assert any(name.startswith("ConfigMap/my-app-settings-v2-") for name in names(result))
    assert by_name(result, "Service", "my-app-web-v2")["spec"]["selector"]["team"] == "payments"


async def test_plain_kustomization_without_overrides(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("app/svc.yaml", SERVICE)
    git_repo.write("app/Kustomization", "resources: [svc.yaml]\nnamePrefix: a-\n")
    assert names(await renderer.render("app")) == ["Service/a-web"]


async def test_kustomize_error_names_tool_path_and_cause(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("app/kustomization.yaml", "resources: [missing.yaml]\n")
    with pytest.raises(RenderError) as info:
        await renderer.render("app")
    message = str(info.value)
    assert message.startswith("kustomize app: ")
    assert "missing.yaml" in message
    assert str(renderer.mirrors.options.cache_dir) not in message  # repository paths, not cache paths
    assert info.value.temporary is False


async def test_kustomize_error_with_overrides(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("app/kustomization.yaml", "resources: [svc.yaml]\n")
    git_repo.write("app/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: [x]}\n")
    with pytest.raises(RenderError, match=r"^kustomize app: "):
        await renderer.render("app", kustomize={"namePrefix": "p-"})


async def test_explicit_kustomize_without_kustomization(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("app/svc.yaml", SERVICE)
    with pytest.raises(
        RenderError,
        match=re.escape("kustomize app: no kustomization.yaml, kustomization.yml or Kustomization"),
    ):
        await renderer.render("app", kustomize={"namePrefix": "p-"})


@pytest.fixture
def silent_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


async def test_kustomize_run_is_bounded_by_the_timeout(
    renderer: Renderer, git_repo: GitRepo, silent_port: int
) -> None:
    git_repo.write("app/kustomization.yaml", f"resources: [http://127.0.0.1:{silent_port}/remote.yaml]\n")
    with pytest.raises(RenderError, match=r"^kustomize app: timed out after 1s") as info:
        await renderer.render("app", options=RenderOptions(timeout=1))
    assert info.value.temporary is True
