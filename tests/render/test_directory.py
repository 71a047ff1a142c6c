"""Directory apps: plain YAML/JSON files, recurse, include/exclude, Jsonnet, and the
errors a user sees for bad files."""

from __future__ import annotations

import json
import re

import pytest

from rudder.model.errors import RenderError
from tests.fixtures.git import GitRepo
from tests.render.conftest import Renderer, by_name, names


def cm(name: str, **data: str) -> str:
    body = "".join(f"\n  {k}: {json.dumps(v)}" for k, v in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:{body or ' {}'}\n"


async def test_yaml_json_multidoc_lists_and_empty_documents(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("deploy/a.yaml", "---\n" + cm("a1") + "---\n\n---\n# only a comment\n---\n" + cm("a2"))
    git_repo.write(
        "deploy/b.json",
        json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}, "spec": {"ports": []}}),
    )
    git_repo.write(
        "deploy/c.yml",
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c1}}\n"
        "- {apiVersion: v1, kind: Secret, metadata: {name: c2}}\n",
    )
    git_repo.write("deploy/values.yaml", "replicaCount: 3\nimage: nginx\n")  # not a manifest: ignored
    git_repo.write("deploy/README.md", "apiVersion: v1\nkind: X\nmetadata: {}\n")
    result = await renderer.render("deploy")
    assert result.tool == "Directory"
    assert names(result) == ["ConfigMap/a1", "ConfigMap/a2", "Service/b", "ConfigMap/c1", "Secret/c2"]


async def test_values_keep_their_yaml_types_and_timestamps_stay_strings(
    renderer: Renderer, git_repo: GitRepo
) -> None:
    git_repo.write(
        "deploy/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n"
        "  annotations: {created: 2024-01-02T03:04:05Z, day: 2024-01-02}\ndata: {n: '1'}\n",
    )
    manifest = (await renderer.render("deploy")).manifests[0]
    assert manifest["metadata"]["annotations"] == {"created": "2024-01-02T03:04:05Z", "day": "2024-01-02"}
    json.dumps(manifest)  # serialisable for the API server


@pytest.fixture
def tree(git_repo: GitRepo) -> GitRepo:
    for path in [
        "app/top.yaml",
        "app/config.json",
        "app/env-usw2/east.yaml",
        "app/env-use1/west.yaml",
        "app/sub/deep/x.yml",
    ]:
        name = path.rsplit("/", 1)[1].split(".")[0]
        if path.endswith(".json"):
            git_repo.write(
                path, json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
            )
        else:
            git_repo.write(path, cm(name))
    return git_repo


@pytest.mark.parametrize(
    ("directory", "expected"),
    [
        ({}, ["config", "top"]),
        ({"recurse": False}, ["config", "top"]),
        ({"recurse": True}, ["config", "west", "east", "x", "top"]),
        ({"recurse": True, "include": "*.yaml"}, ["west", "east", "top"]),
        ({"recurse": True, "include": "{config.json,env-usw2/*}"}, ["config", "east"]),
        ({"recurse": True, "exclude": "{config.json,env-usw2/*}"}, ["west", "x", "top"]),
        ({"recurse": True, "exclude": "env-*/*"}, ["config", "x", "top"]),
        ({"recurse": True, "include": "sub/**", "exclude": "*.json"}, ["x"]),
        ({"recurse": True, "include": "env-us[!w]?/*"}, ["west"]),
    ],
)
async def test_recurse_include_exclude(
    renderer: Renderer, tree: GitRepo, directory: dict[str, object], expected: list[str]
) -> None:
    result = await renderer.render("app", directory=directory)
    assert [m["metadata"]["name"] for m in result.manifests] == expected


async def test_empty_directory_renders_nothing(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("empty/notes.txt", "nothing to deploy\n")
    assert (await renderer.render("empty")).manifests == ()


async def test_root_path(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("cm.yaml", cm("at-root"))
    assert names(await renderer.render(".")) == ["ConfigMap/at-root"]


# -- bad files ----------------------------------------------------------------------------


async def test_invalid_yaml_names_file_and_line(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("deploy/good.yaml", cm("good"))
    git_repo.write(
        "deploy/broken.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: 1\n   b: 2\n",
    )
    with pytest.raises(RenderError) as info:
        await renderer.render("deploy")
    assert str(info.value).startswith("deploy/broken.yaml: invalid YAML at line 7:")
    assert info.value.temporary is False


async def test_invalid_yaml_without_api_version_is_still_reported(
    renderer: Renderer, git_repo: GitRepo
) -> None:
    git_repo.write("deploy/broken.yaml", "kind: ConfigMap\nmetadata: [unclosed\n")
    git_repo.write("deploy/notes.yaml", "todo: [unclosed\n")  # not a manifest: skipped like Argo CD
    with pytest.raises(RenderError, match=r"^deploy/broken.yaml: invalid YAML at line 3:"):
        await renderer.render("deploy")
    git_repo.delete("deploy/broken.yaml")
    assert (await renderer.render("deploy")).manifests == ()


async def test_invalid_json_names_file_and_line(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("deploy/x.json", '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap"\n  "metadata": {}\n}\n')
    with pytest.raises(RenderError, match=r"^deploy/x.json: invalid JSON at line 4: Expecting ','"):
        await renderer.render("deploy")


async def test_object_without_kind_in_a_manifest_file(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("deploy/x.yaml", cm("ok") + "---\napiVersion: v1\nmetadata: {name: nokind}\n")
    with pytest.raises(RenderError, match=r"deploy/x.yaml: document 2 is not a Kubernetes object"):
        await renderer.render("deploy")


# -- jsonnet ------------------------------------------------------------------------------


async def test_jsonnet_ext_vars_tlas_and_libs(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write(
        "vendor/k.libsonnet",
        "{ configMap(name, data):: "
        "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: name}, data: data} }\n",
    )
    git_repo.write(
        "jsonnet/main.jsonnet",
        "local k = import 'k.libsonnet';\n"
        "local helper = import 'helper.libsonnet';\n"
        "function(replicas, tier='web') [\n"
        "  k.configMap(std.extVar('env') + '-cm', {replicas: std.toString(replicas), tier: tier,\n"
        "    app: std.extVar('app'), debug: std.toString(std.extVar('debug'))}),\n"
        "  helper,\n"
        "]\n",
    )
    git_repo.write(
        "jsonnet/helper.libsonnet",
        "{apiVersion: 'v1', kind: 'List', items: [{apiVersion: 'v1', kind: 'Secret', metadata: {name: 's'}}]}\n",
    )
    git_repo.write(
        "jsonnet/data.json", json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}})
    )
    result = await renderer.render(
        "jsonnet",
        directory={
            "jsonnet": {
                "extVars": [
                    {"name": "env", "value": "prod"},
                    {"name": "app", "value": "$ARGOCD_APP_NAME"},
                    {"name": "debug", "value": "1 + 1 == 2", "code": True},
                ],
                "tlas": [{"name": "replicas", "value": "3", "code": True}, {"name": "tier", "value": "api"}],
                "libs": ["vendor"],
            }
        },
    )
    assert names(result) == ["Service/svc", "ConfigMap/prod-cm", "Secret/s"]
    assert by_name(result, "ConfigMap", "prod-cm")["data"] == {
        "replicas": "3",
        "tier": "api",
        "app": "my-app",
        "debug": "true",
    }


async def test_jsonnet_error_names_the_file(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("j/bad.jsonnet", "{ a: std.extVar('missing') }\n")
    with pytest.raises(RenderError) as info:
        await renderer.render("j")
    assert str(info.value).startswith("jsonnet j/bad.jsonnet:")
    assert "undefined external variable: missing" in str(info.value)
    assert "j/bad.jsonnet:1:6-27" in str(info.value)  # the location, relative to the repository


async def test_jsonnet_import_outside_repository_is_refused(
    renderer: Renderer, git_repo: GitRepo, tmp_path
) -> None:
    outside = tmp_path / "outside.libsonnet"
    outside.write_text("{secret: 'host file'}")
    git_repo.write("j/steal.jsonnet", f"(import '{outside}') + {{apiVersion: 'v1', kind: 'X'}}\n")
    git_repo.write("j2/steal.jsonnet", "import '../../../../../../../../../../etc/hostname'\n")
    with pytest.raises(RenderError, match="resolves outside the repository"):
        await renderer.render("j")
    with pytest.raises(RenderError, match="resolves outside the repository"):
        await renderer.render("j2")


async def test_jsonnet_lib_outside_repository_is_refused(renderer: Renderer, git_repo: GitRepo) -> None:
    git_repo.write("j/a.jsonnet", "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'a'}}\n")
    with pytest.raises(RenderError, match=re.escape("jsonnet lib ../..: resolves outside the repository")):
        await renderer.render("j", directory={"jsonnet": {"libs": ["../.."]}})
