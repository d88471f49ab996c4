"""Evidence: the sentences of the retrieved records, each scored for how well it answers the question.

Every candidate is an exact span of one record field (tombstone facts included), with offsets
into that field's text, so an answer can quote it and a staff member can check the quote.

Example::

    pool = EvidencePool.from_hits(hits, full_chunks={"npg:65309": chunks})
    ranked = EvidenceScorer(embedder).rank(analyze_question(question), pool)
    best = ranked[0]
    print(best.text, best.record_id, best.start, best.end, best.score)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from rag.answer.citations import Quote
from rag.answer.objects import OBJECT_STEMS, asked_object_kinds, fits_object_kind
from rag.answer.question import QuestionInfo
from rag.answer.terms import all_stems, has_date, has_number, name_phrases, stem
from rag.embedding import Embedder
from rag.models import Chunk, ObjectHit
from rag.text import split_sentences, words

#: Tombstone sentences that only repeat the title or name the collection say nothing about a question.
_SKIP_TOMBSTONE_LABELS = frozenset({"collection", "accession number"})


@dataclass
class Candidate:
    """One sentence of one retrieved record, with its relevance features."""

    record_id: str
    object_rank: int  # 0 = the best retrieved object
    object_score: float
    chunk: Chunk
    start: int  # offsets into the record field's text
    end: int
    text: str
    label: str | None = None  # for tombstone facts: "Artist", "Date", "Medium", ...
    value: str | None = None  # for tombstone facts: the value after the label
    lexical: float = 0.0  # weighted share of the question's terms found in the sentence
    context: float = 0.0  # ... in the sentence or its object's title and names
    focus: float = 0.0  # ... of the terms the object's title and names do not already explain
    dense: float = 0.0  # cosine similarity of question and sentence
    type_match: float = 0.0  # the sentence holds the kind of answer asked for (a year, a number, a name)
    label_cue: float = 0.0  # for tombstone facts: 1.0 when the question asks about this label (medium, date...)
    score: float = 0.0
    vector: np.ndarray | None = field(default=None, repr=False)  # the sentence embedding

    @property
    def field(self) -> str:
        return self.chunk.field

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.record_id, self.chunk.field, self.start)

    @property
    def is_tombstone(self) -> bool:
        return self.chunk.field == "tombstone"

    @property
    def quote(self) -> Quote:
        return Quote(self.record_id, self.chunk, self.start, self.end, self.text, self.score)


@dataclass
class EvidencePool:
    """The candidate sentences of the retrieved objects, without duplicates (chunks overlap)."""

    candidates: list[Candidate]
    objects: list[ObjectHit]
    context_stems: dict[str, set[str]] = field(default_factory=dict)  # record id -> stems of title and names

    @classmethod
    def from_hits(
        cls, hits: Sequence[ObjectHit], full_chunks: dict[str, list[Chunk]] | None = None
    ) -> "EvidencePool":
        """Sentences of every retrieved chunk; for objects in ``full_chunks``, of all their chunks."""
        full_chunks = full_chunks or {}
        seen: set[tuple[str, str, int]] = set()
        candidates: list[Candidate] = []
        context: dict[str, set[str]] = {}
        for rank, hit in enumerate(hits):
            chunks = full_chunks.get(hit.record_id) or [h.chunk for h in hit.chunks]
            if chunks:
                first = chunks[0]
                context[hit.record_id] = all_stems(" ".join([first.title, *first.creators]))
            for chunk in chunks:
                for candidate in _sentences(chunk, rank, hit.score):
                    if candidate.key in seen:
                        continue
                    seen.add(candidate.key)
                    candidates.append(candidate)
        return cls(candidates=candidates, objects=list(hits), context_stems=context)

    def of_record(self, record_id: str) -> list[Candidate]:
        return [c for c in self.candidates if c.record_id == record_id]


#: Text that addresses an AI system instead of describing an object ("ignore previous instructions ..."):
#: it is never evidence, whatever it says.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines|directions)\b"
    r"|\b(system prompt|developer message|you are now|as an ai|language model|jailbreak)\b"
    r"|\b(reveal|print|show|repeat)\b.{0,30}\b(prompt|instructions|configuration|api key|password|secret)\b",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    """Whether a sentence talks to an AI system (prompt injection) rather than about the collection."""
    return _INSTRUCTION.search(text) is not None


def _sentences(chunk: Chunk, rank: int, score: float) -> Iterable[Candidate]:
    for span in split_sentences(chunk.text):
        text = span.text.strip()
        if not text or looks_like_instruction(text):
            continue
        label = value = None
        if chunk.field == "tombstone":
            label, value = _tombstone_fact(text)
            if label is None and span.start == 0:
                continue  # the title sentence
            if label is not None and label.lower() in _SKIP_TOMBSTONE_LABELS:
                continue
        yield Candidate(
            record_id=chunk.record_id,
            object_rank=rank,
            object_score=score,
            chunk=chunk,
            start=chunk.start + span.start,
            end=chunk.start + span.start + len(text),
            text=text,
            label=label,
            value=value,
        )


def _tombstone_fact(sentence: str) -> tuple[str | None, str | None]:
    """"Artist: Betsy Graves Reyneau (1888 - 1964)." -> ("Artist", "Betsy Graves Reyneau (1888 - 1964)")."""
    label, sep, value = sentence.partition(": ")
    if not sep or len(label) > 40 or not label[:1].isupper():
        return None, None
    return label.strip(), value.strip().rstrip(".").strip()


@dataclass(frozen=True)
class EvidenceWeights:
    """How the features combine into one relevance score (set by hand, checked on the dev questions)."""

    dense: float = 0.45
    lexical: float = 0.25
    focus: float = 0.2
    type_match: float = 0.1
    object_prior: float = 0.1  # bonus for the best retrieved objects, decaying with rank
    label_bonus: float = 0.15  # a tombstone fact the question asks about ("What's the medium ...?")
    label_penalty: float = 0.2  # a tombstone fact the question does not ask about
    kind_penalty: float = 0.25  # the question names a kind of object ("photograph") this record is not


class EvidenceScorer:
    """Scores candidate sentences against a question: meaning, shared terms, expected answer type."""

    def __init__(self, embedder: Embedder, weights: EvidenceWeights | None = None, dense_candidates: int = 16) -> None:
        self.embedder = embedder
        self.weights = weights or EvidenceWeights()
        self.dense_candidates = dense_candidates
        self.max_chars = 300  # about the first 64 tokens: enough to place a sentence, and cheap to embed

    def rank(self, question: QuestionInfo, pool: EvidencePool, query_vector: np.ndarray | None = None) -> list[Candidate]:
        """The pool's candidates with their features and scores, best first."""
        candidates = pool.candidates
        if not candidates:
            return []
        weights = term_weights(question.term_stems, (c.text for c in candidates))
        total = sum(weights.values()) or 1.0
        for c in candidates:
            sentence = all_stems(c.text)
            ctx = pool.context_stems.get(c.record_id, set())
            c.lexical = sum(w for t, w in weights.items() if t in sentence) / total
            c.context = sum(w for t, w in weights.items() if t in sentence or t in ctx) / total
            focus = {t: w for t, w in weights.items() if t not in ctx}
            focus_total = sum(focus.values())
            c.focus = sum(w for t, w in focus.items() if t in sentence) / focus_total if focus_total else c.lexical
            c.type_match = type_match(question, c.text)
            c.label_cue = label_cue(question, c) if c.is_tombstone else 0.0
        w = self.weights
        misfits = _misfit_records(question, candidates)
        # Embedding every sentence is the expensive part: only the lexically best few are embedded.
        shortlist = sorted(candidates, key=lambda c: self._prescore(c), reverse=True)[: self.dense_candidates]
        self._dense(question, shortlist, query_vector)
        floor = min((c.dense for c in shortlist), default=0.0)
        for c in candidates:
            if c.vector is None:
                c.dense = floor
        for c in candidates:
            prior = 1.0 / (1.0 + c.object_rank)
            c.score = (
                w.dense * c.dense
                + w.lexical * c.context
                + w.focus * c.focus
                + w.type_match * c.type_match
                + w.object_prior * prior
            )
            if c.is_tombstone:  # a bare fact answers only a question about that fact
                c.score += w.label_bonus if c.label_cue else -w.label_penalty
            if c.record_id in misfits:
                c.score -= w.kind_penalty
        return sorted(candidates, key=lambda c: c.score, reverse=True)

    def _prescore(self, c: Candidate) -> float:
        w = self.weights
        score = w.lexical * c.context + w.focus * c.focus + w.type_match * c.type_match + w.object_prior / (1 + c.object_rank)
        if c.is_tombstone:
            score += w.label_bonus if c.label_cue else -w.label_penalty
        return score

    def _dense(self, question: QuestionInfo, candidates: list[Candidate], query_vector: np.ndarray | None) -> None:
        texts = [f"{c.chunk.title}: {c.text}"[: self.max_chars] for c in candidates]
        vectors = self.embedder.embed_documents(texts, batch_size=64)
        q = query_vector if query_vector is not None else self.embedder.embed_query(question.text)
        sims = vectors @ q
        for c, s, v in zip(candidates, sims, vectors):
            c.dense = float(s)
            c.vector = v


def _misfit_records(question: QuestionInfo, candidates: Sequence[Candidate]) -> set[str]:
    """Records not of the kind of object the question names, when a retrieved record is of that kind.

    "When was the Dennis Chavez photograph taken?" is not answered by the date of a painting of
    Chavez when a photograph of him was retrieved too.
    """
    asked = asked_object_kinds(question.text)
    if not asked:
        return set()
    media = {c.record_id: c.value or "" for c in candidates if label_group(c) == "medium"}
    fits: dict[str, bool] = {}
    for c in candidates:
        if c.record_id not in fits:
            fits[c.record_id] = fits_object_kind(asked, c.chunk.type, c.chunk.title, media.get(c.record_id, ""))
    if not any(fits.values()):
        return set()
    return {r for r, ok in fits.items() if not ok}


def term_weights(term_stems: Sequence[str], texts: Iterable[str]) -> dict[str, float]:
    """IDF-like weight of each question term over the candidate sentences: rare terms count more."""
    docs = [all_stems(t) for t in texts]
    n = len(docs)
    weights = {}
    for t in term_stems:
        df = sum(1 for d in docs if t in d)
        weights[t] = math.log(1.0 + (n + 1) / (df + 1))
    return weights


#: The question asks for a day, not a year ("On what date ...", "Which day ...").
_ASKS_DAY = re.compile(r"\b(?:what|which)\s+(?:exact\s+)?(?:date|day)\b", re.IGNORECASE)
_MONTH_WORD = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\b"
)
#: The question asks for a count of things ("How many portraits ..."), not of years or times.
_ASKS_COUNT = re.compile(r"\bhow many\b(?!\s+(?:years|decades|centuries|times|months|days)\b)", re.IGNORECASE)
#: Years, decades and year ranges ("1961", "1960s", "1914-18"), which state a time, not a quantity.
_YEARS = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})(?:s|[-–](?:[0-9]{2,4}))?\b")
#: A question opening with "Why": its answer is a reason.
_ASKS_WHY = re.compile(r"(?:\w+\s+){0,3}?why\b", re.IGNORECASE)
#: Words that state a reason or a purpose in a sentence.
_CAUSAL = re.compile(
    r"\b(?:because|since|as a result|result(?:ed|ing)? (?:of|from|in)|due to|owing to|thanks to|so that|"
    r"in order to|reason|why|led (?:to|him|her|them)|prompt(?:ed|ing)?|caus(?:e|ed|ing)|motivat\w*|inspir\w*|"
    r"intended|meant to|to (?:honou?r|commemorate|celebrate|mark|protest|promote|support|raise|show|capture)|"
    r"for (?:his|her|their|its) role|wanted|hoped|sought|decided|therefore|thus|hence|after)\b",
    re.IGNORECASE,
)


def type_match(question: QuestionInfo, sentence: str, kind: str | None = None) -> float:
    """1.0 when the sentence holds the kind of answer the question expects, else 0.0 (0.5 when unsure).

    ``kind``: one kind of a question that asks several ("Where and when ...?"); default its main kind.
    A question asking for a proper name ("Which newspaper ...?", "What was the name of ...?") needs a
    name the question does not already give, next to the noun asked about when the sentence repeats it
    ("an 1853 *newspaper* article" names no newspaper).
    """
    kind = kind or question.answer_type
    if question.asks_name and kind in ("thing", "person", "place") and not _names_asked_thing(question, sentence):
        return 0.0
    if kind == "date":
        if _ASKS_DAY.search(question.text):  # "On what date ...": a year alone does not answer it
            return 1.0 if _MONTH_WORD.search(sentence) else 0.0
        return 1.0 if has_date(sentence) else 0.0
    if kind == "reason" and _ASKS_WHY.match(question.text.strip()):
        return 1.0 if _CAUSAL.search(sentence) else 0.0
    if kind == "number":
        if _ASKS_COUNT.search(question.text):  # "How many portraits ...": a year is not a count
            return 1.0 if has_number(_YEARS.sub(" ", sentence)) else 0.0
        return 1.0 if has_number(sentence) else 0.0
    if kind in ("person", "place"):
        asked = {stem(w) for p in question.names for w in p.text.split()}
        fresh = [p for p in name_phrases(sentence) if not set(p.tokens) & asked]
        if kind == "person":  # a name after "in" or "at" is a place ("her husband in San Francisco")
            return 1.0 if any(not _after_locative(sentence, p.start) for p in fresh) else 0.0
        located = any(_after_locative(sentence, p.start) for p in fresh)
        return 1.0 if located or _PLACE_WORDS.search(sentence) else 0.0
    return 0.5


def _names_asked_thing(question: QuestionInfo, sentence: str) -> bool:
    """A name the question does not give, near the asked noun if the sentence has it ("the Empire *Theatre*")."""
    asked = {stem(w) for p in question.names for w in p.text.split()} | set(question.term_stems)
    fresh = [p for p in name_phrases(sentence) if not set(p.tokens) <= asked]
    if not fresh:
        return False
    head = stem(question.head) if question.head else None
    tokens = [(m.start(), stem(m.group(0))) for m in re.finditer(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9'’-]+", sentence)]
    spots = [start for start, t in tokens if t == head]
    if not spots:
        return True
    return any(abs(_word_distance(sentence, spot, p.start)) <= 4 or p.start <= spot <= p.end for p in fresh for spot in spots)


def _word_distance(sentence: str, a: int, b: int) -> int:
    low, high = sorted((a, b))
    return len(words(sentence[low:high]))


#: Prepositions that put what follows them in a place ("at the Café du Dome", "toward Bermuda").
_LOCATIVE = frozenset("in at on near from to toward towards into across outside inside within throughout".split())
#: Common nouns that name a place without a proper name ("his studio", "the family farm").
_PLACE_WORDS = re.compile(
    r"(?:city|town|village|county|state|country|island|studio|home|house|farm|estate|church|school|college|"
    r"university|hospital|prison|camp|street|avenue|square|harbor|harbour|port|abroad|overseas|capital)\b",
    re.IGNORECASE,
)


def _after_locative(sentence: str, start: int) -> bool:
    """Whether one of the two words before ``start`` is a locative preposition ("in the White House")."""
    before = words(sentence[:start])[-2:]
    return any(w in _LOCATIVE for w in before)


# Question words that ask for one tombstone fact, by the kind of label that states it.
_LABEL_CUES: dict[str, frozenset[str]] = {
    "maker": frozenset(
        """paint painter artist photograph photographer drew draw drawn sculpt sculpted sculptor carv carved engrav
        engraver etch etcher lithograph lithographer took taken""".split()
    ),
    "sitter": frozenset("sitter sat depict portray portrayed subject".split()),
    "date": frozenset("date dated paint photograph taken took drawn drew sculpt carv engrav".split()),
    "medium": frozenset("medium material techniqu process surface paper".split()),
    "type": frozenset("type".split()),
    "dimensions": frozenset("dimension size big large tall wide height width measur".split()),
    "credit": frozenset("credit gift gave donat donor acquir bequest bequeath purchas".split()),
    "place": frozenset("origin culture countr".split()),
}
#: Verbs of making that point at the object only when the question names the object too ("Who made the bust?").
_WEAK_MAKER_CUES = frozenset("made make maker creat design designer printer printmaker publish publisher cast".split())
_CUE_STEMS = {group: frozenset(stem(w) for w in cues) for group, cues in _LABEL_CUES.items()}
_WEAK_MAKER_STEMS = frozenset(stem(w) for w in _WEAK_MAKER_CUES)
_MEDIUM_PHRASE = re.compile(r"\b(made (of|from|in)|painted (on|in|with)|printed on|kind of (paint|print|photo))", re.I)
_LABEL_GROUPS = {
    "date": "date",
    "medium": "medium",
    "type": "type",
    "object": "type",
    "dimensions": "dimensions",
    "credit line": "credit",
    "place of origin": "place",
    "culture": "place",
    "period": "date",
    "sitter": "sitter",
}


def label_group(candidate: "Candidate") -> str | None:
    """Which kind of fact a tombstone sentence states; creator roles other than Sitter are makers."""
    if candidate.label is None:
        return None
    label = candidate.label.lower()
    if label in _LABEL_GROUPS:
        return _LABEL_GROUPS[label]
    if any(role.startswith(f"{candidate.label}: ") for role in candidate.chunk.creator_roles):
        return "maker"
    return None


def asked_label_groups(question: QuestionInfo) -> set[str]:
    """The kinds of tombstone fact a question asks for ("Who took the photograph?" -> {"maker"})."""
    asked = set(question.term_stems) | {stem(w) for w in words(question.text)}
    groups = set()
    for group, cues in _LABEL_CUES.items():
        if group in ("maker", "sitter") and "person" not in question.answer_types:
            continue
        if group == "date" and ("date" not in question.answer_types or not _asks_about_making(question)):
            continue
        if group == "dimensions" and not asked & OBJECT_STEMS:
            continue
        names_object = bool(asked & OBJECT_STEMS)
        if group in ("maker", "date") and names_object and asked & _WEAK_MAKER_STEMS:
            groups.add(group)
        if group == "date" and names_object and "date" in question.answer_types:
            groups.add(group)
        if asked & _CUE_STEMS[group] or (group == "medium" and _MEDIUM_PHRASE.search(question.text)):
            groups.add(group)
    return groups


#: Verbs (stems) that ask about the making of the object, which its catalogue date answers.
_MAKING_EVENT_STEMS = (
    _CUE_STEMS["maker"] | _CUE_STEMS["date"] | _WEAK_MAKER_STEMS | {stem(w) for w in "dated produced finished".split()}
)


def _asks_about_making(question: QuestionInfo) -> bool:
    """"When was it painted?" asks about the making; "When did it run on the cover?" about another event."""
    return question.event is None or question.event in _MAKING_EVENT_STEMS


def label_cue_stems(candidate: "Candidate") -> frozenset[str]:
    """The question words a tombstone fact the question asks about answers ("medium" for "Medium: ...")."""
    if not candidate.label_cue:
        return frozenset()
    group = label_group(candidate)
    extra = OBJECT_STEMS | _WEAK_MAKER_STEMS if group in ("maker", "date") else frozenset()
    return _CUE_STEMS.get(group or "", frozenset()) | extra


def label_cue(question: QuestionInfo, candidate: "Candidate") -> float:
    """1.0 when the question asks for the fact this tombstone sentence states."""
    group = label_group(candidate)
    return 1.0 if group is not None and group in asked_label_groups(question) else 0.0
