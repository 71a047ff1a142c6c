"""revert_commit against real repositories: the revert lands on the branch, conflicts
and foreign commits are refused clearly, and credentials stay out of errors."""

from __future__ import annotations

import pytest

from rudder.model.errors import SourceError
from rudder.source.credentials import RepoCredentials
from rudder.source.revert import revert_commit
from tests.fixtures.git import GitRepo

PASSWORD = "correct-horse-battery"


@pytest.fixture(params=["file", "http"])
def url(request: pytest.FixtureRequest, git_repo: GitRepo) -> str:
    return git_repo.url if request.param == "file" else git_repo.http_url


async def test_revert_pushes_inverse_commit(git_repo: GitRepo, url: str) -> None:
    git_repo.write("deploy/app.yaml", "replicas: 1\n")
    git_repo.commit("base")
    git_repo.write("deploy/app.yaml", "replicas: 5\n")
    bad = git_repo.commit("scale to 5")
    git_repo.write("deploy/other.yaml", "x: 1\n")
    git_repo.commit("unrelated")

    new = await revert_commit(
        url, bad, branch="main", author_name="Rudder Bot", author_email="bot@example.com"
    )
    assert git_repo.head() == new
    assert (git_repo.path / "deploy/app.yaml").read_text() == "replicas: 1\n"
    assert (git_repo.path / "deploy/other.yaml").read_text() == "x: 1\n"
    log = git_repo.git("log", "-1", "--format=%an <%ae>%n%B")
    assert log.startswith('Rudder Bot <bot@example.com>\nRevert "scale to 5"')
    assert f"This reverts commit {bad}." in log


async def test_revert_with_custom_message_on_other_branch(git_repo: GitRepo) -> None:
    git_repo.branch("prod")
    git_repo.switch("prod")
    git_repo.write("v.txt", "2\n")
    change = git_repo.commit("bump")
    git_repo.switch("main")
    new = await revert_commit(git_repo.url, change, branch="prod", message="rollback bump (ticket 42)")
    assert git_repo.rev("prod") == new
    assert git_repo.git("log", "-1", "--format=%s", "prod").strip() == "rollback bump (ticket 42)"
    assert "v.txt" not in git_repo.git("ls-tree", "--name-only", "prod")
    assert git_repo.head() == git_repo.rev("main")  # main untouched


async def test_revert_of_merge_commit(git_repo: GitRepo) -> None:
    git_repo.branch("feature")
    git_repo.switch("feature")
    git_repo.write("feature.yaml", "on: true\n")
    git_repo.commit("feature")
    git_repo.switch("main")
    git_repo.git("merge", "--no-ff", "-q", "-m", "merge feature", "feature")
    merge = git_repo.head()
    await revert_commit(git_repo.url, merge, branch="main")
    assert not (git_repo.path / "feature.yaml").exists()


async def test_conflict_is_a_clear_permanent_error(git_repo: GitRepo) -> None:
    git_repo.write("app.yaml", "image: v1\n")
    git_repo.commit("v1")
    git_repo.write("app.yaml", "image: v2\n")
    v2 = git_repo.commit("v2")
    git_repo.write("app.yaml", "image: v3\n")
    head = git_repo.commit("v3")
    with pytest.raises(SourceError) as info:
        await revert_commit(git_repo.url, v2, branch="main")
    assert info.value.temporary is False
    assert f"reverting {v2} on branch 'main' conflicts with later changes in app.yaml" in str(info.value)
    assert git_repo.head() == head  # nothing was pushed


async def test_commit_not_on_branch_is_refused(git_repo: GitRepo) -> None:
    git_repo.branch("other")
    git_repo.switch("other")
    foreign = git_repo.commit("only on other")
    git_repo.switch("main")
    with pytest.raises(
        SourceError, match=f"cannot revert {foreign}: (it is not on|no such commit on) branch 'main'"
    ):
        await revert_commit(git_repo.url, foreign, branch="main")


async def test_missing_branch(git_repo: GitRepo) -> None:
    with pytest.raises(SourceError, match="git clone of branch 'nope' failed"):
        await revert_commit(git_repo.url, git_repo.head(), branch="nope")


async def test_revert_with_credentials_never_leaks_password(git_repo: GitRepo) -> None:
    git_repo.write("a.txt", "1\n")
    change = git_repo.commit("a")
    git_repo.require_auth("deploy", PASSWORD)
    url = git_repo.http_url
    with pytest.raises(SourceError) as info:
        await revert_commit(
            url,
            change,
            branch="main",
            credentials=RepoCredentials(url=url, username="deploy", password="nope-nope"),
        )
    assert "Authentication failed" in str(info.value)
    new = await revert_commit(
        url, change, branch="main", credentials=RepoCredentials(url=url, username="deploy", password=PASSWORD)
    )
    assert git_repo.head() == new
    assert not (git_repo.path / "a.txt").exists()
