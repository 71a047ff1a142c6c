"""Controller tests use the ``harness`` fixture from tests/fixtures/controller.py (a
plugin for the whole suite); the names stay importable from here."""

from tests.fixtures.controller import Harness, harness

__all__ = ["Harness", "harness"]
