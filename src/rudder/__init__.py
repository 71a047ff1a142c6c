"""Rudder: GitOps continuous delivery for Kubernetes, serving the Argo CD API."""
