"""Request and response bodies of the HTTP API (the OpenAPI schema at /docs is generated from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.models import Answer, RecordRights, SearchFilters


#: Years a public date filter may name: wide enough for any object, small enough for the engine's integers.
YEAR_MIN, YEAR_MAX = -100_000, 100_000
_NAME = Field(None, min_length=1, max_length=300)


class AskFilters(BaseModel):
    """The public filters of a question: unknown names are an error, not silently ignored.

    Only what a visitor may narrow by; the internal filters of :class:`rag.models.SearchFilters`
    (``chunk_index``) are not part of the public API. Years are bounded.
    """

    model_config = ConfigDict(extra="forbid")

    museum: str | None = _NAME
    type: str | None = _NAME
    creator: str | None = _NAME
    record_id: str | None = _NAME
    source: str | None = _NAME
    date_from: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, strict=True, description="Objects dated in or after this year.")
    date_to: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, strict=True, description="Objects dated in or before this year.")

    def to_search_filters(self) -> SearchFilters:
        """The internal filters these public ones select."""
        return SearchFilters(**self.model_dump())


class AskRequest(BaseModel):
    """A visitor's question; ``filters`` narrows the records the answer may come from."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": "Who made the portrait of Man Ray?"}]})

    question: str = Field(min_length=1, description="The question (its length limit is MUSEUM_RAG_MAX_QUESTION_CHARS).")
    filters: AskFilters | None = None
    lang: str | None = Field(
        None,
        max_length=35,
        description="Answer in this language (BCP 47, e.g. fr or fr-BE; en, fr, de, nl, es, it are supported); "
        "by default the answer is in the question's language.",
    )
    page_lang: str | None = Field(
        None,
        max_length=35,
        description="The language of the page the widget is on (its <html lang>): used when the question is "
        "too short to tell its language.",
    )


class AskResponse(Answer):
    """The :class:`rag.models.Answer`, plus the id to rate it with (POST /v1/feedback)."""

    answer_id: str = Field(description="Identifies this answer for POST /v1/feedback.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The answer_id returned with the answer.")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=1000)


class FeedbackResponse(BaseModel):
    answer_id: str
    rating: Literal["up", "down"]


class Snippet(BaseModel):
    """One matching chunk: ``text`` is ``record[field][start:end]`` (the tombstone's own text for tombstones)."""

    field: str
    text: str
    start: int
    end: int
    score: float


class SearchResult(BaseModel):
    record_id: str
    title: str
    score: float
    museum: str | None = None
    type: str | None = None
    date: str | None = None
    creators: list[str] = Field(default_factory=list)
    creator_roles: list[str] = Field(default_factory=list, description='"Role: Name" of each creator.')
    url: str | None = None
    image_url: str | None = None
    thumbnail_url: str | None = None
    rights: RecordRights | None = Field(None, description="Rights of the record's metadata, text and image.")
    snippets: list[Snippet] = Field(default_factory=list, description="Matching text, overlaps merged, best first.")


class FacetValue(BaseModel):
    value: str
    count: int = Field(description="Records (not chunks) with this value among those matching the filters.")


class SearchResponse(BaseModel):
    query: str
    filters: SearchFilters
    terms: list[str] = Field(description="The query's words, for highlighting.")
    total_records: int = Field(description="Records matching the filters (whatever the query).")
    total_results: int = Field(0, description="Results found so far: every record matching the filters without a "
                               "query; with one, the objects ranked (the page's end plus one with sort=relevance, "
                               "else at most 200).")
    has_more: bool = Field(False, description="Whether a next page exists (offset + limit).")
    offset: int = 0
    limit: int = 20
    sort: Literal["relevance", "date", "title"] = "relevance"
    results: list[SearchResult]
    facets: dict[str, list[FacetValue]] = Field(
        description="museum, type, creators (all), and the creators split by role: makers, sitters, others "
        "(roles grouped by rag/data/facet_roles.json)."
    )


class ObjectResponse(BaseModel):
    record: dict[str, Any]
    chunks: list[dict[str, Any]]
    rights: RecordRights | None = Field(None, description="Rights of the record's metadata, text and image.")


class UnansweredItem(BaseModel):
    question: str = Field(description="The most recent wording of the question.")
    normalized: str
    count: int
    last_asked: float = Field(description="Unix time.")


class UnansweredReport(BaseModel):
    items: list[UnansweredItem]


class IngestResponse(BaseModel):
    files: int
    records_read: int
    records_added: int
    records_replaced: int
    records_skipped: int
    records_invalid: int
    records_deleted: int
    chunks_added: int
    chunks_replaced: int
    chunks_deleted: int
    seconds: float
    issues: list[str]
    prune_skipped_reason: str | None = None


class Ready(BaseModel):
    status: Literal["ready"]
    store: str
    chunks: int
    embed_model: str
    answering: bool
    expected_chunks: int | None = Field(
        None, description="Points the store held at its last clean close (or after this server's last ingest), if known."
    )
    feedback: Literal["ok", "recreated", "memory", "failing"] = Field(
        "ok", description="The feedback and question-log database: recreated (a bad file was moved aside), memory "
        "(not persisted), failing (writes fail, e.g. the disk is full). Answering works in every case."
    )
    feedback_detail: str | None = None


class SuggestedQuestion(BaseModel):
    question: str
    record_id: str = Field(description="The record that holds the answer.")
    title: str


class Suggestions(BaseModel):
    """The widget's greeting: one line and questions built from real records."""

    lang: str
    greeting: str
    suggestions: list[SuggestedQuestion]


ReviewKind = Literal["abstained", "disliked", "corrected"]


class ReviewItemOut(BaseModel):
    kind: ReviewKind
    question: str = Field(description="The most recent wording.")
    normalized: str = Field(description="The wording questions are grouped by (and marked handled by).")
    count: int
    last_asked: float = Field(description="Unix time.")
    shown: str | None = Field(None, description="The answer text the visitor was last shown.")
    record_ids: list[str] = Field(default_factory=list, description="Objects the answers showed, most often first.")
    titles: dict[str, str] = Field(default_factory=dict, description="record_id -> title, for the objects shown.")
    comments: list[str] = Field(default_factory=list, description="Visitors' comments with their down-ratings.")
    handled: bool = Field(description="Marked handled by a curator since it was last asked.")


class ObjectCountOut(BaseModel):
    record_id: str
    title: str | None = None
    abstained: int
    disliked: int
    corrected: int
    total: int


class ReviewReport(BaseModel):
    items: list[ReviewItemOut]
    objects: list[ObjectCountOut] = Field(description="Per object shown: flagged answers that showed it.")


class HandledRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReviewKind
    normalized: str = Field(min_length=1, max_length=2000)
    handled: bool = True
