"""API keys, the per-client rate limit, request body limits and security headers.

* Keys are compared with :func:`hmac.compare_digest` against every configured key, so the
  time taken says nothing about how much of a key was right, nor which key matched.
* :class:`TokenBucketLimiter` gives each client ``rate_per_minute`` requests a minute with a
  burst of the same size; a refused request learns how long to wait (``Retry-After``).
* :class:`BodyLimitMiddleware` refuses bodies over the limit with 413 before the route reads
  them, whether or not the client sent a ``Content-Length``.

Example::

    limiter = TokenBucketLimiter(rate_per_minute=30)
    wait = limiter.acquire("203.0.113.9")   # 0.0: allowed; > 0: seconds until the next token
    assert key_matches("s3cret", ["s3cret", "other"])
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import OrderedDict
from typing import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability import header


def key_matches(candidate: str | None, keys: list[str]) -> bool:
    """True when ``candidate`` equals one of ``keys``; constant time in the candidate's content."""
    if not candidate or not keys:
        return False
    given = candidate.encode("utf-8")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key.encode("utf-8"))
    return matched


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenBucketLimiter:
    """In-process token buckets, one per client key, bounded in memory (least recently seen evicted).

    One API process keeps its own buckets: behind a load balancer with N replicas a client
    gets up to N times the rate, which is the usual trade for not needing shared state.
    """

    def __init__(
        self, rate_per_minute: int, burst: int | None = None, max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_minute < 1:
            raise ValueError("rate_per_minute must be at least 1")
        self.rate = rate_per_minute / 60.0
        self.capacity = float(burst or rate_per_minute)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """Take a token for ``client``: 0.0 when allowed, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes the limit; an HTTPException so route handlers re-raise it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class BodyLimitMiddleware:
    """413 problem+json for request bodies over the limit (a larger one for the upload paths)."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int, upload_paths: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_bytes if scope.get("path") in self.upload_paths else self.max_body_bytes
        declared = header(scope, "content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(limit)(scope, receive, send)


def _too_large(limit: int):
    from api.problems import problem_response

    return problem_response(413, f"The request body is larger than the limit of {limit} bytes.", title="Content Too Large")


#: The pages' policy: scripts and styles from this server only; images from the museums' sites.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)

#: The API docs' policy (/docs, /redoc): scripts from this server only (the assets are served locally);
#: Swagger UI and ReDoc set inline styles, use data: icons, and ReDoc runs its search in a blob: worker.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)


class SecurityHeadersMiddleware:
    """nosniff, a referrer policy, and a strict CSP (the API docs' pages get their own, a little wider)."""

    def __init__(self, app: ASGIApp, docs_prefixes: tuple[str, ...] = ("/docs", "/redoc")) -> None:
        self.app = app
        self.docs_prefixes = docs_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        policy = DOCS_CONTENT_SECURITY_POLICY if path.startswith(self.docs_prefixes) else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                headers.append((b"content-security-policy", policy.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
