"""Every error as ``application/problem+json`` (RFC 9457), without stack traces or internal paths.

Routes raise :class:`Problem`; the handlers installed by :func:`install_problem_handlers`
turn it, Starlette's HTTP errors, validation errors and unexpected exceptions into the
same shape::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "No object with id 'npg:0'.", "request_id": "4f0c..."}

Example::

    raise Problem(404, detail=f"No object with id {record_id!r}.")
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.observability import current_request_id

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error a client can act on; ``detail`` is shown to the client, so never put internals in it."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        type: str = "about:blank",
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.title = title or _phrase(status)
        self.type = type
        self.headers = headers or {}
        self.extra = extra or {}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    status: int,
    detail: str | None = None,
    title: str | None = None,
    type: str = "about:blank",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type, "title": title or _phrase(status), "status": status}
    if detail:
        body["detail"] = detail
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    return body


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    type: str = "about:blank",
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, title, type, extra), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


async def _problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, title=exc.title, type=exc.type, headers=exc.headers, extra=exc.extra)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(exc.status_code) else None
    return problem_response(exc.status_code, detail, headers=dict(exc.headers or {}))


def _location(loc: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: never echo the input back (it may be large or hostile).
    errors = [{"loc": _location(err.get("loc", ())), "msg": str(err.get("msg", "invalid"))} for err in exc.errors()]
    first = errors[0] if errors else None
    detail = (
        f"{'.'.join(str(p) for p in first['loc'][1:] or first['loc'])}: {first['msg']}"
        if first
        else "The request is not valid."
    )
    return problem_response(422, detail, title="Invalid request", extra={"errors": errors[:20]})


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return internal_error_response()


def internal_error_response() -> JSONResponse:
    request_id = current_request_id()
    detail = "An unexpected error occurred." + (f" Quote request id {request_id} when reporting it." if request_id else "")
    return problem_response(500, detail)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
