"""The benchmarks' shared workload: a Git repository of app directories, commits to one
app, Application manifests, and the CPU/RSS of a process read from /proc. Used by
benchmarks/engine.py and benchmarks/scale.py (and its peers)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from rudder.model.application import APP_API_VERSION

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@b",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@b",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def three_resources(app: str, version: int) -> str:
    """A ConfigMap carrying ``version``, a 1-replica Deployment and a Service."""
    labels = {"app": app}
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{app}-config"},
            "data": {"version": str(version)},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": app},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": app},
            "spec": {"selector": labels, "ports": [{"port": 80}]},
        },
    ]
    return yaml.safe_dump_all(docs)


def app_path(index: int) -> str:
    return f"apps/app{index}"


def make_scale_repo(repo: Path, apps: int) -> str:
    """A repository at ``repo`` with ``apps`` directories of three resources each; returns HEAD."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for i in range(apps):
        (repo / app_path(i)).mkdir(parents=True)
        (repo / app_path(i) / "app.yaml").write_text(three_resources(f"app{i}", 0))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"{apps} apps")
    git(repo, "update-server-info")
    return git(repo, "rev-parse", "HEAD")


def commit_version(repo: Path, index: int, version: int) -> str:
    """Change app ``index``'s ConfigMap to ``version``; returns the new HEAD."""
    (repo / app_path(index) / "app.yaml").write_text(three_resources(f"app{index}", version))
    git(repo, "commit", "-qam", f"app{index} v{version}")
    return git(repo, "rev-parse", "HEAD")


def application(
    name: str,
    namespace: str,
    repo_url: str,
    path: str,
    *,
    automated: bool = True,
    destination_namespace: str | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "project": "default",
        "source": {"repoURL": repo_url, "path": path, "targetRevision": "HEAD"},
        "destination": {
            "server": "https://kubernetes.default.svc",
            "namespace": destination_namespace or namespace,
        },
    }
    if automated:
        spec["syncPolicy"] = {"automated": {"prune": True, "selfHeal": True}}
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": APP_API_VERSION, "kind": "Application", "metadata": meta, "spec": spec}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User+system CPU of ``pid``; with ``children``, plus that of its reaped children
    (the git processes a controller runs count against it)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")
