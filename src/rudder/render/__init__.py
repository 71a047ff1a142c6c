"""Desired state: turns a checked-out source into manifests with the real tools
(plain YAML/JSON, Jsonnet, kubectl kustomize, helm template, sops) and caches the result."""
