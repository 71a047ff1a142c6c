"""``rudder controller`` and ``rudder install``: run the reconcile loop against a
cluster, and install the CRDs, control namespace and default project into it."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Annotated

import typer
from prometheus_client import start_http_server

from rudder.cluster.client import KubeClient
from rudder.controller.context import ControllerOptions
from rudder.controller.install import install as install_into
from rudder.controller.manager import Controller
from rudder.model.duration import parse_duration
from rudder.model.errors import ConfigError, RudderError
from rudder.observability import logging as rlog
from rudder.observability import metrics

KubeconfigOption = Annotated[
    Path | None,
    typer.Option("--kubeconfig", help="kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)"),
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def controller(
    kubeconfig: KubeconfigOption = None,
    context: Annotated[str | None, typer.Option(help="kubeconfig context")] = None,
    namespaces: Annotated[
        str, typer.Option(help="comma-separated namespaces whose Applications are reconciled (default: all)")
    ] = "",
    control_namespace: Annotated[
        str, typer.Option(help="namespace of repository Secrets and AppProjects")
    ] = "argocd",
    workers: Annotated[int, typer.Option(min=1, help="concurrent reconciles")] = 4,
    refresh_interval: Annotated[
        str, typer.Option(help="periodic refresh of every app, e.g. 120s or 3m")
    ] = "120s",
    cache_dir: Annotated[Path, typer.Option(help="Git mirrors and exports")] = Path.home()
    / ".cache"
    / "rudder"
    / "controller",
    sops_age_key_file: Annotated[
        list[Path] | None,
        typer.Option(help="age identity file for sops-encrypted manifests (repeatable; also $SOPS_AGE_KEY)"),
    ] = None,
    log_format: Annotated[str, typer.Option(help="json or console")] = "json",
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
    metrics_port: Annotated[
        int, typer.Option(min=0, max=65535, help="serve Prometheus /metrics on 127.0.0.1:PORT (0: off)")
    ] = 0,
) -> None:
    """Run the controller: watch Applications and reconcile them until SIGTERM/SIGINT."""
    rlog.configure(json=log_format == "json", level=log_level)
    if metrics_port:
        start_http_server(metrics_port, addr="127.0.0.1")
    try:
        options = ControllerOptions(
            control_namespace=control_namespace,
            namespaces=tuple(n.strip() for n in namespaces.split(",") if n.strip()),
            workers=workers,
            refresh_interval=parse_duration(refresh_interval, field="--refresh-interval"),
            cache_dir=cache_dir,
            sops_age_keys=_age_keys(sops_age_key_file or []),
        )
        asyncio.run(_run_controller(kubeconfig, context, options))
    except RudderError as exc:
        _fail(str(exc))


def _age_keys(files: list[Path]) -> tuple[str, ...]:
    """Private age keys from files and ``$SOPS_AGE_KEY`` (never logged)."""
    keys: list[str] = []
    for path in files:
        try:
            text = path.read_text()
        except OSError as exc:
            raise ConfigError(f"--sops-age-key-file {path}: {exc.strerror}") from exc
        keys += [line.strip() for line in text.splitlines() if line.strip().startswith("AGE-SECRET-KEY-")]
        if not keys:
            raise ConfigError(f"--sops-age-key-file {path}: no AGE-SECRET-KEY line found")
    env = os.environ.get("SOPS_AGE_KEY", "")
    keys += [line.strip() for line in env.splitlines() if line.strip()]
    return tuple(keys)


async def _run_controller(kubeconfig: Path | None, context: str | None, options: ControllerOptions) -> None:
    client = await KubeClient.from_kubeconfig(kubeconfig, context=context)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    controller = Controller(client, options)
    metrics.CACHE_AGE_SECONDS.set_function(controller.ctx.live.age_seconds)
    try:
        await controller.start()
        await stop.wait()
    finally:
        await controller.stop()
        await client.close()


def install(
    kubeconfig: KubeconfigOption = None,
    context: Annotated[str | None, typer.Option(help="kubeconfig context")] = None,
    namespace: Annotated[str, typer.Option(help="control namespace")] = "argocd",
) -> None:
    """Install the Application and AppProject CRDs, the control namespace and the default project."""

    async def run() -> None:
        async with await KubeClient.from_kubeconfig(kubeconfig, context=context) as client:
            await install_into(client, namespace=namespace)

    try:
        asyncio.run(run())
    except RudderError as exc:
        _fail(str(exc))
    typer.echo(
        f"installed: CRDs applications.argoproj.io, appprojects.argoproj.io; AppProject {namespace}/default"
    )
