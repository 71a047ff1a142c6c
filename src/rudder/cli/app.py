"""``rudder app ...``: list, inspect, sync, wait for, refresh, roll back and revert
Applications. ``--core`` talks straight to the cluster through the kubeconfig, as
``argocd --core`` does. Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 timeout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from rich.console import Console
from rich.table import Table

from rudder.api import applications as apps
from rudder.cluster.client import KubeClient
from rudder.model.errors import NotFoundError, RudderError
from rudder.model.resource import Manifest

app = typer.Typer(help="Inspect and operate Applications.", no_args_is_help=True)
console = Console()
T = TypeVar("T")

EXIT_ERROR, EXIT_NOT_FOUND, EXIT_TIMEOUT = 1, 3, 4

Kubeconfig = Annotated[Path | None, typer.Option("--kubeconfig", help="kubeconfig for --core mode")]
Namespace = Annotated[str, typer.Option("--app-namespace", "-N", help="namespace of the Application")]
Output = Annotated[str, typer.Option("--output", "-o", help="table, wide, json or yaml")]
Core = Annotated[bool, typer.Option("--core", help="talk to the cluster directly (no server)")]


def _run(kubeconfig: Path | None, action: Callable[[KubeClient], Awaitable[T]]) -> T:
    async def go() -> T:
        async with await KubeClient.from_kubeconfig(kubeconfig) as client:
            return await action(client)

    try:
        return asyncio.run(go())
    except NotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from exc
    except RudderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_TIMEOUT if "timed out" in str(exc) else EXIT_ERROR) from exc


def _emit(data: Any, output: str) -> bool:
    if output == "json":
        typer.echo(json.dumps(data, indent=2, default=str))
        return True
    if output == "yaml":
        typer.echo(yaml.safe_dump(data, sort_keys=False))
        return True
    return False


def _row(item: Manifest) -> list[str]:
    meta, spec, status = item.get("metadata") or {}, item.get("spec") or {}, item.get("status") or {}
    source = spec.get("source") or (spec.get("sources") or [{}])[0]
    return [
        f"{meta.get('namespace')}/{meta.get('name')}",
        str(spec.get("project", "default")),
        str((status.get("sync") or {}).get("status", "Unknown")),
        str((status.get("health") or {}).get("status", "Unknown")),
        str((status.get("sync") or {}).get("revision", ""))[:12],
        str(source.get("repoURL", "")),
        str(source.get("path", "") or source.get("chart", "")),
    ]


def _table(items: list[Manifest], *, wide: bool) -> Table:
    table = Table(box=None, header_style="bold")
    columns = ["NAME", "PROJECT", "SYNC", "HEALTH", "REVISION"] + (["REPO", "PATH"] if wide else [])
    for column in columns:
        table.add_column(column)
    for item in items:
        table.add_row(*_row(item)[: len(columns)])
    return table


@app.command("list")
def list_apps(
    kubeconfig: Kubeconfig = None, namespace: Namespace = "", output: Output = "table", core: Core = True
) -> None:
    """List Applications with their sync and health status."""
    items = _run(kubeconfig, lambda c: apps.list_applications(c, namespace))
    items.sort(key=lambda a: (a["metadata"].get("namespace", ""), a["metadata"]["name"]))
    if not _emit(items, output):
        console.print(_table(items, wide=output == "wide"))


@app.command("get")
def get_app(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    output: Output = "table",
    core: Core = True,
) -> None:
    """Show one Application: status, conditions, resources, last operation."""
    item = _run(kubeconfig, lambda c: apps.get_application(c, namespace, name))
    if _emit(item, output):
        return
    status = item.get("status") or {}
    console.print(_table([item], wide=True))
    for condition in status.get("conditions") or []:
        console.print(f"[yellow]{condition.get('type')}[/]: {condition.get('message')}")
    state = status.get("operationState") or {}
    if state:
        console.print(f"Last operation: {state.get('phase')} - {state.get('message')}")
    resources = Table(box=None, header_style="bold")
    for column in ("KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "MESSAGE"):
        resources.add_column(column)
    for res in status.get("resources") or []:
        health = res.get("health") or {}
        resources.add_row(
            res.get("kind", ""),
            res.get("namespace", ""),
            res.get("name", ""),
            res.get("status", ""),
            health.get("status", ""),
            health.get("message", "") or res.get("message", ""),
        )
    console.print(resources)


@app.command("history")
def history(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    output: Output = "table",
    core: Core = True,
) -> None:
    """Deployment history (ids usable with rollback)."""
    item = _run(kubeconfig, lambda c: apps.get_application(c, namespace, name))
    entries = (item.get("status") or {}).get("history") or []
    if _emit(entries, output):
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "DEPLOYED", "REVISION", "INITIATED BY"):
        table.add_column(column)
    for entry in entries:
        who = entry.get("initiatedBy") or {}
        table.add_row(
            str(entry.get("id")),
            str(entry.get("deployedAt")),
            str(entry.get("revision")),
            "automated" if who.get("automated") else str(who.get("username", "")),
        )
    console.print(table)


@app.command("sync")
def sync(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    revision: Annotated[str, typer.Option(help="sync this revision instead of targetRevision")] = "",
    prune: Annotated[bool, typer.Option(help="delete resources no longer in Git")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="preview only")] = False,
    sync_option: Annotated[
        list[str] | None, typer.Option("--sync-option", help="e.g. CreateNamespace=true")
    ] = None,
    wait: Annotated[bool, typer.Option(help="wait until Synced and Healthy")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait")] = 300.0,
    core: Core = True,
) -> None:
    """Request a sync; with --wait, return when the app is Synced and Healthy."""
    spec = apps.SyncRequestSpec(
        revision=revision, prune=prune, dry_run=dry_run, sync_options=tuple(sync_option or ())
    )

    async def go(client: KubeClient) -> Manifest:
        await apps.request_sync(client, namespace, name, spec)
        if not wait:
            return await apps.get_application(client, namespace, name)
        await apps.wait_for(client, namespace, name, apps.WaitFor(operation=True), timeout=timeout)
        return await apps.wait_for(
            client, namespace, name, apps.WaitFor(sync=True, health=True, operation=True), timeout=timeout
        )

    item = _run(kubeconfig, go)
    state = (item.get("status") or {}).get("operationState") or {}
    typer.echo(
        f"sync requested for {namespace}/{name}" if not wait else f"{name}: {state.get('message', 'synced')}"
    )
    if wait and state.get("phase") not in (None, "Succeeded"):
        raise typer.Exit(EXIT_ERROR)


@app.command("wait")
def wait_app(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    sync: Annotated[bool, typer.Option("--sync", help="wait for Synced")] = False,
    health: Annotated[bool, typer.Option("--health", help="wait for Healthy")] = False,
    operation: Annotated[bool, typer.Option("--operation", help="wait for no running operation")] = False,
    timeout: Annotated[float, typer.Option(help="seconds")] = 300.0,
    core: Core = True,
) -> None:
    """Wait until the app is Synced and/or Healthy (all three when no flag is given)."""
    everything = not (sync or health or operation)
    wanted = apps.WaitFor(
        sync=sync or everything, health=health or everything, operation=operation or everything
    )
    _run(kubeconfig, lambda c: apps.wait_for(c, namespace, name, wanted, timeout=timeout))
    typer.echo(f"{namespace}/{name}: done")


@app.command("refresh")
def refresh(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    hard: Annotated[bool, typer.Option(help="also re-render, bypassing the render cache")] = False,
    core: Core = True,
) -> None:
    """Compare with Git now instead of at the next periodic refresh."""
    _run(kubeconfig, lambda c: apps.request_refresh(c, namespace, name, hard=hard))
    typer.echo(f"refresh requested for {namespace}/{name}")


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
    core: Core = True,
) -> None:
    """Sync the revision of a history entry (see `rudder app history`)."""
    _run(
        kubeconfig,
        lambda c: apps.rollback(
            c, namespace, name, history_id, prune=prune, disable_auto_sync=disable_auto_sync
        ),
    )
    typer.echo(f"rollback of {namespace}/{name} to history id {history_id} requested")


@app.command("revert")
def revert(
    name: str,
    branch: Annotated[
        str, typer.Option(help="branch to commit the revert on (default: the one the app follows)")
    ] = "",
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    revision: Annotated[str, typer.Option(help="commit to revert (default: the deployed one)")] = "",
    core: Core = True,
) -> None:
    """Make a `git revert` commit in the app's repository, then refresh the app."""
    sha = _run(kubeconfig, lambda c: apps.revert(c, namespace, name, branch=branch, revision=revision))
    typer.echo(f"reverted with commit {sha}")
