"""The examples in examples/ deploy as shipped: every Application manifest in
examples/apps, pointed at a Git repository holding examples/, ends Synced and Healthy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.fixtures.controller import Harness
from tests.fixtures.git import GitRepo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFESTS = sorted((EXAMPLES / "apps").glob("*.yaml"))


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.stem for m in MANIFESTS])
async def test_example_application_is_synced_and_healthy(
    harness: Harness, git_repo: GitRepo, manifest: Path
) -> None:
    shutil.copytree(EXAMPLES, git_repo.path, dirs_exist_ok=True)
    sha = git_repo.commit("examples")
    app = yaml.safe_load(manifest.read_text())
    destination = f"{harness.namespace}-{app['spec']['destination']['namespace']}"[:63]
    app["metadata"]["namespace"] = harness.namespace
    app["spec"]["source"]["repoURL"] = git_repo.url
    app["spec"]["destination"]["namespace"] = destination
    try:
        await harness.create(app)
        status = (await harness.wait_synced(app["metadata"]["name"], revision=sha, timeout=120))["status"]
        assert status["resources"]
        assert all(r["status"] == "Synced" for r in status["resources"])
        deployments = await harness.kube.list("apps/v1", "Deployment", destination)
        assert deployments.items and all(
            d["status"].get("availableReplicas") == d["spec"]["replicas"] for d in deployments.items
        )
    finally:
        await harness.kube.delete("v1", "Namespace", destination)
