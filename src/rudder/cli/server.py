"""``rudder server``: run the HTTP API, web UI, webhooks and /metrics against a cluster
under uvicorn until SIGTERM/SIGINT. The application itself is rudder.api.server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from rudder.api.options import ServerOptions
from rudder.cluster.client import KubeClient
from rudder.model.errors import RudderError
from rudder.observability import logging as rlog


def server(
    kubeconfig: Annotated[
        Path | None,
        typer.Option("--kubeconfig", help="kubeconfig (default: in-cluster, $KUBECONFIG, ~/.kube/config)"),
    ] = None,
    context: Annotated[str | None, typer.Option(help="kubeconfig context")] = None,
    address: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="port to listen on")] = 8080,
    namespace: Annotated[
        str, typer.Option("--namespace", help="control namespace (settings, RBAC, repository Secrets)")
    ] = "argocd",
    application_namespaces: Annotated[
        str,
        typer.Option(
            help="comma-separated namespaces whose Applications are served besides the control namespace (default: all)"
        ),
    ] = "",
    static_dir: Annotated[Path | None, typer.Option(help="web UI files (default: the packaged UI)")] = None,
    webhook_max_bytes: Annotated[int, typer.Option(min=1024, help="largest webhook payload accepted")] = 1024
    * 1024,
    session_hours: Annotated[float, typer.Option(min=0.01, help="lifetime of a login session")] = 24.0,
    log_format: Annotated[str, typer.Option(help="json or console")] = "json",
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
) -> None:
    """Serve the API (OpenAPI at /api/docs), the web UI, Git webhooks and /metrics."""
    rlog.configure(json=log_format == "json", level=log_level)
    options = ServerOptions(
        control_namespace=namespace,
        app_namespaces=tuple(n.strip() for n in application_namespaces.split(",") if n.strip()),
        static_dir=static_dir,
        webhook_max_bytes=webhook_max_bytes,
        session_seconds=session_hours * 3600.0,
    )
    try:
        asyncio.run(_serve(kubeconfig, context, options, address, port))
    except RudderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


async def _serve(
    kubeconfig: Path | None, context: str | None, options: ServerOptions, address: str, port: int
) -> None:
    import uvicorn  # the server's stack is imported only when serving, to keep the CLI quick

    from rudder.api.server import create_app, preflight

    client = await KubeClient.from_kubeconfig(kubeconfig, context=context)
    try:
        await preflight(client, options)
        app = create_app(client, options)
        config = uvicorn.Config(
            app,
            host=address,
            port=port,
            access_log=False,
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=10,  # open event streams must not hold up a SIGTERM
        )
        await uvicorn.Server(config).serve()
    finally:
        await client.close()
