"""The read-only commands through a running server's HTTP API (``--server URL``).

An embedded store is owned by one process: while ``museum-rag serve`` (or ``make demo``) runs,
``museum-rag ask/search/stats --server http://127.0.0.1:8000`` asks that server instead of opening
the store. ``ask`` uses the public ``POST /v1/ask``; ``search`` and ``stats`` are staff routes and
send ``--api-key`` (or ``MUSEUM_RAG_SERVER_API_KEY``) as a bearer token.

Example::

    client = RemoteMuseum("http://127.0.0.1:8000", api_key="staff-secret")
    print(client.stats()["records"])
"""

from __future__ import annotations

from typing import Any

import httpx

from rag.models import SearchFilters

#: Filters the server's GET /v1/search accepts as query parameters.
SEARCH_PARAMS = ("museum", "type", "creator", "date_from", "date_to")


class RemoteError(RuntimeError):
    """The server could not be reached or refused the request; the message says which and why."""


class RemoteMuseum:
    """A thin client of the museum-rag HTTP API for the CLI."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 120.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise RemoteError(f"--server must be an http:// or https:// URL, not {url!r}")
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RemoteError(f"the server at {self.url} did not answer ({type(exc).__name__}: {exc})") from None
        if response.status_code >= 400:
            detail = response.text
            try:
                detail = response.json().get("detail") or detail
            except ValueError:
                pass
            hint = " (pass --api-key or set MUSEUM_RAG_SERVER_API_KEY)" if response.status_code in (401, 403) else ""
            raise RemoteError(f"{method} {self.url}{path} failed with {response.status_code}: {detail}{hint}")
        return response.json()

    def ask(self, question: str, filters: SearchFilters | None = None, lang: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question}
        if lang:
            body["lang"] = lang
        if filters is not None and not filters.is_empty():
            body["filters"] = filters.model_dump(exclude_none=True)
        return self._call("POST", "/v1/ask", json=body)

    def search(self, query: str, limit: int, filters: SearchFilters | None = None, mode: str = "hybrid") -> dict[str, Any]:
        params: dict[str, Any] = {"q": query, "limit": limit, "mode": mode}
        if filters is not None:
            unsupported = [k for k, v in filters.model_dump().items() if v is not None and k not in SEARCH_PARAMS]
            if unsupported:
                raise RemoteError(f"the server's search does not filter by {', '.join(unsupported)}; "
                                  f"use {', '.join(SEARCH_PARAMS)}")
            params.update({k: v for k, v in filters.model_dump().items() if v is not None})
        return self._call("GET", "/v1/search", params=params)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/v1/stats")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "RemoteMuseum":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
