#!/usr/bin/env python3
"""Regenerate tools/flux/go.mod + go.sum: the wrapper module from which the scale benchmark
(benchmarks/flux.py) builds Flux's source-controller and kustomize-controller, the peer it
measures Rudder against. Called by hand
(`python tools/flux/regen.py --source-controller v1.9.0 --kustomize-controller v1.9.6`).

Both controllers' go.mod `replace` their own api module with ./api and pin a few
dependencies with further `replace` lines; a dependency's replaces are ignored by Go, so
`go build github.com/fluxcd/source-controller` from another module resolves different
versions than upstream tested. This script copies those replaces (./api becomes the
published api module at the same version), lists both controllers as `tool`s and runs
`go mod tidy`. Neither the binaries nor the sources are committed.
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
MODULE = "rudder.local/tools/flux"
CONTROLLERS = ("github.com/fluxcd/source-controller", "github.com/fluxcd/kustomize-controller")
_REPLACE_BLOCK = re.compile(r"^replace\s*\(\s*\n(.*?)^\)", re.M | re.S)
_REPLACE_LINE = re.compile(r"^replace\s+(\S+.*=>.*)$", re.M)
_GO_LINE = re.compile(r"^go\s+(\S+)\s*$", re.M)


def _go(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    done = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"go {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def upstream_gomod(module: str, version: str) -> str:
    """The go.mod of module@version, through the module proxy."""
    with tempfile.TemporaryDirectory() as scratch:
        info = json.loads(_go("mod", "download", "-json", f"{module}@{version}", cwd=Path(scratch)))
    return Path(info["GoMod"]).read_text()


def replaces(module: str, version: str, gomod: str) -> list[str]:
    """The upstream replace directives, with local paths turned into published modules."""
    lines = [line.strip() for block in _REPLACE_BLOCK.findall(gomod) for line in block.splitlines()]
    lines += _REPLACE_LINE.findall(gomod)
    result = []
    for line in lines:
        if not line or line.startswith("//"):
            continue
        old, new = (part.strip() for part in line.split("=>", 1))
        if new.startswith("./"):
            new = f"{module}/{new[2:]} {version}"
        result.append(f"{old} => {new}")
    return result


def render_gomod(versions: dict[str, str]) -> str:
    go_versions: list[str] = []
    seen: dict[str, str] = {}
    for module, version in versions.items():
        upstream = upstream_gomod(module, version)
        go_line = _GO_LINE.search(upstream)
        if go_line is None:
            sys.exit(f"{module}@{version}: go.mod has no go line")
        go_versions.append(go_line.group(1))
        for line in replaces(module, version, upstream):
            old = line.split("=>", 1)[0].strip()
            if seen.get(old, line) != line:
                sys.exit(f"{module}@{version}: conflicting replace for {old}: {seen[old]} vs {line}")
            seen[old] = line
    go_version = max(go_versions, key=lambda v: tuple(int(p) for p in v.split(".")))
    out = [f"module {MODULE}", "", f"go {go_version}", "", "tool ("]
    out += [f"\t{module}" for module in CONTROLLERS]
    out += [")", ""]
    out += [f"replace {line}" for line in sorted(seen.values())]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source-controller", required=True, help="release, e.g. v1.9.0")
    parser.add_argument("--kustomize-controller", required=True, help="release, e.g. v1.9.6")
    parser.add_argument("--dir", type=Path, default=HERE, help="where go.mod/go.sum live (default: here)")
    args = parser.parse_args()
    wanted = (args.source_controller, args.kustomize_controller)
    versions = {m: v if v.startswith("v") else f"v{v}" for m, v in zip(CONTROLLERS, wanted, strict=True)}
    args.dir.mkdir(parents=True, exist_ok=True)
    (args.dir / "go.mod").write_text(render_gomod(versions))
    (args.dir / "go.sum").write_text("")
    _go("get", *(f"{module}@{version}" for module, version in versions.items()), cwd=args.dir)
    _go("mod", "tidy", "-e", cwd=args.dir)  # -e: test-only deps of theirs may be unserved
    print(f"flux: {versions} -> {args.dir / 'go.mod'}")


if __name__ == "__main__":
    main()
