"""Entry point of the ``rudder`` console script: assembles the Typer sub-commands."""

from __future__ import annotations

import typer

from rudder.cli import app as app_cli
from rudder.cli import (
    app_edit,  # noqa: F401  (registers rollback/revert/create/delete/set)
    cluster,
    tools,
)
from rudder.cli import controller as controller_cli
from rudder.cli import server as server_cli
from rudder.cli import session as session_cli

app = typer.Typer(
    name="rudder",
    help="Rudder: GitOps continuous delivery for Kubernetes, speaking the Argo CD API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(tools.app, name="tools")
app.add_typer(cluster.app, name="cluster")
app.add_typer(app_cli.app, name="app")
app.command("controller")(controller_cli.controller)
app.command("install")(controller_cli.install)
app.command("server")(server_cli.server)
app.command("login")(session_cli.login)
app.command("logout")(session_cli.logout)
app.add_typer(session_cli.account_app, name="account")
app.add_typer(session_cli.admin_app, name="admin")


def main() -> None:
    app()
