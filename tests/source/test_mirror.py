"""Mirrors against real repositories over file:// and HTTP: revision resolution,
read-only exports, changed paths, credentials, and every failure a user can hit."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from rudder.model.errors import SourceError
from rudder.source.credentials import RepoCredentials
from rudder.source.mirror import MirrorOptions, Mirrors, parse_ls_remote
from tests.fixtures.git import GitRepo

PASSWORD = "Tr0ub4dor-and-3"


@pytest.fixture
def mirrors(tmp_path: Path) -> Mirrors:
    return Mirrors(MirrorOptions(cache_dir=tmp_path / "cache", timeout=30))


@pytest.fixture(params=["file", "http"])
def url(request: pytest.FixtureRequest, git_repo: GitRepo) -> str:
    return git_repo.url if request.param == "file" else git_repo.http_url


async def test_resolves_head_branch_tags_and_shas(mirrors: Mirrors, git_repo: GitRepo, url: str) -> None:
    git_repo.write("deploy/cm.yaml", "kind: ConfigMap\n")
    first = git_repo.commit("add config")
    git_repo.tag("v1.0.0")
    git_repo.tag("release", annotated=True)
    git_repo.branch("stable")
    git_repo.write("deploy/cm.yaml", "kind: ConfigMap # 2\n")
    second = git_repo.commit("change config")

    assert await mirrors.resolve_revision(url, "HEAD") == second
    assert await mirrors.resolve_revision(url, "") == second
    assert await mirrors.resolve_revision(url, "main") == second
    assert await mirrors.resolve_revision(url, "refs/heads/main") == second
    assert await mirrors.resolve_revision(url, "stable") == first
    assert await mirrors.resolve_revision(url, "v1.0.0") == first
    assert await mirrors.resolve_revision(url, "release") == first  # annotated tag → its commit
    assert await mirrors.resolve_revision(url, first) == first
    assert await mirrors.resolve_revision(url, first.upper()) == first
    assert await mirrors.resolve_revision(url, first[:8]) == first


async def test_new_commit_is_seen_and_fetched(mirrors: Mirrors, git_repo: GitRepo, url: str) -> None:
    before = await mirrors.resolve_revision(url, "main")
    git_repo.write("a.yaml", "kind: A\n")
    after = git_repo.commit("new")
    assert await mirrors.resolve_revision(url, "main") == after != before
    # The new commit is now in the mirror: exporting it needs no further fetch.
    assert (await mirrors.export(url, after) / "a.yaml").read_text() == "kind: A\n"


async def test_unchanged_branch_does_not_fetch(mirrors: Mirrors, git_repo: GitRepo) -> None:
    sha = await mirrors.resolve_revision(git_repo.url, "main")
    fetch_head = mirrors.mirror_dir(git_repo.url) / "FETCH_HEAD"
    stamp = fetch_head.stat().st_mtime_ns
    os.utime(fetch_head, ns=(stamp - 10**9, stamp - 10**9))
    assert await mirrors.resolve_revision(git_repo.url, "main", refresh=True) == sha
    assert await mirrors.resolve_revision(git_repo.url, sha) == sha
    assert fetch_head.stat().st_mtime_ns == stamp - 10**9


async def test_revision_ttl_reuses_answer_until_refresh(tmp_path: Path, git_repo: GitRepo) -> None:
    mirrors = Mirrors(MirrorOptions(cache_dir=tmp_path / "c", revision_ttl=300))
    old = await mirrors.resolve_revision(git_repo.url, "main")
    new = git_repo.commit("next")
    assert await mirrors.resolve_revision(git_repo.url, "main") == old
    assert await mirrors.resolve_revision(git_repo.url, "main", refresh=True) == new
    assert await mirrors.resolve_revision(git_repo.url, "main") == new


async def test_commit_reachable_only_from_a_non_branch_ref(mirrors: Mirrors, git_repo: GitRepo) -> None:
    git_repo.branch("feature")
    git_repo.switch("feature")
    git_repo.write("pr.yaml", "kind: PR\n")
    pr = git_repo.commit("pull request")
    git_repo.git("update-ref", "refs/pull/7/head", pr)
    git_repo.switch("main")
    git_repo.git("branch", "-D", "feature")
    assert await mirrors.resolve_revision(git_repo.url, "refs/pull/7/head") == pr
    assert (await mirrors.export(git_repo.url, pr) / "pr.yaml").is_file()


async def test_export_is_read_only_tree_reused_per_sha(mirrors: Mirrors, git_repo: GitRepo, url: str) -> None:
    git_repo.write("deploy/app/cm.yaml", "kind: ConfigMap\n")
    git_repo.write("deploy/run.sh", "#!/bin/sh\n")
    (git_repo.path / "deploy/run.sh").chmod(0o755)
    git_repo.symlink("deploy/link.yaml", "app/cm.yaml")
    sha = git_repo.commit("tree")
    git_repo.write("deploy/app/cm.yaml", "kind: Changed\n")
    git_repo.commit("later")

    root = await mirrors.export(url, sha)
    assert root.name == sha
    assert (root / "deploy/app/cm.yaml").read_text() == "kind: ConfigMap\n"  # the old commit's content
    assert (root / "deploy/link.yaml").is_symlink()
    assert os.readlink(root / "deploy/link.yaml") == "app/cm.yaml"
    assert not (root / ".git").exists()
    for path in [root, root / "deploy", root / "deploy/app/cm.yaml", root / "deploy/run.sh"]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0, path
    assert os.access(root / "deploy/run.sh", os.X_OK)
    inode = root.stat().st_ino
    assert await mirrors.export(url, sha) == root
    assert root.stat().st_ino == inode


async def test_concurrent_use_of_one_repository(mirrors: Mirrors, git_repo: GitRepo) -> None:
    shas = []
    for i in range(5):
        git_repo.write(f"f{i}.yaml", f"n: {i}\n")
        shas.append(git_repo.commit(f"c{i}"))
    url = git_repo.http_url
    resolved = await asyncio.gather(*(mirrors.resolve_revision(url, sha) for sha in shas * 3))
    assert resolved == shas * 3
    roots = await asyncio.gather(*(mirrors.export(url, sha) for sha in shas * 3))
    assert len(set(roots)) == 5
    assert sorted(p.name for p in roots[0].parent.iterdir()) == sorted(shas)  # no staging leftovers


async def test_changed_paths_between_commits(mirrors: Mirrors, git_repo: GitRepo) -> None:
    git_repo.write("apps/a/deploy.yaml", "a: 1\n")
    git_repo.write("apps/b/deploy.yaml", "b: 1\n")
    git_repo.write("old/name.yaml", "x: 1\n")
    old = git_repo.commit("one")
    git_repo.write("apps/a/deploy.yaml", "a: 2\n")
    git_repo.delete("old/name.yaml")
    git_repo.write("new/name.yaml", "x: 1\n")  # a rename
    new = git_repo.commit("two")
    changed = await mirrors.changed_paths(git_repo.url, old, new)
    assert changed == ("apps/a/deploy.yaml", "new/name.yaml", "old/name.yaml")
    assert await mirrors.changed_paths(git_repo.url, new, new) == ()


def test_parse_ls_remote_peels_annotated_tags() -> None:
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    refs = parse_ls_remote(
        f"ref: refs/heads/main\tHEAD\n{a}\tHEAD\n{a}\trefs/heads/main\n"
        f"{b}\trefs/tags/v1\n{c}\trefs/tags/v1^{{}}\n"
    )
    assert refs.head_branch == "refs/heads/main"
    assert refs.match("HEAD") == a
    assert refs.match("v1") == c
    assert refs.match("refs/tags/v1") == c
    assert refs.match("nope") is None


# -- bad input ---------------------------------------------------------------------------


async def test_unknown_branch_is_permanent_and_names_repo(
    mirrors: Mirrors, git_repo: GitRepo, url: str
) -> None:
    with pytest.raises(SourceError) as info:
        await mirrors.resolve_revision(url, "no-such-branch")
    assert info.value.temporary is False
    assert url in str(info.value)
    assert "'no-such-branch' not found" in str(info.value)


async def test_unknown_commit_sha(mirrors: Mirrors, git_repo: GitRepo) -> None:
    with pytest.raises(SourceError, match=r"commit 0{40} is not in the repository") as info:
        await mirrors.resolve_revision(git_repo.url, "0" * 40)
    assert info.value.temporary is False
    with pytest.raises(SourceError, match="'deadbee' not found"):
        await mirrors.resolve_revision(git_repo.url, "deadbee")


async def test_missing_repository_is_permanent(mirrors: Mirrors, tmp_path: Path) -> None:
    url = (tmp_path / "nowhere.git").as_uri()
    with pytest.raises(SourceError, match="does not appear to be a git repository") as info:
        await mirrors.resolve_revision(url, "HEAD")
    assert info.value.temporary is False
    assert url in str(info.value)


async def test_empty_repository(mirrors: Mirrors, tmp_path: Path) -> None:
    bare = tmp_path / "empty.git"
    init = await asyncio.create_subprocess_exec("git", "init", "--bare", "-q", str(bare))
    assert await init.wait() == 0
    with pytest.raises(SourceError, match="the repository is empty"):
        await mirrors.resolve_revision(bare.as_uri(), "HEAD")


@pytest.fixture
def closed_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


async def test_unreachable_repository_is_temporary(mirrors: Mirrors, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/org/app.git"
    with pytest.raises(SourceError) as info:
        await mirrors.resolve_revision(url, "HEAD")
    assert info.value.temporary is True
    assert url in str(info.value)
    assert "Failed to connect" in str(info.value) or "Connection refused" in str(info.value)


async def test_hanging_server_times_out(tmp_path: Path, silent_port: int) -> None:
    mirrors = Mirrors(MirrorOptions(cache_dir=tmp_path / "c", timeout=1.0))
    with pytest.raises(SourceError, match=r"timed out after 1s") as info:
        await mirrors.resolve_revision(f"http://127.0.0.1:{silent_port}/r.git", "HEAD")
    assert info.value.temporary is True


async def test_unreachable_ssh_with_key_never_shows_key(mirrors: Mirrors, closed_port: int) -> None:
    key = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----"
    )
    url = f"ssh://git@127.0.0.1:{closed_port}/org/app.git"
    creds = RepoCredentials(url=url, ssh_private_key=key)
    with pytest.raises(SourceError) as info:
        await mirrors.resolve_revision(url, "HEAD", credentials=creds)
    assert info.value.temporary is True
    assert "Connection refused" in str(info.value)
    assert "c2VjcmV0" not in str(info.value)


# -- credentials over HTTP basic auth ----------------------------------------------------


async def test_basic_auth_credentials(
    mirrors: Mirrors, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("app.yaml", "kind: X\n")
    sha = git_repo.commit("protected")
    git_repo.require_auth("deploy", PASSWORD)
    url = git_repo.http_url
    good = RepoCredentials(url=url, username="deploy", password=PASSWORD)
    bad = RepoCredentials(url=url, username="deploy", password=PASSWORD + "-wrong")

    with pytest.raises(SourceError, match="Authentication failed") as no_creds:
        await mirrors.resolve_revision(url, "main")
    assert no_creds.value.temporary is False
    with pytest.raises(SourceError, match="Authentication failed") as wrong:
        await mirrors.resolve_revision(url, "main", credentials=bad)
    assert PASSWORD not in str(wrong.value)

    assert await mirrors.resolve_revision(url, "main", credentials=good) == sha
    assert (await mirrors.export(url, sha, credentials=good) / "app.yaml").is_file()

    captured = capsys.readouterr()
    assert PASSWORD not in captured.out + captured.err
    for config in mirrors.mirror_dir(url).rglob("*"):
        if config.is_file():
            assert PASSWORD.encode() not in config.read_bytes(), config


async def test_password_in_url_is_masked_in_errors(mirrors: Mirrors, closed_port: int) -> None:
    url = f"http://deploy:{PASSWORD}@127.0.0.1:{closed_port}/app.git"
    with pytest.raises(SourceError) as info:
        await mirrors.resolve_revision(url, "HEAD")
    assert PASSWORD not in str(info.value)
    assert "http://******@127.0.0.1" in str(info.value)


async def test_unused_exports_are_pruned_and_come_back_when_needed(
    mirrors: Mirrors, git_repo: GitRepo
) -> None:
    git_repo.write("app/cm.yaml", "kind: ConfigMap\n")
    old = git_repo.commit("old")
    git_repo.write("app/cm.yaml", "kind: Secret\n")
    new = git_repo.commit("new")
    old_tree = await mirrors.export(git_repo.url, old)
    await asyncio.sleep(0.2)
    new_tree = await mirrors.export(git_repo.url, new)

    assert mirrors.prune_exports(older_than=0.1) == 1
    assert not old_tree.exists()
    assert new_tree.is_dir()
    again = await mirrors.export(git_repo.url, old)
    assert (again / "app/cm.yaml").read_text() == "kind: ConfigMap\n"
