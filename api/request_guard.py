"""JSON request bodies are checked before a route sees them: bounded nesting, valid Unicode.

* A body nested deeper than :data:`MAX_JSON_DEPTH` levels is refused with 400 (Python's
  parser would raise ``RecursionError`` at about 1,000 levels, pydantic is slow well before).
* A string (or key) with a lone surrogate (``"\\ud800"``: valid JSON, not valid Unicode)
  is refused with 422 naming the field: it can't be stored, logged as UTF-8 or sent back.

Example::

    app.add_middleware(JsonBodyGuardMiddleware)   # inside the body-size limit
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability import header
from api.problems import problem_response

MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', flags=re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def lone_surrogate_at(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where the first string (or key) with a lone surrogate is, or None."""
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _SURROGATE.search(key):
                return path + ("(key)",)
            found = lone_surrogate_at(item, path + (key,))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate_at(item, path + (index,))
            if found is not None:
                return found
    return None


class JsonBodyGuardMiddleware:
    """400 for too deep JSON bodies, 422 for lone surrogates; other requests pass untouched."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (header(scope, "content-type") or "").split(";")[0].strip().lower()
        if scope["type"] != "http" or not content_type.endswith("json"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        depth = json_depth(body)
        if depth > self.max_depth:
            await problem_response(
                400, f"The JSON body is nested {depth} levels deep; the limit is {self.max_depth}.",
                title="Bad Request",
            )(scope, receive, send)
            return
        try:
            data = json.loads(body) if body.strip() else None
        except (ValueError, RecursionError):
            data = None  # the route reports malformed JSON as usual
        where = lone_surrogate_at(data)
        if where is not None:
            loc = ["body", *where]
            msg = "contains a lone surrogate (not valid Unicode)"
            await problem_response(
                422, f"{'.'.join(str(p) for p in where) or 'body'}: {msg}", title="Invalid request",
                extra={"errors": [{"loc": loc, "msg": msg}]},
            )(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
