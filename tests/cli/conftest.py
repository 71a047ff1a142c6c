"""Fixtures for CLI tests: the ``rudder`` console script run as a subprocess (so the
test's event loop keeps running a controller meanwhile) with its own config file, and
the API test fixtures (a running server, accounts, the controller harness)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import api_env, apps_ns, harness  # noqa: F401  (re-exported fixtures)

RUDDER = str(Path(sys.executable).parent / "rudder")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Rudder = Callable[..., Coroutine[Any, Any, Result]]


@pytest.fixture
def cli(tmp_path: Path) -> Rudder:
    """``await cli("app", "list", ...)`` runs the CLI with a private config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUDDER_") or k == "RUDDER_TOOLS_DIR"}
    env.update({"RUDDER_CONFIG": str(tmp_path / "rudder" / "config.yaml"), "NO_COLOR": "1", "COLUMNS": "250"})

    async def run(
        *args: str, stdin: str = "", timeout: float = 180.0, extra_env: dict[str, str] | None = None
    ) -> Result:
        process = await asyncio.create_subprocess_exec(
            RUDDER,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**env, **(extra_env or {})},
        )
        out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout)
        assert process.returncode is not None
        return Result(process.returncode, out.decode(), err.decode())

    return run
