"""Argo CD's build environment (``ARGOCD_APP_NAME``, ``ARGOCD_APP_REVISION``, …) and its
``$VAR`` / ``${VAR}`` substitution in Helm parameters, value-file paths, Jsonnet variables
and Kustomize overrides. Built by the facade, used by the renderers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z0-9_]+)|(?P<dollar>\$))")


@dataclass(frozen=True, slots=True)
class BuildEnv:
    """Name → value pairs exposed to the rendering of one application."""

    values: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)

    def expand(self, text: str) -> str:
        """Go's ``os.Expand`` as Argo CD uses it: known names are replaced, unknown names
        become empty, ``$$`` is a literal ``$`` and a lone ``$`` stays."""
        lookup = self.as_dict()

        def replace(match: re.Match[str]) -> str:
            if match.group("dollar"):
                return "$"
            name = match.group("braced") if match.group("braced") is not None else match.group("plain")
            return lookup.get(name or "", "")

        return _NAME.sub(replace, text)


def build_env(
    *,
    app_name: str,
    namespace: str,
    revision: str,
    path: str,
    repo_url: str,
    target_revision: str,
    kube_version: str = "",
    api_versions: tuple[str, ...] = (),
) -> BuildEnv:
    """The variables Argo CD defines for one render."""
    return BuildEnv(
        values=(
            ("ARGOCD_APP_NAME", app_name),
            ("ARGOCD_APP_NAMESPACE", namespace),
            ("ARGOCD_APP_REVISION", revision),
            ("ARGOCD_APP_REVISION_SHORT", revision[:7]),
            ("ARGOCD_APP_SOURCE_PATH", path or "."),
            ("ARGOCD_APP_SOURCE_REPO_URL", repo_url),
            ("ARGOCD_APP_SOURCE_TARGET_REVISION", target_revision),
            ("KUBE_VERSION", kube_version),
            ("KUBE_API_VERSIONS", ",".join(api_versions)),
        )
    )
