"""The process environment for one git invocation: no prompts, allowed protocols only,
credentials through GIT_ASKPASS reading env vars (http) or a 0600 temp key file (ssh).
Used by source.command; the temp files live only as long as the ``with`` block."""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rudder.source.credentials import RepoCredentials

USERNAME_VAR = "RUDDER_GIT_USERNAME"
PASSWORD_VAR = "RUDDER_GIT_PASSWORD"

# git asks "Username for 'https://host': " then "Password for 'https://user@host': ".
_ASKPASS_SCRIPT = f"""#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "${USERNAME_VAR}" ;;
  *) printf '%s\\n' "${PASSWORD_VAR}" ;;
esac
"""

_ALLOWED_PROTOCOLS = "file:git:http:https:ssh"


@dataclass(frozen=True, slots=True)
class GitEnvironment:
    """``env`` for the subprocess and ``config`` as leading ``-c`` arguments."""

    env: dict[str, str]
    config: tuple[str, ...]


@contextmanager
def git_environment(credentials: RepoCredentials | None) -> Iterator[GitEnvironment]:
    """Build the environment for git with ``credentials``; temp files are removed on exit.
    Secrets travel only in this child environment, never on a command line."""
    with tempfile.TemporaryDirectory(prefix="rudder-git-") as tmp:
        workdir = Path(tmp)
        askpass = workdir / "askpass.sh"
        askpass.write_text(_ASKPASS_SCRIPT)
        askpass.chmod(0o700)
        known_hosts = workdir / "known_hosts"
        known_hosts.touch(mode=0o600)
        # ssh keeps the first value of an option, so the host-key policy is set once.
        strict = "no" if credentials is not None and credentials.insecure else "accept-new"
        ssh = [
            "ssh",
            "-o",
            "BatchMode=yes",
            "-o",
            f"StrictHostKeyChecking={strict}",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
        ]
        env = dict(os.environ)
        for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "SSH_ASKPASS", "GIT_SSH"):
            env.pop(name, None)
        env.update(
            {
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_ASKPASS": str(askpass),
                "GCM_INTERACTIVE": "never",
                "GIT_ALLOW_PROTOCOL": _ALLOWED_PROTOCOLS,
                "LC_ALL": "C",
                "LANGUAGE": "C",
                USERNAME_VAR: "",
                PASSWORD_VAR: "",
            }
        )
        # An empty credential.helper resets any helper from the user's config, so only
        # our askpass answers and nothing is stored on disk.
        config: list[str] = ["credential.helper="]
        if credentials is not None:
            env[USERNAME_VAR] = credentials.username
            env[PASSWORD_VAR] = credentials.password
            if credentials.insecure:
                config.append("http.sslVerify=false")
            if credentials.ssh_private_key:
                key = workdir / "id_key"
                fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(credentials.ssh_private_key.strip() + "\n")
                ssh += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
        env["GIT_SSH_COMMAND"] = shlex.join(ssh)
        yield GitEnvironment(env=env, config=tuple(config))
