"""The local control plane: ``up`` (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler and kwok fake nodes, through kwokctl's binary runtime), ``down``, ``status``
and the kubeconfig path, for named clusters side by side. Called by ``rudder cluster`` and
by the test harness (tests/fixtures/cluster.py).

Bad input (port in use, stale directory, missing binary, name already running) fails before
anything starts; a start that fails later is torn down, so nothing is left half-started."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rudder.cluster.client import KubeClient
from rudder.localcluster import process
from rudder.localcluster.kwokctl import COMPONENT_BINARIES, KUBECONFIG_NAME, Kwokctl, api_port, ports
from rudder.model.errors import ClusterError, ConfigError, NotFoundError, RudderError, ToolError
from rudder.model.toolchain import find_tool, tools_bin
from rudder.observability.logging import get_logger

log = get_logger(__name__)

Report = Callable[[str], None]
DEFAULT_NAME = "rudder"
MAX_NODES = 200
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$|^[a-z]$")


class State(StrEnum):
    RUNNING = "Running"
    DEGRADED = "Degraded"  # some control-plane processes died
    STOPPED = "Stopped"  # a directory without processes: stale
    ABSENT = "Absent"


@dataclass(frozen=True, kw_only=True, slots=True)
class UpOptions:
    """``port`` 0 picks a free API server port; ``timeout`` bounds the whole start."""

    name: str = DEFAULT_NAME
    nodes: int = 1
    port: int = 0
    timeout: float = 120.0


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    name: str
    state: State
    directory: Path
    kubeconfig: Path
    server: str
    processes: tuple[process.Process, ...]


def clusters_root() -> Path:
    """``$RUDDER_CLUSTERS_DIR`` or ``$XDG_STATE_HOME/rudder`` (``~/.local/state/rudder``);
    kwokctl's work directory. Resolved, since processes are recognised by this path."""
    override = os.environ.get("RUDDER_CLUSTERS_DIR")
    if override:
        return Path(override).expanduser().resolve()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return (Path(state) / "rudder").resolve()


def _kwokctl() -> Kwokctl:
    return Kwokctl(
        binary=tools_bin() / "kwokctl", workdir=clusters_root(), tools=tools_bin(), kubectl=_kubectl_path()
    )


def _kubectl_path() -> str:
    try:
        return find_tool("kubectl")
    except ToolError:
        return "kubectl"  # kwokctl only needs it for `kwokctl kubectl`, which Rudder never runs


def _validate(options: UpOptions) -> None:
    if not _NAME.match(options.name):
        raise ConfigError(
            f"cluster name {options.name!r} is invalid: use 1-40 lowercase letters, digits and '-',"
            " starting with a letter"
        )
    if not 1 <= options.nodes <= MAX_NODES:
        raise ConfigError(f"cluster {options.name!r}: --nodes must be between 1 and {MAX_NODES}")
    if options.port and not 1024 <= options.port <= 65535:
        raise ConfigError(f"cluster {options.name!r}: --port must be between 1024 and 65535 (or 0 for any)")


def _require_binaries() -> None:
    binaries = ("kwokctl", *sorted(set(COMPONENT_BINARIES.values())))
    for name in binaries:
        if not os.access(tools_bin() / name, os.X_OK):
            raise ToolError(f"{name}: not found in {tools_bin()}; run `rudder tools install` first")


def _require_free_port(name: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise ConfigError(
                f"cluster {name!r}: port {port} on 127.0.0.1 is already in use;"
                " pass another --port, or leave --port out to pick a free one"
            ) from None


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One ``up``/``down`` at a time on this machine, whatever the clusters root: kwokctl
    picks free ports without a lock, so two concurrent starts could pick the same ones.
    Held until the new cluster serves, i.e. until its ports are bound."""
    lock = Path(tempfile.gettempdir()) / f"rudder-localcluster-{os.getuid()}.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def status(name: str = DEFAULT_NAME) -> ClusterStatus:
    """What is known about cluster ``name`` from its directory and its live processes."""
    directory = clusters_root() / "clusters" / name
    kubeconfig = directory / KUBECONFIG_NAME
    if not directory.is_dir():
        return ClusterStatus(name, State.ABSENT, directory, kubeconfig, "", ())
    running = tuple(process.processes_of(directory))
    port = api_port(directory)
    server = f"https://127.0.0.1:{port}" if port else ""
    names = {p.name for p in running}
    expected = set(COMPONENT_BINARIES)
    if not running:
        state = State.STOPPED
    elif expected <= names and kubeconfig.is_file():
        state = State.RUNNING
    else:
        state = State.DEGRADED
    return ClusterStatus(name, state, directory, kubeconfig, server, running)


def list_clusters() -> list[ClusterStatus]:
    root = clusters_root() / "clusters"
    if not root.is_dir():
        return []
    return [status(entry.name) for entry in sorted(root.iterdir()) if entry.is_dir()]


def kubeconfig(name: str = DEFAULT_NAME) -> Path:
    """Path of the kubeconfig of a running cluster."""
    current = status(name)
    if current.state is State.ABSENT:
        raise ClusterError(
            f"cluster {name!r} does not exist; start it with `rudder cluster up --name {name}`"
        )
    if current.state is not State.RUNNING:
        raise ClusterError(
            f"cluster {name!r} is {current.state.value.lower()}; recreate it with"
            f" `rudder cluster down --name {name}` then `rudder cluster up --name {name}`"
        )
    return current.kubeconfig


def _refuse_existing(current: ClusterStatus) -> None:
    name = current.name
    if current.state is State.RUNNING:
        raise ClusterError(
            f"cluster {name!r} is already running ({current.server}); use it (`rudder cluster kubeconfig"
            f" --name {name}`) or stop it first with `rudder cluster down --name {name}`"
        )
    if current.state is not State.ABSENT:
        raise ClusterError(
            f"cluster {name!r}: stale directory {current.directory} from an earlier run"
            f" ({current.state.value.lower()}); remove it with `rudder cluster down --name {name}`"
        )


def up(options: UpOptions | None = None, *, report: Report = print) -> ClusterStatus:
    """Start a cluster and wait until the API server serves and ``nodes`` nodes are Ready."""
    options = options or UpOptions()
    _validate(options)
    _require_binaries()
    started = time.monotonic()
    kwokctl = _kwokctl()
    with _locked():
        _refuse_existing(status(options.name))
        if options.port:
            _require_free_port(options.name, options.port)
        report(f"cluster {options.name!r}: starting control plane in {kwokctl.cluster_dir(options.name)}")
        with _undone_on_failure(kwokctl, options.name):
            kwokctl.create(options.name, port=options.port, timeout=options.timeout)
            _wait_ports_bound(options.name, kwokctl.cluster_dir(options.name), deadline=started + 30)
    with _undone_on_failure(kwokctl, options.name):
        kwokctl.scale_nodes(options.name, options.nodes)
        current = status(options.name)
        if current.state is not State.RUNNING:
            raise ClusterError(f"cluster {options.name!r}: {_died(current)}")
        remaining = max(options.timeout - (time.monotonic() - started), 5.0)
        asyncio.run(_wait_ready(current, nodes=options.nodes, timeout=remaining))
    current = status(options.name)
    seconds = time.monotonic() - started
    log.info("cluster_up", cluster=options.name, server=current.server, seconds=round(seconds, 1))
    report(
        f"cluster {options.name!r}: ready at {current.server} with {options.nodes} node(s)"
        f" in {seconds:.1f}s; kubeconfig {current.kubeconfig}"
    )
    return current


@contextlib.contextmanager
def _undone_on_failure(kwokctl: Kwokctl, name: str) -> Iterator[None]:
    """Any failure or interruption of a start tears the new cluster down completely."""
    try:
        yield
    except BaseException as exc:
        _teardown(kwokctl, name)
        log.warning("cluster_up_failed", cluster=name, error=str(exc) or type(exc).__name__)
        if isinstance(exc, RudderError) or not isinstance(exc, Exception):
            raise
        raise ClusterError(f"cluster {name!r}: start failed: {exc}") from exc


def _port_bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _wait_ports_bound(name: str, directory: Path, *, deadline: float) -> None:
    """Until every component listens on the port kwokctl picked for it: only then may the
    next ``up`` look for free ports."""
    pending = ports(directory)
    while pending:
        pending = [port for port in pending if not _port_bound(port)]
        if not pending:
            return
        current = status(name)
        if current.state is not State.RUNNING:
            raise ClusterError(f"cluster {name!r}: {_died(current)}")
        if time.monotonic() > deadline:
            raise ClusterError(
                f"cluster {name!r}: ports {pending} still not listening; logs in {directory / 'logs'}",
                temporary=True,
            )
        time.sleep(0.1)


def _died(current: ClusterStatus) -> str:
    missing = sorted(set(COMPONENT_BINARIES) - {p.name for p in current.processes})
    logs = current.directory / "logs"
    detail = ""
    if missing:
        tail = _last_line(logs / f"{missing[0]}.log")
        detail = f"; {missing[0]}.log: {tail}" if tail else ""
    return f"{', '.join(missing) or 'control plane'} exited right after start (logs in {logs}){detail}"


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1][-300:] if lines else ""


async def _wait_ready(current: ClusterStatus, *, nodes: int, timeout: float) -> None:
    """Until the API serves, ``nodes`` nodes are Ready and the default ServiceAccount exists
    (pods are refused before it does)."""
    deadline = time.monotonic() + timeout
    waiting_for = "the API server"
    last_error = ""
    while time.monotonic() < deadline:
        try:
            async with await KubeClient.from_kubeconfig(current.kubeconfig) as client:
                while time.monotonic() < deadline:
                    ready = [n for n in (await client.list("v1", "Node")).items if _node_ready(n)]
                    if len(ready) < nodes:
                        waiting_for = f"{nodes} Ready node(s), have {len(ready)}"
                    else:
                        waiting_for = "the default ServiceAccount"
                        with contextlib.suppress(NotFoundError):
                            await client.get("v1", "ServiceAccount", "default", "default")
                            return
                    await asyncio.sleep(0.2)
        except ClusterError as exc:
            last_error = str(exc)
            await asyncio.sleep(0.2)
    raise ClusterError(
        f"cluster {current.name!r}: not ready after {timeout:.0f}s, waiting for {waiting_for}"
        f"{f' ({last_error})' if last_error else ''}; logs in {current.directory / 'logs'}",
        temporary=True,
    )


def _node_ready(node: dict[str, object]) -> bool:
    status_ = node.get("status")
    conditions = status_.get("conditions") if isinstance(status_, dict) else None
    return any(
        isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True"
        for c in conditions or []
    )


def _teardown(kwokctl: Kwokctl, name: str) -> list[process.Process]:
    """Stop every process of cluster ``name`` and remove its directory, whatever state it is in."""
    directory = kwokctl.cluster_dir(name)
    if (directory / "kwok.yaml").is_file():
        with contextlib.suppress(RudderError):
            kwokctl.delete(name)
    stopped = process.terminate(directory)
    time.sleep(0.3)  # a child that kwokctl forked just before it stopped may exec only now
    stopped += process.terminate(directory)
    shutil.rmtree(directory, ignore_errors=True)
    if process.processes_of(directory):
        raise ClusterError(f"cluster {name!r}: processes survived SIGKILL; check `ps` for {directory}")
    return stopped


def down(name: str = DEFAULT_NAME, *, report: Report = print) -> bool:
    """Stop cluster ``name`` and delete its directory; False when there was nothing to do."""
    if not _NAME.match(name):
        raise ConfigError(f"cluster name {name!r} is invalid")
    with _locked():
        current = status(name)
        if current.state is State.ABSENT:
            report(f"cluster {name!r}: not found, nothing to do")
            return False
        _teardown(_kwokctl(), name)
    log.info("cluster_down", cluster=name, state=current.state.value)
    report(f"cluster {name!r}: stopped and removed ({current.state.value.lower()} before)")
    return True
