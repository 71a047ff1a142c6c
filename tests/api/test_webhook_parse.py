"""Webhook payloads and matching, without a cluster: who sent it, which repository,
branch and files, signature checks, and which apps a push concerns."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from rudder.api import webhook as hooks
from tests.api.conftest import application


@pytest.mark.parametrize(
    ("url", "identity"),
    [
        ("https://github.com/Org/App.git", "github.com/org/app"),
        ("https://user:pw@github.com/org/app/", "github.com/org/app"),
        ("git@github.com:org/app.git", "github.com/org/app"),
        ("ssh://git@github.com:22/org/app.git", "github.com/org/app"),
        ("https://gitlab.example.com:8443/group/sub/app", "gitlab.example.com:8443/group/sub/app"),
        ("http://127.0.0.1:9000/app.git", "127.0.0.1:9000/app"),
    ],
)
def test_repo_identity_ignores_scheme_credentials_and_dot_git(url: str, identity: str) -> None:
    assert hooks.repo_identity(url) == identity


def test_github_push_names_repo_branch_and_files() -> None:
    payload = {
        "ref": "refs/heads/main",
        "repository": {
            "html_url": "https://github.com/org/app",
            "clone_url": "https://github.com/org/app.git",
            "ssh_url": "git@github.com:org/app.git",
            "default_branch": "main",
        },
        "commits": [{"added": ["a.yaml"], "modified": ["app/b.yaml"], "removed": ["c.yaml"]}],
    }
    push = hooks.parse_push(hooks.GITHUB, payload)
    assert push.revisions == ("main",)
    assert push.default_branch == "main"
    assert push.changed_files == ("a.yaml", "app/b.yaml", "c.yaml")


def test_gitlab_push_with_more_commits_than_sent_has_unknown_files() -> None:
    payload = {
        "ref": "refs/heads/dev",
        "project": {"web_url": "https://gitlab.com/g/app", "default_branch": "main"},
        "commits": [{"added": ["x"], "modified": [], "removed": []}],
        "total_commits_count": 40,
    }
    push = hooks.parse_push(hooks.GITLAB, payload)
    assert push.revisions == ("dev",) and push.changed_files is None


def test_generic_ci_payload_matches_by_full_name_suffix() -> None:
    push = hooks.parse_push(hooks.GENERIC, {"payload": {"push": {"repo": {"full_name": "org/app"}}}})
    for url, expected in [
        ("https://github.com/org/app.git", True),
        ("https://github.com/org/app", True),
        ("git@gitlab.com:org/app.git", True),
        ("https://github.com/other-org/app", False),
        ("https://github.com/org/application", False),
    ]:
        assert hooks.concerns(push, application("ns", "a", repo_url=url)) == (expected, expected), url


def test_bitbucket_cloud_and_server_payloads() -> None:
    cloud = hooks.parse_push(
        hooks.BITBUCKET,
        {
            "repository": {
                "full_name": "team/app",
                "links": {"html": {"href": "https://bitbucket.org/team/app"}},
            },
            "push": {"changes": [{"new": {"name": "main", "type": "branch"}}]},
        },
    )
    assert cloud.revisions == ("main",) and cloud.changed_files is None
    server = hooks.parse_push(
        hooks.BITBUCKET_SERVER,
        {
            "repository": {"links": {"clone": [{"href": "https://bb.example.com/scm/team/app.git"}]}},
            "changes": [{"ref": {"displayId": "release"}}],
        },
    )
    assert server.repo_urls == ("https://bb.example.com/scm/team/app.git",) and server.revisions == (
        "release",
    )


def test_payload_without_a_repository_is_refused() -> None:
    with pytest.raises(hooks.WebhookError, match="names no repository"):
        hooks.parse_push(hooks.GENERIC, {"hello": "world"})
    with pytest.raises(hooks.WebhookError, match="JSON object"):
        hooks.parse_push(hooks.GITHUB, [1, 2])


def _push(**kwargs: object) -> hooks.Push:
    base: dict[str, object] = {"provider": hooks.GITHUB, "repo_urls": ("https://github.com/org/app",)}
    base.update(kwargs)
    return hooks.Push(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "pushed", "default", "refresh"),
    [
        ("HEAD", "main", "main", True),
        ("HEAD", "feature", "main", False),
        ("", "main", "", True),
        ("main", "main", "main", True),
        ("refs/heads/main", "main", "main", True),
        ("release", "main", "main", False),
        ("a" * 40, "main", "main", False),
        ("v1.2.0", "v1.2.0", "main", True),
    ],
)
def test_branch_matching(target: str, pushed: str, default: str, refresh: bool) -> None:
    app = application("ns", "a", repo_url="https://github.com/org/app.git", revision=target)
    assert hooks.concerns(_push(revisions=(pushed,), default_branch=default), app) == (True, refresh)


@pytest.mark.parametrize(
    ("annotation", "files", "refresh"),
    [
        (".", ("app/deploy.yaml",), True),
        (".", ("docs/readme.md",), False),
        ("/shared;.", ("shared/values.yaml",), True),
        ("../common", ("common/x.yaml",), True),
        ("/charts/*.yaml", ("charts/a.yaml",), True),
        ("/charts/*.yaml", ("charts/sub/a.txt",), False),
        (".", (), False),
    ],
)
def test_manifest_generate_paths(annotation: str, files: tuple[str, ...], refresh: bool) -> None:
    app = application(
        "ns",
        "a",
        repo_url="https://github.com/org/app",
        path="app",
        annotations={"argocd.argoproj.io/manifest-generate-paths": annotation},
    )
    assert hooks.concerns(_push(changed_files=files), app) == (True, refresh)


def test_unknown_changed_files_always_refresh() -> None:
    app = application(
        "ns",
        "a",
        repo_url="https://github.com/org/app",
        annotations={"argocd.argoproj.io/manifest-generate-paths": "."},
    )
    assert hooks.concerns(_push(changed_files=None), app) == (True, True)


def test_signatures() -> None:
    body = b'{"ref":"refs/heads/main"}'
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    secrets = {
        "webhook.github.secret": "s3cret",
        "webhook.gitlab.secret": "tok",
        "webhook.generic.secret": "gen",
    }
    assert hooks.verify(hooks.GITHUB, secrets, {"x-hub-signature-256": good}, body) == ""
    assert "does not match" in hooks.verify(hooks.GITHUB, secrets, {"x-hub-signature-256": good}, body + b" ")
    assert "missing" in hooks.verify(hooks.GITHUB, secrets, {}, body)
    assert hooks.verify(hooks.GITHUB, {}, {}, body) == ""  # no secret configured: accepted
    assert hooks.verify(hooks.GITLAB, secrets, {"x-gitlab-token": "tok"}, body) == ""
    assert "does not match" in hooks.verify(hooks.GITLAB, secrets, {"x-gitlab-token": "other"}, body)
    assert hooks.verify(hooks.GENERIC, secrets, {"authorization": "Bearer gen"}, body) == ""
    assert "missing" in hooks.verify(hooks.GENERIC, secrets, {}, body)
    assert (
        hooks.verify(hooks.BITBUCKET, {"webhook.bitbucket.uuid": "{u}"}, {"x-hook-uuid": "{u}"}, body) == ""
    )
    assert "X-Hook-UUID" in hooks.verify(hooks.BITBUCKET, {"webhook.bitbucket.uuid": "{u}"}, {}, body)
