"""HTTP client of the Rudder API for the CLI: bearer token, JSON in and out, and
failures as ``ApiFailure`` carrying the server's message and status (mapped to exit
codes by the commands). Used when the CLI talks to a server instead of the cluster."""

from __future__ import annotations

from typing import Any

import httpx


class ApiFailure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message


class ServerClient:
    def __init__(self, server: str, token: str = "", *, timeout: float = 60.0) -> None:
        self.server = server.rstrip("/")
        headers = {"Accept": "application/json", "User-Agent": "rudder-cli"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.AsyncClient(
            base_url=self.server, headers=headers, timeout=timeout, trust_env=False
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        try:
            response = await self._http.request(method, path, json=json, params=params)
        except httpx.HTTPError as exc:
            raise ApiFailure(0, f"cannot reach the Rudder server at {self.server}: {exc}") from exc
        if response.status_code >= 400:
            try:
                body = response.json()
                message = str(body.get("error") or body) if isinstance(body, dict) else response.text
            except ValueError:
                message = response.text or response.reason_phrase
            raise ApiFailure(response.status_code, f"{message} (HTTP {response.status_code})")
        if not response.content:
            return None
        return response.json()
