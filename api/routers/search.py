"""Staff: hybrid search with filters and facet counts (``GET /v1/search``).

Facet counts are of records (their first chunks), among the records matching the
filters, so "Painting (412)" means 412 paintings whatever the query.

Example::

    curl -H "Authorization: Bearer $KEY" 'localhost:8000/v1/search?q=jazz+singer&type=Photograph'
"""

from __future__ import annotations

from typing import Literal

import anyio
from fastapi import APIRouter, Depends, Query

from api.deps import AppState, get_state, require_staff
from api.problems import Problem
from api.schemas import YEAR_MAX, YEAR_MIN, FacetValue, SearchResponse, SearchResult, Snippet
from rag.models import ObjectHit, SearchFilters
from rag.text import words

router = APIRouter(prefix="/v1", tags=["staff"], dependencies=[Depends(require_staff)])

FACET_KEYS = ("museum", "type", "creators")
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have he her his how in is it its of on or she "
    "that the their them they this to was were what when where which who whom whose why with".split()
)


def highlight_terms(query: str) -> list[str]:
    """The query's distinct content words, longest first (so longer matches win when highlighting)."""
    stems = (w[:-2] if w.endswith("'s") else w for w in words(query))  # "Calder's" highlights "Calder"
    unique = dict.fromkeys(w for w in stems if len(w) > 1 and w not in _STOPWORDS)
    return sorted(unique, key=len, reverse=True)


def to_result(hit: ObjectHit) -> SearchResult:
    best = hit.chunks[0].chunk
    return SearchResult(
        record_id=hit.record_id,
        title=hit.title,
        score=hit.score,
        museum=best.museum,
        type=best.type,
        date=best.date,
        creators=best.creators,
        url=best.url,
        image_url=best.image_url,
        thumbnail_url=best.thumbnail_url,
        rights=best.rights,
        snippets=[
            Snippet(field=h.chunk.field, text=h.chunk.text, start=h.chunk.start, end=h.chunk.end, score=h.score)
            for h in hit.chunks
        ],
    )


def facet_counts(state: AppState, filters: SearchFilters, limit: int = 25) -> dict[str, list[FacetValue]]:
    per_record = filters.model_copy(update={"chunk_index": 0})
    return {
        key: [FacetValue(value=str(value), count=count) for value, count in state.museum.store.facet(key, per_record, limit)]
        for key in FACET_KEYS
    }


@router.get("/search", response_model=SearchResponse, summary="Hybrid search with filters and facet counts")
async def search(
    q: str = Query("", description="What to look for; empty lists facets only."),
    museum: str | None = Query(None),
    type: str | None = Query(None),
    creator: str | None = Query(None),
    date_from: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX, description="Objects dated in or after this year."),
    date_to: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX, description="Objects dated in or before this year."),
    limit: int = Query(20, ge=1, le=100),
    mode: Literal["hybrid", "dense", "sparse"] = Query("hybrid"),
    state: AppState = Depends(get_state),
) -> SearchResponse:
    query = q.strip()
    if len(query) > state.settings.max_question_chars:
        raise Problem(422, f"The query is longer than {state.settings.max_question_chars} characters.",
                      title="Invalid request")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise Problem(422, "date_from is after date_to.", title="Invalid request")
    filters = SearchFilters(museum=museum or None, type=type or None, creator=creator or None,
                            date_from=date_from, date_to=date_to)

    def run() -> SearchResponse:
        hits = state.museum.search(query, limit=limit, filters=filters, mode=mode) if query else []
        return SearchResponse(
            query=query,
            filters=filters,
            terms=highlight_terms(query),
            total_records=state.museum.store.count(filters.model_copy(update={"chunk_index": 0})),
            results=[to_result(hit) for hit in hits],
            facets=facet_counts(state, filters),
        )

    return await anyio.to_thread.run_sync(run)
