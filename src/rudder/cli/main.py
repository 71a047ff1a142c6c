"""Entry point of the ``rudder`` console script: assembles the Typer sub-commands."""

from __future__ import annotations

import typer

from rudder.cli import app as app_cli
from rudder.cli import cluster, tools
from rudder.cli import controller as controller_cli

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


def main() -> None:
    app()
