"""Every built-in health check against real-shaped live objects: one YAML fixture per
(kind, state) and the expected status/message in fixtures/expected.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rudder.health import assess
from rudder.model.health import HealthResult, HealthStatus

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED: dict[str, Any] = yaml.safe_load((FIXTURES / "expected.yaml").read_text())


def _load(name: str) -> dict[str, Any]:
    obj: dict[str, Any] = yaml.safe_load((FIXTURES / name).read_text())
    return obj


def test_every_fixture_has_an_expectation_and_vice_versa() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.yaml")} - {"expected.yaml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    expected = EXPECTED[name]
    result = assess(_load(name))
    if expected is None:
        assert result is None
    else:
        assert result == HealthResult(HealthStatus(expected["status"]), expected["message"])
