"""Question in, :class:`~rag.models.Answer` out: retrieve, pick evidence, then correct, abstain or answer.

The steps, each in its own module:

1. embed the question once and retrieve the objects (``HybridSearcher.search`` with that vector);
   read the whole record of the best few; analyse the question once (:mod:`rag.answer.question`);
2. score every sentence and typed catalogue fact of them with the learned ranker, in one batch
   (:mod:`rag.answer.evidence`; sentence vectors come from ingest);
3. decide answerability with the calibrated abstention model (:mod:`rag.answer.abstain`);
4. if the record positively contradicts what the question asserts (a candidate from
   :mod:`rag.answer.premise` that the learned gate accepts), correct it;
5. else, if the evidence does not answer the question, abstain and suggest the objects the
   question is about;
6. else answer: the evidence that answers first (:mod:`rag.answer.extractive`), or, with an LLM
   configured, let it write from numbered sources and keep only what checks out (:mod:`rag.answer.llm`);
7. verify every sentence against the sources it cites.

Every citation goes through a :class:`~rag.answer.citations.CitationBook` that only knows the
records retrieved for this question. Stage timings (seconds) land in ``Answer.timings``.

Example::

    answerer = Answerer(settings, searcher, store, embedder)
    answer = answerer.ask("Who painted the harbour view with the red sails?")
    print(answer.status, answer.text)
    for c in answer.citations:
        print(c.n, c.title, c.quote)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from rag.answer.abstain import AbstainDecision, AbstentionPolicy
from rag.answer.candidates import Candidate, EvidencePool
from rag.answer.citations import CitationBook, Quote, markers
from rag.answer.evidence import EvidenceScorer, Ranking
from rag.answer.extractive import ComposedSentence, ExtractiveComposer
from rag.answer.features import PERSON_FACTS, anchor
from rag.answer.llm import ChatModel, LLMWriter, build_sources, load_llm
from rag.answer.model import AnsweringModel
from rag.answer.practical import PracticalTerms
from rag.answer.premise import GATE_FEATURES, MAKER_KINDS, Correction, PremiseChecker, gate_features
from rag.answer.question import QuestionInfo, analyze_visitor_question
from rag.answer.support import answer_verifier
from rag.catalogue import CatalogueProfile
from rag.config import Settings
from rag.embedding import Embedder
from rag.language.detect import default_detector
from rag.language.framing import frame, mark_languages, prefer_language, text_language
from rag.messages import Messages
from rag.models import Answer, Chunk, Citation, ObjectHit, SearchFilters, SentenceSupport
from rag.retrieval import HybridSearcher
from rag.store import VectorStore
from rag.store.model_record import model_name
from rag.store.payloads import read_chunk
from rag.verify import Verifier

if TYPE_CHECKING:
    from rag.answer.pool import AnswerPool

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
    ranking: Ranking
    correction: Correction | None
    decision: AbstainDecision | None
    corrections: list[Correction] = field(default_factory=list)  # every candidate, with its gate probability
    retrieve_seconds: float = 0.0
    analyze_seconds: float = 0.0
    lang: str = "en"  # the visitor's language: the answer's own sentences are written in it

    @property
    def ranked(self) -> list[Candidate]:
        return self.ranking.ranked

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
class Retrieved:
    """What answering needs from the store: the question's vector, the retrieved objects and the whole records
    of the best few. Everything after it is computation (``Answerer.answer_retrieved``), so it can run in
    another process than the one that owns the store (``rag.answer.pool``)."""

    question: str
    vector: np.ndarray
    hits: list[ObjectHit]
    whole_records: dict[str, list[Chunk]]
    lang: str
    retrieve_seconds: float = 0.0  # embedding the question and searching
    read_seconds: float = 0.0  # reading the whole records (evidence: counted with the answer stage)


@dataclass(frozen=True)
class SentenceReady:
    """One answer sentence, verified, as soon as it is ready (for streaming).

    ``text`` is the sentence's piece of ``Answer.text`` (with its [n] markers and the space before
    it), so the pieces of all sentences concatenate to ``Answer.text``.
    """

    index: int
    text: str
    sentence: SentenceSupport
    citations: list[Citation]


OnSentence = Callable[[SentenceReady], None]


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
        searcher: HybridSearcher | None,
        store: VectorStore | None,
        embedder: Embedder,
        verifier: Verifier | None = None,
        chat_model: ChatModel | None = None,
        pool: "AnswerPool | None" = None,
    ) -> None:
        """``searcher`` and ``store`` may be None where only :meth:`answer_retrieved` is called (a pool worker);
        with a ``pool``, :meth:`ask` retrieves here and answers in the pool's worker processes."""
        self.settings = settings
        self.pool = pool
        self.searcher = searcher
        self.store = store
        self.embedder = embedder
        self.model = AnsweringModel.load(settings.answering_model, embed_model=model_name(embedder))
        self.abstain_threshold = _setting_or(settings.abstain_threshold, self.model.thresholds["abstain"])
        self.premise_threshold = _setting_or(settings.premise_threshold, self.model.thresholds["premise"])
        self.scorer = EvidenceScorer(self.model)
        self.policy = AbstentionPolicy(self.model, self.abstain_threshold)
        self.premise = PremiseChecker(
            settings.premise_min_alignment, profile=CatalogueProfile.load(settings.catalogue_profile)
        )
        self.composer = ExtractiveComposer(
            max_sentences=settings.max_answer_sentences,
            relative=settings.answer_more_relative,
            floor=settings.answer_more_floor,
        )
        self.verifier = verifier or answer_verifier(settings, embedder)
        if chat_model is None and settings.llm_base_url:
            chat_model = load_llm(settings)
        self.writer = LLMWriter(chat_model, self.verifier, settings) if chat_model is not None else None

    # --- the public calls -----------------------------------------------------------------
    def ask(
        self,
        question: str,
        filters: SearchFilters | None = None,
        on_sentence: OnSentence | None = None,
        lang: str | None = None,
        lang_hint: str | None = None,
    ) -> Answer:
        """Answer ``question`` from the retrieved records (raises ValueError on an empty or too long question).

        ``on_sentence``: called with each answer sentence as soon as it is verified (sentences are then
        verified one by one instead of in one batch), before the whole answer is returned.
        The answer's own sentences are in ``lang`` when given, else in the question's language
        (``lang_hint``, e.g. the page's language, decides when the question is too short to tell).
        """
        # An LLM's sentences stream as it writes them, so it is answered here; an extractive answer takes
        # milliseconds, so a worker's verified sentences are handed on as it returns them.
        if self.pool is None or (on_sentence is not None and self.writer is not None):
            return self.ask_with_analysis(question, filters, on_sentence, lang=lang, lang_hint=lang_hint)[0]
        start = time.perf_counter()
        retrieved = self._retrieve_for_visitor(question, filters, lang, lang_hint)
        answer, ready = self.pool.answer(retrieved, sentences=on_sentence is not None)
        for sentence in ready:
            on_sentence(sentence)  # type: ignore[misc]  (ready is empty without on_sentence)
        answer.timings = {**answer.timings, "total": round(time.perf_counter() - start, 4)}  # with the hand-over
        return answer

    def ask_with_analysis(
        self,
        question: str,
        filters: SearchFilters | None = None,
        on_sentence: OnSentence | None = None,
        lang: str | None = None,
        lang_hint: str | None = None,
    ) -> tuple[Answer, "Analysis"]:
        """The answer and how it was decided (evidence ranking, correction, answerability): for evaluation."""
        return self.answer_retrieved(self._retrieve_for_visitor(question, filters, lang, lang_hint), on_sentence)

    def _retrieve_for_visitor(
        self, question: str, filters: SearchFilters | None, lang: str | None, lang_hint: str | None
    ) -> Retrieved:
        """:meth:`retrieve`, in the visitor's language: forced, else detected, else the page's hint."""
        return self.retrieve(question, filters, lang=default_detector().choose(question or "", lang, lang_hint))

    def answer_retrieved(self, retrieved: Retrieved, on_sentence: OnSentence | None = None) -> tuple[Answer, "Analysis"]:
        """Everything after retrieval: rank, decide, compose and verify (no store access)."""
        start = time.perf_counter() - retrieved.retrieve_seconds - retrieved.read_seconds
        analysis = self.decide(retrieved)
        messages = Messages.for_language(analysis.lang)
        timings = {"retrieve": analysis.retrieve_seconds}
        t = time.perf_counter()
        composed: _Composed | None = None
        draft_check = 0.0
        if analysis.status == "answered":
            composed, draft_check = self._compose(analysis.question, analysis.info, analysis.ranked, analysis.pool, messages)
        timings["answer"] = analysis.analyze_seconds + time.perf_counter() - t - draft_check

        t = time.perf_counter()
        book = CitationBook(analysis.retrieved_ids)
        if not analysis.hits:
            answer = Answer(question=analysis.question, text=messages.text("no_results"), status="abstained")
        elif analysis.correction is not None:
            answer = self._corrected(analysis.question, analysis.correction, book, analysis.retrieved_ids, messages)
        elif composed is None:
            answer = self._abstained(analysis, messages)
        else:
            answer = self._answered(
                analysis.question, composed, book, analysis.retrieved_ids, on_sentence, messages
            )
        answer.lang = messages.lang
        if answer.status == "abstained":
            answer = self._practical(answer)
        timings["verify"] = time.perf_counter() - t + draft_check
        timings["total"] = time.perf_counter() - start
        answer.timings = _round(timings)
        return answer, analysis

    def retrieve(self, question: str, filters: SearchFilters | None = None, lang: str | None = None) -> Retrieved:
        """The question embedded once, the objects retrieved with that vector, the whole records of the best few
        read in one store call (raises ValueError on an empty or too long question).

        ``lang``: the visitor's language (default: the question's); of a record's texts, the version in
        it is the evidence when the record has one.
        """
        if self.searcher is None or self.store is None:
            raise RuntimeError("this answerer has no store: it answers what another process retrieved")
        question = " ".join((question or "").split())
        if not question:
            raise ValueError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise ValueError(f"the question is longer than {self.settings.max_question_chars} characters")
        start = time.perf_counter()
        vector = self.embedder.embed_query(question)
        hits = self.searcher.search(question, limit=self.settings.retrieve_limit, filters=filters, vector=vector)
        retrieve_seconds = time.perf_counter() - start
        t = time.perf_counter()
        lang = lang or default_detector().choose(question)
        whole = self._whole_records(hits, lang)
        return Retrieved(question, vector, list(hits), whole, lang, retrieve_seconds, time.perf_counter() - t)

    def decide(self, retrieved: Retrieved) -> "Analysis":
        """Analyse the question once, score every candidate in one batch, decide: corrected, abstained or answered."""
        t = time.perf_counter()
        question, vector, hits, lang = retrieved.question, retrieved.vector, retrieved.hits, retrieved.lang
        # Another language is read through English question words (rag.language.pivot); similarity is the visitor's text's.
        info = analyze_visitor_question(question, vector=vector, lang=lang)
        pool = EvidencePool.from_hits(hits, retrieved.whole_records)
        pool.ensure_vectors(self.embedder)
        ranking = self.scorer.rank(info, pool)
        decision = self.policy.decide(info, pool, ranking) if ranking.ranked else None
        messages = Messages.for_language(lang)
        corrections = self.premise.candidates(info, pool, messages) if ranking.ranked else []
        correction = self._gate(info, pool, corrections, decision)
        return Analysis(
            question=question,
            info=info,
            hits=list(hits),
            pool=pool,
            ranking=ranking,
            correction=correction,
            decision=decision,
            corrections=corrections,
            retrieve_seconds=retrieved.retrieve_seconds,
            analyze_seconds=retrieved.read_seconds + time.perf_counter() - t,
            lang=lang,
        )

    def _gate(
        self, info: QuestionInfo, pool: EvidencePool, corrections: list[Correction], decision: AbstainDecision | None
    ) -> Correction | None:
        """The candidate correction the learned gate is surest of, when above ``premise_threshold``."""
        if not corrections:
            return None
        answerability = decision.answerability if decision is not None else 0.0
        a = anchor(info, pool)
        rows = [gate_features(c, c.evidence.score, answerability, a) for c in corrections]
        probs = self.model.premise_gate.predict(np.asarray(rows, dtype=np.float32))
        for c, row, p in zip(corrections, rows, probs):
            c.gate = float(p)
            c.features = dict(zip(GATE_FEATURES, row))
        best = max(corrections, key=lambda c: c.gate)
        return best if best.gate >= self.premise_threshold else None

    # --- evidence -------------------------------------------------------------------------
    def _whole_records(self, hits: Sequence[ObjectHit], lang: str = "en") -> dict[str, list[Chunk]]:
        """All chunks of the best few retrieved objects (only ever of retrieved objects), read in one store call;
        each text in ``lang`` when the record holds it."""
        ids = [hit.record_id for hit in hits[: self.settings.answer_expand_objects]]
        full: dict[str, list[Chunk]] = {}
        for record_id, payloads in self.store.records_chunks(ids).items():
            read = (read_chunk(p) for p in payloads if p.get("record_id") == record_id)
            chunks = [chunk for chunk in read if chunk is not None]
            if chunks:
                full[record_id] = prefer_language(chunks, lang)
        return full

    # --- answered -------------------------------------------------------------------------
    def _compose(
        self, question: str, info, ranked: list[Candidate], pool: EvidencePool, messages: Messages
    ) -> tuple[_Composed, float]:
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
            return _Composed(self.composer.compose(info, ranked, pool, messages)), check_seconds
        return _Composed(self.composer.compose(info, ranked, pool, messages)), 0.0

    def _answered(
        self,
        question: str,
        composed: _Composed,
        book: CitationBook,
        retrieved_ids: list[str],
        on_sentence: OnSentence | None = None,
        messages: Messages = _ENGLISH,
    ) -> Answer:
        supports = dict(composed.supports)
        to_verify = [i for i in range(len(composed.sentences)) if i not in supports]
        if on_sentence is None:  # all at once: one batch through the verifier
            self._verify(question, composed, to_verify, supports)
        sentences: list[SentenceSupport] = []
        parts: list[str] = []
        # Quotes in another language than the visitor's are introduced in the visitor's language.
        intro = frame(messages, [text_language(q.chunk.language, q.text) for s in composed.sentences for q in s.quotes])
        for i, s in enumerate(composed.sentences):
            if i not in supports:  # streaming: verify this sentence now, hand it out, then the next
                self._verify(question, composed, [i], supports)
            ns = [book.cite(q) for q in s.quotes]
            support = supports[i]
            sentences.append(
                SentenceSupport(text=s.text, citation_ids=list(dict.fromkeys(ns)), support=_unit(support), claim=s.claim)
            )
            parts.append(f"{s.text} {markers(ns)}")
            if on_sentence is not None:
                cited = [book.citations[n - 1] for n in sentences[-1].citation_ids]
                lead = (intro + " " if intro else "") if i == 0 else " "
                on_sentence(SentenceReady(i, lead + parts[-1], sentences[-1], cited))
        mark_languages(book.citations)
        return Answer(
            question=question,
            text=" ".join([intro, *parts] if intro else parts),
            status="answered",
            citations=book.citations,
            sentences=sentences,
            retrieved_ids=retrieved_ids,
            mode=composed.mode,  # type: ignore[arg-type]
        )

    def _verify(self, question: str, composed: _Composed, indexes: list[int], supports: dict[int, float]) -> None:
        verdicts = self.verifier.score_many(
            [(composed.sentences[i].claim, [_source_text(q) for q in composed.sentences[i].quotes]) for i in indexes],
            [question] * len(indexes),
        )
        supports.update({i: v.score for i, v in zip(indexes, verdicts)})

    # --- practical questions --------------------------------------------------------------
    def _practical(self, answer: Answer) -> Answer:
        """An abstention on a practical question (hours, tickets...) points to the visitor-information page."""
        url = self.settings.visitor_info_url
        if not url or not PracticalTerms.load().matches(answer.question, answer.lang):
            return answer
        text = Messages.for_language(answer.lang).text("practical", url=url)
        return answer.model_copy(update={"text": text, "visitor_info_url": url, "suggestions": []})

    # --- corrected ------------------------------------------------------------------------
    def _corrected(
        self,
        question: str,
        correction: Correction,
        book: CitationBook,
        retrieved_ids: list[str],
        messages: Messages = _ENGLISH,
    ) -> Answer:
        quote = correction.evidence.quote
        n = book.cite(quote)
        # The verifier checks what the record states; the rejected value is the question's, not a claim.
        verdict = self.verifier.score(correction.claim, [_source_text(quote)], question)
        text = correction.text  # worded in the visitor's language by the premise checker
        mark_languages(book.citations)
        sentence = SentenceSupport(text=text, citation_ids=[n], support=_unit(verdict.score), claim=correction.claim)
        return Answer(
            question=question,
            text=f"{text} {markers([n])}",
            status="corrected",
            citations=book.citations,
            sentences=[sentence],
            retrieved_ids=retrieved_ids,
        )

    # --- abstained ------------------------------------------------------------------------
    def _abstained(self, analysis: "Analysis", messages: Messages) -> Answer:
        """The abstention, with the objects the question is about as suggestions (artist and date to tell them apart)."""
        book = CitationBook(analysis.retrieved_ids)
        best_of: dict[str, Candidate] = {}
        for c in analysis.ranked:
            best_of.setdefault(c.record_id, c)
        named = {o.record_id for o in analysis.pool.objects[:3] if _names_record(analysis.info, analysis.pool, o.record_id)}
        order = sorted(
            best_of.values(), key=lambda c: (c.record_id not in named, -c.score)
        )
        for c in order[:3]:
            book.cite(c.quote)
        unknown = analysis.decision is not None and analysis.decision.unknown
        text = messages.text("abstain_unknown" if unknown else "abstain")
        items = [messages.text("suggestion_item", title=s.title, details=_details(s.record_id, analysis.pool))
                 if _details(s.record_id, analysis.pool) else f"“{s.title}”" for s in book.citations]
        if items:
            text += messages.text("suggestions", titles=", ".join(items))
        mark_languages(book.citations)
        return Answer(
            question=analysis.question,
            text=text,
            status="abstained",
            suggestions=book.citations,
            retrieved_ids=analysis.retrieved_ids,
        )


def _names_record(info: QuestionInfo, pool: EvidencePool, record_id: str) -> bool:
    """The question names this object or one of its people."""
    tokens = {t for p in info.names for t in p.tokens if len(t) > 1}
    if not tokens:
        return False
    from rag.answer.terms import all_stems

    names = [f.value for f in pool.facts.get(record_id, []) if f.kind.removeprefix("unknown_") in PERSON_FACTS]
    return bool(tokens & all_stems(" ".join([pool.titles.get(record_id, ""), *names])))


def _details(record_id: str, pool: EvidencePool) -> str:
    """The maker and date of an object, to tell suggestions apart ("Anna Vos, 1710")."""
    facts = pool.facts.get(record_id, [])
    maker = next((f.value for f in facts if f.kind in MAKER_KINDS), None)
    date = next((f.value for f in facts if f.field == "date"), None)
    return ", ".join(v for v in (maker, date) if v)


def _source_text(quote: Quote) -> str:
    """What a sentence is verified against: the quote, with its object's title (a tombstone fact needs it)."""
    if quote.chunk.field == "tombstone":
        return quote.chunk.text
    return f"{quote.chunk.title}: {quote.text}"


def _setting_or(value: float | None, tuned: float) -> float:
    """A threshold set in Settings, else the one the answering model was tuned for."""
    return tuned if value is None else value


def _unit(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def _round(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in timings.items()}
