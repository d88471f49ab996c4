"""The OpenAPI document describes the errors as they are: ``application/problem+json`` bodies.

FastAPI documents only 200 and a JSON 422; this adds, per operation, the problem responses
the server really gives (400 unreadable body, 401/403 keys, 404 unknown id, 413 body or
record too large, 415 unsupported upload, 422 invalid request, 429 rate limit or too many
failed keys, 500, 503 starting or not ready, 507 data directory full), all with the
:data:`PROBLEM_SCHEMA`. The bearer scheme itself comes from ``api.deps.bearer_scheme``.
A schemathesis run (tests/test_robust_api_schema.py) checks the server against this contract.

Example::

    install_openapi(app)   # after the routers are included
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; never holds a stack trace or a server path.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"loc": {"type": "array"}, "msg": {"type": "string"}}},
        },
        "issues": {"type": "array", "items": {"type": "string"}},
        "retry_after": {"type": "integer"},
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "The body can't be read (e.g. JSON nested too deeply).",
    "401": "No API key, or not a valid one.",
    "403": "No keys of this kind are configured on the server.",
    "404": "No such object or answer.",
    "413": "The body, an uploaded file or one record is larger than the configured limit.",
    "415": "An uploaded file of a type that can't be ingested.",
    "422": "The request is not valid; `errors` names the fields.",
    "429": "Too many requests (or failed API-key attempts) from this address; see Retry-After.",
    "500": "An unexpected error; quote the request id when reporting it.",
    "503": "Starting, or the store is not ready; see Retry-After.",
    "507": "The server's data directory is full: nothing was written; answering goes on.",
}


def _problem(code: str) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[code], "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["500", "503"]
    has_input = bool(operation.get("parameters") or operation.get("requestBody"))
    if operation.get("requestBody"):
        codes += ["400", "413"]
    if has_input:
        codes.append("422")
    if path.startswith("/v1/"):
        codes.append("429")
    if operation.get("security"):
        codes += ["401", "403"]
    if "{" in path or path == "/v1/feedback":
        codes.append("404")
    if path == "/v1/ingest":
        codes += ["415", "507"]
    if path == "/v1/feedback":
        codes.append("507")
    return codes


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with its problem responses."""
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _codes(path, method, operation):
                responses[code] = _problem(code)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`problem_openapi` at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
