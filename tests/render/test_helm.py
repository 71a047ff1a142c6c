"""Helm apps through the real ``helm template``: release name and namespace, value
files, values, valuesObject, parameters, file parameters, CRDs, hooks, capabilities,
local chart dependencies, and the errors a user sees."""

from __future__ import annotations

import re

import pytest

from rudder.model.errors import RenderError
from tests.fixtures.git import GitRepo
from tests.render.conftest import Renderer, by_name, names

CHART = "apiVersion: v2\nname: app\nversion: 0.1.0\n"
DEPENDENCY = 'dependencies:\n- name: common\n  version: 0.1.0\n  repository: "file://../common"\n'
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: {{ .Values.image.repository }}:{{ .Values.image.tag }}
"""
SETTINGS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: {{ .Values.greeting | quote }}
  port: {{ .Values.port | quote }}
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
  {{- with .Values.motd }}
  motd: {{ . | quote }}
  {{- end }}
"""
HOOK = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox}]
"""
TEST_HOOK = """\
apiVersion: v1
kind: Pod
metadata:
  name: smoke-test
  annotations: {helm.sh/hook: test}
spec:
  containers: [{name: t, image: busybox}]
"""
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
"""
VALUES = "replicas: 1\nimage: {repository: nginx, tag: '1.25'}\ngreeting: hello\nport: 80\n"


@pytest.fixture
def chart(git_repo: GitRepo) -> GitRepo:
    git_repo.write("charts/app/Chart.yaml", CHART + DEPENDENCY)
    git_repo.write("charts/app/values.yaml", VALUES)
    git_repo.write("charts/app/values-prod.yaml", "replicas: 3\ngreeting: from-prod-file\n")
    git_repo.write("charts/app/templates/deployment.yaml", DEPLOYMENT)
    git_repo.write("charts/app/templates/settings.yaml", SETTINGS)
    git_repo.write("charts/app/templates/hook.yaml", HOOK)
    git_repo.write("charts/app/templates/tests/smoke.yaml", TEST_HOOK)
    git_repo.write("charts/app/crds/widgets.yaml", CRD)
    git_repo.write("charts/app/files/motd.txt", "welcome aboard")
    git_repo.write("charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 0.1.0\n")
    git_repo.write(
        "charts/common/templates/shared.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\n",
    )
    git_repo.write("env/prod/values.yaml", "image: {tag: '1.27'}\n")
    return git_repo


async def test_defaults_match_argo_cd(renderer: Renderer, chart: GitRepo) -> None:
    result = await renderer.render("charts/app")
    assert result.tool == "Helm"
    assert sorted(names(result)) == [
        "ConfigMap/my-app-common",  # from the file:// dependency, built offline
        "ConfigMap/settings",
        "CustomResourceDefinition/widgets.example.com",  # CRDs included by default
        "Deployment/my-app-web",  # release name defaults to the app name
        "Job/migrate",
        "Pod/smoke-test",
    ]
    deployment = by_name(result, "Deployment", "my-app-web")
    assert deployment["metadata"]["namespace"] == "production"  # the destination namespace
    assert deployment["spec"]["replicas"] == 1
    hook = by_name(result, "Job", "migrate")
    assert hook["metadata"]["annotations"] == {
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "-5",
        "helm.sh/hook-delete-policy": "before-hook-creation",
    }


async def test_values_precedence_parameters_and_flags(renderer: Renderer, chart: GitRepo) -> None:
    result = await renderer.render(
        "charts/app",
        helm={
            "releaseName": "shop",
            "namespace": "payments",
            "valueFiles": ["values-prod.yaml", "/env/prod/values.yaml", "$ARGOCD_APP_NAME-missing.yaml"],
            "ignoreMissingValueFiles": True,
            "values": "greeting: from-values\n",
            "parameters": [
                {"name": "replicas", "value": "5"},
                {"name": "port", "value": "8080", "forceString": True},
                {"name": "image.repository", "value": "registry.example.com/nginx,alpine"},
            ],
            "fileParameters": [{"name": "motd", "path": "files/motd.txt"}],
            "skipCrds": True,
            "skipTests": True,
            "kubeVersion": "1.29.4",
            "apiVersions": ["monitoring.coreos.com/v1"],
        },
    )
    assert sorted(names(result)) == [
        "ConfigMap/settings",
        "ConfigMap/shop-common",
        "Deployment/shop-web",
        "Job/migrate",
    ]
    deployment = by_name(result, "Deployment", "shop-web")
    assert deployment["metadata"]["namespace"] == "payments"
    assert deployment["spec"]["replicas"] == 5  # parameters beat value files
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.example.com/nginx,alpine:1.27"  # comma kept; tag from /env/prod
    assert by_name(result, "ConfigMap", "settings")["data"] == {
        "greeting": "from-values",  # inline values beat value files
        "port": "8080",
        "kube": "v1.29.4",
        "monitoring": "true",
        "motd": "welcome aboard",
    }


async def test_values_object_wins_over_values(renderer: Renderer, chart: GitRepo) -> None:
    result = await renderer.render(
        "charts/app",
        helm={
            "values": "greeting: from-values\n",
            "valuesObject": {"greeting": "from-object", "replicas": 2},
        },
    )
    assert by_name(result, "ConfigMap", "settings")["data"]["greeting"] == "from-object"
    assert by_name(result, "Deployment", "my-app-web")["spec"]["replicas"] == 2


async def test_kube_version_from_the_request(renderer: Renderer, chart: GitRepo) -> None:
    result = await renderer.render(
        "charts/app", kube_version="1.31.2", api_versions=("monitoring.coreos.com/v1",)
    )
    data = by_name(result, "ConfigMap", "settings")["data"]
    assert (data["kube"], data["monitoring"]) == ("v1.31.2", "true")


async def test_vendored_dependency_needs_no_build(renderer: Renderer, chart: GitRepo) -> None:
    chart.write("charts/app/charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 0.1.0\n")
    chart.write(
        "charts/app/charts/common/templates/x.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vendored\n",
    )
    assert "ConfigMap/vendored" in names(await renderer.render("charts/app"))


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("value_file", ["../../../../etc/passwd", "/../../../../etc/passwd"])
async def test_value_file_outside_repository_is_refused(
    renderer: Renderer, chart: GitRepo, value_file: str
) -> None:
    with pytest.raises(
        RenderError, match=re.escape(f"helm value file {value_file}: resolves outside the repository")
    ):
        await renderer.render("charts/app", helm={"valueFiles": [value_file]})


async def test_value_file_symlink_outside_repository_is_refused(renderer: Renderer, chart: GitRepo) -> None:
    chart.symlink("charts/app/secrets.yaml", "/etc/hostname")
    with pytest.raises(
        RenderError, match=re.escape("symlink charts/app/secrets.yaml -> /etc/hostname: points outside")
    ):
        await renderer.render("charts/app", helm={"valueFiles": ["secrets.yaml"]})


async def test_missing_value_file(renderer: Renderer, chart: GitRepo) -> None:
    with pytest.raises(RenderError, match=r"^helm charts/app: value file values-qa.yaml not found$"):
        await renderer.render("charts/app", helm={"valueFiles": ["values-qa.yaml"]})


async def test_template_error_names_tool_path_and_helm_message(renderer: Renderer, chart: GitRepo) -> None:
    chart.write("charts/app/templates/broken.yaml", "metadata:\n  name: {{ .Values.name | nosuchfunc }}\n")
    with pytest.raises(RenderError) as info:
        await renderer.render("charts/app")
    message = str(info.value)
    assert message.startswith("helm template charts/app: ")
    assert 'function "nosuchfunc" not defined' in message
    assert info.value.temporary is False


async def test_missing_required_value(renderer: Renderer, chart: GitRepo) -> None:
    chart.write("charts/app/templates/req.yaml", 'x: {{ required "set .Values.domain" .Values.domain }}\n')
    with pytest.raises(RenderError, match=re.escape("set .Values.domain")):
        await renderer.render("charts/app")


async def test_broken_local_dependency(renderer: Renderer, chart: GitRepo) -> None:
    chart.delete("charts/common")
    with pytest.raises(RenderError) as info:
        await renderer.render("charts/app")
    assert str(info.value).startswith("helm dependency build charts/app: ")
    assert "common" in str(info.value)


async def test_explicit_helm_without_chart(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(RenderError, match=re.escape("helm template plain: no Chart.yaml in the directory")):
        await renderer.render("plain", helm={"releaseName": "x"})
