"""Typed rows of an evaluation run: one :class:`ResultRow` per question (a line of results.jsonl).

The runner builds them, the metrics read them, the reports and run comparison show them;
results.jsonl is their JSON. A run written by an older release still loads: fields it lacks
take their defaults.

Example::

    row = ResultRow(id="q1", kind="factual", question="Who made it?", reference="A maker.",
                    gold_ids=["m:1"], expected_status="answered", status="answered")
    row.metrics["hit_at_5"]
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CitationRow(BaseModel):
    """A citation of the answer, as served, plus whether its quote is the record's text at its offsets."""

    model_config = ConfigDict(extra="allow")

    n: int
    record_id: str
    title: str = ""
    url: str | None = None
    field: str = ""
    quote: str = ""
    start: int = 0
    end: int = 0
    quote_exact: bool | None = None


class SentenceRow(BaseModel):
    """An answer sentence with the support the pipeline reported and the evaluation's own verdict."""

    text: str
    citation_ids: list[int] = Field(default_factory=list)
    support: float | None = None
    verified_support: float | None = None
    supported: bool = False
    reported_supported: bool | None = None


class ResultRow(BaseModel):
    """One evaluated question: what was asked, what came back, and its metrics."""

    model_config = ConfigDict(extra="allow")

    id: str
    line: int | None = None
    kind: str
    lang: str = "en"
    question: str
    reference: str = ""
    gold_ids: list[str] = Field(default_factory=list)
    expected_status: str | None = None
    status: str
    answer: str = ""
    answer_lang: str | None = None
    mode: str | None = None
    citations: list[CitationRow] = Field(default_factory=list)
    sentences: list[SentenceRow] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    retrieved_ids: list[str] = Field(default_factory=list)
    latency: float | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    error: str | None = None
    embedding_similarity: float | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)
    outcome: str = "ok"

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def as_row(row: ResultRow | dict[str, Any]) -> ResultRow:
    """A :class:`ResultRow` from a row or its JSON."""
    return row if isinstance(row, ResultRow) else ResultRow.model_validate(row)
