"""Driver for kwokctl's ``binary`` runtime: renders the KwokctlConfiguration that points it
at the pinned local binaries (never a download URL) and binds every component to
127.0.0.1, and runs ``create cluster``, ``scale node`` and ``delete cluster``. Used only by
rudder.localcluster.cluster."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from rudder.model.errors import ClusterError, ToolError
from rudder.model.toolchain import ETCD_VERSION, KUBERNETES_VERSION

# kwokctl runtime binary: the processes and the binary each one runs.
COMPONENT_BINARIES = {
    "etcd": "etcd",
    "kube-apiserver": "kube-apiserver",
    "kube-controller-manager": "kube-controller-manager",
    "kube-scheduler": "kube-scheduler",
    "kwok-controller": "kwok",
}
KUBECONFIG_NAME = "kubeconfig.yaml"
CONFIG_NAME = "kwok.yaml"
SERVICE_CIDR = "10.96.0.0/16"  # room for 65,534 Services
CLIENT_RATE = [{"key": "kube-api-qps", "value": "300"}, {"key": "kube-api-burst", "value": "600"}]


@dataclass(frozen=True, kw_only=True, slots=True)
class Kwokctl:
    """kwokctl bound to one work directory (``$KWOK_WORKDIR``) and one toolchain."""

    binary: Path
    workdir: Path
    tools: Path  # directory of the pinned control-plane binaries
    kubectl: str

    def cluster_dir(self, name: str) -> Path:
        return self.workdir / "clusters" / name

    def configuration(self, *, port: int) -> dict[str, object]:
        """The KwokctlConfiguration for a new cluster; ``port`` 0 lets kwokctl pick one."""
        options: dict[str, object] = {
            "runtime": "binary",
            "bindAddress": "127.0.0.1",
            "kubeVersion": KUBERNETES_VERSION,
            "etcdVersion": ETCD_VERSION.lstrip("v"),
            "kubeApiserverBinary": str(self.tools / "kube-apiserver"),
            "kubeControllerManagerBinary": str(self.tools / "kube-controller-manager"),
            "kubeSchedulerBinary": str(self.tools / "kube-scheduler"),
            "etcdBinary": str(self.tools / "etcd"),
            "kwokControllerBinary": str(self.tools / "kwok"),
            "kubectlBinary": self.kubectl,
            "quietPull": True,
        }
        if port:
            options["kubeApiserverPort"] = port
        return {
            "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
            "kind": "KwokctlConfiguration",
            "options": options,
            # The API server's default Service range (a /24) runs out at 254 Services, and
            # the controllers' default client rate (20 requests/s) makes a few hundred
            # Deployments take minutes to roll out; benchmarks deploy thousands.
            "componentsPatches": [
                {
                    "name": "kube-apiserver",
                    "extraArgs": [{"key": "service-cluster-ip-range", "value": SERVICE_CIDR}],
                },
                {"name": "kube-controller-manager", "extraArgs": CLIENT_RATE},
                {"name": "kube-scheduler", "extraArgs": CLIENT_RATE},
            ],
        }

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KWOK_")}
        env["KWOK_WORKDIR"] = str(self.workdir)
        return env

    def run(self, *args: str, what: str, timeout: float = 120.0) -> str:
        """Run kwokctl; ClusterError with kwokctl's own last error when it fails.

        kwokctl runs in its own session and is never killed mid-way: a Ctrl-C waits for it
        to finish, so every process it forked is known to the teardown that follows."""
        try:
            child = subprocess.Popen(
                [str(self.binary), *args],
                env=self._env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise ToolError(f"kwokctl: not found at {self.binary}; run `rudder tools install`") from exc
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            child.kill()
            child.communicate()
            raise ClusterError(f"{what}: kwokctl did not finish within {timeout:.0f}s") from exc
        except BaseException:
            child.communicate(timeout=timeout)
            raise
        if child.returncode != 0:
            raise ClusterError(f"{what}: {last_error(stderr + stdout)}")
        return stdout

    def create(self, name: str, *, port: int, timeout: float) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", prefix=f"rudder-kwokctl-{name}-", suffix=".yaml", delete=False
        ) as handle:
            yaml.safe_dump(self.configuration(port=port), handle)
        try:
            self.run(
                "create",
                "cluster",
                "--name",
                name,
                "--config",
                handle.name,
                "--kubeconfig",
                "",  # never touch ~/.kube/config
                "--timeout",
                f"{int(timeout)}s",
                what=f"cluster {name!r}: create",
                timeout=timeout + 10,
            )
        finally:
            Path(handle.name).unlink(missing_ok=True)

    def scale_nodes(self, name: str, replicas: int) -> None:
        self.run(
            "scale", "node", "--name", name, "--replicas", str(replicas), what=f"cluster {name!r}: add nodes"
        )

    def delete(self, name: str) -> None:
        # --kubeconfig "" is refused by delete; point it at the cluster's own file.
        kubeconfig = self.cluster_dir(name) / KUBECONFIG_NAME
        self.run(
            "delete",
            "cluster",
            "--name",
            name,
            "--kubeconfig",
            str(kubeconfig),
            what=f"cluster {name!r}: delete",
        )


def last_error(output: str) -> str:
    """kwokctl logs JSON lines; the most useful text is the last ``err`` (else ``msg``)."""
    message = ""
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if line.strip():
                message = line.strip()
            continue
        if isinstance(record, dict) and record.get("level") in ("ERROR", "WARN"):
            message = str(record.get("err") or record.get("msg") or message)
    return message or "kwokctl failed without a message"


def _options(cluster_dir: Path) -> dict[str, object]:
    """The options of a cluster's saved KwokctlConfiguration; empty if unreadable."""
    try:
        for document in yaml.safe_load_all((cluster_dir / CONFIG_NAME).read_text()):
            if isinstance(document, dict) and document.get("kind") == "KwokctlConfiguration":
                options = document.get("options")
                return options if isinstance(options, dict) else {}
    except (OSError, yaml.YAMLError):
        return {}
    return {}


def api_port(cluster_dir: Path) -> int:
    """The API server port recorded for a cluster; 0 if unknown."""
    try:
        return int(str(_options(cluster_dir).get("kubeApiserverPort") or 0))
    except ValueError:
        return 0


def ports(cluster_dir: Path) -> list[int]:
    """Every port kwokctl assigned to the cluster's components (etcd, API server, ...)."""
    found = []
    for key, value in _options(cluster_dir).items():
        if key.endswith("Port") and type(value) is int and value > 0:  # not securePort: true
            found.append(value)
    return sorted(found)
