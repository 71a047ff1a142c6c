"""``rudder tools install``: the pinned binaries report the pinned versions, a warm run
reuses them, a missing prerequisite is named in one line, a stale binary is rebuilt, and
an interrupted build leaves nothing half-installed. The wrapper go.mod matches the pins."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from rudder.localcluster.prerequisite import parse_go_version
from rudder.localcluster.toolchain import KUBEBINS_DIR, KUBERNETES, KWOK, STEPS, Step, verify
from rudder.model.toolchain import ETCD_VERSION, KUBERNETES_VERSION, toolchain_version, tools_bin

RUDDER = str(Path(sys.executable).parent / "rudder")


def _install(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUDDER, "tools", "install", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _fake_tools_dir(tmp_path: Path, *, skip: set[str]) -> Path:
    """A tools root whose bin links to the real binaries, except ``skip``."""
    bin_dir = tmp_path / "tools" / toolchain_version() / "bin"
    bin_dir.mkdir(parents=True)
    for binary in tools_bin().iterdir():
        if binary.name not in skip:
            (bin_dir / binary.name).symlink_to(binary)
    return bin_dir


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_installed_binaries_report_the_pinned_versions(step: Step) -> None:
    assert verify(step, tools_bin()) == ""


def test_apiserver_reports_the_real_release() -> None:
    out = subprocess.run(
        [str(tools_bin() / "kube-apiserver"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"Kubernetes {KUBERNETES_VERSION}"


def test_warm_install_reuses_everything() -> None:
    result = _install()
    assert result.returncode == 0, result.stderr
    for number, step in enumerate(STEPS, 1):
        assert f"[{number}/{len(STEPS)}] {step.name} {step.version}: up to date" in result.stderr
    assert "building" not in result.stderr
    assert f"toolchain ready in {tools_bin()}" in result.stderr


@pytest.mark.parametrize("missing", ["go", "age"])
def test_missing_prerequisite_is_named(tmp_path: Path, missing: str) -> None:
    path_dir = tmp_path / "path"
    path_dir.mkdir()
    for tool in ("go", "git", "age"):
        found = shutil.which(tool)
        if tool != missing and found:
            (path_dir / tool).symlink_to(found)
    result = _install(env={"PATH": str(path_dir), "RUDDER_TOOLS_DIR": str(tmp_path / "tools")})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.startswith(f"error: {missing}: not found on PATH; ")
    assert not (tmp_path / "tools").exists() or not any((tmp_path / "tools").rglob("kwok*"))


def test_stale_binary_is_rebuilt_atomically(tmp_path: Path) -> None:
    bin_dir = _fake_tools_dir(tmp_path, skip={"kwok", "kwokctl"})
    shutil.copy(tools_bin() / "etcd", bin_dir / "kwokctl")  # a binary of the wrong version
    assert verify(KWOK, bin_dir) == "kwok missing"

    result = _install(env={"RUDDER_TOOLS_DIR": str(tmp_path / "tools")})
    assert result.returncode == 0, result.stderr
    assert "kwok v0.8.0: building kwok, kwokctl (kwok missing)" in result.stderr
    assert re.search(r"kwok v0\.8\.0: built in ", result.stderr)
    assert "kubernetes v1.36.3: up to date" in result.stderr
    assert verify(KWOK, bin_dir) == ""
    assert not list(bin_dir.parent.glob(".staging-*"))


def test_interrupted_build_leaves_nothing_half_done(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    building = subprocess.Popen(
        [RUDDER, "tools", "install"],
        env={**os.environ, "RUDDER_TOOLS_DIR": str(tools)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list((tools / toolchain_version()).glob(".staging-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the kubernetes link step (several seconds even when cached)
    building.send_signal(signal.SIGINT)
    _, stderr = building.communicate(timeout=60)

    assert building.returncode == 130, stderr
    assert "interrupted" in stderr
    bin_dir = tools / toolchain_version() / "bin"
    assert not any(bin_dir.iterdir())
    assert not list(bin_dir.parent.glob(".staging-*"))


def test_wrapper_module_matches_the_pins() -> None:
    gomod = (KUBEBINS_DIR / "go.mod").read_text()
    assert re.search(rf"^\s*k8s\.io/kubernetes {re.escape(KUBERNETES_VERSION)}\b", gomod, re.M)
    assert re.search(rf"^\s*go\.etcd\.io/etcd/server/v3 {re.escape(ETCD_VERSION)}\b", gomod, re.M)
    staging = "v0." + KUBERNETES_VERSION.split(".", 1)[1]
    replaces = re.findall(r"^replace (\S+) => (\S+) (\S+)$", gomod, re.M)
    assert len(replaces) > 25
    assert all(old == new and version == staging for old, new, version in replaces)
    tools = re.search(r"^tool \((.*?)\)", gomod, re.M | re.S)
    assert tools is not None
    assert set(tools.group(1).split()) == {
        "go.etcd.io/etcd/server/v3",
        *(f"k8s.io/kubernetes/cmd/{b.name}" for b in KUBERNETES.binaries if b.name != "etcd"),
    }


def _regen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen", KUBEBINS_DIR / "regen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regen_turns_staging_replaces_into_published_modules() -> None:
    upstream = """module k8s.io/kubernetes

go 1.27.1

require (
	go.etcd.io/etcd/server/v3 v3.7.2 // indirect
	k8s.io/api v0.0.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
)
"""
    gomod, etcd = _regen().render_gomod(upstream, "v1.37.4")
    assert etcd == "v3.7.2"
    assert "go 1.27.1" in gomod
    assert "replace k8s.io/api => k8s.io/api v0.37.4" in gomod
    assert "replace k8s.io/client-go => k8s.io/client-go v0.37.4" in gomod
    assert "\tk8s.io/kubernetes/cmd/kube-apiserver" in gomod


@pytest.mark.parametrize(
    ("text", "version"),
    [("go1.26.8", (1, 26, 8)), ("go version go1.26.0 linux/amd64", (1, 26, 0)), ("1.26", (1, 26, 0))],
)
def test_go_version_parsing(text: str, version: tuple[int, int, int]) -> None:
    assert parse_go_version(text) == version
