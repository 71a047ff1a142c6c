"""Git push webhooks: recognise the sender (GitHub, GitLab, Bitbucket Cloud and Server,
or a generic JSON body such as ``{"payload":{"push":{"repo":{"full_name":"org/app"}}}}``),
verify its HMAC signature or token when a secret is configured in rudder-secret
(``webhook.github.secret`` ...), and decide which Applications the push concerns:
same repository, same branch (HEAD = the default branch), and changed paths under
``argocd.argoproj.io/manifest-generate-paths`` when the app sets it. Pure; used by
the webhook route."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rudder.model.application import manifest_paths_match
from rudder.model.resource import Manifest

GITHUB, GITLAB, BITBUCKET, BITBUCKET_SERVER, GENERIC = (
    "github",
    "gitlab",
    "bitbucket",
    "bitbucketserver",
    "generic",
)
_SHA = re.compile(r"^[0-9a-f]{40}$")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ssh": "22", "git": "9418"}


class WebhookError(ValueError):
    """The payload cannot be used; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Push:
    provider: str
    repo_urls: tuple[str, ...] = ()
    full_name: str = ""
    """``org/app`` when only the repository's name is known (generic payloads)."""
    revisions: tuple[str, ...] = ()
    """Branches or tags pushed; empty: unknown (every revision matches)."""
    default_branch: str = ""
    changed_files: tuple[str, ...] | None = None
    """Repository-relative paths; None: unknown (path filters do not apply)."""


def provider_of(headers: Mapping[str, str]) -> str:
    if "x-github-event" in headers:
        return GITHUB
    if "x-gitlab-event" in headers:
        return GITLAB
    key = headers.get("x-event-key", "")
    if key.startswith("repo:refs_changed") or key.startswith("pr:") or key == "diagnostics:ping":
        return BITBUCKET_SERVER
    if key:
        return BITBUCKET
    return GENERIC


def event_of(provider: str, headers: Mapping[str, str]) -> str:
    """The provider's event name; pushes are what matter."""
    if provider == GITHUB:
        return headers.get("x-github-event", "")
    if provider == GITLAB:
        return headers.get("x-gitlab-event", "")
    if provider in (BITBUCKET, BITBUCKET_SERVER):
        return headers.get("x-event-key", "")
    return "push"


def is_push(provider: str, event: str) -> bool:
    return {
        GITHUB: event == "push",
        GITLAB: event in ("Push Hook", "Tag Push Hook", "System Hook"),
        BITBUCKET: event == "repo:push",
        BITBUCKET_SERVER: event == "repo:refs_changed",
        GENERIC: True,
    }[provider]


def _hmac_ok(secret: str, body: bytes, header: str) -> bool:
    algorithm, _, signature = header.partition("=")
    digest = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}.get(algorithm.strip().lower())
    if digest is None or not signature:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def verify(provider: str, secrets: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> str:
    """Check the sender against the configured secret. Returns "" when the request is
    acceptable (verified, or no secret configured), else why it was refused."""
    if provider == GITHUB:
        secret = secrets.get("webhook.github.secret", "")
        if not secret:
            return ""
        header = headers.get("x-hub-signature-256") or headers.get("x-hub-signature", "")
        if not header:
            return "missing X-Hub-Signature-256 header"
        return "" if _hmac_ok(secret, body, header) else "signature does not match the configured secret"
    if provider == GITLAB:
        secret = secrets.get("webhook.gitlab.secret", "")
        if not secret:
            return ""
        token = headers.get("x-gitlab-token", "")
        if not token:
            return "missing X-Gitlab-Token header"
        return "" if _same(token, secret) else "token does not match the configured secret"
    if provider == BITBUCKET:
        uuid = secrets.get("webhook.bitbucket.uuid", "")
        secret = secrets.get("webhook.bitbucket.secret", "")
        if uuid and not _same(headers.get("x-hook-uuid", ""), uuid):
            return "X-Hook-UUID does not match the configured webhook.bitbucket.uuid"
        if secret:
            header = headers.get("x-hub-signature", "")
            if not header:
                return "missing X-Hub-Signature header"
            if not _hmac_ok(secret, body, header):
                return "signature does not match the configured secret"
        return ""
    if provider == BITBUCKET_SERVER:
        secret = secrets.get("webhook.bitbucketserver.secret", "")
        if not secret:
            return ""
        header = headers.get("x-hub-signature", "")
        if not header:
            return "missing X-Hub-Signature header"
        return "" if _hmac_ok(secret, body, header) else "signature does not match the configured secret"
    secret = secrets.get("webhook.generic.secret", "")
    if not secret:
        return ""
    signature = headers.get("x-hub-signature-256", "")
    if signature:
        return "" if _hmac_ok(secret, body, signature) else "signature does not match the configured secret"
    token = headers.get("x-webhook-token", "")
    auth = headers.get("authorization", "")
    if not token and auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    if not token:
        return "missing X-Hub-Signature-256 or X-Webhook-Token header"
    return "" if _same(token, secret) else "token does not match the configured secret"


def _get(data: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _strs(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v))


def _ref_name(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def _files(commits: Any) -> tuple[str, ...] | None:
    if not isinstance(commits, list):
        return None
    found: list[str] = []
    for commit in commits:
        if not isinstance(commit, dict):
            continue
        for field in ("added", "modified", "removed"):
            for path in commit.get(field) or []:
                if isinstance(path, str) and path not in found:
                    found.append(path)
    return tuple(found)


def parse_push(provider: str, payload: Any) -> Push:
    """The push described by ``payload``; WebhookError when it names no repository."""
    if not isinstance(payload, dict):
        raise WebhookError("payload must be a JSON object")
    if provider == GITHUB:
        repo = payload.get("repository") or {}
        push = Push(
            provider,
            repo_urls=_strs(
                _get(repo, "html_url"), _get(repo, "clone_url"), _get(repo, "ssh_url"), _get(repo, "git_url")
            ),
            revisions=_strs(_ref_name(str(payload.get("ref") or ""))),
            default_branch=str(_get(repo, "default_branch") or ""),
            changed_files=_files(payload.get("commits")),
        )
    elif provider == GITLAB:
        project = payload.get("project") or {}
        repo = payload.get("repository") or {}
        commits = payload.get("commits")
        files = _files(commits)
        total = payload.get("total_commits_count")
        if (
            files is not None
            and isinstance(total, int)
            and isinstance(commits, list)
            and total > len(commits)
        ):
            files = None  # GitLab sends at most 20 commits; the rest are unknown
        push = Push(
            provider,
            repo_urls=_strs(
                _get(project, "web_url"),
                _get(project, "git_http_url"),
                _get(project, "git_ssh_url"),
                _get(repo, "homepage"),
                _get(repo, "git_http_url"),
                _get(repo, "git_ssh_url"),
            ),
            revisions=_strs(_ref_name(str(payload.get("ref") or ""))),
            default_branch=str(_get(project, "default_branch") or ""),
            changed_files=files,
        )
    elif provider == BITBUCKET:
        repo = payload.get("repository") or {}
        full_name = str(repo.get("full_name") or "")
        changes = _get(payload, "push", "changes") or []
        names = [_get(c, "new", "name") for c in changes if isinstance(c, dict)]
        push = Push(
            provider,
            repo_urls=_strs(_get(repo, "links", "html", "href")),
            full_name=full_name,
            revisions=_strs(*names),
        )
    elif provider == BITBUCKET_SERVER:
        repo = payload.get("repository") or {}
        clones = _get(repo, "links", "clone") or []
        urls = [c.get("href") for c in clones if isinstance(c, dict)]
        changes = payload.get("changes") or []
        names = [_get(c, "ref", "displayId") for c in changes if isinstance(c, dict)]
        push = Push(provider, repo_urls=_strs(*urls), revisions=_strs(*names))
    else:
        full_name = _get(payload, "payload", "push", "repo", "full_name") or _get(
            payload, "repository", "full_name"
        )
        url = payload.get("repoURL") or _get(payload, "repository", "url")
        ref = payload.get("ref") or payload.get("branch") or payload.get("revision")
        files = payload.get("changedFiles")
        push = Push(
            provider,
            repo_urls=_strs(url),
            full_name=str(full_name) if isinstance(full_name, str) else "",
            revisions=_strs(_ref_name(str(ref))) if isinstance(ref, str) else (),
            changed_files=tuple(str(f) for f in files) if isinstance(files, list) else None,
        )
    if not push.repo_urls and not push.full_name:
        raise WebhookError(f"{provider} payload names no repository")
    return push


def repo_identity(url: str) -> str:
    """``host[:port]/path`` in lower case, without credentials, default ports and ``.git``,
    so https, ssh and scp-style URLs of one repository compare equal."""
    text = url.strip().lower().rstrip("/").removesuffix(".git").rstrip("/")
    if "://" in text:
        scheme, rest = text.split("://", 1)
        rest = rest.rsplit("@", 1)[-1] if "@" in rest.split("/", 1)[0] else rest
        host, _, path = rest.partition("/")
        if ":" in host:
            name, _, port = host.partition(":")
            host = name if _DEFAULT_PORTS.get(scheme) == port else host
        return f"{host}/{path}"
    if ":" in text and "@" in text.split(":", 1)[0]:  # scp-like git@host:org/app
        host, _, path = text.split("@", 1)[1].partition(":")
        return f"{host}/{path.lstrip('/')}"
    return text


def _repo_matches(push: Push, repo_url: str) -> bool:
    identity = repo_identity(repo_url)
    if any(repo_identity(u) == identity for u in push.repo_urls):
        return True
    if push.full_name:
        suffix = push.full_name.strip("/").lower().removesuffix(".git")
        return identity == suffix or identity.endswith("/" + suffix)
    return False


def _revision_matches(push: Push, target: str) -> bool:
    if not push.revisions:
        return True
    target = target.strip()
    if _SHA.match(target.lower()):
        return False  # pinned to a commit: a push changes nothing
    if target in ("", "HEAD"):
        return not push.default_branch or push.default_branch in push.revisions
    return _ref_name(target) in push.revisions


def concerns(push: Push, app: Manifest) -> tuple[bool, bool]:
    """(uses the pushed repository, should refresh) for one Application."""
    spec = app.get("spec") or {}
    source = spec.get("source")
    sources = (
        [source]
        if isinstance(source, dict)
        else [s for s in spec.get("sources") or [] if isinstance(s, dict)]
    )
    uses = False
    for src in sources:
        if not _repo_matches(push, str(src.get("repoURL") or "")):
            continue
        uses = True
        if not _revision_matches(push, str(src.get("targetRevision") or "HEAD")):
            continue
        if push.changed_files is not None and not manifest_paths_match(
            app, str(src.get("path") or "").strip("/"), push.changed_files
        ):
            continue
        return True, True
    return uses, False
