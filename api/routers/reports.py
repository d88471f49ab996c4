"""Staff: what to review.

* ``GET /v1/reports/unanswered``: questions abstained on, most asked first;
* ``GET /v1/reports/review``: abstentions, disliked answers and corrections, each with what the visitor
  was shown, the objects shown, and counts per object (:mod:`api.review`);
* ``POST /v1/reports/handled``: a curator marks an item handled (or not);
* ``GET /v1/reports/review/export?format=csv|json``: the review items, for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import time
from functools import partial
from typing import Literal

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AppState, get_state, require_staff
from api.problems import Problem
from api.review import ReviewLog
from api.schemas import (
    HandledRequest,
    ObjectCountOut,
    ReviewItemOut,
    ReviewKind,
    ReviewReport,
    UnansweredItem,
    UnansweredReport,
)

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


def _review(state: AppState) -> ReviewLog:
    if state.review is None:
        raise Problem(503, "The review log is not available on this server.", title="Service Unavailable")
    return state.review


def _titles(state: AppState, record_ids: set[str]) -> dict[str, str]:
    titles = {}
    for record_id in record_ids:
        chunks = state.museum.store.record_chunks(record_id)
        if chunks and chunks[0].get("title"):
            titles[record_id] = str(chunks[0]["title"])
    return titles


def build_report(state: AppState, kind: ReviewKind | None, since: float | None, include_handled: bool,
                 limit: int) -> ReviewReport:
    review = _review(state)
    items = review.items(kind, since=since, include_handled=include_handled, limit=limit)
    objects = review.object_counts(since=since, limit=limit)
    titles = _titles(state, {r for i in items for r in i.record_ids} | {o.record_id for o in objects})
    return ReviewReport(
        items=[
            ReviewItemOut(kind=i.kind, question=i.question, normalized=i.normalized, count=i.count,
                          last_asked=i.last_asked, shown=i.shown, record_ids=i.record_ids,
                          titles={r: titles[r] for r in i.record_ids if r in titles}, comments=i.comments,
                          handled=i.handled)
            for i in items
        ],
        objects=[
            ObjectCountOut(record_id=o.record_id, title=titles.get(o.record_id), abstained=o.abstained,
                           disliked=o.disliked, corrected=o.corrected, total=o.total)
            for o in objects
        ],
    )


@router.get("/review", response_model=ReviewReport,
            summary="Abstentions, disliked answers and corrections, with what was shown and counts per object")
async def review(
    kind: ReviewKind | None = Query(None, description="One kind; all kinds when omitted."),
    days: float | None = Query(None, gt=0, description="Only questions asked in the last N days."),
    include_handled: bool = Query(True, description="Also list the items marked handled (listed last)."),
    limit: int = Query(100, ge=1, le=1000),
    state: AppState = Depends(get_state),
) -> ReviewReport:
    since = time.time() - days * 86400 if days else None
    return await anyio.to_thread.run_sync(partial(build_report, state, kind, since, include_handled, limit))


@router.post("/handled", summary="Mark a review item handled (or not)")
async def handled(body: HandledRequest, state: AppState = Depends(get_state)) -> dict[str, object]:
    review_log = _review(state)
    await anyio.to_thread.run_sync(partial(review_log.set_handled, body.kind, body.normalized, body.handled))
    return body.model_dump()


EXPORT_COLUMNS = ("kind", "question", "count", "last_asked", "handled", "shown", "objects", "comments")


@router.get("/review/export", summary="Export the review items as CSV or JSON", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
async def export(
    format: Literal["csv", "json"] = Query("csv"),
    kind: ReviewKind | None = Query(None),
    days: float | None = Query(None, gt=0),
    state: AppState = Depends(get_state),
) -> Response:
    since = time.time() - days * 86400 if days else None
    report = await anyio.to_thread.run_sync(partial(build_report, state, kind, since, True, 1000))
    name = "museum-rag-review"
    if format == "json":
        return Response(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1),
                        media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for i in report.items:
        asked = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(i.last_asked))
        objects = "; ".join(f"{r} ({i.titles[r]})" if r in i.titles else r for r in i.record_ids)
        writer.writerow([i.kind, i.question, i.count, asked, "yes" if i.handled else "no", i.shown or "", objects,
                         " | ".join(i.comments)])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
