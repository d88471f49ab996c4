"""The offline answer: quote the record sentences that answer the question, each with its [n].

The answer is 1-3 sentences, best evidence first. Sentences of the record's description are
quoted verbatim; tombstone facts ("Medium: Oil on canvas.") are put in a sentence that names
the object ("The museum's record gives the medium of “Thurgood Marshall” as Oil on canvas [1].").

Example::

    composer = ExtractiveComposer(max_sentences=3)
    sentences = composer.compose(question_info, ranked)
    for s in sentences:
        print(s.text, [q.record_id for q in s.quotes])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from rag.answer.citations import Quote
from rag.answer.evidence import Candidate, label_group
from rag.answer.question import QuestionInfo
from rag.answer.terms import STOPWORDS, all_stems, stems
from rag.text import words

#: Sentence openers that need their object named to make sense on their own.
_PRONOUNS = frozenset("he she they it his her their its this these there".split())
#: Creator roles that read as "the <role> of".
_ROLE_NOUNS = frozenset(
    """artist photographer sculptor painter engraver lithographer printmaker publisher printer designer maker sitter
    illustrator caricaturist cartoonist studio draftsman architect author""".split()
)


@dataclass
class ComposedSentence:
    """One sentence of an answer (without its [n] markers) and the quotes it rests on."""

    text: str
    quotes: list[Quote] = field(default_factory=list)
    claim: str = ""  # what the verifier checks (the fact itself when ``text`` wraps a tombstone fact)

    def __post_init__(self) -> None:
        if not self.claim:
            self.claim = self.text


@dataclass
class ExtractiveComposer:
    """Selects and phrases the evidence sentences of an extractive answer."""

    max_sentences: int = 3
    margin: float = 0.12  # a further sentence must score within this of the best
    max_chars: int = 700
    duplicate_overlap: float = 0.7

    def select(self, question: QuestionInfo, ranked: Sequence[Candidate]) -> list[Candidate]:
        """The best candidate, then those close to it that add something, up to ``max_sentences``."""
        if not ranked:
            return []
        best = ranked[0]
        if not same_language(question.text, best.text):  # prefer the question's language if it is close behind
            best = next(
                (c for c in ranked[1:6] if c.score >= best.score - self.margin and same_language(question.text, c.text)),
                best,
            )
        ranked = [best] + [c for c in ranked if c is not best]
        chosen = [best]
        covered = stems(best.text) & set(question.term_stems)
        length = len(best.text)
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if c.score < best.score - self.margin or length + len(c.text) > self.max_chars:
                continue
            if c.is_tombstone and not c.label_cue:
                continue
            if any(_near_duplicate(c, other, self.duplicate_overlap) for other in chosen):
                continue
            if not same_language(question.text, c.text):
                continue  # a bilingual label's other language: the visitor asked in this one
            adds = (stems(c.text) & set(question.term_stems)) - covered
            follows = any(_follows(c, other) for other in chosen)
            if not adds and not follows and c.score < best.score - self.margin / 2:
                continue
            chosen.append(c)
            covered |= stems(c.text) & set(question.term_stems)
            length += len(c.text)
        return _reading_order(chosen)

    def compose(self, question: QuestionInfo, ranked: Sequence[Candidate]) -> list[ComposedSentence]:
        selected = self.select(question, ranked)
        sentences = []
        previous_record: str | None = None
        for c in selected:
            claim = fact_claim(c) if c.is_tombstone else c.text.strip()  # a framed quote asserts the quote
            sentences.append(ComposedSentence(phrase(c, name_object=c.record_id != previous_record), [c.quote], claim))
            previous_record = c.record_id
        return sentences


def phrase(c: Candidate, name_object: bool = True) -> str:
    """The candidate as a sentence that stands on its own (no [n] marker)."""
    if c.is_tombstone and c.label is not None and c.value:
        return phrase_fact(c)
    text = c.text.strip()
    first = text.split(" ", 1)[0].strip(",;:").lower()
    if name_object and first in _PRONOUNS and len(text) > 1:
        return f"According to the record for “{c.chunk.title}”, {text[0].lower()}{text[1:]}"
    return text


def fact_claim(c: Candidate) -> str:
    """A tombstone fact as the verifier should check it: the object and the fact as catalogued."""
    return f"{c.chunk.title.rstrip('.')}. {c.text}"


def phrase_fact(c: Candidate) -> str:
    """A tombstone fact as a sentence: "The museum's record dates “Title” to 1956."."""
    title = c.chunk.title
    label, value = c.label or "", (c.value or "").strip()
    group = label_group(c)
    if group == "date":
        return f"The museum's record dates “{title}” to {value}."
    if group == "medium":
        return f"The museum's record gives the medium of “{title}” as {value}."
    if group == "dimensions":
        return f"The museum's record gives the dimensions of “{title}” as {value}."
    if group == "credit":
        return f"The museum's credit line for “{title}” reads: {value}."
    if group == "type":
        article = "an" if value[:1].lower() in "aeiou" else "a"
        return f"The museum's record catalogues “{title}” as {article} {value.lower()}."
    if label.lower() in _ROLE_NOUNS:
        return f"The museum's record names {value} as the {label.lower()} of “{title}”."
    return f"The museum's record for “{title}” gives {label}: {value}."


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
    before = [c for c in same if c.field == best.field and c.start < best.start]
    after = [c for c in same if c not in before]
    others = [c for c in chosen[1:] if c.record_id != best.record_id]
    if before and _follows(best, before[-1]):
        # the best sentence continues the one before it: keep the record's order ("He ... . In 1858 ...")
        return before + [best] + after + others
    return [best] + before + after + others


def _function_word_share(text: str) -> float:
    tokens = words(text)
    return sum(1 for t in tokens if t in STOPWORDS) / len(tokens) if tokens else 0.0


def same_language(question: str, sentence: str) -> bool:
    """Whether a sentence reads like the question's language (by its share of the question's function words).

    Labels are often bilingual; an English question should be answered with the English sentences.
    """
    q = _function_word_share(question)
    return not (q >= 0.2 and _function_word_share(sentence) < 0.12)
