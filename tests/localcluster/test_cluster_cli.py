"""``rudder cluster up|down|status|kubeconfig`` as a user runs it: real control planes in a
private clusters directory, and every bad input from the issue (port in use, stale
directory, missing binary, name already running) answered with one line, a non-zero exit
and nothing left running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rudder.localcluster import process
from rudder.model.toolchain import toolchain_version, tools_bin

pytestmark = pytest.mark.cluster

RUDDER = str(Path(sys.executable).parent / "rudder")
KUBECTL = str(Path(sys.executable).parent / "kubectl")


class Cli:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RUDDER, "cluster", *args],
            check=False,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
        )

    def directory(self, name: str) -> Path:
        return self.root / "clusters" / name


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    root = tmp_path / "state"
    env = {**os.environ, "RUDDER_CLUSTERS_DIR": str(root), "RUDDER_TOOLS_DIR": str(tools_bin().parents[1])}
    runner = Cli(root, env)
    yield runner
    runner("down", "--all")
    leftovers = [p for d in (root / "clusters").glob("*") for p in process.processes_of(d)]
    assert leftovers == []


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_up_status_kubeconfig_down(cli: Cli) -> None:
    up = cli("up", "--name", "demo", "--nodes", "3")
    assert up.returncode == 0, up.stderr

    status = cli("status", "--name", "demo")
    assert status.returncode == 0
    assert "Running" in status.stdout

    kubeconfig = cli("kubeconfig", "--name", "demo")
    assert kubeconfig.returncode == 0
    path = kubeconfig.stdout.strip()
    assert path == str(cli.directory("demo") / "kubeconfig.yaml")
    nodes = subprocess.run(
        [KUBECTL, "--kubeconfig", path, "get", "nodes", "--no-headers"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(nodes) == 3
    assert all(line.split()[1] == "Ready" for line in nodes)
    server = subprocess.run(
        [KUBECTL, "--kubeconfig", path, "config", "view", "-o", "jsonpath={.clusters[0].cluster.server}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert server.startswith("https://127.0.0.1:")

    # Every component runs a pinned local binary: kwokctl downloaded nothing.
    links = list((cli.directory("demo") / "bin").iterdir())
    assert {link.name for link in links} == {
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok-controller",
    }
    assert all(link.resolve().parent == tools_bin().resolve() for link in links)
    assert not any(p.is_file() for p in (cli.root / "cache").rglob("*"))

    # Every control-plane process listens on loopback only.
    pids = {p.pid for p in process.processes_of(cli.directory("demo"))}
    assert len(pids) == 5
    listening = subprocess.run(
        ["ss", "-Hltnp"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    ours = [line for line in listening if any(f"pid={pid}," in line for pid in pids)]
    assert ours
    assert all(line.split()[3].startswith("127.0.0.1:") for line in ours), ours

    down = cli("down", "--name", "demo")
    assert down.returncode == 0
    assert not cli.directory("demo").exists()
    assert all(
        not Path(f"/proc/{pid}").exists() or process.owned_by(cli.directory("demo"), pid) is None
        for pid in pids
    )
    assert "Absent" in cli("status", "--name", "demo").stdout


def test_two_named_clusters_side_by_side(cli: Cli) -> None:
    assert cli("up", "--name", "one").returncode == 0
    assert cli("up", "--name", "two").returncode == 0
    status = cli("status").stdout
    servers = [line.split()[2] for line in status.splitlines()[1:]]
    assert [line.split()[:2] for line in status.splitlines()[1:]] == [["one", "Running"], ["two", "Running"]]
    assert len(set(servers)) == 2

    assert cli("down", "--name", "one").returncode == 0
    assert cli("status", "--name", "two").returncode == 0
    assert process.processes_of(cli.directory("one")) == []


def test_name_already_running_is_refused(cli: Cli) -> None:
    assert cli("up", "--name", "busy").returncode == 0
    pids = sorted(p.pid for p in process.processes_of(cli.directory("busy")))

    error = _one_line_error(cli("up", "--name", "busy"))
    assert "'busy' is already running" in error
    assert "rudder cluster down --name busy" in error
    assert sorted(p.pid for p in process.processes_of(cli.directory("busy"))) == pids


def test_port_in_use_is_refused_before_anything_starts(cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = _one_line_error(cli("up", "--name", "clash", "--port", str(port)))
    assert f"port {port} on 127.0.0.1 is already in use" in error
    assert "--port" in error
    assert not cli.directory("clash").exists()


def test_stale_directory_is_refused_until_down(cli: Cli) -> None:
    assert cli("up", "--name", "stale").returncode == 0
    for proc in process.processes_of(cli.directory("stale")):
        os.kill(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process.processes_of(cli.directory("stale")) and time.monotonic() < deadline:
        time.sleep(0.1)

    assert "Stopped" in cli("status", "--name", "stale").stdout
    error = _one_line_error(cli("up", "--name", "stale"))
    assert "stale directory" in error
    assert "rudder cluster down --name stale" in error
    assert process.processes_of(cli.directory("stale")) == []

    assert cli("down", "--name", "stale").returncode == 0
    assert cli("up", "--name", "stale").returncode == 0


def test_missing_binary_is_named(cli: Cli, tmp_path: Path) -> None:
    partial = tmp_path / "tools" / toolchain_version() / "bin"
    partial.mkdir(parents=True)
    for binary in tools_bin().iterdir():
        if binary.name != "kube-scheduler":
            (partial / binary.name).symlink_to(binary)

    error = _one_line_error(cli("up", "--name", "nosched", env={"RUDDER_TOOLS_DIR": str(tmp_path / "tools")}))
    assert "kube-scheduler: not found" in error
    assert "rudder tools install" in error
    assert not cli.directory("nosched").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--name", "Not_Valid"), "cluster name 'Not_Valid' is invalid"),
        (("--name", "ok", "--nodes", "0"), "--nodes must be between 1 and"),
        (("--name", "ok", "--port", "80"), "--port must be between 1024 and 65535"),
    ],
)
def test_invalid_options_are_refused(cli: Cli, args: tuple[str, ...], message: str) -> None:
    assert message in _one_line_error(cli("up", *args))
    assert not (cli.root / "clusters").exists() or not any((cli.root / "clusters").iterdir())


def test_kubeconfig_of_unknown_cluster_fails(cli: Cli) -> None:
    error = _one_line_error(cli("kubeconfig", "--name", "ghost"))
    assert "'ghost' does not exist" in error
    assert "rudder cluster up --name ghost" in error


@pytest.mark.parametrize("delay", [0.0, 0.5, 2.0])
def test_interrupted_up_leaves_nothing_behind(cli: Cli, delay: float) -> None:
    starting = subprocess.Popen(
        [RUDDER, "cluster", "up", "--name", "interrupted"],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert starting.stderr is not None
    first = starting.stderr.readline()  # interrupt once the start is under way, not during imports
    assert "starting control plane" in first
    time.sleep(delay)
    starting.send_signal(signal.SIGINT)
    _, stderr = starting.communicate(timeout=60)
    if starting.returncode == 0:  # the start won the race: then it must be complete
        assert "Running" in cli("status", "--name", "interrupted").stdout
        return
    assert starting.returncode == 130, stderr
    assert "torn down" in stderr
    assert not cli.directory("interrupted").exists()
    time.sleep(0.5)
    assert process.processes_of(cli.directory("interrupted")) == []
