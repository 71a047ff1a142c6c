"""Time and memory of ``rudder tools install``; prints its figures (README, Performance).

    python benchmarks/toolchain_build.py cold     # fresh machine: empty Go module + build caches
    python benchmarks/toolchain_build.py rebuild  # empty tools dir, warm Go caches
    python benchmarks/toolchain_build.py warm     # everything installed: the idempotent re-run

cold and rebuild install into a temporary RUDDER_TOOLS_DIR (and, for cold, temporary
GOMODCACHE/GOCACHE), so the real cache is untouched. Peak memory is reported twice: the
largest single process (getrusage of the children, i.e. the linker) and the largest sum over
the whole process tree (sampled every 0.2 s from /proc: parallel compiles add up)."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RUDDER = str(Path(sys.executable).parent / "rudder")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        rss[int(entry.name)] = int(statm.split()[1]) * PAGE
    members = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in members and pid not in members:
                members.add(pid)
                changed = True
    return sum(rss.get(pid, 0) for pid in members)


def run_install(env: dict[str, str]) -> tuple[float, int, int, str]:
    """Wall seconds, peak single-process RSS, peak tree RSS (bytes), and the output."""
    started = time.monotonic()
    child = subprocess.Popen([RUDDER, "tools", "install"], env=env, stderr=subprocess.PIPE, text=True)
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.wait(0.2):
            peak_tree = max(peak_tree, _tree_rss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    done.set()
    sampler.join()
    seconds = time.monotonic() - started
    if child.returncode != 0:
        sys.exit(f"rudder tools install failed:\n{stderr}")
    peak_single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak_single, peak_tree, stderr


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["cold", "rebuild", "warm"])
    parser.add_argument("--runs", type=int, default=5, help="repetitions for warm")
    args = parser.parse_args()
    env = dict(os.environ)

    if args.mode == "warm":
        times = [run_install(env)[0] for _ in range(args.runs)]
        print(f"warm `rudder tools install`: median {statistics.median(times):.2f} s over {args.runs} runs")
        return

    with tempfile.TemporaryDirectory(prefix="rudder-bench-") as scratch:
        env["RUDDER_TOOLS_DIR"] = f"{scratch}/tools"
        if args.mode == "cold":
            env["GOMODCACHE"] = f"{scratch}/gomod"
            env["GOCACHE"] = f"{scratch}/gocache"
        seconds, single, tree, output = run_install(env)
        if args.mode == "cold":  # module cache files are read-only; let the temp dir go
            subprocess.run(["chmod", "-R", "u+w", f"{scratch}/gomod"], check=False)
    print(output, end="")
    print(f"{args.mode} toolchain build: {seconds / 60:.1f} min wall ({seconds:.0f} s)")
    print(f"peak memory: largest process {single / 2**30:.2f} GiB, whole build tree {tree / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
