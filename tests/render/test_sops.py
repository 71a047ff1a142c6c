"""sops + age: encrypted Secrets in the repository are decrypted at render time with
the keys from RenderOptions; plaintext and keys never reach logs or errors."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from rudder.model.errors import RenderError
from rudder.model.toolchain import find_tool
from rudder.render.request import RenderOptions
from tests.fixtures.git import GitRepo
from tests.render.conftest import Renderer, by_name, names

PLAINTEXT = "hunter2-very-secret"
SECRETS = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations: {{rotated: '2024-05-01'}}
type: Opaque
stringData:
  password: {PLAINTEXT}
  port: "5432"
---
apiVersion: v1
kind: Secret
metadata:
  name: api
data:
  token: {"dG9wLXNlY3JldC10b2tlbg=="}
"""


@dataclass(frozen=True)
class AgeKey:
    private: str
    public: str


def make_key(tmp_path: Path, name: str) -> AgeKey:
    path = tmp_path / f"{name}.txt"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    text = path.read_text()
    public = next(line.split(": ")[1] for line in text.splitlines() if line.startswith("# public key"))
    private = next(line for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-"))
    return AgeKey(private=private, public=public)


def encrypt(tmp_path: Path, plaintext: str, recipient: str, *, regex: str = "^(data|stringData)$") -> str:
    """sops-encrypt ``plaintext`` for ``recipient`` (only keys matching ``regex``, or all)."""
    source = tmp_path / "plain.yaml"
    source.write_text(plaintext)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    only = ["--encrypted-regex", regex] if regex else []
    result = subprocess.run(
        [find_tool("sops"), "--encrypt", "--age", recipient, *only, str(source)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    source.unlink()
    return result.stdout


@pytest.fixture
def key(tmp_path: Path) -> AgeKey:
    return make_key(tmp_path, "key")


@pytest.fixture
def encrypted_repo(git_repo: GitRepo, key: AgeKey, tmp_path: Path) -> GitRepo:
    git_repo.write("deploy/secrets.enc.yaml", encrypt(tmp_path, SECRETS, key.public))
    git_repo.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n")
    return git_repo


async def test_encrypted_secrets_are_decrypted(
    renderer: Renderer,
    encrypted_repo: GitRepo,
    key: AgeKey,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert PLAINTEXT not in (encrypted_repo.path / "deploy/secrets.enc.yaml").read_text()
    other = make_key(tmp_path, "other")
    result = await renderer.render("deploy", options=RenderOptions(age_keys=(other.private, key.private)))
    assert names(result) == ["ConfigMap/plain", "Secret/db", "Secret/api"]
    db = by_name(result, "Secret", "db")
    assert db["stringData"] == {"password": PLAINTEXT, "port": "5432"}
    assert db["metadata"]["annotations"] == {"rotated": "2024-05-01"}
    assert "sops" not in db
    assert by_name(result, "Secret", "api")["data"] == {"token": "dG9wLXNlY3JldC10b2tlbg=="}
    captured = capsys.readouterr()
    assert PLAINTEXT not in captured.out + captured.err
    assert key.private not in captured.out + captured.err


async def test_encrypted_resource_in_kustomize_output(
    renderer: Renderer, git_repo: GitRepo, key: AgeKey, tmp_path: Path
) -> None:
    git_repo.write("k/secrets.enc.yaml", encrypt(tmp_path, SECRETS, key.public))
    git_repo.write("k/kustomization.yaml", "resources: [secrets.enc.yaml]\nnamePrefix: p-\n")
    result = await renderer.render("k", options=RenderOptions(age_keys=(key.private,)))
    assert by_name(result, "Secret", "p-db")["stringData"]["password"] == PLAINTEXT
    assert by_name(result, "Secret", "p-api")["data"] == {"token": "dG9wLXNlY3JldC10b2tlbg=="}


async def test_encrypted_helm_value_file(
    renderer: Renderer, git_repo: GitRepo, key: AgeKey, tmp_path: Path
) -> None:
    git_repo.write("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
    git_repo.write(
        "chart/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: {{ .Values.password | quote }}}\n",
    )
    encrypted = encrypt(tmp_path, f"password: {PLAINTEXT}\n", key.public, regex="")
    git_repo.write("chart/secrets.enc.yaml", encrypted)
    result = await renderer.render(
        "chart", helm={"valueFiles": ["secrets.enc.yaml"]}, options=RenderOptions(age_keys=(key.private,))
    )
    assert by_name(result, "Secret", "s")["stringData"]["password"] == PLAINTEXT


async def test_encrypted_resource_in_kustomize_output_wrong_key(
    renderer: Renderer, git_repo: GitRepo, key: AgeKey, tmp_path: Path
) -> None:
    single = SECRETS.split("---\n", maxsplit=1)[0]
    git_repo.write("k/secret.enc.yaml", encrypt(tmp_path, single, key.public))
    git_repo.write("k/kustomization.yaml", "resources: [secret.enc.yaml]\n")
    other = make_key(tmp_path, "other")
    with pytest.raises(
        RenderError, match=r"^sops --decrypt k/secret.enc.yaml: Failed to get the data key"
    ) as info:
        await renderer.render("k", options=RenderOptions(age_keys=(other.private,)))
    assert PLAINTEXT not in str(info.value)


async def test_wrong_key_is_a_clear_error_without_plaintext(
    renderer: Renderer, encrypted_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("SOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    wrong = make_key(tmp_path, "wrong")
    with pytest.raises(RenderError) as info:
        await renderer.render("deploy", options=RenderOptions(age_keys=(wrong.private,)))
    message = str(info.value)
    assert message.startswith("sops --decrypt deploy/secrets.enc.yaml: Failed to get the data key")
    assert PLAINTEXT not in message
    assert wrong.private not in message
    assert "AGE-SECRET-KEY" not in repr(RenderOptions(age_keys=(wrong.private,)))
