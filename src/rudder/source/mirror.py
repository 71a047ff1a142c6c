"""Shared bare mirrors, one per repository URL, under a cache directory: resolves a
targetRevision to a commit SHA (``ls-remote`` first, fetch only for missing commits),
exports read-only trees per SHA and lists changed paths. Called by the reconciler."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rudder.model.errors import SourceError
from rudder.observability.logging import get_logger
from rudder.source.command import Remote, probe_git, run_git
from rudder.source.credentials import RepoCredentials

log = get_logger(__name__)

_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_SHORT_SHA = re.compile(r"^[0-9a-f]{4,39}$")
_HEADS_AND_TAGS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")


@dataclass(frozen=True, slots=True, kw_only=True)
class MirrorOptions:
    """``cache_dir`` holds ``mirrors/`` and ``exports/``; ``timeout`` bounds every git
    command; ``revision_ttl`` is how long a resolved branch or tag is reused without
    asking the remote when ``refresh`` is false (0 = always ask)."""

    cache_dir: Path
    timeout: float = 120.0
    revision_ttl: float = 0.0


@dataclass(frozen=True, slots=True)
class RemoteRefs:
    """What ``git ls-remote --symref`` reported: ref name → commit SHA (tags peeled)."""

    refs: dict[str, str]
    head_branch: str

    def match(self, revision: str) -> str | None:
        """The commit for ``revision`` in git's order: HEAD, full ref, tag, branch."""
        if revision == "HEAD":
            return self.refs.get("HEAD")
        for name in (revision, f"refs/{revision}", f"refs/tags/{revision}", f"refs/heads/{revision}"):
            if name.startswith("refs/") and name in self.refs:
                return self.refs[name]
        return None


def parse_ls_remote(output: str) -> RemoteRefs:
    """Parse ``ls-remote --symref`` output; annotated tags resolve to their commit."""
    refs: dict[str, str] = {}
    peeled: dict[str, str] = {}
    head_branch = ""
    for line in output.splitlines():
        left, _, name = line.partition("\t")
        if left.startswith("ref: "):
            if name == "HEAD":
                head_branch = left.removeprefix("ref: ").strip()
            continue
        sha = left.strip().lower()
        if not _FULL_SHA.match(sha):
            continue
        if name.endswith("^{}"):
            peeled[name.removesuffix("^{}")] = sha
        else:
            refs[name] = sha
    refs.update(peeled)
    return RemoteRefs(refs=refs, head_branch=head_branch)


def _make_read_only(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        for name in dirnames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(0o555)
    root.chmod(0o555)


def _remove_tree(root: Path) -> None:
    if not root.exists():
        return
    root.chmod(0o700)
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(0o700)
    shutil.rmtree(root, ignore_errors=True)


class Mirrors:
    """One bare mirror per repo URL, safe for concurrent use within one event loop
    (one lock per URL serialises fetches and exports of a repository)."""

    def __init__(self, options: MirrorOptions) -> None:
        self.options = options
        self._locks: dict[str, asyncio.Lock] = {}
        self._resolved: dict[tuple[str, str], tuple[str, float]] = {}
        # Commits seen in a mirror stay there (fetches only add objects), so each is
        # checked with git once per process.
        self._present: set[tuple[str, str]] = set()
        self._export_used: dict[Path, float] = {}  # export dir -> wall time of last use

    def mirror_dir(self, repo_url: str) -> Path:
        """The bare mirror of ``repo_url`` (may not exist yet)."""
        return self.options.cache_dir / "mirrors" / f"{self._slug(repo_url)}.git"

    def export_dir(self, repo_url: str, sha: str) -> Path:
        """Where the read-only tree of ``sha`` lives once exported."""
        return self.options.cache_dir / "exports" / self._slug(repo_url) / sha

    async def resolve_revision(
        self,
        repo_url: str,
        target_revision: str,
        *,
        credentials: RepoCredentials | None = None,
        refresh: bool = False,
    ) -> str:
        """The 40-hex commit SHA for a branch, tag, full or short SHA, or HEAD; the
        commit is in the mirror afterwards. Raises SourceError naming repo and revision."""
        remote = self._remote(repo_url, credentials)
        revision = (target_revision or "HEAD").strip()
        if _FULL_SHA.match(revision.lower()):
            sha = revision.lower()
            await self._ensure_commits(remote, (sha,), revision=revision)
            return sha
        memo_key = (repo_url, revision)
        memo = self._resolved.get(memo_key)
        if not refresh and memo is not None and time.monotonic() - memo[1] < self.options.revision_ttl:
            return memo[0]
        refs = await self._ls_remote(remote)
        found = refs.match(revision)
        if found is None and _SHORT_SHA.match(revision.lower()):
            found = await self._expand_short_sha(remote, revision.lower())
        if found is None:
            if not refs.refs:
                raise SourceError(f"repository {remote.display_url}: the repository is empty (no commits)")
            raise SourceError(
                f"repository {remote.display_url}: revision {revision!r} not found "
                "(no branch, tag or commit of that name)"
            )
        sha = found
        await self._ensure_commits(remote, (sha,), revision=revision)
        self._resolved[memo_key] = (sha, time.monotonic())
        log.debug("revision_resolved", repo=remote.display_url, revision=revision, sha=sha)
        return sha

    async def export(self, repo_url: str, sha: str, *, credentials: RepoCredentials | None = None) -> Path:
        """A read-only directory with the tree of commit ``sha``, created once per SHA
        and reused. Fetches the commit if the mirror lacks it."""
        dest = await self._export(repo_url, sha, credentials=credentials)
        self._export_used[dest] = time.time()
        return dest

    def prune_exports(self, *, older_than: float) -> int:
        """Remove exported trees not used for ``older_than`` seconds (trees from before
        this process started count from their creation); returns how many went."""
        root = self.options.cache_dir / "exports"
        if not root.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for repo_dir in root.iterdir():
            if not repo_dir.is_dir():
                continue
            for tree in repo_dir.iterdir():
                if tree.name.startswith(".") or not tree.is_dir():
                    continue  # a staging directory of an export in progress
                last_use = self._export_used.get(tree) or tree.stat().st_mtime
                if last_use < cutoff:
                    _remove_tree(tree)
                    self._export_used.pop(tree, None)
                    removed += 1
        if removed:
            log.info("exports_pruned", removed=removed, older_than=older_than)
        return removed

    async def _export(self, repo_url: str, sha: str, *, credentials: RepoCredentials | None) -> Path:
        remote = self._remote(repo_url, credentials)
        if not _FULL_SHA.match(sha):
            raise SourceError(f"repository {remote.display_url}: export needs a full commit SHA, got {sha!r}")
        dest = self.export_dir(repo_url, sha)
        if dest.is_dir():
            return dest
        await self._ensure_commits(remote, (sha,), revision=sha)
        async with self._lock(repo_url):
            if dest.is_dir():
                return dest
            started = time.monotonic()
            dest.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{sha[:12]}-", dir=dest.parent))
            index = staging.parent / f"{staging.name}.index"
            env = {"GIT_INDEX_FILE": str(index)}
            mirror = str(self.mirror_dir(repo_url))
            try:
                await run_git(remote, ["--git-dir", mirror, "read-tree", sha], env=env, action="export")
                await run_git(
                    remote,
                    ["--git-dir", mirror, "--work-tree", str(staging), "checkout-index", "--all", "--force"],
                    env=env,
                    action="export",
                )
                await asyncio.to_thread(_make_read_only, staging)
                await asyncio.to_thread(staging.rename, dest)
            except BaseException:
                await asyncio.to_thread(_remove_tree, staging)
                raise
            finally:
                index.unlink(missing_ok=True)
        log.info(
            "revision_exported",
            repo=remote.display_url,
            sha=sha,
            seconds=round(time.monotonic() - started, 3),
        )
        return dest

    async def changed_paths(
        self, repo_url: str, old_sha: str, new_sha: str, *, credentials: RepoCredentials | None = None
    ) -> tuple[str, ...]:
        """Repository-relative paths that differ between two commits (both sides of a rename)."""
        remote = self._remote(repo_url, credentials)
        await self._ensure_commits(remote, (old_sha, new_sha), revision=f"{old_sha}..{new_sha}")
        out = await run_git(
            remote,
            [
                "--git-dir",
                str(self.mirror_dir(repo_url)),
                "diff",
                "--name-only",
                "--no-renames",
                "-z",
                old_sha,
                new_sha,
            ],
            action="git diff",
        )
        return tuple(sorted(p for p in out.decode("utf-8", "replace").split("\0") if p))

    async def fetch(self, repo_url: str, *, credentials: RepoCredentials | None = None) -> None:
        """Fetch every branch and tag of ``repo_url`` into its mirror (creating it)."""
        remote = self._remote(repo_url, credentials)
        async with self._lock(repo_url):
            await self._fetch_locked(remote)

    # -- internals -------------------------------------------------------------------

    def _remote(self, repo_url: str, credentials: RepoCredentials | None) -> Remote:
        return Remote(url=repo_url, credentials=credentials, timeout=self.options.timeout)

    @staticmethod
    def _slug(repo_url: str) -> str:
        return hashlib.sha256(repo_url.strip().encode()).hexdigest()[:20]

    def _lock(self, repo_url: str) -> asyncio.Lock:
        lock = self._locks.get(repo_url)
        if lock is None:
            lock = self._locks[repo_url] = asyncio.Lock()
        return lock

    async def _ls_remote(self, remote: Remote) -> RemoteRefs:
        out = await run_git(remote, ["ls-remote", "--symref", remote.url], action="git ls-remote")
        return parse_ls_remote(out.decode("utf-8", "replace"))

    async def _init_locked(self, remote: Remote) -> Path:
        mirror = self.mirror_dir(remote.url)
        if not (mirror / "HEAD").is_file():
            mirror.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".init-", dir=mirror.parent))
            await run_git(remote, ["init", "--bare", "--quiet", str(staging)], action="git init")
            await asyncio.to_thread(staging.rename, mirror)
        return mirror

    async def _has_commit(self, remote: Remote, sha: str) -> bool:
        if (remote.url, sha) in self._present:
            return True
        mirror = self.mirror_dir(remote.url)
        if not (mirror / "HEAD").is_file():
            return False
        out = await probe_git(remote, ["--git-dir", str(mirror), "cat-file", "-e", f"{sha}^{{commit}}"])
        if out is not None:
            self._present.add((remote.url, sha))
        return out is not None

    async def _fetch_locked(self, remote: Remote) -> None:
        mirror = await self._init_locked(remote)
        started = time.monotonic()
        await run_git(
            remote,
            [
                "--git-dir",
                str(mirror),
                "fetch",
                "--quiet",
                "--prune",
                "--no-tags",
                "--force",
                remote.url,
                *_HEADS_AND_TAGS,
            ],
            action="git fetch",
        )
        log.info("mirror_fetched", repo=remote.display_url, seconds=round(time.monotonic() - started, 3))

    async def _ensure_commits(self, remote: Remote, shas: tuple[str, ...], *, revision: str) -> None:
        missing = [sha for sha in shas if not await self._has_commit(remote, sha)]
        if not missing:
            return
        async with self._lock(remote.url):
            missing = [sha for sha in missing if not await self._has_commit(remote, sha)]
            if not missing:
                return
            await self._fetch_locked(remote)
            for sha in missing:
                if await self._has_commit(remote, sha):
                    continue
                # Commits off every branch (e.g. pull-request heads) need a fetch by SHA.
                await probe_git(
                    remote,
                    ["--git-dir", str(self.mirror_dir(remote.url)), "fetch", "--quiet", remote.url, sha],
                )
                if not await self._has_commit(remote, sha):
                    raise SourceError(
                        f"repository {remote.display_url}: revision {revision!r} not found "
                        f"(commit {sha} is not in the repository)"
                    )

    async def _expand_short_sha(self, remote: Remote, short: str) -> str | None:
        async with self._lock(remote.url):
            await self._fetch_locked(remote)
            out = await probe_git(
                remote,
                [
                    "--git-dir",
                    str(self.mirror_dir(remote.url)),
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    f"{short}^{{commit}}",
                ],
            )
        return out.decode().strip() if out else None
