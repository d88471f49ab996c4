"""The offline answer: the evidence that answers, first, each sentence with its [n].

A catalogue fact is answered as a sentence from the message catalogue ("Anna Vos made “The Harbour”
(Painter), dated 1710." [1][2]); a narrative answer quotes the record sentence that answers first,
verbatim, then up to two more close behind it that add something: of the same object when they reach 0.3 of
its ranker probability (``Settings.answer_more_relative``; the share of the training labels' answers holding a
labelled evidence sentence, fit on one museum and measured on the other, went from 0.50 to 0.56-0.58 against
0.6, at about 1.7 sentences an answer instead of 1.2), of another object only at 0.6, so that a further
sentence hardly ever cites an object the question is not about. Every template is in
``rag/data/messages/<lang>.json``.

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
from rag.language import Language
from rag.messages import Messages
from rag.text import words

_EN = Language.for_code("en")
#: Sentence openers that need their object named to make sense on their own.
_PRONOUNS = _EN.wordlist("person_pronouns") | frozenset({"it", "its", "this", "these", "there"})

#: Fact kinds with a template of their own ("fact_<kind>"); other people get "fact_person", other fields "fact_other".
_FACT_TEMPLATES = frozenset(
    {"maker", "maker_uncertain", "source_maker", "former_maker", "depicted", "author", "date", "material", "place",
     "culture", "period", "dimensions", "credit", "type"}
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
    relative: float = 0.3  # a further sentence of the best object must score at least this share of the best
    floor: float = 0.1  # ... and at least this probability
    other_relative: float = 0.6  # the same, for a sentence of another object (a wrong object costs more trust)
    other_floor: float = 0.25
    max_chars: int = 700
    duplicate_overlap: float = 0.7

    def select(self, question: QuestionInfo, ranked: Sequence[Candidate]) -> list[Candidate]:
        """The best candidate, then those close behind it that add something, up to ``max_sentences``."""
        if not ranked:
            return []
        best = ranked[0]
        chosen = [best]
        asked = question.stem_set
        covered = stems(best.text) & asked
        length = len(best.text)
        for c in ranked[1:12]:
            if len(chosen) >= self.max_sentences:
                break
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
            chosen.append(c)
            covered |= found
            length += len(c.text)
        return _reading_order(chosen)

    def compose(
        self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool, messages: Messages
    ) -> list[ComposedSentence]:
        selected = self.select(question, ranked)
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


def _reading_order(chosen: list[Candidate]) -> list[Candidate]:
    """Best first; the other sentences of the same record follow in the record's own order."""
    best = chosen[0]
    same = sorted((c for c in chosen[1:] if c.record_id == best.record_id), key=lambda c: (c.field != best.field, c.start))
    others = [c for c in chosen[1:] if c.record_id != best.record_id]
    return [best] + same + others


def function_word_share(text: str) -> float:
    tokens = words(text)
    return sum(1 for t in tokens if t in STOPWORDS) / len(tokens) if tokens else 0.0
