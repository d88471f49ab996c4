"""Staff: what the records could not answer (``GET /v1/reports/unanswered``), most asked first."""

from __future__ import annotations

import time
from functools import partial

import anyio
from fastapi import APIRouter, Depends, Query

from api.deps import AppState, get_state, require_staff
from api.schemas import UnansweredItem, UnansweredReport

router = APIRouter(prefix="/v1/reports", tags=["staff"], dependencies=[Depends(require_staff)])


@router.get("/unanswered", response_model=UnansweredReport, summary="Questions abstained on, most frequent first")
async def unanswered(
    limit: int = Query(50, ge=1, le=1000),
    days: float | None = Query(None, gt=0, description="Only questions asked in the last N days."),
    state: AppState = Depends(get_state),
) -> UnansweredReport:
    since = time.time() - days * 86400 if days else None
    rows = await anyio.to_thread.run_sync(partial(state.feedback.unanswered, limit=limit, since=since))
    return UnansweredReport(items=[UnansweredItem(**row.__dict__) for row in rows])
