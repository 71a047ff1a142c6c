"""Output of the CLI: ``-o json|yaml`` for scripts, rich tables for people, and the
exit codes a CI pipeline can rely on (see docs/cli.md). Used by every command module."""

from __future__ import annotations

import json
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_TIMEOUT = 4
EXIT_UNHEALTHY = 5
"""The operation finished but the app is not where it should be: sync failed,
health Degraded, or ``app diff --exit-code`` found differences."""
EXIT_AUTH = 6
"""Not logged in, credential expired or revoked, or not allowed."""

console = Console()
err_console = Console(stderr=True)


def emit(data: Any, output: str) -> bool:
    """Print ``data`` as JSON or YAML when asked; False means print a table instead."""
    if output == "json":
        typer.echo(json.dumps(data, indent=2, default=str))
        return True
    if output == "yaml":
        typer.echo(yaml.safe_dump(data, sort_keys=False))
        return True
    if output not in ("table", "wide", ""):
        typer.echo(f"error: unknown output format {output!r} (table, wide, json, yaml)", err=True)
        raise typer.Exit(EXIT_USAGE)
    return False


def table(columns: list[str], rows: list[list[str]]) -> Table:
    out = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*row)
    return out


_COLOURS = {
    "Synced": "green",
    "OutOfSync": "yellow",
    "Healthy": "green",
    "Progressing": "cyan",
    "Degraded": "red",
    "Missing": "yellow",
    "Suspended": "magenta",
    "Succeeded": "green",
    "Failed": "red",
    "Error": "red",
    "Running": "cyan",
    "SyncFailed": "red",
    "Pruned": "magenta",
}


def badge(value: str) -> str:
    colour = _COLOURS.get(value)
    return f"[{colour}]{value}[/]" if colour else value
