"""``rudder tools install|path``: build the pinned toolchain into the user cache and say
where it is. Registered on the main Typer app by rudder.cli.main."""

from __future__ import annotations

import os
import sys

import typer

from rudder.localcluster.toolchain import InstallOptions, install
from rudder.model.errors import RudderError
from rudder.model.toolchain import tools_bin
from rudder.observability.logging import configure

app = typer.Typer(help="Build and locate the pinned toolchain (kube-apiserver, etcd, kwok, helm).")


@app.callback()
def _setup() -> None:
    configure(json=False, level=os.environ.get("RUDDER_LOG_LEVEL", "WARNING"))


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@app.command("install")
def install_command(
    force: bool = typer.Option(False, "--force", help="Rebuild every tool even when it is up to date."),
) -> None:
    """Build missing or outdated tools into $RUDDER_TOOLS_DIR (default ~/.cache/rudder/tools)."""
    try:
        install(InstallOptions(force=force), report=_progress)
    except RudderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        print("error: interrupted; nothing was installed for the unfinished step", file=sys.stderr)
        raise typer.Exit(130) from None


@app.command("path")
def path_command() -> None:
    """Print the directory that holds the pinned binaries."""
    print(tools_bin())
