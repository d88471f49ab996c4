"""Operations: liveness (``/healthz``), readiness (``/readyz``) and Prometheus metrics (``/metrics``)."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request, Response

from api.deps import AppState
from api.problems import Problem
from api.readiness import probe_store
from api.schemas import Ready

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, summary="The models are loaded and the store answers")
async def readyz(request: Request) -> Ready:
    state: AppState | None = getattr(request.app.state, "museum_rag", None)
    if state is None:
        raise Problem(503, "Starting: the models and the store are not loaded yet.", title="Not Ready",
                      headers={"Retry-After": "5"})
    try:
        chunks, problems = await anyio.to_thread.run_sync(probe_store, state.museum, state.store_health)
    except Exception:  # noqa: BLE001 - e.g. the Qdrant server is unreachable
        raise Problem(503, "The vector store does not answer.", title="Not Ready", headers={"Retry-After": "5"}) from None
    if problems:
        raise Problem(503, " ".join(problems), title="Not Ready", headers={"Retry-After": "30"})
    feedback = state.feedback
    return Ready(
        status="ready",
        store=state.settings.store,
        chunks=chunks,
        embed_model=state.museum.settings.embed_model,  # the store's own when unset
        answering=callable(getattr(state.museum, "ask", None)),
        expected_chunks=state.store_health.expected_points,
        feedback=feedback.status,
        feedback_detail=_public(feedback.status_detail, state.settings.data_dir),
    )


def _public(detail: str | None, data_dir) -> str | None:
    """A status detail without the server's paths (the log has them)."""
    if detail is None:
        return None
    return detail.replace(str(data_dir), "MUSEUM_RAG_DATA_DIR")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    state: AppState | None = getattr(request.app.state, "museum_rag", None)
    if state is None:
        raise Problem(503, "Starting.", title="Not Ready")
    body, content_type = state.metrics.render()
    return Response(body, media_type=content_type)


