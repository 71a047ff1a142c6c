"""The pinned toolchain: versions of every external binary Rudder builds or uses, the
cache directory they live in, and lookup of a tool by name. Read by localcluster (to
build them) and by render/source (to run them)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from rudder.model.errors import ToolError

KUBERNETES_VERSION = "v1.36.3"
ETCD_VERSION = "v3.6.8"  # the etcd that k8s.io/kubernetes v1.36.3's go.mod pairs with
KWOK_VERSION = "v0.8.0"
HELM_VERSION = "v3.22.0"


@dataclass(frozen=True, slots=True)
class Pin:
    name: str
    module: str
    version: str


PINS: tuple[Pin, ...] = (
    Pin("kubernetes", "k8s.io/kubernetes", KUBERNETES_VERSION),
    Pin("etcd", "go.etcd.io/etcd/server/v3", ETCD_VERSION),
    Pin("kwok", "sigs.k8s.io/kwok", KWOK_VERSION),
    Pin("helm", "helm.sh/helm/v3", HELM_VERSION),
)

BUILT_TOOLS = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "etcd",
    "kwok",
    "kwokctl",
    "helm",
)


def toolchain_version() -> str:
    """Directory name for this set of pins: readable, and changes whenever a pin does."""
    digest = hashlib.sha256(";".join(f"{p.module}@{p.version}" for p in PINS).encode()).hexdigest()[:8]
    return f"k8s-{KUBERNETES_VERSION.lstrip('v')}-{digest}"


def tools_root() -> Path:
    """``$RUDDER_TOOLS_DIR`` or ``~/.cache/rudder/tools``."""
    override = os.environ.get("RUDDER_TOOLS_DIR")
    if override:
        return Path(override).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "rudder" / "tools"


def tools_bin() -> Path:
    return tools_root() / toolchain_version() / "bin"


def find_tool(name: str) -> str:
    """Absolute path of ``name``: the pinned toolchain first, then the running
    interpreter's environment (kubectl, sops from PyPI), then ``PATH``."""
    candidates = [tools_bin() / name, Path(sys.executable).parent / name]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise ToolError(
        f"{name}: not found in {tools_bin()} or PATH; run `rudder tools install` (or `make tools`)"
    )
