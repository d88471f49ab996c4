"""The typed objects passed between ingest, rag, api and eval."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The layout of the stored chunk payload; raise it when ingest stores something new or splits it otherwise, so that
#: unchanged records are ingested again once (2: typed facts, sentence vectors; 3: a person's initials end no
#: sentence, release 0.3.12).
PAYLOAD_VERSION = 3

#: The record fields whose text is chunked, in the order they are chunked.
TEXT_FIELDS: tuple[str, ...] = ("description", "did_you_know", "provenance", "inscriptions")


class Creator(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = None
    role: str | None = None
    nationality: str | None = None
    dates: str | None = None
    display: str | None = None


class License(BaseModel):
    model_config = ConfigDict(extra="allow")

    metadata: str | None = None
    text: str | None = None
    statement: str | None = None


class Rights(BaseModel):
    """A rights statement: its URI (Creative Commons, rightsstatements.org, ...) and a human label."""

    model_config = ConfigDict(extra="allow")

    uri: str | None = None
    label: str | None = None
    display: bool | None = Field(
        None, description="For an image: whether its rights allow showing it (open licence, public domain) or only a link."
    )


class RecordRights(BaseModel):
    """Rights kept separately for the record's metadata, its texts and its image."""

    model_config = ConfigDict(extra="allow")

    metadata: Rights | None = None
    text: Rights | None = None
    image: Rights | None = None


class CollectionRecord(BaseModel):
    """One museum object or archive document (schema: shared/README.md)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    museum: str | None = None
    source_id: str | int | None = None
    accession_number: str | int | None = None
    creators: list[Creator] = Field(default_factory=list)
    date: str | None = None
    date_begin: int | None = None
    date_end: int | None = None
    culture: str | list[str] | None = None
    period: str | list[str] | None = None
    dynasty: str | list[str] | None = None
    reign: str | list[str] | None = None
    style: str | list[str] | None = None
    place_of_origin: str | list[str] | None = None
    department: str | None = None
    type: str | None = None
    object_name: str | None = None
    technique: str | None = None
    dimensions: str | None = None
    description: str | None = None
    did_you_know: str | None = None
    provenance: str | None = None
    inscriptions: str | None = None
    exhibitions: list[Any] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    credit_line: str | None = None
    location: str | None = None
    url: str | None = None
    image_url: str | None = None
    image_service: str | None = Field(None, description="The IIIF Image API service of the record's image (thumbnails).")
    license: License | None = None
    rights: RecordRights | None = None
    source: dict[str, Any] | str | None = None
    language: str | None = Field(None, description="The primary language of the record's texts (ISO 639-1).")
    title_translations: dict[str, str] = Field(
        default_factory=dict, description="The title in other languages, keyed by ISO 639-1 code."
    )
    description_translations: dict[str, str] = Field(
        default_factory=dict, description="The description in other languages, keyed by ISO 639-1 code."
    )

    @field_validator("id", "title", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("creators", "exhibitions", "keywords", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @field_validator("date_begin", "date_end", mode="before")
    @classmethod
    def _year(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return int(value) if value.lstrip("-").isdigit() else None
        return value

    @model_validator(mode="after")
    def _has_text(self) -> "CollectionRecord":
        if not any((getattr(self, name) or "").strip() for name in ("description", "provenance", "inscriptions")):
            raise ValueError("record has no text: one of description, provenance or inscriptions is required")
        return self

    def content_hash(self, salt: str = "") -> str:
        """A stable hash of everything that ends up in the store (and of the payload's layout, ``PAYLOAD_VERSION``:
        a release that stores more per chunk re-ingests unchanged records once; ``salt``: what else shapes the
        payload, such as the catalogue profile's fingerprint)."""
        blob = f"{PAYLOAD_VERSION}:{salt}:" if salt else f"{PAYLOAD_VERSION}:"
        blob += json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def creator_names(self) -> list[str]:
        return [c.name for c in self.creators if c.name]


class Fact(BaseModel):
    """One typed catalogue fact of a record: a creator with its role, or a catalogue field.

    ``kind`` says what it is whatever words the museum uses (rag/data/profiles/*.json): maker,
    depicted, source_maker, date, material, place, dimensions, credit, type, ...; ``label`` is the
    museum's own word ("Sitter", "Medium"); ``start``/``end`` are the offsets of the fact's sentence in
    the record's tombstone text, so that a fact is quoted and cited like any sentence.
    """

    kind: str
    label: str
    value: str
    field: str  # the record field it comes from ("creators", "date", "technique", ...)
    detail: str | None = None  # a creator's life dates
    start: int = 0
    end: int = 0


class Chunk(BaseModel):
    """A span of one record's text, with everything a citation needs."""

    record_id: str
    chunk_index: int
    chunk_count: int
    field: str  # "tombstone" or one of TEXT_FIELDS
    start: int  # character offsets into the field's text (the tombstone's own text for tombstones)
    end: int
    text: str
    title: str
    museum: str | None = None
    url: str | None = None
    image_url: str | None = None
    license: str | None = None
    rights: RecordRights | None = None
    thumbnail_url: str | None = None
    language: str | None = None
    credit_line: str | None = None
    type: str | None = None
    creators: list[str] = Field(default_factory=list)
    creator_roles: list[str] = Field(default_factory=list)
    creator_tokens: list[str] = Field(
        default_factory=list, description="The creators' names as folded word tokens (rag.names), for the creator filter."
    )
    date: str | None = None
    date_begin: int | None = None
    date_end: int | None = None
    source: str = "default"
    content_hash: str = ""
    facts: list[Fact] = Field(default_factory=list, description="The record's typed catalogue facts.")
    sentences: list[tuple[int, int]] = Field(
        default_factory=list, description="The chunk's sentences as (start, end) offsets into the field's text."
    )
    sentence_vectors: str | None = Field(
        None, description="The sentences' embeddings, computed at ingest (rag.sentence_vectors encoding)."
    )

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class SearchHit(BaseModel):
    """One retrieved chunk with its fused score."""

    point_id: str
    score: float
    chunk: Chunk


class ObjectHit(BaseModel):
    """Retrieved chunks grouped by object, best object first."""

    record_id: str
    title: str
    score: float
    chunks: list[SearchHit]


class Citation(BaseModel):
    n: int = Field(description="The [n] marker used in the answer text.")
    record_id: str
    title: str
    museum: str | None = None
    url: str | None = None
    image_url: str | None = None
    thumbnail_url: str | None = Field(None, description="A small image (a IIIF image service at a requested size).")
    credit_line: str | None = None
    rights: RecordRights | None = Field(None, description="Rights of the record's metadata, text and image.")
    creators: list[str] = Field(default_factory=list, description='"Role: Name" of the record\'s creators.')
    date: str | None = None
    type: str | None = None
    lang: str | None = Field(None, description="Language of the quoted text (ISO 639-1), when known.")
    image_display: bool = Field(
        False, description="Whether the image's rights allow showing it (else link to it): rag.rights.may_display."
    )
    field: str
    quote: str = Field(description="The quoted span of the record text.")
    start: int
    end: int
    score: float


class SentenceSupport(BaseModel):
    text: str
    citation_ids: list[int] = Field(default_factory=list, description="The [n] markers of this sentence.")
    support: float = Field(ge=0.0, le=1.0)
    claim: str | None = Field(
        None, description="What the sentence asserts, without its frame: the text the verifier checked (None: the text)."
    )


AnswerStatus = Literal["answered", "abstained", "corrected"]


class Answer(BaseModel):
    question: str
    text: str
    status: AnswerStatus
    citations: list[Citation] = Field(default_factory=list)
    sentences: list[SentenceSupport] = Field(default_factory=list)
    suggestions: list[Citation] = Field(
        default_factory=list, description="When abstaining: the objects that came closest."
    )
    retrieved_ids: list[str] = Field(default_factory=list, description="Record ids retrieved, best first.")
    mode: Literal["extractive", "llm"] = "extractive"
    lang: str = Field("en", description="The language the answer's own sentences are written in (ISO 639-1).")
    visitor_info_url: str | None = Field(
        None,
        description="Set on a practical question (opening hours, tickets, access...) the records cannot answer: "
        "the museum's visitor-information page, which the (abstained) answer text points to.",
    )
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")


class SearchFilters(BaseModel):
    """Filters accepted by search and ask (all optional, combined with AND)."""

    museum: str | None = None
    type: str | None = None
    creator: str | None = Field(
        None, description="Any part of a creator's name, accents and case aside (every word must match), or the exact name."
    )
    record_id: str | None = None
    source: str | None = None
    date_from: int | None = None
    date_to: int | None = None
    chunk_index: int | None = Field(None, ge=0, description="Only chunks with this index; 0 selects one point per record.")

    def is_empty(self) -> bool:
        return not any(v is not None for v in self.model_dump().values())

    @classmethod
    def from_pairs(cls, pairs: list[str]) -> "SearchFilters":
        """Parse ``field=value`` strings as given on the command line."""
        values: dict[str, Any] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not value.strip():
                raise ValueError(f"filter {pair!r} must look like field=value")
            if key not in cls.model_fields:
                raise ValueError(f"unknown filter field {key!r}; use one of {', '.join(cls.model_fields)}")
            values[key] = value.strip()
        return cls.model_validate(values)
