"""Processes of a local cluster, found by their executable path (the control-plane binaries
run from ``<cluster dir>/bin/``), and their termination. Used by
rudder.localcluster.cluster for status and for a ``down`` that leaves nothing running."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Process:
    pid: int
    name: str  # the binary's file name, e.g. kube-apiserver


def _cmdline(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _zombie(pid: int) -> bool:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return True
    # "pid (comm) S ...": the state follows the last ')' since comm may contain spaces.
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def owned_by(directory: Path, pid: int) -> Process | None:
    """The process ``pid`` if it is alive and runs a binary from ``directory``/bin."""
    prefixes = (f"{directory}/bin/", f"{directory.resolve()}/bin/")
    argv = _cmdline(pid)
    if not argv or not argv[0].startswith(prefixes) or _zombie(pid):
        return None
    return Process(pid=pid, name=Path(argv[0]).name)


def processes_of(directory: Path) -> list[Process]:
    """Every live process started from ``directory``/bin."""
    found: list[Process] = []
    own = os.getpid()
    for entry in PROC.iterdir():
        if entry.name.isdigit() and int(entry.name) != own:
            process = owned_by(directory, int(entry.name))
            if process is not None:
                found.append(process)
    return sorted(found, key=lambda p: p.pid)


def read_pid(pid_file: Path) -> int:
    """The pid recorded in ``pid_file``; 0 when absent or unreadable."""
    try:
        return int(pid_file.read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def terminate(directory: Path, *, grace_seconds: float = 10.0) -> list[Process]:
    """SIGTERM every process of ``directory``, SIGKILL what is left after the grace period;
    returns the processes that were running."""
    victims = processes_of(directory)
    for process in victims:
        _signal(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not processes_of(directory):
            return victims
        time.sleep(0.1)
    for process in processes_of(directory):
        _signal(process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while processes_of(directory) and time.monotonic() < deadline:
        time.sleep(0.1)
    return victims


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
