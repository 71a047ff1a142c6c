"""Shared pytest fixtures. The real local cluster, namespaces and Git repositories are
provided by the plugins below; each test directory mirrors a package under src/rudder."""

pytest_plugins = ["tests.fixtures.cluster", "tests.fixtures.git", "tests.fixtures.controller"]
