"""The LLM path: an OpenAI-compatible model writes from numbered sources; the answerer keeps only what checks out.

* The sources are the best evidence sentences (each with its neighbour for context), numbered
  [1]..[k] and given to the model as delimited data (:mod:`rag.answer.prompts`).
* Each sentence of the reply keeps only the citations of sources that were given; a sentence
  left without one is dropped.
* Each remaining sentence is verified against the sources it cites; an unsupported one is dropped.
* If too little survives (nothing, or less than ``settings.llm_min_kept_fraction`` of the
  sentences), the caller falls back to the extractive answer.

Any server that speaks the OpenAI API works (vLLM, Ollama, llama.cpp's server, a hosted API),
through llama-index's ``OpenAILike``.

Example::

    writer = LLMWriter(load_llm(settings), verifier, settings)
    draft = writer.write(question, sources)
    if draft.usable:
        for sentence in draft.sentences:
            print(sentence.text, sentence.sources, sentence.support)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from rag.answer.citations import Quote
from rag.answer.candidates import Candidate
from rag.answer.prompts import NOT_IN_SOURCES, PromptSource, build_messages
from rag.config import Settings
from rag.text import split_sentences
from rag.verify import Verifier

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\[(\s*\d+(?:\s*[,;]\s*\d+)*\s*)\]")
#: Markers written after a sentence's end ("... in 1828. [1]"), a common style: moved before the stop.
_TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")


def markers_before_stops(text: str) -> str:
    """``"It opened in 1828. [1] It closed. [2]"`` -> ``"It opened in 1828 [1]. It closed [2]."``.

    Sentences are split at their stops, so a citation written after the stop would otherwise
    land on the next sentence (or on nothing).
    """
    return _TRAILING_MARKERS.sub(lambda m: f"{m.group(2)}{m.group(1)}", text)


class ChatModel(Protocol):
    """The one call the answerer needs: messages in, the reply's text out."""

    def reply(self, messages: list[tuple[str, str]]) -> str: ...


class LlamaIndexChat:
    """Any llama-index LLM (``OpenAILike`` by default) as a :class:`ChatModel`."""

    def __init__(self, llm) -> None:
        self.llm = llm

    def reply(self, messages: list[tuple[str, str]]) -> str:
        from llama_index.core.llms import ChatMessage

        response = self.llm.chat([ChatMessage(role=role, content=content) for role, content in messages])
        return response.message.content or ""


def load_llm(settings: Settings) -> ChatModel:
    """The OpenAI-compatible server at ``settings.llm_base_url``, through llama-index's ``OpenAILike``."""
    if not settings.llm_base_url:
        raise ValueError("no LLM configured: set MUSEUM_RAG_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1")
    from llama_index.llms.openai_like import OpenAILike

    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    llm = OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        api_key=api_key,
        timeout=settings.llm_timeout,
        max_tokens=settings.llm_max_tokens,
        temperature=0.0,
        max_retries=1,
        is_chat_model=True,
        context_window=settings.llm_context_window,
    )
    return LlamaIndexChat(llm)


@dataclass(frozen=True)
class Source:
    """One numbered source of the prompt: a quotable span of a retrieved record."""

    n: int
    quote: Quote

    @property
    def prompt(self) -> PromptSource:
        return PromptSource(self.n, self.quote.chunk.title, self.quote.text)

    @property
    def evidence(self) -> str:
        """What a sentence citing this source is verified against: what the model saw, title included.

        (A description sentence says "he"; the model names the sitter from the title.)
        """
        if self.quote.chunk.field == "tombstone":
            return self.quote.text
        return f"{self.quote.chunk.title}: {self.quote.text}"


@dataclass
class DraftSentence:
    text: str  # without markers
    sources: list[int]  # the [n] of the prompt's sources it cites (valid ones only)
    support: float


@dataclass
class Draft:
    """The checked reply of the model."""

    raw: str
    sentences: list[DraftSentence] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why)
    usable: bool = False


def build_sources(ranked: Sequence[Candidate], pool_candidates: Sequence[Candidate], limit: int, max_chars: int) -> list[Source]:
    """The best distinct candidates as sources, each extended by the next sentence of its chunk for context."""
    sources: list[Source] = []
    used: set[tuple[str, str, int]] = set()
    for c in ranked:
        if len(sources) >= limit:
            break
        if c.key in used or (c.is_tombstone and not c.label_cue and sources):
            continue
        quote = c.quote
        if c.is_tombstone:
            quote = _whole_tombstone(c)
        else:
            nxt = _next_sentence(c, pool_candidates)
            if nxt is not None and len(c.text) + len(nxt.text) <= max_chars:
                quote = _span(c, nxt)
                used.add(nxt.key)
        used.add(c.key)
        if len(quote.text) > max_chars:
            quote = c.quote
        sources.append(Source(len(sources) + 1, quote))
    return sources


def _next_sentence(c: Candidate, pool: Sequence[Candidate]) -> Candidate | None:
    for other in pool:
        if other.record_id == c.record_id and other.chunk.field == c.chunk.field and 0 <= other.start - c.end <= 3:
            if other.chunk.chunk_index == c.chunk.chunk_index:
                return other
    return None


def _span(a: Candidate, b: Candidate) -> Quote:
    chunk = a.chunk
    text = chunk.text[a.start - chunk.start : b.end - chunk.start]
    return Quote(a.record_id, chunk, a.start, b.end, text, a.score)


def _whole_tombstone(c: Candidate) -> Quote:
    chunk = c.chunk
    return Quote(c.record_id, chunk, chunk.start, chunk.end, chunk.text, c.score)


class LLMWriter:
    """Asks the model for an answer from numbered sources and keeps the sentences that check out."""

    def __init__(self, model: ChatModel, verifier: Verifier, settings: Settings) -> None:
        self.model = model
        self.verifier = verifier
        self.settings = settings

    def write(self, question: str, sources: Sequence[Source]) -> Draft:
        """Ask the model, then check its reply (an empty, unusable draft when the call fails)."""
        raw = self.generate(question, sources)
        if raw is None:
            return Draft(raw="", dropped=[("", "the LLM call failed")])
        return self.check(question, raw, sources)

    def generate(self, question: str, sources: Sequence[Source]) -> str | None:
        """The model's raw reply, or None when there are no sources or the call fails."""
        if not sources:
            return None
        messages = build_messages(question, [s.prompt for s in sources])
        try:
            return self.model.reply(messages)
        except Exception as exc:  # the server is down, times out, or answers garbage: extractive it is
            log.warning("LLM call failed (%s); using the extractive answer", exc)
            return None

    def check(self, question: str, raw: str, sources: Sequence[Source]) -> Draft:
        """Keep the sentences of ``raw`` whose citations are valid and whose claims their sources support."""
        draft = Draft(raw=raw)
        if not raw.strip() or NOT_IN_SOURCES in raw.upper():
            draft.dropped.append((raw.strip(), "the model found no answer in the sources"))
            return draft
        by_n = {s.n: s for s in sources}
        pending: list[tuple[str, list[int]]] = []
        for span in split_sentences(markers_before_stops(raw.strip())):
            cited = [int(n) for group in _MARKER.findall(span.text) for n in re.split(r"[,;]", group) if n.strip()]
            valid = list(dict.fromkeys(n for n in cited if n in by_n))
            text = " ".join(_MARKER.sub("", span.text).split())
            text = re.sub(r"\s+([.,;:!?])", r"\1", text).strip()
            if len(text.split()) < 3:
                continue  # a stray marker or fragment
            if not valid:
                why = "cites no source that was given" if cited else "cites no source"
                draft.dropped.append((text, why))
                continue
            pending.append((text, valid))
        verdicts = self.verifier.score_many(
            [(text, [by_n[n].evidence for n in valid]) for text, valid in pending], [question] * len(pending)
        )
        for (text, valid), verdict in zip(pending, verdicts):
            if verdict.label == "supported":
                draft.sentences.append(DraftSentence(text, valid, verdict.score))
            else:
                draft.dropped.append((text, f"not supported by its sources (support {verdict.score:.2f})"))
        total = len(draft.sentences) + len(draft.dropped)
        kept = len(draft.sentences)
        draft.usable = kept > 0 and kept / max(total, 1) >= self.settings.llm_min_kept_fraction
        return draft
