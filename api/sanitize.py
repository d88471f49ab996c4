"""Plain text and http(s) URLs only, at the API's response boundary (defence in depth).

Ingest already turns record text into plain text and drops URLs that are not http(s); this
module makes sure that no API response carries markup or an unsafe URL even from a store
written before that, or by another tool:

* :func:`strip_markup` turns a string into plain text: tags (with the content of
  ``script``/``style``) are removed by Python's own HTML parser (through BeautifulSoup),
  entities are decoded, and any ``<`` or ``>`` left (say from ``&lt;script&gt;`` or a broken
  ``"><``) is dropped, so the result can never be read as markup.
* :func:`safe_url` keeps absolute ``http``/``https`` URLs without quotes, angle brackets,
  spaces or control characters, and gives None for anything else (``javascript:``, ``data:``...).
* :class:`ResponseSanitizerMiddleware` applies both to every JSON and server-sent-event
  response under ``/v1/``: URL fields (names ending in ``url`` or ``uri``) through
  :func:`safe_url`, every other string through :func:`strip_markup`.

Questions are stripped with :func:`strip_markup` before they are answered (``api.deps.clean_question``).

Example::

    strip_markup('Who made <b>this</b>?<script>alert(1)</script>')   # 'Who made this?'
    safe_url("javascript:alert(1)")                                  # None
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

_MARKUP_HINT = re.compile(r"[<>&]")
_ANGLE = re.compile(r"[<>]")
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed")
_URL_UNSAFE = re.compile(r"[\s\"'<>`\\\x00-\x1f\x7f]")
_URL_KEY = re.compile(r"(url|uri)$", flags=re.IGNORECASE)


def strip_markup(text: str) -> str:
    """``text`` as plain text: no tags, no entities, no angle brackets (unchanged when it had none)."""
    if not _MARKUP_HINT.search(text):
        return text
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(list(_HIDDEN_TAGS)):
        tag.decompose()
    return _ANGLE.sub("", soup.get_text())


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with nothing that could break out of an attribute, else None."""
    if not url or not isinstance(url, str):
        return None
    candidate = url.strip()
    if _URL_UNSAFE.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def sanitize(value: Any, key: str | None = None) -> Any:
    """A JSON value with URL fields made safe (or None) and every other string made plain text."""
    if isinstance(value, str):
        return safe_url(value) if key is not None and _URL_KEY.search(key) else strip_markup(value)
    if isinstance(value, dict):
        return {k: sanitize(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize(item, key) for item in value]
    return value


def sanitize_json_bytes(body: bytes) -> bytes:
    """A JSON document's bytes, sanitized; the input unchanged when it is not JSON."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    clean = sanitize(data)
    if clean == data:
        return body
    return json.dumps(clean, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sanitize_sse_bytes(chunk: bytes) -> bytes:
    """Server-sent events with the JSON of each ``data:`` line sanitized."""
    if b"data:" not in chunk:
        return chunk
    lines = chunk.split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"data:"):
            ending = b"\r" if line.endswith(b"\r") else b""
            payload = line[5:].rstrip(b"\r").lstrip(b" ")
            lines[i] = b"data: " + sanitize_json_bytes(payload) + ending
    return b"\n".join(lines)


class ResponseSanitizerMiddleware:
    """Sanitizes JSON (buffered) and event-stream (per message) responses of the paths under ``prefix``."""

    def __init__(self, app: ASGIApp, prefix: str = "/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        kind = ""
        buffered: list[bytes] = []

        async def sanitizing_send(message: Message) -> None:
            nonlocal start, kind
            if message["type"] == "http.response.start":
                content_type = _content_type(message)
                if content_type.endswith("json"):
                    kind, start = "json", message
                    return
                kind = "sse" if content_type.startswith("text/event-stream") else ""
                await send(message)
                return
            if message["type"] != "http.response.body" or not kind:
                await send(message)
                return
            if kind == "sse":
                await send({**message, "body": sanitize_sse_bytes(message.get("body", b""))})
                return
            buffered.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = sanitize_json_bytes(b"".join(buffered))
            assert start is not None
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, sanitizing_send)


def _content_type(message: Message) -> str:
    for k, v in message.get("headers", []):
        if k.lower() == b"content-type":
            return v.decode("latin-1").split(";")[0].strip().lower()
    return ""
