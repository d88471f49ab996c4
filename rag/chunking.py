"""Records into chunks: one tombstone chunk of structured facts, then sentence-aware chunks of each text field.

Every chunk fits the embedding model's maximum sequence length (text past it would silently
never be embedded), keeps character offsets into its field, and carries the citation payload.

Example::

    chunker = Chunker(embedder.count_tokens, max_tokens=200)
    chunks = chunker.chunk(record, source="npg")
"""

from __future__ import annotations

from typing import Callable

from rag import rights as rights_vocab
from rag.catalogue import CatalogueProfile
from rag.language.fields import split_field, translated_field
from rag.models import TEXT_FIELDS, Chunk, CollectionRecord
from rag.names import name_tokens
from rag.sentence_vectors import sentence_spans
from rag.text import Span, split_long, split_sentences

TokenCounter = Callable[[str], int]
_SPECIAL = 2  # [CLS] and [SEP], counted by count_tokens


def _as_text(value: str | list[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    return str(value).strip() or None


def tombstone_text(record: CollectionRecord, profile: CatalogueProfile | None = None) -> str:
    """The label's structured facts as sentences: "Title. Artist: Name (dates). Date: 1974. ..."."""
    return (profile or CatalogueProfile.load()).tombstone(record)[0]


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: the text chunks carry their object's title for context."""
    if chunk.field == "tombstone":
        return chunk.text
    return f"{chunk.title}: {chunk.text}"


class Chunker:
    """Splits records into chunks that fit ``max_tokens`` of the embedding model."""

    def __init__(
        self,
        count_tokens: TokenCounter,
        max_tokens: int = 200,
        overlap_tokens: int = 32,
        thumbnail_size: int = 200,
        profile: CatalogueProfile | None = None,
    ) -> None:
        if max_tokens < 32:
            raise ValueError(f"max_tokens must be at least 32, got {max_tokens}")
        if not 0 <= overlap_tokens < max_tokens // 2:
            raise ValueError(f"overlap_tokens must be in [0, {max_tokens // 2}), got {overlap_tokens}")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self.thumbnail_size = thumbnail_size
        self.profile = profile or CatalogueProfile.load()

    def content_hash(self, record: CollectionRecord) -> str:
        """The record's hash as stored with its chunks: its content, the payload layout and the catalogue profile."""
        return record.content_hash(self.profile.fingerprint)

    def chunk(self, record: CollectionRecord, source: str = "default") -> list[Chunk]:
        spans: list[tuple[str, Span]] = []
        tomb, facts = self.profile.tombstone(record)
        for piece in self._pack(tomb, budget=self.max_tokens):
            spans.append(("tombstone", piece))
        title_cost = self.count_tokens(record.title + ": ") - 2  # less the special tokens counted twice
        for field in TEXT_FIELDS:
            text = getattr(record, field, None)
            if text and text.strip():
                for piece in self._pack(text, budget=self.max_tokens - max(title_cost, 0)):
                    spans.append((field, piece))
        # Texts the record holds in other languages: extra chunks, so a question in that language finds them.
        for lang, title in sorted(record.title_translations.items()):
            if title and title.strip():
                for piece in self._pack(title, budget=self.max_tokens):
                    spans.append((translated_field("title", lang), piece))
        for lang, text in sorted(record.description_translations.items()):
            if text and text.strip():
                for piece in self._pack(text, budget=self.max_tokens - max(title_cost, 0)):
                    spans.append((translated_field("description", lang), piece))
        content_hash = self.content_hash(record)
        common = _citation_payload(record, source, content_hash, self.thumbnail_size)
        common["facts"] = facts
        chunks = []
        for i, (field, span) in enumerate(spans):
            values = dict(common)
            translation_lang = split_field(field)[1]
            if translation_lang:
                values["language"] = translation_lang
            chunks.append(
                Chunk(
                    record_id=record.id,
                    chunk_index=i,
                    chunk_count=len(spans),
                    field=field,
                    start=span.start,
                    end=span.end,
                    text=span.text,
                    **values,
                )
            )
        for chunk in chunks:
            if chunk.field == "tombstone":  # a tombstone's sentences are its facts
                chunk.sentences = [(f.start, f.end) for f in facts if chunk.start <= f.start and f.end <= chunk.end]
            else:
                chunk.sentences = sentence_spans(chunk)
        return chunks

    def _pack(self, text: str, budget: int) -> list[Span]:
        """Greedy packing of whole sentences into spans of at most ``budget`` tokens, with overlap.

        WordPiece-style tokenizers split on white space first, so the tokens of joined sentences are
        the sum of each sentence's tokens (less the special tokens counted for each): every sentence
        is counted once.
        """
        sentences: list[tuple[Span, int]] = []
        for sentence in split_sentences(text):
            cost = self.count_tokens(sentence.text)
            if cost <= budget:
                sentences.append((sentence, cost - _SPECIAL))
            else:  # a sentence longer than the budget: cut it at word boundaries
                sentences.extend((p, self.count_tokens(p.text) - _SPECIAL) for p in self._cut(text, sentence, budget))
        chunks: list[Span] = []
        current: list[tuple[Span, int]] = []
        for sentence in sentences:
            if current and _SPECIAL + sum(c for _, c in current) + sentence[1] > budget:
                chunks.append(_join(text, [s for s, _ in current]))
                tail = current[-1]
                keep = self.overlap_tokens and tail[1] <= self.overlap_tokens and _SPECIAL + tail[1] + sentence[1] <= budget
                current = [tail] if keep else []
            current.append(sentence)
        if current:
            chunks.append(_join(text, [s for s, _ in current]))
        return chunks

    def _cut(self, text: str, sentence: Span, budget: int) -> list[Span]:
        max_chars = max(40, len(sentence.text) * budget // max(self.count_tokens(sentence.text), 1))
        while True:
            pieces = split_long(text, sentence.start, sentence.end, max_chars)
            if all(self.count_tokens(p.text) <= budget for p in pieces) or max_chars <= 40:
                return pieces
            max_chars = int(max_chars * 0.8)


def _join(text: str, spans: list[Span]) -> Span:
    return Span(spans[0].start, spans[-1].end, text[spans[0].start : spans[-1].end])


def iiif_thumbnail(service: str | None, size: int) -> str | None:
    """An image of at most ``size`` pixels a side from a IIIF Image API service (the syntax of v2 and v3)."""
    if not service or not service.lower().startswith(("http://", "https://")):
        return None
    base = service.strip().removesuffix("/info.json").rstrip("/")
    return f"{base}/full/!{size},{size}/0/default.jpg"


def _citation_payload(record: CollectionRecord, source: str, content_hash: str, thumbnail_size: int = 200) -> dict:
    license_text = None
    if record.license is not None:
        license_text = record.license.text or record.license.metadata
    return {
        "title": record.title,
        "museum": record.museum,
        "url": record.url,
        "image_url": record.image_url,
        "license": license_text,
        "rights": rights_vocab.complete(record.rights or rights_vocab.from_license(record.license)).model_dump(mode="json"),
        "thumbnail_url": iiif_thumbnail(record.image_service, thumbnail_size),
        "language": record.language,
        "credit_line": record.credit_line,
        "type": record.type,
        "creators": record.creator_names(),
        "creator_roles": [f"{c.role or 'Creator'}: {c.name}" for c in record.creators if c.name],
        "creator_tokens": name_tokens(*record.creator_names()),
        "date": record.date,
        "date_begin": record.date_begin,
        "date_end": record.date_end,
        "source": source,
        "content_hash": content_hash,
    }
