"""Staff: search and browse with filters, facet counts, paging, sorting and export.

* ``GET /v1/search``: with ``q``, hybrid search ranks the best objects (at most ``SEARCH_POOL``);
  without it, the records matching the filters are listed (a filter alone browses). Either way the
  results can be sorted (relevance, date, title) and paged (``offset``, ``limit``).
* ``GET /v1/search/export?format=csv|json``: the same results, all of them (at most ``EXPORT_MAX``).

Facet counts are of records (their first chunks), among the records matching the filters, so
"Painting (412)" means 412 paintings whatever the query. The creators facet is also split by role
(makers, sitters, others; roles grouped by ``rag/data/facet_roles.json``).

Example::

    curl -H "Authorization: Bearer $KEY" 'localhost:8000/v1/search?q=jazz+singer&type=Photograph'
    curl -H "Authorization: Bearer $KEY" 'localhost:8000/v1/search?creator=warhol&sort=date&offset=20'
    curl -H "Authorization: Bearer $KEY" 'localhost:8000/v1/search/export?format=csv&type=Painting' > paintings.csv
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AppState, get_state, require_staff
from api.problems import Problem
from api.schemas import FacetValue, SearchResponse, SearchResult, Snippet
from rag.models import ObjectHit, SearchFilters
from rag.names import fold
from rag.roles import RoleGroups
from rag.text import words

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["staff"], dependencies=[Depends(require_staff)])

FACET_KEYS = ("museum", "type", "creators")
SEARCH_POOL = 200  # objects a query ranks (and sorts and pages through)
EXPORT_MAX = 5000  # results one export holds
_ROLE_FACET_SCAN = 1000  # distinct "Role: Name" values read to build the role facets
_BROWSE_FIELDS = ["record_id", "title", "museum", "type", "date", "date_begin", "creators", "creator_roles", "url",
                  "image_url", "thumbnail_url", "field", "text", "start", "end"]
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have he her his how in is it its of on or she "
    "that the their them they this to was were what when where which who whom whose why with".split()
)
Sort = Literal["relevance", "date", "title"]


def highlight_terms(query: str) -> list[str]:
    """The query's distinct content words, longest first (so longer matches win when highlighting)."""
    stems = (w[:-2] if w.endswith("'s") else w for w in words(query))  # "Calder's" highlights "Calder"
    unique = dict.fromkeys(w for w in stems if len(w) > 1 and w not in _STOPWORDS)
    return sorted(unique, key=len, reverse=True)


def merge_snippets(snippets: list[Snippet]) -> list[Snippet]:
    """Overlapping spans of one field (chunks overlap by design) merged into one; best first.

    Offsets are into the field's text, so ``a.text + b.text[a.end - b.start:]`` is the field's text
    from ``a.start`` to ``b.end`` when ``b`` starts inside ``a``.
    """
    merged: list[Snippet] = []
    for snippet in sorted(snippets, key=lambda s: (s.field, s.start, s.end)):
        last = merged[-1] if merged else None
        if last is not None and last.field == snippet.field and snippet.start < last.end:
            if snippet.end > last.end:
                text = last.text + snippet.text[last.end - snippet.start:]
                merged[-1] = last.model_copy(update={"text": text, "end": snippet.end})
            merged[-1] = merged[-1].model_copy(update={"score": max(last.score, snippet.score)})
            continue
        merged.append(snippet)
    return sorted(merged, key=lambda s: -s.score)


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
        creator_roles=best.creator_roles,
        url=best.url,
        image_url=best.image_url,
        thumbnail_url=best.thumbnail_url,
        snippets=merge_snippets([
            Snippet(field=h.chunk.field, text=h.chunk.text, start=h.chunk.start, end=h.chunk.end, score=h.score)
            for h in hit.chunks
        ]),
    )


def _browse_result(payload: dict[str, Any]) -> SearchResult:
    """A record listed by its first chunk (the tombstone: its facts as a snippet)."""
    snippet = None
    if payload.get("text"):
        snippet = Snippet(field=str(payload.get("field") or "tombstone"), text=str(payload["text"]),
                          start=int(payload.get("start") or 0), end=int(payload.get("end") or 0), score=0.0)
    return SearchResult(
        record_id=str(payload.get("record_id")),
        title=str(payload.get("title") or payload.get("record_id")),
        score=0.0,
        museum=payload.get("museum"),
        type=payload.get("type"),
        date=payload.get("date"),
        creators=list(payload.get("creators") or []),
        creator_roles=list(payload.get("creator_roles") or []),
        url=payload.get("url"),
        image_url=payload.get("image_url"),
        thumbnail_url=payload.get("thumbnail_url"),
        snippets=[snippet] if snippet else [],
    )


@dataclass
class _Found:
    results: list[SearchResult]
    date_begin: dict[str, int | None]


def _sorted(found: _Found, sort: Sort) -> list[SearchResult]:
    if sort == "title":
        return sorted(found.results, key=lambda r: (fold(r.title), r.record_id))
    if sort == "date":  # earliest first; undated last
        def key(r: SearchResult) -> tuple[int, int, str]:
            year = found.date_begin.get(r.record_id)
            return (year is None, year if year is not None else 0, fold(r.title))
        return sorted(found.results, key=key)
    return found.results


def find(state: AppState, query: str, filters: SearchFilters, mode: str, pool: int) -> _Found:
    """The query's best ``pool`` objects, ranked; without a query, every record matching the filters."""
    if query:
        hits = state.museum.search(query, limit=pool, filters=filters, mode=mode)  # type: ignore[arg-type]
        return _Found([to_result(h) for h in hits], {h.record_id: h.chunks[0].chunk.date_begin for h in hits})
    per_record = filters.model_copy(update={"chunk_index": 0})
    payloads = [p.payload for p in state.museum.store.scroll(filters=per_record, fields=_BROWSE_FIELDS)]
    return _Found([_browse_result(p) for p in payloads],
                  {str(p.get("record_id")): p.get("date_begin") for p in payloads})


def facet_counts(state: AppState, filters: SearchFilters, limit: int = 25) -> dict[str, list[FacetValue]]:
    per_record = filters.model_copy(update={"chunk_index": 0})
    store = state.museum.store
    facets = {
        key: [FacetValue(value=str(value), count=count) for value, count in store.facet(key, per_record, limit)]
        for key in FACET_KEYS
    }
    groups = RoleGroups.load()
    by_group: dict[str, Counter[str]] = {name: Counter() for name in groups.names}
    try:
        role_values = store.facet("creator_roles", per_record, _ROLE_FACET_SCAN)
    except Exception as error:  # noqa: BLE001 - a store built before the creator_roles index: no role facets
        log.warning("no creators-by-role facets (%s): re-ingest into a new data dir to get them", error)
        role_values = []
    for value, count in role_values:
        role, name = groups.split(str(value))
        by_group[groups.group_of(role)][name] += count
    for name, counts in by_group.items():
        facets[name] = [FacetValue(value=v, count=n) for v, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))[:limit]]
    return facets


def _filters(museum: str | None, type: str | None, creator: str | None, date_from: int | None,
             date_to: int | None) -> SearchFilters:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise Problem(422, "date_from is after date_to.", title="Invalid request")
    return SearchFilters(museum=museum or None, type=type or None, creator=(creator or "").strip() or None,
                         date_from=date_from, date_to=date_to)


def _query(q: str, state: AppState) -> str:
    query = q.strip()
    if len(query) > state.settings.max_question_chars:
        raise Problem(422, f"The query is longer than {state.settings.max_question_chars} characters.",
                      title="Invalid request")
    return query


@router.get("/search", response_model=SearchResponse, summary="Search or browse with filters, facets, paging, sorting")
async def search(
    q: str = Query("", description="What to look for; empty lists the records matching the filters."),
    museum: str | None = Query(None),
    type: str | None = Query(None),
    creator: str | None = Query(None, description="Any part of a creator's name (accents and case aside)."),
    date_from: int | None = Query(None, description="Objects dated in or after this year."),
    date_to: int | None = Query(None, description="Objects dated in or before this year."),
    limit: int = Query(20, ge=1, le=100, description="Results per page."),
    offset: int = Query(0, ge=0, description="Results to skip (paging)."),
    sort: Sort = Query("relevance", description="relevance (a query's ranking; store order when browsing), "
                       "date (earliest first, undated last) or title."),
    mode: Literal["hybrid", "dense", "sparse"] = Query("hybrid"),
    state: AppState = Depends(get_state),
) -> SearchResponse:
    query = _query(q, state)
    filters = _filters(museum, type, creator, date_from, date_to)

    def run() -> SearchResponse:
        pool = SEARCH_POOL if sort != "relevance" else min(offset + limit + 1, SEARCH_POOL)  # +1: is there more?
        found = find(state, query, filters, mode, pool) if query or not filters.is_empty() else _Found([], {})
        ranked = _sorted(found, sort)
        return SearchResponse(
            query=query,
            filters=filters,
            terms=highlight_terms(query),
            total_records=state.museum.store.count(filters.model_copy(update={"chunk_index": 0})),
            total_results=len(ranked),
            has_more=len(ranked) > offset + limit,
            offset=offset,
            limit=limit,
            sort=sort,
            results=ranked[offset: offset + limit],
            facets=facet_counts(state, filters),
        )

    return await anyio.to_thread.run_sync(run)


EXPORT_COLUMNS = ("record_id", "title", "museum", "type", "date", "creators", "url", "image_url", "score")


def export_csv(results: list[SearchResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for r in results:
        writer.writerow([r.record_id, r.title, r.museum or "", r.type or "", r.date or "",
                         "; ".join(r.creator_roles or r.creators), r.url or "", r.image_url or "", f"{r.score:.4f}"])
    return buffer.getvalue()


@router.get("/search/export", summary="Export search or browse results as CSV or JSON", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
async def export(
    format: Literal["csv", "json"] = Query("csv"),
    q: str = Query(""),
    museum: str | None = Query(None),
    type: str | None = Query(None),
    creator: str | None = Query(None),
    date_from: int | None = Query(None),
    date_to: int | None = Query(None),
    sort: Sort = Query("relevance"),
    mode: Literal["hybrid", "dense", "sparse"] = Query("hybrid"),
    state: AppState = Depends(get_state),
) -> Response:
    query = _query(q, state)
    filters = _filters(museum, type, creator, date_from, date_to)

    def run() -> list[SearchResult]:
        if not query and filters.is_empty():
            found = find(state, "", SearchFilters(), mode, SEARCH_POOL)  # everything
        else:
            found = find(state, query, filters, mode, SEARCH_POOL)
        return _sorted(found, sort)[:EXPORT_MAX]

    results = await anyio.to_thread.run_sync(run)
    name = "museum-rag-search"
    if format == "json":
        body = json.dumps([r.model_dump(mode="json") for r in results], ensure_ascii=False, indent=1)
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
    return Response(export_csv(results), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
