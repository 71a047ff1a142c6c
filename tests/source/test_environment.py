"""The git subprocess environment: no prompts, secrets only in env, 0600 ssh key file."""

from __future__ import annotations

import shlex
import stat
from pathlib import Path

from rudder.source.credentials import RepoCredentials
from rudder.source.environment import PASSWORD_VAR, USERNAME_VAR, git_environment

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAsecretbody\n-----END OPENSSH PRIVATE KEY-----"


def test_ssh_key_is_a_private_temp_file_removed_afterwards() -> None:
    creds = RepoCredentials(url="ssh://git@host/r.git", ssh_private_key=KEY)
    with git_environment(creds) as env:
        ssh = shlex.split(env.env["GIT_SSH_COMMAND"])
        key_file = Path(ssh[ssh.index("-i") + 1])
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert key_file.read_text().strip() == KEY
        assert "StrictHostKeyChecking=accept-new" in ssh
        assert "BatchMode=yes" in ssh
        assert KEY not in env.env["GIT_SSH_COMMAND"]
        assert all(KEY not in item for item in env.config)
    assert not key_file.exists()


def test_password_travels_only_in_child_environment() -> None:
    creds = RepoCredentials(url="https://h/r.git", username="deploy", password="pa55word-xyz")
    with git_environment(creds) as env:
        assert env.env[USERNAME_VAR] == "deploy"
        assert env.env[PASSWORD_VAR] == "pa55word-xyz"
        assert env.env["GIT_TERMINAL_PROMPT"] == "0"
        assert all("pa55word" not in item for item in env.config)
        assert Path(env.env["GIT_ASKPASS"]).is_file()
        assert "pa55word" not in Path(env.env["GIT_ASKPASS"]).read_text()


def test_insecure_disables_tls_verification_and_host_key_checks() -> None:
    with git_environment(RepoCredentials(url="https://h/r.git", insecure=True)) as env:
        assert "http.sslVerify=false" in env.config
        assert "StrictHostKeyChecking=no" in env.env["GIT_SSH_COMMAND"]
