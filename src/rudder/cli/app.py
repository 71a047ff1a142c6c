"""``rudder app ...``: list, inspect, diff, sync, wait for, refresh, roll back, revert,
create, delete and change Applications. Talks to the Rudder server when logged in
(``rudder login``, or ``--server``/``--auth-token``), else — or with ``--core`` —
straight to the cluster through the kubeconfig, as ``argocd --core`` does. Exit codes
are in rudder.cli.output and docs/cli.md."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from rich.live import Live

from rudder.api import applications as apps
from rudder.cli import config, progress
from rudder.cli.backend import Backend, CoreBackend, RemoteBackend
from rudder.cli.output import (
    EXIT_AUTH,
    EXIT_ERROR,
    EXIT_NOT_FOUND,
    EXIT_TIMEOUT,
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    badge,
    console,
    emit,
    table,
)
from rudder.cli.remote import ApiFailure
from rudder.model.errors import NotFoundError, RudderError
from rudder.model.resource import Manifest

app = typer.Typer(help="Inspect and operate Applications.", no_args_is_help=True)
T = TypeVar("T")

Kubeconfig = Annotated[Path | None, typer.Option("--kubeconfig", help="kubeconfig for --core mode")]
Namespace = Annotated[str, typer.Option("--app-namespace", "-N", help="namespace of the Application")]
Output = Annotated[str, typer.Option("--output", "-o", help="table, wide, json or yaml")]
Core = Annotated[bool, typer.Option("--core", help="talk to the cluster directly (no server)")]
Server = Annotated[
    str,
    typer.Option("--server", envvar="RUDDER_SERVER", help="Rudder server URL (default: from rudder login)"),
]
Token = Annotated[
    str,
    typer.Option(
        "--auth-token",
        envvar="RUDDER_AUTH_TOKEN",
        help="bearer token (default: from rudder login)",
        show_default=False,
    ),
]


class Target:
    """Where to send requests: resolved from --core, --server/--auth-token and the saved login."""

    def __init__(self, *, core: bool, kubeconfig: Path | None, server: str, token: str) -> None:
        saved = config.load()
        self.core = core or not (server or saved.server)
        self.kubeconfig = kubeconfig
        self.server = server or saved.server
        self.token = token or (saved.token if (not server or server == saved.server) else "")

    async def connect(self) -> Backend:
        if self.core:
            return await CoreBackend.connect(self.kubeconfig)
        if not self.token:
            raise ApiFailure(
                401, f"not logged in to {self.server}; run `rudder login {self.server}` or pass --auth-token"
            )
        return RemoteBackend(self.server, self.token)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def run(target: Target, action: Callable[[Backend], Awaitable[T]]) -> T:
    """Run ``action`` against the backend and turn failures into exit codes."""

    async def go() -> T:
        backend = await target.connect()
        try:
            return await action(backend)
        finally:
            await backend.close()

    try:
        return asyncio.run(go())
    except ApiFailure as exc:
        code = {401: EXIT_AUTH, 403: EXIT_AUTH, 404: EXIT_NOT_FOUND, 400: EXIT_USAGE, 422: EXIT_USAGE}.get(
            exc.status, EXIT_ERROR
        )
        raise _fail(str(exc), code) from None
    except NotFoundError as exc:
        raise _fail(str(exc), EXIT_NOT_FOUND) from None
    except RudderError as exc:
        raise _fail(str(exc), EXIT_TIMEOUT if "timed out" in str(exc) else EXIT_ERROR) from None


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
    backend: Backend, namespace: str, name: str, *, timeout: float, dry_run: bool
) -> Manifest:
    """Follow the operation with a live view until it ends, then (unless a dry run)
    until the app is Healthy. RudderError (timed out) past ``timeout``."""
    deadline = time.monotonic() + timeout
    last_lines: list[str] = []
    live = Live(console=console, refresh_per_second=4, transient=False) if console.is_terminal else None
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
                        typer.echo(line)
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
            raise _fail(
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
        return await _watch_sync(backend, namespace, name, timeout=timeout, dry_run=dry_run)

    item = run(target, go)
    if emit(item, output) and not wait:
        return
    state = (item.get("status") or {}).get("operationState") or {}
    health = ((item.get("status") or {}).get("health") or {}).get("status")
    if not wait:
        typer.echo(f"sync requested for {namespace}/{name}")
        return
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
        raise _fail(
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
        raise _fail(f"{file}: {exc}", EXIT_USAGE) from None
    if not isinstance(manifest, dict):
        raise _fail(f"{file}: expected one Application manifest", EXIT_USAGE)
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
            raise _fail(f"--patch: not valid JSON: {exc}", EXIT_USAGE) from None
        if not isinstance(spec_patch, dict):
            raise _fail("--patch: expected a JSON object", EXIT_USAGE)
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
            raise _fail("--sync-policy: expected automated or none", EXIT_USAGE)
        _set_value(spec_patch, "syncPolicy.automated", {} if sync_policy == "automated" else None)
    if self_heal is not None:
        _set_value(spec_patch, "syncPolicy.automated.selfHeal", self_heal)
    if auto_prune is not None:
        _set_value(spec_patch, "syncPolicy.automated.prune", auto_prune)
    if not spec_patch:
        raise _fail("nothing to change; give at least one option", EXIT_USAGE)
    target = Target(core=core, kubeconfig=kubeconfig, server=server, token=auth_token)
    item = run(target, lambda b: b.set_spec(namespace, name, spec_patch))
    if not emit(item, output):
        typer.echo(f"application {namespace}/{name} updated")
