"""How ``rudder app`` commands reach Rudder: the Target resolved from ``--core``,
``--server``/``--auth-token`` and the saved login, the shared option types, and
``run()``, which turns failures into the documented exit codes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from rudder.cli import config
from rudder.cli.backend import Backend, CoreBackend, RemoteBackend
from rudder.cli.output import EXIT_AUTH, EXIT_ERROR, EXIT_NOT_FOUND, EXIT_TIMEOUT, EXIT_USAGE
from rudder.cli.remote import ApiFailure
from rudder.model.errors import NotFoundError, RudderError

T = TypeVar("T")

Kubeconfig = Annotated[Path | None, typer.Option("--kubeconfig", help="kubeconfig for --core mode")]
Namespace = Annotated[str, typer.Option("--app-namespace", "-N", help="namespace of the Application")]
Output = Annotated[str, typer.Option("--output", "-o", help="table, wide, json or yaml")]
Core = Annotated[bool, typer.Option("--core", help="talk to the cluster directly (no server)")]
Server = Annotated[
    str,
    typer.Option("--server", envvar="RUDDER_SERVER", help="Rudder server URL (default: from rudder login)"),
]
Token = Annotated[
    str,
    typer.Option(
        "--auth-token",
        envvar="RUDDER_AUTH_TOKEN",
        help="bearer token (default: from rudder login)",
        show_default=False,
    ),
]


class Target:
    """Where to send requests: resolved from --core, --server/--auth-token and the saved login."""

    def __init__(self, *, core: bool, kubeconfig: Path | None, server: str, token: str) -> None:
        saved = config.load()
        self.core = core or not (server or saved.server)
        self.kubeconfig = kubeconfig
        self.server = server or saved.server
        self.token = token or (saved.token if (not server or server == saved.server) else "")

    async def connect(self) -> Backend:
        if self.core:
            return await CoreBackend.connect(self.kubeconfig)
        if not self.token:
            raise ApiFailure(
                401, f"not logged in to {self.server}; run `rudder login {self.server}` or pass --auth-token"
            )
        return RemoteBackend(self.server, self.token)


def fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def run(target: Target, action: Callable[[Backend], Awaitable[T]]) -> T:
    """Run ``action`` against the backend and turn failures into exit codes."""

    async def go() -> T:
        backend = await target.connect()
        try:
            return await action(backend)
        finally:
            await backend.close()

    try:
        return asyncio.run(go())
    except ApiFailure as exc:
        code = {401: EXIT_AUTH, 403: EXIT_AUTH, 404: EXIT_NOT_FOUND, 400: EXIT_USAGE, 422: EXIT_USAGE}.get(
            exc.status, EXIT_ERROR
        )
        raise fail(str(exc), code) from None
    except NotFoundError as exc:
        raise fail(str(exc), EXIT_NOT_FOUND) from None
    except RudderError as exc:
        raise fail(str(exc), EXIT_TIMEOUT if "timed out" in str(exc) else EXIT_ERROR) from None
