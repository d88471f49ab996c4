"""Public: a visitor rates an answer (``POST /v1/feedback``), stored in SQLite under the data directory."""

from __future__ import annotations

import logging
import sqlite3
from functools import partial

import anyio
from fastapi import APIRouter, Depends

from api.diskspace import DiskFull, ensure_free, is_disk_full
from api.deps import AppState, get_state, rate_limit
from api.problems import Problem
from api.schemas import FeedbackRequest, FeedbackResponse

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[Depends(rate_limit)])


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, summary="Rate an answer")
async def feedback(body: FeedbackRequest, state: AppState = Depends(get_state)) -> FeedbackResponse:
    stored = await anyio.to_thread.run_sync(partial(store_rating, state, body.answer_id, body.rating, body.comment))
    if not stored:
        raise Problem(404, "No answer with that answer_id: rate an answer returned by POST /v1/ask.")
    state.metrics.feedback.labels(rating=body.rating).inc()
    return FeedbackResponse(answer_id=body.answer_id, rating=body.rating)


def store_rating(state: AppState, answer_id: str, rating: str, comment: str | None) -> bool:
    """Rate an answer; 507 when the data directory is full, 503 when the database can't be written."""
    if state.feedback.status != "memory":
        ensure_free(state.settings, what="the rating")
    try:
        return state.feedback.rate(answer_id, rating, comment)  # type: ignore[arg-type]
    except (sqlite3.Error, OSError) as exc:
        log.error("feedback: a rating could not be stored in the data directory %s: %s", state.settings.data_dir, exc)
        if is_disk_full(exc):
            raise DiskFull("the rating") from None
        raise Problem(503, "Ratings can't be stored right now; answering goes on.", title="Service Unavailable",
                      headers={"Retry-After": "60"}) from None
