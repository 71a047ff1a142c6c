"""Schemathesis against the server's own OpenAPI document: generated requests (valid
and invalid) to every endpoint of a real server must get documented status codes,
documented bodies and never a 5xx. The server serves only this test's namespace,
so generated writes cannot touch anything else. (Driven through hypothesis directly:
schemathesis' pytest plugin does not support this pytest version.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

from rudder.api.accounts import take_initial_password
from rudder.api.options import ServerOptions
from tests.api.conftest import ApiEnv
from tests.api.server import ThreadServer
from tests.fixtures.cluster import ClusterInfo

SEMANTIC = {
    "POST /api/v1/applications",
    "PATCH /api/v1/applications/{namespace}/{name}",
    "POST /api/v1/session",
    "GET /api/v1/applications",
    "POST /api/webhook",
}


@dataclass(frozen=True)
class Target:
    server: ThreadServer
    token: str


@pytest.fixture
def target(cluster: ClusterInfo, api_env: ApiEnv, namespace: str) -> Iterator[Target]:
    options = ServerOptions(control_namespace=namespace, app_namespaces=(namespace,), bcrypt_rounds=4)
    server = ThreadServer(cluster.kubeconfig, options).start()
    try:

        async def initial() -> str:
            assert server.client is not None
            return await take_initial_password(server.client, namespace)

        password = server.call(initial)
        session = httpx.post(
            f"{server.url}/api/v1/session", json={"username": "admin", "password": password}
        ).json()
        created = httpx.post(
            f"{server.url}/api/v1/account/tokens",
            json={"name": "schemathesis"},
            headers={"Authorization": f"Bearer {session['token']}"},
        )
        yield Target(server=server, token=created.json()["token"])
    finally:
        server.stop()


def _fuzz(strategy: SearchStrategy[Case], headers: dict[str, str], excluded: list[CheckFunction]) -> None:
    @given(case=strategy)
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Case) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_endpoint_conforms_to_the_openapi_document(target: Target, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{target.server.url}/api/openapi.json")
    schema = schema.exclude(path="/api/v1/stream/applications")  # endless by design
    headers = {"Authorization": f"Bearer {target.token}"}
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        # Manifests, spec patches, label selectors and webhook payloads are validated
        # semantically (parse_spec, the selector parser, the Kubernetes API server); JSON Schema
        # cannot say all of that, so "valid per schema" may still get a 400 there.
        excluded = [positive_data_acceptance] if operation.label in SEMANTIC else []
        try:
            _fuzz(operation.as_strategy(generation_mode=mode), headers, excluded)
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to get wrong (no parameters, no body)
            continue
        checked += 1
    assert checked >= (20 if mode is GenerationMode.POSITIVE else 12)
