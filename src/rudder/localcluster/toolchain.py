"""Builds the pinned toolchain into ``tools_bin()``: kube-apiserver, kube-controller-manager,
kube-scheduler and etcd (one ``go build`` of the wrapper module tools/kubebins), kwok and
kwokctl, helm. Called by ``rudder tools install`` and by scripts/bootstrap.sh.

Idempotent: a step whose binaries are present and report the pinned version is skipped.
Each step builds into a staging directory and moves finished binaries in with an atomic
rename, under an exclusive lock, so an interrupted build leaves nothing half-done."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rudder.localcluster import prerequisite
from rudder.model.errors import ToolError
from rudder.model.toolchain import (
    ETCD_VERSION,
    HELM_VERSION,
    KUBERNETES_VERSION,
    KWOK_VERSION,
    tools_bin,
)
from rudder.observability.logging import get_logger

log = get_logger(__name__)

Report = Callable[[str], None]
KUBEBINS_DIR = Path(__file__).resolve().parents[3] / "tools" / "kubebins"
HEARTBEAT_SECONDS = 30.0
_VERSION_PKG = ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")


@dataclass(frozen=True, slots=True)
class Binary:
    """One installed program and how to ask it for its version."""

    name: str
    version_args: tuple[str, ...]
    expect: str  # substring of the version output that proves the pin


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    version: str
    binaries: tuple[Binary, ...]


KUBERNETES = Step(
    "kubernetes",
    KUBERNETES_VERSION,
    (
        Binary("kube-apiserver", ("--version",), f"Kubernetes {KUBERNETES_VERSION}"),
        Binary("kube-controller-manager", ("--version",), f"Kubernetes {KUBERNETES_VERSION}"),
        Binary("kube-scheduler", ("--version",), f"Kubernetes {KUBERNETES_VERSION}"),
        Binary("etcd", ("--version",), f"etcd Version: {ETCD_VERSION.lstrip('v')}"),
    ),
)
KWOK = Step(
    "kwok",
    KWOK_VERSION,
    (
        Binary("kwok", ("--version",), f"kwok version {KWOK_VERSION}"),
        Binary("kwokctl", ("--version",), f"kwokctl version {KWOK_VERSION}"),
    ),
)
HELM = Step("helm", HELM_VERSION, (Binary("helm", ("version", "--template={{.Version}}"), HELM_VERSION),))
STEPS: tuple[Step, ...] = (KUBERNETES, KWOK, HELM)


@dataclass(frozen=True, kw_only=True, slots=True)
class InstallOptions:
    """``force`` rebuilds every step; ``bin_dir`` defaults to ``tools_bin()``;
    ``kubebins`` is the wrapper Go module."""

    force: bool = False
    bin_dir: Path | None = None
    kubebins: Path = KUBEBINS_DIR
    env: dict[str, str] = field(default_factory=dict)  # extra environment for go (e.g. GOCACHE)


@dataclass(frozen=True, slots=True)
class InstallResult:
    bin_dir: Path
    built: tuple[str, ...]
    reused: tuple[str, ...]
    seconds: float


def verify(step: Step, bin_dir: Path) -> str:
    """Empty when every binary of ``step`` is present and reports the pinned version;
    otherwise why not (for the progress line)."""
    for binary in step.binaries:
        path = bin_dir / binary.name
        if not os.access(path, os.X_OK):
            return f"{binary.name} missing"
        try:
            done = subprocess.run(
                [str(path), *binary.version_args], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{binary.name} does not run: {exc}"
        if binary.expect not in done.stdout + done.stderr:
            return f"{binary.name} is not {step.version}"
    return ""


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


@contextlib.contextmanager
def _exclusive(lock_path: Path, report: Report) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report(f"waiting for another `rudder tools install` ({lock_path})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_go(args: list[str], *, cwd: Path, env: dict[str, str], what: str, report: Report) -> None:
    """Run one go command; a heartbeat line every HEARTBEAT_SECONDS so long builds show life.
    On Ctrl-C go gets SIGINT, so it stops its compilers and removes its work directory."""
    started = time.monotonic()
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            report(f"      ... {what}: still building ({_elapsed(time.monotonic() - started)})")

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    child = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = child.communicate()
    except BaseException:
        child.send_signal(signal.SIGINT)
        try:
            child.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
        raise
    finally:
        stop.set()
        beat.join()
    if child.returncode != 0:
        tail = "\n".join((stderr or stdout).strip().splitlines()[-15:])
        raise ToolError(f"{what}: `{' '.join(args[:3])} ...` failed (exit {child.returncode}):\n{tail}")


def _go_env(go: str, options: InstallOptions) -> dict[str, str]:
    env = {**os.environ, **options.env}
    # Never let go fetch another toolchain; build static, reproducible-path binaries.
    env.update({"GOTOOLCHAIN": "local", "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"})
    env["PATH"] = f"{Path(go).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _kubernetes_ldflags() -> str:
    major, minor, _ = KUBERNETES_VERSION.lstrip("v").split(".")
    values = {
        "gitVersion": KUBERNETES_VERSION,
        "gitMajor": major,
        "gitMinor": minor,
        "gitTreeState": "clean",
        "buildDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    flags = ["-s", "-w"]
    flags += [f"-X {pkg}.{key}={value}" for pkg in _VERSION_PKG for key, value in values.items()]
    return " ".join(flags)


def _helm_k8s_minor(go: str, env: dict[str, str], scratch: Path) -> tuple[str, str]:
    """Helm's Makefile stamps the Kubernetes version its client-go targets (v0.37 -> 1.37)."""
    done = subprocess.run(
        [go, "mod", "download", "-json", f"helm.sh/helm/v3@{HELM_VERSION}"],
        cwd=scratch,
        env={**env, "GOFLAGS": "-mod=mod"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ToolError(f"helm {HELM_VERSION}: go mod download failed: {done.stderr.strip()}")
    gomod = Path(json.loads(done.stdout)["GoMod"]).read_text()
    for line in gomod.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "k8s.io/client-go":
            _, minor, _ = parts[1].lstrip("v").split(".", 2)
            return "1", minor
    raise ToolError(f"helm {HELM_VERSION}: go.mod does not require k8s.io/client-go")


def _build_kubernetes(
    go: str, env: dict[str, str], out: Path, options: InstallOptions, report: Report
) -> None:
    packages = [
        "k8s.io/kubernetes/cmd/kube-apiserver",
        "k8s.io/kubernetes/cmd/kube-controller-manager",
        "k8s.io/kubernetes/cmd/kube-scheduler",
        "go.etcd.io/etcd/server/v3",
    ]
    args = [go, "build", "-trimpath", "-ldflags", _kubernetes_ldflags(), "-o", f"{out}/", *packages]
    _run_go(args, cwd=options.kubebins, env=env, what=f"kubernetes {KUBERNETES_VERSION}", report=report)
    # go names a binary after its package path without the /vN suffix: etcd's is "server".
    (out / "server").rename(out / "etcd")


def _build_kwok(go: str, env: dict[str, str], out: Path, options: InstallOptions, report: Report) -> None:
    args = [go, "install", "-trimpath", "-ldflags", "-s -w"]
    args += [f"sigs.k8s.io/kwok/cmd/{name}@{KWOK_VERSION}" for name in ("kwok", "kwokctl")]
    _run_go(args, cwd=out, env={**env, "GOBIN": str(out), "GOFLAGS": ""}, what="kwok", report=report)


def _build_helm(go: str, env: dict[str, str], out: Path, options: InstallOptions, report: Report) -> None:
    k8s_major, k8s_minor = _helm_k8s_minor(go, env, out)
    pkg = "helm.sh/helm/v3"
    ldflags = [
        "-s -w",
        f"-X {pkg}/internal/version.version={HELM_VERSION}",
        f"-X {pkg}/internal/version.gitTreeState=clean",
    ]
    for target in ("pkg/lint/rules", "pkg/chartutil"):
        ldflags += [f"-X {pkg}/{target}.k8sVersionMajor={k8s_major}"]
        ldflags += [f"-X {pkg}/{target}.k8sVersionMinor={k8s_minor}"]
    args = [go, "install", "-trimpath", "-ldflags", " ".join(ldflags), f"{pkg}/cmd/helm@{HELM_VERSION}"]
    _run_go(args, cwd=out, env={**env, "GOBIN": str(out), "GOFLAGS": ""}, what="helm", report=report)


_BUILDERS = {"kubernetes": _build_kubernetes, "kwok": _build_kwok, "helm": _build_helm}


def install(options: InstallOptions | None = None, *, report: Report = print) -> InstallResult:
    """Build every missing or outdated step; return what was built and what was reused."""
    options = options or InstallOptions()
    bin_dir = options.bin_dir or tools_bin()
    started = time.monotonic()
    gomod = options.kubebins / "go.mod"
    if not gomod.is_file():
        raise ToolError(f"kubernetes: wrapper module {gomod} not found (run from a Rudder checkout)")
    go = prerequisite.check_all(go_minimum=prerequisite.go_directive(gomod))["go"]
    env = _go_env(go, options)
    built: list[str] = []
    reused: list[str] = []
    bin_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(bin_dir.parent / ".install.lock", report):
        for stale in bin_dir.parent.glob(".staging-*"):  # left by an interrupted run
            shutil.rmtree(stale, ignore_errors=True)
        for number, step in enumerate(STEPS, 1):
            names = ", ".join(b.name for b in step.binaries)
            why = "forced" if options.force else verify(step, bin_dir)
            if not why:
                reused.append(step.name)
                report(f"[{number}/{len(STEPS)}] {step.name} {step.version}: up to date ({names})")
                continue
            report(f"[{number}/{len(STEPS)}] {step.name} {step.version}: building {names} ({why})")
            step_started = time.monotonic()
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=bin_dir.parent))
            try:
                _BUILDERS[step.name](go, env, staging, options, report)
                problem = verify(step, staging)
                if problem:
                    raise ToolError(f"{step.name} {step.version}: freshly built binaries fail: {problem}")
                for binary in step.binaries:
                    os.replace(staging / binary.name, bin_dir / binary.name)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            seconds = time.monotonic() - step_started
            built.append(step.name)
            log.info("tool_step_built", step=step.name, version=step.version, seconds=round(seconds, 1))
            report(f"[{number}/{len(STEPS)}] {step.name} {step.version}: built in {_elapsed(seconds)}")
    seconds = time.monotonic() - started
    report(f"toolchain ready in {bin_dir} ({_elapsed(seconds)})")
    return InstallResult(bin_dir=bin_dir, built=tuple(built), reused=tuple(reused), seconds=seconds)
