"""The FastAPI app: wires the routers, the middleware and the state loaded once at startup.

The models and the store load in the app's lifespan, once per process, never per request.
With the embedded store, one process owns it: run one server process (``museum-rag serve``)
and send everything else (ingest, search) to its API; with ``MUSEUM_RAG_STORE=server``
any number of replicas can share a Qdrant server.

Example::

    uvicorn --factory api.main:app_from_environment   # Settings from MUSEUM_RAG_* / .env
    app = create_app(Settings(data_dir=Path("data/store")))
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.deps import AppState
from api.feedback import open_feedback_store
from api.metrics import Metrics
from api.review import open_review_log
from api.observability import RequestContextMiddleware
from api.openapi import install_openapi
from api.problems import install_problem_handlers
from api.question_log import prune_question_log
from api.readiness import inspect_store
from api.request_guard import JsonBodyGuardMiddleware
from api.routers import ask, docs, feedback, health, ingest, objects, pages, reports, search, suggestions
from api.routers import stats as stats_router
from api.routers.ingest import remove_stale_uploads
from api.routers.pages import STATIC_DIR
from api.sanitize import ResponseSanitizerMiddleware
from api.security import BodyLimitMiddleware, SecurityHeadersMiddleware, TokenBucketLimiter
from rag.config import Settings
from rag.embedding import Embedder
from rag.pipeline import MuseumRAG

log = logging.getLogger(__name__)
API_VERSION = "1.0"


def _load(settings: Settings, embedder: Embedder | None) -> MuseumRAG:
    return MuseumRAG(settings, embedder=embedder)


def create_app(
    settings: Settings | None = None,
    *,
    museum: MuseumRAG | None = None,
    embedder: Embedder | None = None,
    close_museum: bool | None = None,
) -> FastAPI:
    """Build the app.

    ``museum``: an already opened :class:`MuseumRAG` to serve (closed at shutdown when
    ``close_museum``, which defaults to True only for the one the app opens itself).
    ``embedder``: a loaded embedder to reuse when the app opens the store itself.
    """
    settings = settings or Settings()
    metrics = Metrics()
    owns_museum = museum is None if close_museum is None else close_museum

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rag = museum or await anyio.to_thread.run_sync(_load, settings, embedder)
        await anyio.to_thread.run_sync(rag.warm_up)  # now, not on a visitor's question
        remove_stale_uploads(settings)
        store_health = await anyio.to_thread.run_sync(inspect_store, rag)
        feedback_store = await anyio.to_thread.run_sync(open_feedback_store, settings.data_dir / "feedback.sqlite3")
        await anyio.to_thread.run_sync(prune_question_log, feedback_store, settings)
        review = await anyio.to_thread.run_sync(open_review_log, feedback_store)
        app.state.museum_rag = AppState(
            settings=settings,
            museum=rag,
            feedback=feedback_store,
            metrics=metrics,
            limiter=TokenBucketLimiter(settings.rate_limit_per_minute),
            ask_limiter=anyio.CapacityLimiter(settings.ask_concurrency),
            auth_limiter=TokenBucketLimiter(settings.auth_failures_per_minute),
            store_health=store_health,
            review=review,
        )
        log.info("ready: store=%s data_dir=%s", settings.store, settings.data_dir)
        try:
            yield
        finally:
            app.state.museum_rag = None
            feedback_store.close()
            review.close()
            if owns_museum:
                rag.close()

    app = FastAPI(
        title="museum-rag",
        version=API_VERSION,
        description="Answers questions about a museum's collection from its own records, with citations.",
        lifespan=lifespan,
        docs_url=None,  # served offline by api.routers.docs
        redoc_url=None,
    )
    app.state.museum_rag = None
    install_problem_handlers(app)

    for router in (ask.router, suggestions.router, feedback.router, search.router, objects.router, reports.router,
                   ingest.router, health.router, pages.router, docs.router, stats_router.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(docs.ASSETS_URL, StaticFiles(directory=docs.ASSETS_DIR), name="docs-assets")
    install_openapi(app)

    # Added innermost first: the request-context middleware ends up outermost.
    app.add_middleware(ResponseSanitizerMiddleware)  # no markup, no non-http(s) URL in any /v1/ response
    app.add_middleware(JsonBodyGuardMiddleware)  # inside the body limit: bounded nesting, valid Unicode
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        upload_paths=("/v1/ingest",),
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app


def app_from_environment() -> FastAPI:
    """The app of one server process, configured from MUSEUM_RAG_* (what each ``serve --workers N`` process runs)."""
    from api.observability import configure_logging

    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)
