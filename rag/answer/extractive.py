"""The offline answer: the evidence that answers, first, each sentence with its [n].

A catalogue fact is answered as a sentence from the message catalogue ("Anna Vos made “The Harbour”
(Painter), dated 1710." [1][2]); a narrative answer quotes the record sentence that answers first,
verbatim, then up to two more behind it that add something: of the same object when they reach 0.1 of its ranker
probability and 0.05 (``Settings.answer_more_relative`` and ``answer_more_floor``; the ranker's best sentence is the
labelled evidence about half the time across museums, and the answer is often the next one), of another object only
at 0.6, so that a further sentence hardly ever cites an object the question is not about. A quoted sentence that
continues the one before it ("Therefore, she ...", "They then ...", "This was ...": ``continuation_openers`` and
``continuation_demonstratives`` of the record's language) is preceded by that sentence, so that the answer says what
it rests on. A further sentence is in the visitor's language, the best sentence's or the record's: the other half of a
bilingual label would only say the answer again. Every template is in ``rag/data/messages/<lang>.json``.

Example::

    composer = ExtractiveComposer(max_sentences=3)
    for s in composer.compose(question_info, ranking.ranked, pool, Messages.for_language("en")):
        print(s.text, [q.record_id for q in s.quotes])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from rag.answer.candidates import Candidate, EvidencePool
from rag.answer.citations import Quote, display_text
from rag.answer.question import QuestionInfo
from rag.answer.terms import STOPWORDS, all_stems, stems
from rag.language import Language, UnsupportedLanguage
from rag.language.detect import normalize_language
from rag.language.framing import identified_language, written_language
from rag.messages import Messages
from rag.text import words

_EN = Language.for_code("en")
#: Sentence openers that need their object named to make sense on their own.
_PRONOUNS = _EN.wordlist("person_pronouns") | frozenset({"it", "its", "this", "these", "there"})

#: Fact kinds with a template of their own ("fact_<kind>"); other people get "fact_person", other fields "fact_other".
_FACT_TEMPLATES = frozenset(
    {"maker", "maker_uncertain", "maker_culture", "source_maker", "former_maker", "depicted", "author", "date",
     "material", "place", "culture", "period", "dimensions", "credit", "type"}
)
_PEOPLE = frozenset({"publisher", "owner", "associated"})


@dataclass
class ComposedSentence:
    """One sentence of an answer (without its [n] markers) and the quotes it rests on."""

    text: str
    quotes: list[Quote] = field(default_factory=list)
    claim: str = ""  # what the verifier checks: the record's own words, without the answer's frame

    def __post_init__(self) -> None:
        if not self.claim:
            self.claim = self.text


@dataclass
class ExtractiveComposer:
    """Selects and phrases the evidence of an extractive answer."""

    max_sentences: int = 3
    relative: float = 0.1  # a further sentence of the best object must score at least this share of the best
    floor: float = 0.05  # ... and at least this probability
    other_relative: float = 0.6  # the same, for a sentence of another object (a wrong object costs more trust)
    other_floor: float = 0.25
    max_chars: int = 700
    duplicate_overlap: float = 0.7

    def select(
        self, question: QuestionInfo, ranked: Sequence[Candidate], pool: "EvidencePool | None" = None
    ) -> list[Candidate]:
        """The best candidate, then those close behind it that add something, up to ``max_sentences``; with the
        pool, a chosen sentence that continues the one before it brings that sentence along."""
        if not ranked:
            return []
        best = ranked[0]
        chosen = [best]
        languages: set[str] | None = None  # read when a further sentence is about to join (identifying costs)
        asked = question.stem_set
        covered = stems(best.text) & asked
        length = len(best.text)
        for c in ranked[1:12]:
            if len(chosen) >= self.max_sentences:
                break
            if not any(ch.isalnum() for ch in c.text):
                continue  # punctuation alone (the dots of a spaced ellipsis the splitter left apart) says nothing
            same = c.record_id == best.record_id
            relative, floor = (self.relative, self.floor) if same else (self.other_relative, self.other_floor)
            if c.score < max(floor, best.score * relative) or length + len(c.text) > self.max_chars:
                continue
            if c.fact is not None and (best.fact is None or not same):
                continue  # a bare fact only next to another fact of the same object
            if not same and c.object_rank > 0 and best.fact is not None:
                continue
            if any(_near_duplicate(c, other, self.duplicate_overlap) for other in chosen):
                continue
            found = stems(c.text) & asked
            if not found - covered and not any(_follows(c, other) for other in chosen) and c.fact is None:
                continue
            if c.fact is None and best.fact is None:
                if languages is None:
                    record = (pool.of_record(best.record_id) if pool is not None
                              else [r for r in ranked if r.record_id == best.record_id])
                    languages = _answer_languages(question, best, record)
                if written_language(c.text, c.chunk.language) not in languages:
                    continue
            chosen.append(c)
            covered |= found
            length += len(c.text)
        return self._with_context(_reading_order(chosen), pool, length)

    def _with_context(self, chosen: list[Candidate], pool: "EvidencePool | None", length: int) -> list[Candidate]:
        """Each quoted sentence that continues the one before it ("Therefore, he ...") is preceded by that sentence,
        while the answer has room for it."""
        if pool is None:
            return chosen
        by_key = {c.key: c for c in chosen}
        out: dict[tuple[str, str, int], Candidate] = {}  # in answer order
        for c in chosen:
            if c.key in out:
                continue  # already placed before the sentence that continues it
            before = _preceding(c, pool) if c.fact is None and continues_previous(c) else None
            if before is not None and before.key in by_key:
                out[before.key] = by_key[before.key]  # chosen anyway: it moves up
            elif before is not None and length + len(before.text) <= self.max_chars:
                out[before.key] = before
                length += len(before.text)
            out[c.key] = c
        return list(out.values())

    def compose(
        self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool, messages: Messages
    ) -> list[ComposedSentence]:
        selected = self.select(question, ranked, pool)
        sentences: list[ComposedSentence] = []
        previous_record: str | None = None
        used_facts: set[tuple[str, str, int]] = set()
        for c in selected:
            if c.key in used_facts:
                continue
            if c.fact is not None:
                sentence = phrase_fact(c, pool, messages)
                used_facts.update(q_key for q_key in (_cand_key(q) for q in sentence.quotes))
                sentences.append(sentence)
            else:
                sentences.append(
                    ComposedSentence(phrase(c, messages, name_object=c.record_id != previous_record), [c.quote], c.text)
                )
            previous_record = c.record_id
        return sentences


def _cand_key(q: Quote) -> tuple[str, str, int]:
    return (q.record_id, q.chunk.field, q.start)


def phrase(c: Candidate, messages: Messages, name_object: bool = True) -> str:
    """A record sentence as a sentence that stands on its own (no [n] marker)."""
    text = display_text(c.text.strip())
    first = words(text)[:1]
    if name_object and first and first[0] in _PRONOUNS and len(text) > 1:
        return messages.text("according_to", title=c.chunk.title, sentence=f"{text[0].lower()}{text[1:]}")
    return text


def phrase_fact(c: Candidate, pool: EvidencePool, messages: Messages) -> ComposedSentence:
    """A catalogue fact as a sentence, citing the fact (and the object's date for its maker)."""
    fact = c.fact
    assert fact is not None
    title = c.chunk.title
    kind = fact.kind
    values = {
        "title": title,
        "value": fact.value,
        "value_lower": fact.value[:1].lower() + fact.value[1:],
        "label": fact.label.lower(),
        "label_lower": fact.label.lower(),
    }
    quotes = [c.quote]
    claim = f"{title.rstrip('.')}. {c.text}"
    if kind.startswith("unknown_"):
        key = "fact_unknown"
    elif kind == "maker":
        date = next((o for o in pool.of_record(c.record_id) if o.fact is not None and o.fact.field == "date"), None)
        if date is not None:
            key = "fact_maker_dated"
            values["date"] = date.fact.value  # type: ignore[union-attr]
            quotes.append(date.quote)
            claim = f"{claim} {date.text}"
        else:
            key = "fact_maker"
    elif kind in _FACT_TEMPLATES:
        key = f"fact_{kind}"
    elif kind in _PEOPLE:
        key = "fact_person"
    else:
        key = "fact_other"
    return ComposedSentence(messages.text(key, **values), quotes, claim)


def _near_duplicate(a: Candidate, b: Candidate, threshold: float) -> bool:
    sa, sb = all_stems(a.text), all_stems(b.text)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) >= threshold


def _follows(a: Candidate, b: Candidate) -> bool:
    """``a`` is the sentence right after ``b`` in the same record field."""
    return a.record_id == b.record_id and a.chunk.field == b.chunk.field and 0 <= a.start - b.end <= 3


def continues_previous(c: Candidate) -> bool:
    """Whether a record sentence opens as the continuation of the sentence before it, in the record's language: a
    ``continuation_openers`` word or phrase ("Therefore", "As a result", "They"), or a ``continuation_demonstratives``
    word followed by a function word ("This may be ...", not "This portrait ...")."""
    try:
        language = Language.for_code(c.chunk.language)
    except UnsupportedLanguage:
        return False
    first = words(c.text)[:3]
    openers = language.wordlist("continuation_openers")
    if any(" ".join(first[:n]) in openers for n in range(1, len(first) + 1)):
        return True
    demonstratives = language.wordlist("continuation_demonstratives")
    return len(first) > 1 and first[0] in demonstratives and language.is_stop(first[1])


def _preceding(c: Candidate, pool: EvidencePool) -> Candidate | None:
    """The sentence right before ``c`` in the same record field, when the pool holds it."""
    return next((o for o in pool.of_record(c.record_id) if o.fact is None and _follows(c, o)), None)


def _reading_order(chosen: list[Candidate]) -> list[Candidate]:
    """Best first; the other sentences of the same record follow in the record's own order."""
    best = chosen[0]
    same = sorted((c for c in chosen[1:] if c.record_id == best.record_id), key=lambda c: (c.field != best.field, c.start))
    others = [c for c in chosen[1:] if c.record_id != best.record_id]
    return [best] + same + others


def function_word_share(text: str) -> float:
    tokens = words(text)
    return sum(1 for t in tokens if t in STOPWORDS) / len(tokens) if tokens else 0.0


def _answer_languages(question: QuestionInfo, best: Candidate, record: Sequence[Candidate]) -> set[str]:
    """The languages an answer's further sentences may be in, when its best evidence is a sentence (a fact is worded
    in the visitor's language): the visitor's, the best sentence's and the record's (its stated language, else that
    of its first sentence the identifier is sure of). A bilingual label holds each paragraph twice, and its other
    half would only repeat the answer in a language the visitor didn't ask in."""
    languages = {question.lang, written_language(best.text, best.chunk.language)}
    stated = normalize_language(best.chunk.language)
    if stated:
        return languages | {stated}
    texts = sorted((c for c in record if c.fact is None), key=lambda c: (c.chunk.chunk_index, c.position))
    for c in texts[:3]:
        lang = identified_language(c.text)
        if lang is not None:
            return languages | {lang}
    return languages
