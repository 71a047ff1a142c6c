"""``rudder login``, ``rudder logout``, ``rudder account token create|list|revoke`` and
``rudder admin initial-password|set-password``: the CLI's side of accounts. Login
saves the server URL and a session (or a given account token) with mode 0600."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from rudder.api import accounts
from rudder.cli import config
from rudder.cli.output import EXIT_AUTH, EXIT_ERROR, EXIT_NOT_FOUND, EXIT_USAGE, console, emit, table
from rudder.cli.remote import ApiFailure, ServerClient
from rudder.cluster.client import KubeClient
from rudder.model.errors import NotFoundError, RudderError

account_app = typer.Typer(help="Your account's API tokens (for CI and scripts).", no_args_is_help=True)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
account_app.add_typer(token_app, name="token")
admin_app = typer.Typer(
    help="Administration straight through the cluster (kubeconfig).", no_args_is_help=True
)

Output = Annotated[str, typer.Option("--output", "-o", help="table, json or yaml")]
Server = Annotated[
    str,
    typer.Option("--server", envvar="RUDDER_SERVER", help="Rudder server URL (default: from rudder login)"),
]
Kubeconfig = Annotated[Path | None, typer.Option("--kubeconfig", help="kubeconfig of the cluster")]
ControlNamespace = Annotated[str, typer.Option("--namespace", help="Rudder's control namespace")]


def _exit_for(exc: ApiFailure) -> int:
    return {401: EXIT_AUTH, 403: EXIT_AUTH, 404: EXIT_NOT_FOUND, 400: EXIT_USAGE, 422: EXIT_USAGE}.get(
        exc.status, EXIT_ERROR
    )


def _call(server: str, token: str, method: str, path: str, **kwargs: Any) -> Any:
    async def go() -> Any:
        client = ServerClient(server, token)
        try:
            return await client.request(method, path, **kwargs)
        finally:
            await client.close()

    try:
        return asyncio.run(go())
    except ApiFailure as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(_exit_for(exc)) from None


def _saved(server: str) -> config.Login:
    login = config.load()
    if server and server.rstrip("/") != login.server.rstrip("/"):
        typer.echo(f"error: not logged in to {server}; run `rudder login {server}`", err=True)
        raise typer.Exit(EXIT_AUTH)
    if not login.server or not login.token:
        typer.echo("error: not logged in; run `rudder login SERVER`", err=True)
        raise typer.Exit(EXIT_AUTH)
    return login


def login(
    server: Annotated[str, typer.Argument(help="server URL, e.g. http://127.0.0.1:8080")],
    username: Annotated[str, typer.Option("--username", "-u", help="local account")] = "admin",
    password: Annotated[
        str,
        typer.Option(
            "--password",
            envvar="RUDDER_PASSWORD",
            help="password (prompted when omitted)",
            show_default=False,
        ),
    ] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    token: Annotated[
        str, typer.Option("--token", help="save this account token instead of logging in", show_default=False)
    ] = "",
) -> None:
    """Log in to a Rudder server and save the session in ~/.config/rudder/config.yaml (0600)."""
    server = server.rstrip("/")
    if token:
        info = _call(server, token, "GET", "/api/v1/session/userinfo")
        path = config.save(config.Login(server=server, token=token, username=str(info["username"])))
        typer.echo(f"logged in to {server} as {info['username']} with an account token (saved in {path})")
        return
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not password:
        if not sys.stdin.isatty():
            typer.echo("error: no password; use --password-stdin or $RUDDER_PASSWORD", err=True)
            raise typer.Exit(EXIT_USAGE)
        password = getpass.getpass(f"password for {username}@{server}: ")
    result = _call(server, "", "POST", "/api/v1/session", json={"username": username, "password": password})
    path = config.save(config.Login(server=server, token=str(result["token"]), username=username))
    typer.echo(f"logged in to {server} as {username} (saved in {path})")


def logout() -> None:
    """End the saved session on the server and forget it locally."""
    saved = config.load()
    if not saved.server:
        typer.echo("not logged in")
        return
    try:
        asyncio.run(_logout(saved))
    except ApiFailure as exc:
        typer.echo(f"warning: the server did not end the session: {exc}", err=True)
    config.clear()
    typer.echo(f"logged out of {saved.server}")


async def _logout(saved: config.Login) -> None:
    client = ServerClient(saved.server, saved.token)
    try:
        await client.request("DELETE", "/api/v1/session")
    finally:
        await client.close()


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="what the token is for")] = "",
    expires_in: Annotated[
        int, typer.Option("--expires-in", min=0, help="seconds until it expires (0: never)")
    ] = 0,
    account: Annotated[str, typer.Option("--account", help="another account (needs accounts update)")] = "",
    server: Server = "",
    output: Output = "table",
) -> None:
    """Create an API token; it is printed once."""
    saved = _saved(server)
    params = {"account": account} if account else None
    result = _call(
        saved.server,
        saved.token,
        "POST",
        "/api/v1/account/tokens",
        json={"name": name, "expiresIn": expires_in},
        params=params,
    )
    if not emit(result, output):
        typer.echo(result["token"])
        typer.echo(f"token id {result['id']}; store it now, it is not shown again", err=True)


@token_app.command("list")
def token_list(
    account: Annotated[str, typer.Option("--account", help="another account (needs accounts get)")] = "",
    server: Server = "",
    output: Output = "table",
) -> None:
    """List API tokens (ids and dates, never the tokens)."""
    saved = _saved(server)
    params = {"account": account} if account else None
    result = _call(saved.server, saved.token, "GET", "/api/v1/account/tokens", params=params)
    if not emit(result["items"], output):
        rows = [[t["id"], t["name"], t["issuedAt"], t["expiresAt"] or "never"] for t in result["items"]]
        console.print(table(["ID", "NAME", "ISSUED", "EXPIRES"], rows))


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="id from `rudder account token list`")],
    account: Annotated[str, typer.Option("--account", help="another account (needs accounts update)")] = "",
    server: Server = "",
) -> None:
    """Revoke an API token; it stops working at once."""
    saved = _saved(server)
    params = {"account": account} if account else None
    _call(saved.server, saved.token, "DELETE", f"/api/v1/account/tokens/{token_id}", params=params)
    typer.echo(f"token {token_id} revoked")


def _admin(kubeconfig: Path | None, action: Any) -> Any:
    async def go() -> Any:
        async with await KubeClient.from_kubeconfig(kubeconfig) as client:
            return await action(client)

    try:
        return asyncio.run(go())
    except NotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except RudderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


@admin_app.command("initial-password")
def initial_password(kubeconfig: Kubeconfig = None, namespace: ControlNamespace = "argocd") -> None:
    """Print the generated admin password once (its Secret is then deleted), generating
    it first if no server has started yet."""

    async def take(client: KubeClient) -> str:
        await accounts.ensure_server_secret(client, namespace)
        return await accounts.take_initial_password(client, namespace)

    typer.echo(_admin(kubeconfig, take))


@admin_app.command("set-password")
def set_password(
    account: Annotated[str, typer.Argument(help="admin or an account from rudder-cm")],
    kubeconfig: Kubeconfig = None,
    namespace: ControlNamespace = "argocd",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the new password from standard input")
    ] = False,
) -> None:
    """Set an account's password (stored as a bcrypt hash in rudder-secret)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"new password for {account}: ")
        if getpass.getpass("again: ") != password:
            typer.echo("error: the passwords differ", err=True)
            raise typer.Exit(EXIT_USAGE)
    _admin(kubeconfig, lambda c: accounts.set_password(c, namespace, account, password))
    typer.echo(f"password of {account} updated")
