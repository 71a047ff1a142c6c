"""``rudder app rollback|revert|create|delete|set``: the commands that change what an
Application deploys or the Application itself. Registered on rudder.cli.app's Typer
app (imported by rudder.cli.main)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from rudder.cli.app import app
from rudder.cli.output import EXIT_USAGE, emit
from rudder.cli.target import Core, Kubeconfig, Namespace, Output, Server, Target, Token, fail, run


@app.command("rollback")
def rollback(
    name: str,
    history_id: int,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    prune: Annotated[bool, typer.Option(help="delete resources not in that revision")] = False,
    disable_auto_sync: Annotated[
        bool,
        typer.Option("--disable-auto-sync", help="turn automated sync off so the rollback is not undone"),
    ] = False,
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Sync the revision of a history entry (see `rudder app history`)."""
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    run(
        target,
        lambda b: b.rollback(namespace, name, history_id, prune=prune, disable_auto_sync=disable_auto_sync),
    )
    typer.echo(f"rollback of {namespace}/{name} to history id {history_id} requested")


@app.command("revert")
def revert(
    name: str,
    branch: Annotated[str, typer.Option(help="branch to commit the revert on")],
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    revision: Annotated[str, typer.Option(help="commit to revert (default: the deployed one)")] = "",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Make a `git revert` commit in the app's repository, then refresh the app."""
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    sha = run(target, lambda b: b.revert(namespace, name, branch=branch, revision=revision))
    typer.echo(f"reverted with commit {sha}")


@app.command("create")
def create(
    file: Annotated[
        Path, typer.Option("--file", "-f", help="Application manifest (YAML or JSON; - for stdin)")
    ],
    upsert: Annotated[bool, typer.Option(help="replace the spec of an existing app")] = False,
    kubeconfig: Kubeconfig = None,
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Create an Application from a manifest."""
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text()
        manifest = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise fail(f"{file}: {exc}", EXIT_USAGE) from None
    if not isinstance(manifest, dict):
        raise fail(f"{file}: expected one Application manifest", EXIT_USAGE)
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    item = run(target, lambda b: b.create(manifest, upsert=upsert))
    if not emit(item, output):
        meta = item.get("metadata") or {}
        typer.echo(
            f"application {meta.get('namespace')}/{meta.get('name')} {'updated' if upsert else 'created'}"
        )


@app.command("delete")
def delete(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    cascade: Annotated[
        bool, typer.Option("--cascade/--no-cascade", help="also delete what the app deployed")
    ] = True,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Delete an Application (with --cascade, the default, also its resources)."""
    if not yes and sys.stdin.isatty():
        typer.confirm(
            f"delete application {namespace}/{name}{' and its resources' if cascade else ''}?", abort=True
        )
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    run(target, lambda b: b.delete(namespace, name, cascade=cascade))
    typer.echo(f"application {namespace}/{name} deleted{' (with its resources)' if cascade else ''}")


def _set_value(spec: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = spec
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


@app.command("set")
def set_app(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    revision: Annotated[str, typer.Option(help="spec.source.targetRevision")] = "",
    path: Annotated[str, typer.Option(help="spec.source.path")] = "",
    repo: Annotated[str, typer.Option(help="spec.source.repoURL")] = "",
    project: Annotated[str, typer.Option(help="spec.project")] = "",
    dest_namespace: Annotated[str, typer.Option(help="spec.destination.namespace")] = "",
    sync_policy: Annotated[str, typer.Option(help="automated or none")] = "",
    self_heal: Annotated[
        bool | None, typer.Option("--self-heal/--no-self-heal", help="automated self-heal")
    ] = None,
    auto_prune: Annotated[
        bool | None, typer.Option("--auto-prune/--no-auto-prune", help="automated prune")
    ] = None,
    patch: Annotated[str, typer.Option(help="JSON merge patch of spec, for anything else")] = "",
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Change fields of an Application's spec."""
    spec_patch: dict[str, Any] = {}
    if patch:
        try:
            spec_patch = json.loads(patch)
        except ValueError as exc:
            raise fail(f"--patch: not valid JSON: {exc}", EXIT_USAGE) from None
        if not isinstance(spec_patch, dict):
            raise fail("--patch: expected a JSON object", EXIT_USAGE)
    for field, value in (
        ("source.targetRevision", revision),
        ("source.path", path),
        ("source.repoURL", repo),
        ("project", project),
        ("destination.namespace", dest_namespace),
    ):
        if value:
            _set_value(spec_patch, field, value)
    if sync_policy:
        if sync_policy not in ("automated", "none"):
            raise fail("--sync-policy: expected automated or none", EXIT_USAGE)
        _set_value(spec_patch, "syncPolicy.automated", {} if sync_policy == "automated" else None)
    if self_heal is not None:
        _set_value(spec_patch, "syncPolicy.automated.selfHeal", self_heal)
    if auto_prune is not None:
        _set_value(spec_patch, "syncPolicy.automated.prune", auto_prune)
    if not spec_patch:
        raise fail("nothing to change; give at least one option", EXIT_USAGE)
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    item = run(target, lambda b: b.set_spec(namespace, name, spec_patch))
    if not emit(item, output):
        typer.echo(f"application {namespace}/{name} updated")
