"""Shared dependencies: the app state loaded at startup, API-key checks and the rate limit.

Routers declare what they need::

    router = APIRouter(prefix="/v1", dependencies=[Depends(require_staff)])

    @router.get("/things")
    def things(museum: MuseumRAG = Depends(get_museum)): ...
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import anyio
from fastapi import Depends, Request

from api.feedback import FeedbackStore
from api.review import ReviewLog
from api.metrics import Metrics
from api.problems import Problem
from api.security import TokenBucketLimiter, bearer_token, key_matches
from rag.config import Settings
from rag.pipeline import MuseumRAG


@dataclass
class AppState:
    """Everything loaded once at startup and shared by all requests."""

    settings: Settings
    museum: MuseumRAG
    feedback: FeedbackStore
    metrics: Metrics
    limiter: TokenBucketLimiter
    ask_limiter: anyio.CapacityLimiter
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    review: ReviewLog | None = None  # what curators review (api.review), beside the feedback database


def get_state(request: Request) -> AppState:
    state = getattr(request.app.state, "museum_rag", None)
    if state is None:
        raise Problem(503, "The server is still starting: the models and the store are not loaded yet.",
                      headers={"Retry-After": "5"})
    return state


def get_settings(state: AppState = Depends(get_state)) -> Settings:
    return state.settings


def get_museum(state: AppState = Depends(get_state)) -> MuseumRAG:
    return state.museum


def get_feedback(state: AppState = Depends(get_state)) -> FeedbackStore:
    return state.feedback


_STAFF_REALM = 'Bearer realm="museum-rag staff"'


def _check_key(request: Request, keys: list[str], who: str, setting: str) -> None:
    if not keys:
        raise Problem(403, f"No {who} API keys are configured on this server: set {setting} to enable these routes.",
                      title="Forbidden")
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Problem(401, f"This route needs a {who} API key: send 'Authorization: Bearer <key>'.",
                      title="Unauthorized", headers={"WWW-Authenticate": _STAFF_REALM})
    if not key_matches(token, keys):
        raise Problem(401, f"The API key is not a valid {who} key.", title="Unauthorized",
                      headers={"WWW-Authenticate": _STAFF_REALM + ', error="invalid_token"'})


def require_staff(request: Request, state: AppState = Depends(get_state)) -> None:
    """Staff routes: a key from MUSEUM_RAG_API_KEYS (admin keys are accepted too)."""
    _check_key(request, state.settings.api_keys + state.settings.admin_keys, "staff", "MUSEUM_RAG_API_KEYS")


def require_admin(request: Request, state: AppState = Depends(get_state)) -> None:
    """Admin routes: a key from MUSEUM_RAG_ADMIN_KEYS."""
    _check_key(request, state.settings.admin_keys, "admin", "MUSEUM_RAG_ADMIN_KEYS")


def client_key(request: Request) -> str:
    """Who a request counts against: the client address (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, state: AppState = Depends(get_state)) -> None:
    """Public routes: at most MUSEUM_RAG_RATE_LIMIT_PER_MINUTE requests a minute per client, else 429."""
    wait = state.limiter.acquire(client_key(request))
    if wait > 0:
        state.metrics.rate_limited.inc()
        retry = TokenBucketLimiter.retry_after(wait)
        raise Problem(
            429,
            f"Too many requests from this address: the limit is {state.settings.rate_limit_per_minute} a minute. "
            f"Try again in {retry} s.",
            title="Too Many Requests",
            headers={"Retry-After": retry},
            extra={"retry_after": int(retry)},
        )


def clean_question(question: str, settings: Settings) -> str:
    """The question stripped; 422 when empty or longer than the configured limit."""
    text = question.strip()
    if not text:
        raise Problem(422, "The question is empty.", title="Invalid request")
    if len(text) > settings.max_question_chars:
        raise Problem(
            422,
            f"The question is {len(text)} characters long; the limit is {settings.max_question_chars}.",
            title="Question too long",
        )
    return text
