#!/usr/bin/env python3
"""Regenerate tools/kubebins/go.mod + go.sum for a Kubernetes release: one command per
version bump. Called by hand (`python tools/kubebins/regen.py v1.36.4`); the installer in
rudder.localcluster.toolchain builds from the result.

k8s.io/kubernetes replaces every staging module (k8s.io/api, apimachinery, client-go, ...)
with a local ./staging path, so `go install k8s.io/kubernetes/cmd/...@vX` cannot work. This
script reads the go.mod that the Go proxy serves for the release, turns each staging
`replace` into the published v0.X.Y module, pins the etcd server that release pairs with,
runs `go mod tidy`, and updates the pins in src/rudder/model/toolchain.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINS_FILE = HERE.parents[1] / "src" / "rudder" / "model" / "toolchain.py"
MODULE = "rudder.local/tools/kubebins"
TOOLS = (
    "go.etcd.io/etcd/server/v3",
    "k8s.io/kubernetes/cmd/kube-apiserver",
    "k8s.io/kubernetes/cmd/kube-controller-manager",
    "k8s.io/kubernetes/cmd/kube-scheduler",
)
_STAGING = re.compile(r"^\s*(?:replace\s+)?(k8s\.io/[\w.-]+)\s*=>\s*\./staging/src/\S+\s*$", re.M)
_GO_LINE = re.compile(r"^go\s+(\S+)\s*$", re.M)
_ETCD = re.compile(r"^\s*go\.etcd\.io/etcd/server/v3\s+(v\S+)", re.M)


def _go(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    done = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"go {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def upstream_gomod(version: str) -> str:
    """The go.mod of k8s.io/kubernetes@version, through the module proxy."""
    with tempfile.TemporaryDirectory() as scratch:
        info = json.loads(_go("mod", "download", "-json", f"k8s.io/kubernetes@{version}", cwd=Path(scratch)))
    return Path(info["GoMod"]).read_text()


def render_gomod(upstream: str, version: str) -> tuple[str, str]:
    """Our wrapper go.mod (before tidy) and the etcd version the release pairs with."""
    staging = sorted(set(_STAGING.findall(upstream)))
    go_line = _GO_LINE.search(upstream)
    etcd = _ETCD.search(upstream)
    if not staging or go_line is None or etcd is None:
        sys.exit(f"k8s.io/kubernetes@{version}: go.mod has no staging replaces / go line / etcd server pin")
    staging_version = "v0." + version.lstrip("v").split(".", 1)[1]  # v1.36.3 -> v0.36.3
    lines = [f"module {MODULE}", "", f"go {go_line.group(1)}", "", "tool ("]
    lines += [f"\t{tool}" for tool in TOOLS]
    lines += [")", ""]
    lines += [f"replace {mod} => {mod} {staging_version}" for mod in staging]
    return "\n".join(lines) + "\n", etcd.group(1)


def update_pins(version: str, etcd: str) -> None:
    text = PINS_FILE.read_text()
    text = re.sub(r'^KUBERNETES_VERSION = "[^"]*"', f'KUBERNETES_VERSION = "{version}"', text, flags=re.M)
    text = re.sub(r'^ETCD_VERSION = "[^"]*"', f'ETCD_VERSION = "{etcd}"', text, flags=re.M)
    PINS_FILE.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("version", help="Kubernetes release, e.g. v1.36.4")
    parser.add_argument("--dir", type=Path, default=HERE, help="where go.mod/go.sum live (default: here)")
    parser.add_argument("--no-pins", action="store_true", help="do not touch src/rudder/model/toolchain.py")
    args = parser.parse_args()
    version = args.version if args.version.startswith("v") else f"v{args.version}"

    gomod, etcd = render_gomod(upstream_gomod(version), version)
    args.dir.mkdir(parents=True, exist_ok=True)
    (args.dir / "go.mod").write_text(gomod)
    (args.dir / "go.sum").write_text("")
    _go("get", f"k8s.io/kubernetes@{version}", f"go.etcd.io/etcd/server/v3@{etcd}", cwd=args.dir)
    _go("mod", "tidy", cwd=args.dir)
    if not args.no_pins:
        update_pins(version, etcd)
    print(f"kubebins: k8s.io/kubernetes {version}, etcd {etcd} -> {args.dir / 'go.mod'}")


if __name__ == "__main__":
    main()
