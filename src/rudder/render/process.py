"""Runs one rendering tool (kubectl kustomize, helm, sops) as an asyncio subprocess
with a timeout and turns a failure into a RenderError naming the tool, the path and
the tool's stderr. The only place render/ starts processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from rudder.model.errors import RenderError
from rudder.observability.logging import get_logger

log = get_logger(__name__)

_MAX_STDERR = 4000


def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


async def run_tool(
    argv: Sequence[str],
    *,
    tool: str,
    path: str,
    timeout: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    hide: Sequence[Path] = (),
) -> bytes:
    """Run ``argv`` and return stdout. ``tool`` and ``path`` (repository-relative) name
    the failure in the RenderError; a timeout is temporary, a tool failure is not.
    Directories in ``hide`` are cut from stderr so messages show repository paths."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(stdin), timeout)
    except TimeoutError as exc:
        _kill(process)
        await process.wait()
        log.warning("tool_timeout", tool=tool, path=path, timeout=timeout)
        raise RenderError(f"{tool} {path}: timed out after {timeout:g}s", temporary=True) from exc
    except BaseException:
        _kill(process)
        raise
    seconds = round(time.monotonic() - started, 3)
    if process.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip()
        for directory in hide:
            for form in {str(directory), str(directory.resolve())}:
                message = message.replace(form + "/", "").replace(form, ".")
        message = message[-_MAX_STDERR:] or f"exit code {process.returncode}"
        log.info("tool_failed", tool=tool, path=path, exit_code=process.returncode, seconds=seconds)
        raise RenderError(f"{tool} {path}: {message}", temporary=False)
    log.debug("tool_finished", tool=tool, path=path, seconds=seconds)
    return stdout
