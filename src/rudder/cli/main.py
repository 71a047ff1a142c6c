"""Entry point of the ``rudder`` console script: assembles the Typer sub-commands."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="rudder",
    help="Rudder: GitOps continuous delivery for Kubernetes, speaking the Argo CD API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def main() -> None:
    app()
