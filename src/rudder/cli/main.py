"""Entry point of the ``rudder`` console script: assembles the Typer sub-commands."""

from __future__ import annotations

import typer

from rudder.cli import cluster, tools

app = typer.Typer(
    name="rudder",
    help="Rudder: GitOps continuous delivery for Kubernetes, speaking the Argo CD API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(tools.app, name="tools")
app.add_typer(cluster.app, name="cluster")


def main() -> None:
    app()
