"""Runs one git CLI command as an asyncio subprocess with a timeout, credentials in its
environment only, and failures turned into masked SourceErrors (temporary for network
trouble). The only place source/ starts processes; used by mirror and revert."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rudder.model.errors import SourceError
from rudder.model.toolchain import find_tool
from rudder.observability.logging import get_logger
from rudder.source.credentials import RepoCredentials, mask_text
from rudder.source.environment import git_environment

log = get_logger(__name__)

_SERVER_FAILURE = re.compile(r"returned error: 5\d\d|returned error: 429", re.I)
_PERMANENT_FAILURE = re.compile(
    r"authentication failed|could not read username|could not read password|permission denied"
    r"|returned error: 4\d\d|not found|does not appear to be a git repository"
    r"|host key verification failed|repository .* does not exist",
    re.I,
)
_NETWORK_FAILURE = re.compile(
    r"could not resolve host|connection refused|connection timed out|timed out|failed to connect"
    r"|network is unreachable|no route to host|connection reset|early eof|remote end hung up"
    r"|unable to access|temporary failure|ssl_error|couldn't connect|could not connect|rpc failed",
    re.I,
)
_MAX_STDERR = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class Remote:
    """Where a git command talks to and with what: URL, credentials, time limit."""

    url: str
    credentials: RepoCredentials | None = None
    timeout: float = 120.0

    @property
    def display_url(self) -> str:
        """The URL as it may appear in logs and errors."""
        return mask_text(self.url, self.credentials)


def is_temporary(stderr: str) -> bool:
    """Whether git's ``stderr`` describes a failure that a retry can fix (network)."""
    if _SERVER_FAILURE.search(stderr):
        return True
    if _PERMANENT_FAILURE.search(stderr):
        return False
    return bool(_NETWORK_FAILURE.search(stderr))


def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class _Outcome:
    code: int
    stdout: bytes
    stderr: str
    seconds: float


async def _execute(
    remote: Remote,
    args: Sequence[str],
    *,
    cwd: Path | None,
    env: Mapping[str, str] | None,
    stdin: bytes | None,
    what: str,
) -> _Outcome:
    git = find_tool("git")
    started = time.monotonic()
    with git_environment(remote.credentials) as git_env:
        child_env = dict(git_env.env)
        child_env.update(env or {})
        argv = [git]
        for item in git_env.config:
            argv += ["-c", item]
        argv += list(args)
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env=child_env,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr_bytes = await asyncio.wait_for(process.communicate(stdin), remote.timeout)
        except TimeoutError as exc:
            _kill(process)
            await process.wait()
            log.warning("git_timeout", repo=remote.display_url, action=what, timeout=remote.timeout)
            raise SourceError(
                f"repository {remote.display_url}: {what} timed out after {remote.timeout:g}s",
                temporary=True,
            ) from exc
        except BaseException:
            _kill(process)
            raise
    stderr = mask_text(stderr_bytes.decode("utf-8", "replace").strip(), remote.credentials)
    code = process.returncode if process.returncode is not None else -1
    return _Outcome(code=code, stdout=stdout, stderr=stderr, seconds=time.monotonic() - started)


async def run_git(
    remote: Remote,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    action: str = "",
) -> bytes:
    """Run ``git <args>`` and return its stdout; raise SourceError naming the repo,
    ``action`` (defaults to the git subcommand) and git's masked stderr."""
    what = action or f"git {args[0]}"
    outcome = await _execute(remote, args, cwd=cwd, env=env, stdin=stdin, what=what)
    if outcome.code != 0:
        temporary = is_temporary(outcome.stderr)
        log.info(
            "git_failed",
            repo=remote.display_url,
            action=what,
            exit_code=outcome.code,
            temporary=temporary,
            seconds=round(outcome.seconds, 3),
        )
        detail = outcome.stderr[-_MAX_STDERR:] or "no output"
        raise SourceError(f"repository {remote.display_url}: {what} failed: {detail}", temporary=temporary)
    log.debug("git_finished", repo=remote.display_url, action=what, seconds=round(outcome.seconds, 3))
    return outcome.stdout


async def probe_git(
    remote: Remote,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes | None:
    """Run a local query such as ``rev-parse --verify``: stdout on success, ``None`` when
    git says no. Timeouts still raise."""
    outcome = await _execute(remote, args, cwd=cwd, env=env, stdin=None, what=f"git {args[0]}")
    return outcome.stdout if outcome.code == 0 else None
