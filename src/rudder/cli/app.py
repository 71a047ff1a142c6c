"""``rudder app ...``: list, inspect, diff, sync, wait for and refresh Applications
(rollback, revert, create, delete and set are in rudder.cli.app_edit). Talks to the
Rudder server when logged in (``rudder login``, or ``--server``/``--auth-token``),
else — or with ``--core`` — straight to the cluster through the kubeconfig, as
``argocd --core`` does. Exit codes are in rudder.cli.output and docs/cli.md."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

import typer
from rich.live import Live

from rudder.api import applications as apps
from rudder.cli import progress
from rudder.cli.backend import Backend
from rudder.cli.output import EXIT_UNHEALTHY, EXIT_USAGE, badge, console, emit, err_console, table
from rudder.cli.target import Core, Kubeconfig, Namespace, Output, Server, Target, Token, fail, run
from rudder.model.errors import RudderError
from rudder.model.resource import Manifest

app = typer.Typer(help="Inspect and operate Applications.", no_args_is_help=True)


def _summary_row(s: dict[str, Any], *, wide: bool) -> list[str]:
    row = [
        f"{s['namespace']}/{s['name']}",
        s["project"],
        badge(s["syncStatus"]),
        badge(s["healthStatus"]),
        s["revision"][:12],
    ]
    return row + ([s["repoURL"], s["path"], s["targetRevision"]] if wide else [])


def _columns(wide: bool) -> list[str]:
    return ["NAME", "PROJECT", "SYNC", "HEALTH", "REVISION"] + (["REPO", "PATH", "TARGET"] if wide else [])


@app.command("list")
def list_apps(
    kubeconfig: Kubeconfig = None,
    namespace: Annotated[str, typer.Option("--app-namespace", "-N", help="only this namespace")] = "",
    project: Annotated[
        str, typer.Option("--project", "-p", help="only these projects (comma-separated)")
    ] = "",
    selector: Annotated[str, typer.Option("--selector", "-l", help="label selector")] = "",
    health: Annotated[str, typer.Option(help="only these health statuses")] = "",
    sync_status: Annotated[str, typer.Option("--sync", help="only these sync statuses")] = "",
    search: Annotated[str, typer.Option(help="name contains")] = "",
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """List Applications with their sync and health status."""
    query = {
        k: v
        for k, v in {
            "namespace": namespace,
            "project": project,
            "selector": selector,
            "health": health,
            "sync": sync_status,
            "search": search,
        }.items()
        if v
    }
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    items = run(target, lambda b: b.list_apps(query))
    if not emit(items, output):
        console.print(
            table(_columns(output == "wide"), [_summary_row(s, wide=output == "wide") for s in items])
        )


@app.command("get")
def get_app(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Show one Application: status, conditions, resources, last operation."""
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    item = run(target, lambda b: b.get_app(namespace, name))
    if emit(item, output):
        return
    from rudder.api.summary import summarize

    status = item.get("status") or {}
    console.print(table(_columns(True), [_summary_row(summarize(item), wide=True)]))
    for condition in status.get("conditions") or []:
        console.print(f"[yellow]{condition.get('type')}[/]: {condition.get('message')}")
    state = status.get("operationState") or {}
    if state:
        console.print(f"Last operation: {badge(str(state.get('phase')))} - {state.get('message')}")
    rows = []
    for res in status.get("resources") or []:
        health = res.get("health") or {}
        rows.append(
            [
                str(res.get("kind", "")),
                str(res.get("namespace", "")),
                str(res.get("name", "")),
                badge(str(res.get("status", ""))),
                badge(str(health.get("status", ""))),
                str(health.get("message", "") or res.get("message", "")),
            ]
        )
    console.print(table(["KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "MESSAGE"], rows))


@app.command("history")
def history(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Deployment history (ids usable with rollback)."""
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    item = run(target, lambda b: b.get_app(namespace, name))
    entries = (item.get("status") or {}).get("history") or []
    if emit(entries, output):
        return
    rows = []
    for entry in entries:
        who = entry.get("initiatedBy") or {}
        rows.append(
            [
                str(entry.get("id")),
                str(entry.get("deployedAt")),
                str(entry.get("revision")),
                "automated" if who.get("automated") else str(who.get("username", "")),
            ]
        )
    console.print(table(["ID", "DEPLOYED", "REVISION", "INITIATED BY"], rows))


@app.command("diff")
def diff(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help=f"exit {EXIT_UNHEALTHY} when there are differences")
    ] = False,
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Show what a sync would change: a masked diff (live → Git) per out-of-sync resource."""
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    items = run(target, lambda b: b.managed_resources(namespace, name))
    changed = [i for i in items if i.get("status") != "Synced"]
    if not emit(changed, output):
        for item in changed:
            header = f"===== {item.get('group') or 'core'}/{item['kind']} {item.get('namespace', '')}/{item['name']} ====="
            console.print(header, style="bold", markup=False)
            console.print(
                item.get("diff") or item.get("message") or "(no textual diff)", markup=False, highlight=False
            )
        if not changed:
            console.print(f"{namespace}/{name}: no differences")
    if changed and exit_code:
        raise typer.Exit(EXIT_UNHEALTHY)


async def _watch_sync(
    backend: Backend, namespace: str, name: str, *, timeout: float, dry_run: bool, to_stderr: bool
) -> Manifest:
    """Follow the operation with a live view until it ends, then (unless a dry run)
    until the app is Healthy. RudderError (timed out) past ``timeout``."""
    deadline = time.monotonic() + timeout
    last_lines: list[str] = []
    screen = err_console if to_stderr else console  # keep stdout clean for -o json|yaml
    live = Live(console=screen, refresh_per_second=4, transient=False) if screen.is_terminal else None
    item: Manifest = {}
    try:
        if live is not None:
            live.start()
        while True:
            item = await backend.get_app(namespace, name)
            if live is not None:
                live.update(progress.view(item))
            else:
                current = progress.lines(item)
                for line in current:
                    if line not in last_lines:
                        typer.echo(line, err=to_stderr)
                last_lines = current
            state = (item.get("status") or {}).get("operationState") or {}
            operation_done = not apps.operation_in_progress(item) and state.get("phase") not in (
                None,
                "Running",
            )
            if operation_done and (dry_run or state.get("phase") != "Succeeded"):
                return item
            if operation_done and apps.satisfied(item, apps.WaitFor(sync=True, health=True)):
                return item
            health = ((item.get("status") or {}).get("health") or {}).get("status")
            if operation_done and health == "Degraded":
                return item
            if time.monotonic() > deadline:
                raise RudderError(
                    f"Application/{namespace}/{name}: timed out after {timeout:.0f}s ({progress.header(item)})"
                )
            await asyncio.sleep(0.5)
    finally:
        if live is not None:
            live.stop()


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
    resource: Annotated[
        list[str] | None,
        typer.Option("--resource", help="only this resource: GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME"),
    ] = None,
    wait: Annotated[bool, typer.Option(help="follow the sync live until Synced and Healthy")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait")] = 300.0,
    output: Output = "table",
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Request a sync; with --wait, show its progress and return when Synced and Healthy
    (exit 5 when the sync failed or the app is Degraded, 4 on timeout)."""
    resources = []
    for text in resource or []:
        parts = text.split(":")
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise fail(
                f"--resource {text!r}: expected GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME", EXIT_USAGE
            )
        ns, _, res_name = parts[2].rpartition("/")
        resources.append({"group": parts[0], "kind": parts[1], "name": res_name, "namespace": ns})
    spec = apps.SyncRequestSpec(
        revision=revision,
        prune=prune,
        dry_run=dry_run,
        sync_options=tuple(sync_option or ()),
        resources=tuple(resources),
    )
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)

    async def go(backend: Backend) -> Manifest:
        requested = await backend.sync(namespace, name, spec)
        if not wait:
            return requested
        return await _watch_sync(
            backend, namespace, name, timeout=timeout, dry_run=dry_run, to_stderr=output in ("json", "yaml")
        )

    item = run(target, go)
    if not wait:
        if not emit(item, output):
            typer.echo(f"sync requested for {namespace}/{name}")
        return
    state = (item.get("status") or {}).get("operationState") or {}
    health = ((item.get("status") or {}).get("health") or {}).get("status")
    if not emit(item, output):
        typer.echo(
            f"{namespace}/{name}: operation {state.get('phase')}: {state.get('message', '')}; health {health}"
        )
    if state.get("phase") != "Succeeded" or (not dry_run and health == "Degraded"):
        raise typer.Exit(EXIT_UNHEALTHY)


@app.command("wait")
def wait_app(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    sync_flag: Annotated[bool, typer.Option("--sync", help="wait for Synced")] = False,
    health: Annotated[bool, typer.Option("--health", help="wait for Healthy")] = False,
    operation: Annotated[bool, typer.Option("--operation", help="wait for no running operation")] = False,
    degraded_fails: Annotated[
        bool, typer.Option("--degraded-fails/--degraded-waits", help="stop with exit 5 when Degraded")
    ] = True,
    timeout: Annotated[float, typer.Option(help="seconds")] = 300.0,
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Wait until the app is Synced and/or Healthy (all three when no flag is given).
    Exit 4 on timeout, 5 when waiting for health and the app turns Degraded."""
    everything = not (sync_flag or health or operation)
    wanted = apps.WaitFor(
        sync=sync_flag or everything, health=health or everything, operation=operation or everything
    )
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)

    async def go(backend: Backend) -> Manifest:
        deadline = time.monotonic() + timeout
        while True:
            item = await backend.get_app(namespace, name)
            if apps.satisfied(item, wanted):
                return item
            status = item.get("status") or {}
            degraded = (status.get("health") or {}).get("status") == "Degraded"
            if wanted.health and degraded_fails and degraded and not apps.operation_in_progress(item):
                return item
            if time.monotonic() > deadline:
                raise RudderError(
                    f"Application/{namespace}/{name}: timed out after {timeout:.0f}s "
                    f"(sync {(status.get('sync') or {}).get('status', 'Unknown')}, "
                    f"health {(status.get('health') or {}).get('status', 'Unknown')})"
                )
            await asyncio.sleep(0.5)

    item = run(target, go)
    if not apps.satisfied(item, wanted):
        raise fail(
            f"{namespace}/{name}: health Degraded: {((item.get('status') or {}).get('health') or {}).get('message', '')}",
            EXIT_UNHEALTHY,
        )
    typer.echo(f"{namespace}/{name}: done")


@app.command("refresh")
def refresh(
    name: str,
    kubeconfig: Kubeconfig = None,
    namespace: Namespace = "argocd",
    hard: Annotated[bool, typer.Option(help="also re-render, bypassing the render cache")] = False,
    core: Core = False,
    server: Server = "",
    auth_token: Token = "",
) -> None:
    """Compare with Git now instead of at the next periodic refresh."""
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    run(target, lambda b: b.refresh(namespace, name, hard=hard))
    typer.echo(f"refresh requested for {namespace}/{name}")
