"""What a question asks for, worked out once per question and passed down to every step.

Its content terms and their stems, all its word stems (what the learned kind model reads), the
kind of answer it expects (from its wh-word), the names and years it mentions, and the query
vector retrieval computed (so nothing embeds the question twice).

Example::

    >>> q = analyze_question("Who carved the walnut chest for the Duke of Brabant in 1520?")
    >>> q.answer_type, [p.text for p in q.names], q.years
    ('person', ['Duke of Brabant'], [1520])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rag.answer.terms import Phrase, content_terms, counted_stems, name_phrases, stem, years
from rag.language import Language
from rag.language.detect import default_detector
from rag.language.pivot import Pivoted, pivot
from rag.text import words

_EN = Language.for_code("en")

AnswerType = Literal["person", "date", "number", "place", "reason", "yesno", "thing"]
ANSWER_TYPES: tuple[str, ...] = ("person", "date", "number", "place", "reason", "yesno", "thing")

_AUX = _EN.wordlist("question_auxiliaries")
_PERSON_NOUNS = _EN.wordlist("person_nouns")
_PLACE_NOUNS = _EN.wordlist("place_nouns")
_WH = re.compile(r"\b(who|whom|whose|when|where|why|how|what|which)\b", re.IGNORECASE)
_NAME_OF = re.compile(r"\bnames? of\b", re.IGNORECASE)
_DATE_NOUNS = _EN.wordlist("date_nouns")
_QUANTITY = _EN.wordlist("quantity_words")


@dataclass
class QuestionInfo:
    """The parts of a question the answering steps use."""

    text: str
    terms: list[str]  # content words, lower-case
    term_stems: list[str]  # their stems, same order, without repeats
    answer_type: AnswerType
    names: list[Phrase] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # stems of every word, stop words included (the kind model's input)
    counted: frozenset[str] = frozenset()  # what a "how many" question counts (stems), when it names it in English
    vector: np.ndarray | None = field(default=None, repr=False)  # the query vector retrieval used
    lang: str = "en"
    original: str = ""  # the visitor's own words, when ``text`` is read through English question words
    pivoted: Pivoted | None = field(default=None, repr=False)  # how ``text`` was read from the visitor's words

    @property
    def untranslated(self) -> frozenset[str]:
        """Stems of the words ``text`` keeps in the visitor's language (none for English)."""
        if self.pivoted is None:
            return frozenset()
        return frozenset(stem(w) for w in content_terms(" ".join(self.pivoted.untranslated)))

    def as_written(self, words_of_text: str) -> str:
        """Words of :attr:`text` as the visitor wrote them ("youngest" -> "menor"; unchanged for English)."""
        return self.pivoted.as_written(words_of_text) if self.pivoted is not None else words_of_text

    @property
    def asked(self) -> str:
        """The question as the visitor wrote it."""
        return self.original or self.text

    @property
    def stem_set(self) -> set[str]:
        return set(self.term_stems)


def analyze_question(question: str, vector: np.ndarray | None = None, lang: str | None = None) -> QuestionInfo:
    text = " ".join(question.split())
    term_stems: list[str] = []
    for term in content_terms(text):
        s = stem(term)
        if s not in term_stems:
            term_stems.append(s)
    return QuestionInfo(
        text=text,
        terms=content_terms(text),
        term_stems=term_stems,
        answer_type=answer_type(text),
        names=name_phrases(text),
        years=years(text),
        tokens=list(dict.fromkeys(stem(w) for w in words(text))),
        counted=counted_stems(text),
        vector=vector,
        lang=lang or "en",
    )


def answer_type(question: str) -> AnswerType:
    """The kind of answer a question expects, from its wh-word and the noun that follows it."""
    tokens = words(question)
    if not tokens:
        return "thing"
    match = _WH.search(question)
    if match is None:
        return "yesno" if tokens[0] in _AUX else "thing"
    wh = match.group(1).lower()
    after = words(question[match.end() :])[:3]
    nxt = after[0] if after else ""
    if wh in ("who", "whom", "whose"):
        return "person"
    if wh == "when":
        return "date"
    if wh == "where":
        return "place"
    if wh == "why":
        return "reason"
    if wh == "how":
        return "number" if nxt in _QUANTITY else "reason"
    name_of = _NAME_OF.search(question)
    if nxt in ("is", "was", "were", "are") and name_of:
        for w in words(question[name_of.end() :]):
            if w in _PERSON_NOUNS or w.rstrip("s") in _PERSON_NOUNS:
                return "person"
            if w in _PLACE_NOUNS:
                return "place"
    if nxt in _DATE_NOUNS:
        return "date"
    if nxt in _PERSON_NOUNS or (len(after) > 1 and after[1] in _PERSON_NOUNS and nxt not in ("is", "was")):
        return "person"
    if nxt in _PLACE_NOUNS:
        return "place"
    return "thing"


def analyze_visitor_question(question: str, vector: np.ndarray | None = None, lang: str | None = None) -> QuestionInfo:
    """:func:`analyze_question` of a question in any supported language: its words are read through English
    question words (:mod:`rag.language.pivot`) in the language detected from the text; ``lang`` is the
    language the answer is framed in (default: the detected one)."""
    detected = default_detector().detect(question).lang
    pivoted = pivot(question, detected)
    info = analyze_question(pivoted.text, vector=vector, lang=lang or detected)
    info.original = " ".join(question.split())
    info.pivoted = pivoted
    if info.counted & info.untranslated:
        info.counted = frozenset()  # counted in the visitor's words, which English records never write
    return info
