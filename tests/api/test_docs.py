"""The OpenAPI document and the interactive docs are served by the server itself,
without a CDN (clusters without internet access still get working docs), and
the web UI with index.html for client-side routes."""

from __future__ import annotations

from tests.api.conftest import ApiEnv


async def test_api_docs_are_served_without_a_cdn(api_env: ApiEnv) -> None:
    async with api_env.client(None) as http:
        page = await http.get("/api/docs")
        spec = await http.get("/api/openapi.json")
        script = await http.get("/api/docs/static/swagger-ui-bundle.js")
    assert page.status_code == 200 and "/api/docs/static/swagger-ui-bundle.js" in page.text
    assert "cdn." not in page.text and "https://" not in page.text.replace("https://fastapi.tiangolo.com", "")
    assert script.status_code == 200 and len(script.content) > 100_000
    paths = spec.json()["paths"]
    assert {
        "/api/v1/applications",
        "/api/v1/applications/{namespace}/{name}/resource-tree",
        "/api/webhook",
    } <= set(paths)


async def test_ui_is_served_with_index_fallback_outside_api(api_env: ApiEnv) -> None:
    async with api_env.client(None) as http:
        root = await http.get("/")
        deep = await http.get("/applications/ns/app")  # a client-side route on reload
        missing_api = await http.get("/api/v1/nothing-here")
        escape = await http.get("/..%2f..%2fetc/passwd")
    assert root.status_code == 200 and "<html" in root.text.lower()
    assert deep.status_code == 200 and deep.text == root.text
    assert missing_api.status_code == 404 and missing_api.json()["code"] == 404
    assert escape.status_code in (200, 404) and "root:" not in escape.text
