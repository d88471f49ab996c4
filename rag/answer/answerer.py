"""Question in, :class:`~rag.models.Answer` out: retrieve, pick evidence, then correct, abstain or answer.

The steps, each in its own module:

1. retrieve the objects (``HybridSearcher.search``) and read the whole record of the best few;
2. score every sentence of them against the question (:mod:`rag.answer.evidence`);
3. if the question asserts something the best record contradicts, correct it (:mod:`rag.answer.premise`);
4. else, if the evidence does not answer the question, abstain and suggest the closest objects
   (:mod:`rag.answer.abstain`);
5. else answer: quote the best evidence (:mod:`rag.answer.extractive`), or, with an LLM configured,
   let it write from numbered sources and keep only what checks out (:mod:`rag.answer.llm`);
6. verify every sentence against the sources it cites.

Every citation goes through a :class:`~rag.answer.citations.CitationBook` that only knows the
records retrieved for this question. Stage timings (seconds) land in ``Answer.timings``.

Example::

    answerer = Answerer(settings, searcher, store, embedder)
    answer = answerer.ask("Who nominated Thurgood Marshall to the Supreme Court?")
    print(answer.status, answer.text)
    for c in answer.citations:
        print(c.n, c.title, c.quote)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Sequence

from rag.answer.abstain import AbstainDecision, AbstentionPolicy
from rag.answer.citations import CitationBook, Quote, markers
from rag.answer.evidence import Candidate, EvidencePool, EvidenceScorer
from rag.answer.extractive import ComposedSentence, ExtractiveComposer
from rag.answer.llm import ChatModel, LLMWriter, build_sources, load_llm
from rag.answer.premise import Correction, PremiseChecker
from rag.answer.question import QuestionInfo, analyze_question
from rag.answer.support import answer_verifier
from rag.config import Settings
from rag.embedding import Embedder
from rag.messages import Messages
from rag.models import Answer, Chunk, ObjectHit, SearchFilters, SentenceSupport
from rag.retrieval import HybridSearcher
from rag.store import VectorStore
from rag.verify import Verifier

log = logging.getLogger(__name__)

_ENGLISH = Messages.for_language("en")
ABSTAIN_MESSAGE = _ENGLISH.text("abstain")
ABSTAIN_UNKNOWN_MESSAGE = _ENGLISH.text("abstain_unknown")
NO_RESULTS_MESSAGE = _ENGLISH.text("no_results")


@dataclass
class Analysis:
    """How a question was decided, before any answer text is written."""

    question: str
    info: QuestionInfo
    hits: list[ObjectHit]
    pool: EvidencePool
    ranked: list[Candidate]
    correction: Correction | None
    decision: AbstainDecision | None
    retrieve_seconds: float = 0.0
    analyze_seconds: float = 0.0

    @property
    def retrieved_ids(self) -> list[str]:
        return [h.record_id for h in self.hits]

    @property
    def status(self) -> str:
        if self.correction is not None:
            return "corrected"
        if not self.hits or self.decision is None or self.decision.abstain:
            return "abstained"
        return "answered"


@dataclass
class _Composed:
    sentences: list[ComposedSentence]
    mode: str = "extractive"
    supports: dict[int, float] = field(default_factory=dict)  # sentence index -> support, already verified


class Answerer:
    """Answers questions from the museum's records only (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        searcher: HybridSearcher,
        store: VectorStore,
        embedder: Embedder,
        verifier: Verifier | None = None,
        chat_model: ChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.searcher = searcher
        self.store = store
        self.embedder = embedder
        self.scorer = EvidenceScorer(embedder, dense_candidates=settings.answer_dense_candidates)
        self.policy = AbstentionPolicy(settings.abstain_threshold)
        self.premise = PremiseChecker(settings.premise_min_alignment)
        self.composer = ExtractiveComposer(max_sentences=settings.max_answer_sentences)
        self.verifier = verifier or answer_verifier(settings, embedder)
        if chat_model is None and settings.llm_base_url:
            chat_model = load_llm(settings)
        self.writer = LLMWriter(chat_model, self.verifier, settings) if chat_model is not None else None

    # --- the public calls -----------------------------------------------------------------
    def ask(self, question: str, filters: SearchFilters | None = None) -> Answer:
        """Answer ``question`` from the retrieved records (raises ValueError on an empty or too long question)."""
        return self.ask_with_analysis(question, filters)[0]

    def ask_with_analysis(self, question: str, filters: SearchFilters | None = None) -> tuple[Answer, "Analysis"]:
        """The answer and how it was decided (evidence ranking, correction, answerability): for evaluation."""
        start = time.perf_counter()
        analysis = self.analyze(question, filters)
        timings = {"retrieve": analysis.retrieve_seconds}
        t = time.perf_counter()
        composed: _Composed | None = None
        draft_check = 0.0
        if analysis.status == "answered":
            composed, draft_check = self._compose(analysis.question, analysis.info, analysis.ranked, analysis.pool)
        timings["answer"] = analysis.analyze_seconds + time.perf_counter() - t - draft_check

        t = time.perf_counter()
        book = CitationBook(analysis.retrieved_ids)
        if not analysis.hits:
            answer = Answer(question=analysis.question, text=NO_RESULTS_MESSAGE, status="abstained")
        elif analysis.correction is not None:
            answer = self._corrected(analysis.question, analysis.correction, book, analysis.retrieved_ids)
        elif composed is None:
            answer = self._abstained(
                analysis.question, analysis.decision, analysis.ranked, analysis.hits, analysis.retrieved_ids
            )
        else:
            answer = self._answered(analysis.question, composed, book, analysis.retrieved_ids)
        timings["verify"] = time.perf_counter() - t + draft_check
        timings["total"] = time.perf_counter() - start
        answer.timings = _round(timings)
        return answer, analysis

    def analyze(self, question: str, filters: SearchFilters | None = None) -> "Analysis":
        """Retrieve, rank the evidence and decide: corrected, abstained or answered (nothing composed yet)."""
        question = " ".join((question or "").split())
        if not question:
            raise ValueError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise ValueError(f"the question is longer than {self.settings.max_question_chars} characters")
        start = time.perf_counter()
        hits = self.searcher.search(question, limit=self.settings.retrieve_limit, filters=filters)
        retrieve_seconds = time.perf_counter() - start
        t = time.perf_counter()
        info = analyze_question(question)
        pool = EvidencePool.from_hits(hits, self._whole_records(hits))
        ranked = self.scorer.rank(info, pool) if hits else []
        correction = self.premise.check(info, ranked, pool) if ranked else None
        decision = self.policy.decide(info, ranked, pool) if correction is None else None
        return Analysis(
            question=question,
            info=info,
            hits=list(hits),
            pool=pool,
            ranked=ranked,
            correction=correction,
            decision=decision,
            retrieve_seconds=retrieve_seconds,
            analyze_seconds=time.perf_counter() - t,
        )

    # --- evidence -------------------------------------------------------------------------
    def _whole_records(self, hits: Sequence[ObjectHit]) -> dict[str, list[Chunk]]:
        """All chunks of the best few retrieved objects (only ever of retrieved objects)."""
        full: dict[str, list[Chunk]] = {}
        for hit in hits[: self.settings.answer_expand_objects]:
            payloads = self.store.record_chunks(hit.record_id)
            chunks = [Chunk.model_validate(p) for p in payloads if p.get("record_id") == hit.record_id]
            if chunks:
                full[hit.record_id] = chunks
        return full

    # --- answered -------------------------------------------------------------------------
    def _compose(self, question: str, info, ranked: list[Candidate], pool: EvidencePool) -> tuple[_Composed, float]:
        """The LLM's checked answer when one is configured and enough of it survives, else the extractive one.

        Returns the composition and the seconds spent verifying the LLM's sentences.
        """
        if self.writer is not None:
            sources = build_sources(
                ranked, pool.candidates, self.settings.llm_max_sources, self.settings.llm_source_chars
            )
            raw_start = time.perf_counter()
            raw = self.writer.generate(question, sources)
            check_start = time.perf_counter()
            draft = self.writer.check(question, raw, sources) if raw is not None else None
            check_seconds = time.perf_counter() - check_start
            log.debug("LLM reply in %.2fs: %r", check_start - raw_start, raw)
            if draft is not None and draft.usable:
                by_n = {s.n: s for s in sources}
                sentences = [ComposedSentence(s.text, [by_n[n].quote for n in s.sources]) for s in draft.sentences]
                supports = {i: s.support for i, s in enumerate(draft.sentences)}
                return _Composed(sentences, mode="llm", supports=supports), check_seconds
            if draft is not None:
                log.info("LLM answer unusable (%d kept, dropped: %s); extractive fallback", len(draft.sentences), draft.dropped)
            return _Composed(self.composer.compose(info, ranked)), check_seconds
        return _Composed(self.composer.compose(info, ranked)), 0.0

    def _answered(self, question: str, composed: _Composed, book: CitationBook, retrieved_ids: list[str]) -> Answer:
        supports = dict(composed.supports)
        to_verify = [i for i in range(len(composed.sentences)) if i not in supports]
        verdicts = self.verifier.score_many(
            [(composed.sentences[i].claim, [_source_text(q) for q in composed.sentences[i].quotes]) for i in to_verify],
            [question] * len(to_verify),
        )
        supports.update({i: v.score for i, v in zip(to_verify, verdicts)})
        sentences: list[SentenceSupport] = []
        parts: list[str] = []
        for i, s in enumerate(composed.sentences):
            ns = [book.cite(q) for q in s.quotes]
            support = supports[i]
            sentences.append(
                SentenceSupport(text=s.text, citation_ids=list(dict.fromkeys(ns)), support=_unit(support), claim=s.claim)
            )
            parts.append(f"{s.text} {markers(ns)}")
        return Answer(
            question=question,
            text=" ".join(parts),
            status="answered",
            citations=book.citations,
            sentences=sentences,
            retrieved_ids=retrieved_ids,
            mode=composed.mode,  # type: ignore[arg-type]
        )

    # --- corrected ------------------------------------------------------------------------
    def _corrected(self, question: str, correction: Correction, book: CitationBook, retrieved_ids: list[str]) -> Answer:
        quote = correction.evidence.quote
        n = book.cite(quote)
        # The verifier checks what the record states; the rejected value is the question's, not a claim.
        verdict = self.verifier.score(correction.claim, [_source_text(quote)], question)
        sentence = SentenceSupport(text=correction.text, citation_ids=[n], support=_unit(verdict.score), claim=correction.claim)
        return Answer(
            question=question,
            text=f"{correction.text} {markers([n])}",
            status="corrected",
            citations=book.citations,
            sentences=[sentence],
            retrieved_ids=retrieved_ids,
        )

    # --- abstained ------------------------------------------------------------------------
    def _abstained(
        self,
        question: str,
        decision: AbstainDecision | None,
        ranked: list[Candidate],
        hits: Sequence[ObjectHit],
        retrieved_ids: list[str],
    ) -> Answer:
        suggestion_book = CitationBook(retrieved_ids)
        seen: list[str] = []
        for c in ranked:
            if len(seen) >= 3:
                break
            if c.record_id in seen:
                continue
            seen.append(c.record_id)
            suggestion_book.cite(c.quote)
        unknown = decision is not None and decision.features is not None and decision.features.unknown > 0
        text = ABSTAIN_UNKNOWN_MESSAGE if unknown else ABSTAIN_MESSAGE
        titles = [s.title for s in suggestion_book.citations]
        if titles:
            text += _ENGLISH.text("suggestions", titles=", ".join(f"“{t}”" for t in titles))
        return Answer(
            question=question,
            text=text,
            status="abstained",
            suggestions=suggestion_book.citations,
            retrieved_ids=retrieved_ids,
        )


def _source_text(quote: Quote) -> str:
    """What a sentence is verified against: the quote, with its object's title (a tombstone fact needs it)."""
    if quote.chunk.field == "tombstone":
        return quote.chunk.text
    return f"{quote.chunk.title}: {quote.text}"


def _unit(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def _round(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in timings.items()}
