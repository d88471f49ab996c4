"""Request ids, the access log and request metrics; log records carry the request id.

Every response has an ``X-Request-ID`` header (the client's, when it sent a well-formed
one, else a new one); every log line written while serving a request carries it. The
access log has the method, route, status and duration: never headers, so never API keys.

Example::

    configure_logging("INFO")
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from api.metrics import Metrics

REQUEST_ID_HEADER = "x-request-id"
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("museum_rag_request_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("museum_rag.access")
log = logging.getLogger(__name__)


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request) so formats can use ``%(request_id)s``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_control(text: str) -> str:
    """``text`` with control characters (CR, LF, ESC, ...) written as escapes, so one value can't forge log lines.

    >>> escape_control("/v1/x\r\nFAKE 200")
    '/v1/x\\r\\nFAKE 200'
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class ControlCharFilter(logging.Filter):
    """Escapes control characters in the message (its arguments included); tracebacks keep their lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: let the handler report it
            return True
        escaped = escape_control(message)
        if escaped != message or record.args:
            record.msg, record.args = escaped, None
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def configure_logging(level: str | int = "INFO") -> None:
    """One stderr handler with the request id in every line (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler and not getattr(handler, "_museum_rag", False):
            root.removeHandler(handler)  # e.g. the CLI's basicConfig: one line per record, with the request id
    if not any(getattr(handler, "_museum_rag", False) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._museum_rag = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(RequestIdFilter())
        handler.addFilter(ControlCharFilter())
        root.addHandler(handler)
    root.setLevel(level)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    return "/static" if str(scope.get("path", "")).startswith("/static/") else "(unmatched)"


class RequestContextMiddleware:
    """Outermost middleware: request id, access log, metrics, and a problem+json 500 for anything unhandled."""

    def __init__(self, app: ASGIApp, metrics: "Metrics | None" = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        if self.metrics is not None:
            self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: log it, answer problem+json
            log.error("unhandled error in %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            status = 500
            if not response_started:
                from api.problems import internal_error_response

                await internal_error_response()(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            method = str(scope.get("method", ""))
            client = scope.get("client")
            access_log.info(
                '%s %s %s %d %.1fms', escape_control(str(client[0])) if client else "-", escape_control(method),
                escape_control(str(scope.get("path"))), status, seconds * 1000,
            )
            if self.metrics is not None:
                self.metrics.in_flight.dec()
                self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
                self.metrics.latency.labels(method=method, route=route).observe(seconds)
            _request_id.reset(token)


def _header(scope: Scope, name: str) -> str | None:
    key = name.encode("latin-1")
    for k, v in scope.get("headers", []):
        if k.lower() == key:
            try:
                return v.decode("latin-1")
            except Exception:  # pragma: no cover
                return None
    return None


def header(scope: Scope, name: str) -> str | None:
    """A request header from an ASGI scope (case-insensitive), or None."""
    return _header(scope, name)


