"""Reverts a deployed commit in the source repository with a ``git revert`` commit on
a branch, made in a temporary clone and pushed, so Git stays the source of truth.
Called by the controller when a user asks to revert a history entry."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rudder.model.errors import SourceError
from rudder.observability.logging import get_logger
from rudder.source.command import Remote, probe_git, run_git
from rudder.source.credentials import RepoCredentials
from rudder.source.mirror import parse_ls_remote

log = get_logger(__name__)


async def default_branch(
    repo_url: str, *, credentials: RepoCredentials | None = None, timeout: float = 60.0
) -> str:
    """The branch the remote's HEAD points to (what ``targetRevision: HEAD`` follows)."""
    remote = Remote(url=repo_url, credentials=credentials, timeout=timeout)
    out = await run_git(remote, ["ls-remote", "--symref", repo_url, "HEAD"], action="git ls-remote")
    head = parse_ls_remote(out.decode("utf-8", "replace")).head_branch
    if not head.startswith("refs/heads/"):
        raise SourceError(f"repository {remote.display_url}: HEAD does not point to a branch")
    return head.removeprefix("refs/heads/")


async def revert_commit(
    repo_url: str,
    sha: str,
    *,
    branch: str,
    credentials: RepoCredentials | None = None,
    author_name: str = "Rudder",
    author_email: str = "rudder@localhost",
    message: str = "",
    timeout: float = 120.0,
) -> str:
    """Commit the inverse of ``sha`` on ``branch`` and push it; returns the new commit SHA.
    A conflict with later changes, or ``sha`` not being on ``branch``, is a permanent
    SourceError; a push that lost a race with another push is temporary."""
    remote = Remote(url=repo_url, credentials=credentials, timeout=timeout)
    where = f"repository {remote.display_url}"
    identity = {
        "GIT_AUTHOR_NAME": author_name,
        "GIT_AUTHOR_EMAIL": author_email,
        "GIT_COMMITTER_NAME": author_name,
        "GIT_COMMITTER_EMAIL": author_email,
    }
    with tempfile.TemporaryDirectory(prefix="rudder-revert-") as tmp:
        work = Path(tmp) / "work"
        await run_git(
            remote,
            ["clone", "--quiet", "--no-tags", "--single-branch", "--branch", branch, repo_url, str(work)],
            action=f"git clone of branch {branch!r}",
        )
        if await probe_git(remote, ["cat-file", "-e", f"{sha}^{{commit}}"], cwd=work) is None:
            raise SourceError(f"{where}: cannot revert {sha}: no such commit on branch {branch!r}")
        if await probe_git(remote, ["merge-base", "--is-ancestor", sha, "HEAD"], cwd=work) is None:
            raise SourceError(f"{where}: cannot revert {sha}: it is not on branch {branch!r}")
        parents = (await run_git(remote, ["rev-list", "--parents", "-n", "1", sha], cwd=work)).split()
        args = ["revert", "--no-commit"]
        if len(parents) > 2:  # a merge commit: undo what it brought in from its second parent
            args += ["--mainline", "1"]
        try:
            await run_git(remote, [*args, sha], cwd=work, env=identity, action=f"git revert {sha}")
        except SourceError as exc:
            conflicts = (
                (await run_git(remote, ["diff", "--name-only", "--diff-filter=U"], cwd=work)).decode().split()
            )
            if conflicts:
                raise SourceError(
                    f"{where}: reverting {sha} on branch {branch!r} conflicts with later changes in "
                    f"{', '.join(conflicts)}; resolve the revert by hand"
                ) from exc
            raise
        if await probe_git(remote, ["diff", "--cached", "--quiet"], cwd=work) is not None:
            raise SourceError(
                f"{where}: reverting {sha} on branch {branch!r} changes nothing (already reverted?)"
            )
        subject = (await run_git(remote, ["log", "-1", "--format=%s", sha], cwd=work)).decode().strip()
        text = message or f'Revert "{subject}"\n\nThis reverts commit {sha}.'
        await run_git(
            remote,
            ["-c", "commit.gpgSign=false", "commit", "--quiet", "--no-verify", "-m", text],
            cwd=work,
            env=identity,
            action="git commit",
        )
        new_sha = (await run_git(remote, ["rev-parse", "HEAD"], cwd=work)).decode().strip()
        try:
            await run_git(
                remote,
                ["push", "--quiet", repo_url, f"HEAD:refs/heads/{branch}"],
                cwd=work,
                action=f"git push to branch {branch!r}",
            )
        except SourceError as exc:
            if "rejected" in exc.message or "fetch first" in exc.message:
                raise SourceError(
                    f"{where}: branch {branch!r} moved while reverting {sha}; retry the revert",
                    temporary=True,
                ) from exc
            raise
    log.info("commit_reverted", repo=remote.display_url, branch=branch, reverted=sha, sha=new_sha)
    return new_sha
