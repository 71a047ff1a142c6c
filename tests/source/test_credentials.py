"""Repository Secrets → RepoCredentials, best-match selection and masking."""

from __future__ import annotations

import base64

import pytest

from rudder.model.errors import ConfigError
from rudder.source.credentials import (
    RepoCredentials,
    credentials_from_secret,
    mask_text,
    match_credentials,
)

PASSWORD = "s3cr3t-Passw0rd"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret(secret_type: str | None, *, data: dict[str, str] | None = None, string_data=None) -> dict:
    labels = {"argocd.argoproj.io/secret-type": secret_type} if secret_type else {}
    obj: dict = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "repo-1", "namespace": "argocd", "labels": labels},
    }
    if data is not None:
        obj["data"] = data
    if string_data is not None:
        obj["stringData"] = string_data
    return obj


def test_repository_secret_data_is_base64_decoded() -> None:
    creds = credentials_from_secret(
        secret(
            "repository",
            data={
                "url": b64("https://git.example.com/org/repo.git"),
                "username": b64("deploy"),
                "password": b64(PASSWORD),
                "insecure": b64("true"),
            },
        )
    )
    assert creds == RepoCredentials(
        url="https://git.example.com/org/repo.git", username="deploy", password=PASSWORD, insecure=True
    )


def test_string_data_is_plain_and_wins_over_data() -> None:
    creds = credentials_from_secret(
        secret(
            "repo-creds",
            data={"url": b64("https://git.example.com/org"), "password": b64("old")},
            string_data={"password": PASSWORD, "sshPrivateKey": "KEY"},
        )
    )
    assert creds is not None
    assert creds.template
    assert creds.password == PASSWORD
    assert creds.ssh_private_key == "KEY"


def test_unlabelled_secret_is_not_a_repository() -> None:
    assert credentials_from_secret(secret(None, string_data={"url": "https://x"})) is None
    assert credentials_from_secret(secret("cluster", string_data={"url": "https://x"})) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": b64("x")}, "Secret/argocd/repo-1: repository Secret has no url"),
        ({"url": "%%%not-base64"}, "Secret/argocd/repo-1: data.url is not valid base64"),
    ],
)
def test_bad_secret_names_the_secret(data: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        credentials_from_secret(secret("repository", data=data))


def test_repr_never_shows_secrets() -> None:
    creds = RepoCredentials(
        url="https://git.example.com/r.git", username="u", password=PASSWORD, ssh_private_key="-----KEY-----"
    )
    text = repr(creds) + str(creds) + f"{creds}"
    assert PASSWORD not in text
    assert "-----KEY-----" not in text
    assert "username='u'" in text


EXACT = RepoCredentials(url="https://git.example.com/org/app.git", password="exact")
ORG = RepoCredentials(url="https://git.example.com/org", password="org", template=True)
HOST = RepoCredentials(url="https://git.example.com", password="host", template=True)
OTHER = RepoCredentials(url="https://other.example.com/org/app.git", password="other")


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        ("https://git.example.com/org/app.git", EXACT),
        ("https://git.example.com/org/app", EXACT),  # .git and case are not significant
        ("HTTPS://git.example.com/org/app.git/", EXACT),
        ("https://git.example.com/org/other.git", ORG),  # longest template prefix
        ("https://git.example.com/team/x.git", HOST),
        ("https://elsewhere.example.com/org/app.git", None),
    ],
)
def test_match_prefers_exact_repository_then_longest_prefix(
    repo_url: str, expected: RepoCredentials | None
) -> None:
    assert match_credentials(repo_url, [HOST, OTHER, EXACT, ORG]) == expected


def test_repository_secret_does_not_act_as_prefix() -> None:
    repo_only = RepoCredentials(url="https://git.example.com/org", password="x")
    assert match_credentials("https://git.example.com/org/app.git", [repo_only]) is None


def test_masking_removes_password_key_and_url_userinfo() -> None:
    creds = RepoCredentials(url="u", password=PASSWORD, ssh_private_key="PRIVATE-KEY-BODY\n")
    text = f"fatal: https://deploy:{PASSWORD}@h/r.git said {PASSWORD} and PRIVATE-KEY-BODY"
    masked = mask_text(text, creds)
    assert PASSWORD not in masked
    assert "PRIVATE-KEY-BODY" not in masked
    assert "deploy" not in masked
    assert mask_text("https://a:b@h/r", None) == "https://******@h/r"
