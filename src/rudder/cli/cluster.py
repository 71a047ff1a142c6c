"""``rudder cluster up|down|status|kubeconfig``: the local control plane for the demo and the
tests. Registered on the main Typer app by rudder.cli.main; the work is done by
rudder.localcluster.cluster."""

from __future__ import annotations

import os
import sys

import typer

from rudder.localcluster import cluster
from rudder.model.errors import RudderError
from rudder.observability.logging import configure

app = typer.Typer(help="Run a local Kubernetes control plane (etcd, kube-apiserver, kwok nodes).")

NAME = typer.Option(cluster.DEFAULT_NAME, "--name", "-n", help="Cluster name; several can run side by side.")


@app.callback()
def _setup() -> None:
    configure(json=False, level=os.environ.get("RUDDER_LOG_LEVEL", "WARNING"))


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _fail(exc: RudderError) -> typer.Exit:
    print(f"error: {exc}", file=sys.stderr)
    return typer.Exit(1)


@app.command("up")
def up_command(
    name: str = NAME,
    nodes: int = typer.Option(1, "--nodes", help="Number of kwok fake nodes."),
    port: int = typer.Option(0, "--port", help="API server port on 127.0.0.1 (0: pick a free one)."),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait until the cluster is ready."),
) -> None:
    """Start a cluster and wait until its API server and nodes are Ready."""
    try:
        cluster.up(cluster.UpOptions(name=name, nodes=nodes, port=port, timeout=timeout), report=_say)
    except RudderError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        print(f"error: interrupted; cluster {name!r} was torn down", file=sys.stderr)
        raise typer.Exit(130) from None


@app.command("down")
def down_command(
    name: str = NAME,
    all_: bool = typer.Option(False, "--all", help="Stop every local cluster."),
) -> None:
    """Stop a cluster, leaving no process and no directory behind."""
    try:
        names = [c.name for c in cluster.list_clusters()] if all_ else [name]
        for each in names:
            cluster.down(each, report=_say)
    except RudderError as exc:
        raise _fail(exc) from None


@app.command("status")
def status_command(
    name: str = typer.Option("", "--name", "-n", help="One cluster (exit 1 unless it is Running)."),
) -> None:
    """Show local clusters: state, API server, kubeconfig, processes."""
    clusters = [cluster.status(name)] if name else cluster.list_clusters()
    if not clusters:
        print("no local clusters")
        return
    print(f"{'NAME':<20} {'STATE':<9} {'SERVER':<24} {'PROCESSES':<9} KUBECONFIG")
    for each in clusters:
        print(
            f"{each.name:<20} {each.state.value:<9} {each.server or '-':<24} {len(each.processes):<9}"
            f" {each.kubeconfig if each.state is not cluster.State.ABSENT else '-'}"
        )
    if name and clusters[0].state is not cluster.State.RUNNING:
        raise typer.Exit(1)


@app.command("kubeconfig")
def kubeconfig_command(name: str = NAME) -> None:
    """Print the path of a running cluster's kubeconfig."""
    try:
        print(cluster.kubeconfig(name))
    except RudderError as exc:
        raise _fail(exc) from None
