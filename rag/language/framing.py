"""An answer in the visitor's language: the product's own sentences from the visitor's catalogue, quotes as written.

The records are quoted exactly, in the language they are written in; everything the product
writes itself (the frame that introduces the quotes, corrections, abstentions, the suggestions
line) comes from the message catalogue of the visitor's language (:mod:`rag.messages`). Every
citation says which language its quote is in (``Citation.lang``: the record's language when
the record states it, else identified from the quote).

Records may carry the same text in several languages (``description_translations``): those
texts are stored as extra chunks whose field is ``"<field>@<lang>"`` (``"description@fr"``).
:func:`prefer_language` keeps, of each text, the version in the visitor's language when there
is one, and the original otherwise.

Example::

    messages = Messages.for_language("fr")
    frame(messages, ["en"])     # "Voici ce que disent les fiches du musée (en anglais) :"
"""

from __future__ import annotations

from typing import Iterable, Sequence

from rag.language.detect import DEFAULT_LANGUAGE, MIN_CONFIDENCE, default_detector, normalize_language
from rag.language.fields import split_field
from rag.messages import Messages
from rag.models import Chunk, Citation

def prefer_language(chunks: Sequence[Chunk], lang: str) -> list[Chunk]:
    """Of each text field, the chunks of its version in ``lang`` when the record has one, else the original's.

    Title translations (``"title@<lang>"``) help find a record; they are not evidence and are left out.
    """
    translated = {split_field(c.field)[0] for c in chunks if split_field(c.field)[1] == lang}
    kept = []
    for chunk in chunks:
        base, version = split_field(chunk.field)
        if base == "title" and version is not None:
            continue
        if version is None and base not in translated:
            kept.append(chunk)
        elif version == lang:
            kept.append(chunk)
    return kept or list(chunks)


def text_language(stated: str | None, text: str) -> str:
    """The language of a record's text: the record's own statement when it has one, else identified from the text."""
    lang = normalize_language(stated)
    if lang:
        return lang
    return identified_language(text) or DEFAULT_LANGUAGE


def identified_language(text: str) -> str | None:
    """The language of ``text`` when the identifier is sure of it (confidence at least ``MIN_CONFIDENCE``), else None."""
    detection = default_detector().detect(text)
    return detection.lang if detection.confidence >= MIN_CONFIDENCE else None


def written_language(text: str, stated: str | None = None) -> str:
    """The language one sentence is written in: identified from the sentence when the identifier is sure (a record
    that states its language can still hold a paragraph in another, as a bilingual label does), else the record's
    stated language, else the default."""
    return identified_language(text) or normalize_language(stated) or DEFAULT_LANGUAGE


def quote_language(citation: Citation) -> str:
    """The language of a citation's quote (see :func:`text_language`)."""
    return text_language(citation.lang, citation.quote)


def mark_languages(citations: Iterable[Citation]) -> None:
    """Fill ``Citation.lang`` where the record did not state its language."""
    for citation in citations:
        citation.lang = quote_language(citation)


def frame(messages: Messages, quote_languages: Iterable[str]) -> str:
    """The sentence that introduces quotes in other languages than the visitor's, or "" when none is needed."""
    others = [lang for lang in dict.fromkeys(quote_languages) if lang != messages.lang]
    if not others:
        return ""
    names = ", ".join(messages.text(f"language_{lang}") if messages.has(f"language_{lang}") else lang for lang in others)
    return messages.text("answer_frame", languages=names)

