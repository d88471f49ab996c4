"""Public: a visitor rates an answer (``POST /v1/feedback``), stored in SQLite under the data directory."""

from __future__ import annotations

from functools import partial

import anyio
from fastapi import APIRouter, Depends

from api.deps import AppState, get_state, rate_limit
from api.problems import Problem
from api.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[Depends(rate_limit)])


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, summary="Rate an answer")
async def feedback(body: FeedbackRequest, state: AppState = Depends(get_state)) -> FeedbackResponse:
    stored = await anyio.to_thread.run_sync(partial(state.feedback.rate, body.answer_id, body.rating, body.comment))
    if not stored:
        raise Problem(404, "No answer with that answer_id: rate an answer returned by POST /v1/ask.")
    state.metrics.feedback.labels(rating=body.rating).inc()
    return FeedbackResponse(answer_id=body.answer_id, rating=body.rating)
