"""What a question asks for: its content terms, the kind of answer it expects, the names and years it asserts.

Example::

    >>> q = analyze_question("What year did President Kennedy put Thurgood Marshall on the Supreme Court?")
    >>> q.answer_type, [p.text for p in q.names]
    ('date', ['President Kennedy', 'Thurgood Marshall', 'Supreme Court'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rag.answer.objects import OBJECT_STEMS
from rag.answer.terms import STOPWORDS, Phrase, content_terms, name_phrases, stem, years
from rag.language import Language
from rag.text import words

_EN = Language.for_code("en")

AnswerType = Literal["person", "date", "number", "place", "reason", "yesno", "thing"]

_AUX = _EN.wordlist("question_auxiliaries")
_PERSON_NOUNS = _EN.wordlist("person_nouns")
_PLACE_NOUNS = _EN.wordlist("place_nouns")
#: Nouns whose instances have proper names: "Which *newspaper* ...?" asks for a name ("the Maryland Gazette").
NAMED_HEADS = _EN.wordlist("named_heads")


@dataclass
class QuestionInfo:
    """The parts of a question the answering steps use."""

    text: str
    terms: list[str]  # content words, lower-case
    term_stems: list[str]  # their stems, same order, without repeats
    answer_type: AnswerType
    names: list[Phrase] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    answer_types: set[str] = field(default_factory=set)  # every kind asked ("When ..., and who ...?")
    head: str | None = None  # the noun the question asks for ("Which *newspaper* ...", "How many *children* ...")
    asks_name: bool = False  # the answer is a proper name ("What was the *name of* ...", "Which *newspaper* ...")
    event: str | None = None  # stem of the verb the question asks about ("When did it *run* on the cover?")

    @property
    def stem_set(self) -> set[str]:
        return set(self.term_stems)


def analyze_question(question: str) -> QuestionInfo:
    text = " ".join(question.split())
    terms = content_terms(text)
    term_stems: list[str] = []
    for term in terms:
        s = stem(term)
        if s not in term_stems:
            term_stems.append(s)
    return QuestionInfo(
        text=text,
        terms=terms,
        term_stems=term_stems,
        answer_type=answer_type(text),
        names=name_phrases(text),
        years=years(text),
        answer_types=all_answer_types(text),
        head=asked_head(text),
        asks_name=asks_for_name(text),
        event=asked_event(text),
    )


def all_answer_types(question: str) -> set[str]:
    """The kinds of answer of every clause: "When was it taken, and who took it?" -> {"date", "person"}."""
    kinds = {answer_type(question)}
    for match in _WH.finditer(question):
        before = question[: match.start()].rstrip()
        last = words(before)[-1:] if before else []
        # only a wh-word that opens a clause asks something ("..., and who took it?"), not "living when he drew"
        if not before or before[-1] in ",;:—–-" or last in (["and"], ["or"], ["but"]):
            kinds.add(answer_type(question[match.start() :]))
    return kinds


#: Words as a question writes them, apostrophes kept ("Hoban's").
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9'’]+")
_HEAD_SKIP = _EN.wordlist("head_skip")
_HEAD_AFTER = {"which", "what", "whose"}


def asks_for_name(question: str) -> bool:
    """Whether the answer must be a proper name: "What was the name of ...?", "Which newspaper ...?"."""
    return bool(_NAME_OF.search(question)) or asked_head(question) in NAMED_HEADS


def asked_head(question: str) -> str | None:
    """The noun a question asks for: "Which newspaper printed ..." -> "newspaper", "How many children ..." -> "children".

    The first lower-case word after "which/what/whose" or "how many/much", skipping names, numbers
    and "of the"; none for "What was ...", "What is ..." and "What name ...".
    """
    tokens = _TOKEN.findall(question)
    lowered = [t.lower() for t in tokens]
    for i, token in enumerate(lowered):
        if token in _HEAD_AFTER:
            j = i + 1
        elif token == "how" and i + 1 < len(lowered) and lowered[i + 1] in ("many", "much"):
            j = i + 2
        else:
            continue
        if j < len(lowered) and (lowered[j] in _AUX or lowered[j] == "name"):
            return None
        while j < len(tokens):
            word, low = tokens[j], lowered[j]
            if low in _AUX or low in ("do", "does"):
                return None
            if word[0].isupper() or word.isdigit() or low in _HEAD_SKIP or low in _NUMBER_WORDS:
                j += 1
                continue
            return low if low not in STOPWORDS else None
        return None
    return None


_EVENT_AUX = _EN.wordlist("event_auxiliaries")
_EVENT_SKIP = _EN.wordlist("event_skip")


def asked_event(question: str) -> str | None:
    """The stem of the verb a question asks about, after its auxiliary and subject.

    "On what date did Russell Hoban's Oscar Robertson *run* on the cover?" -> "run";
    "When was the Chavez photograph *taken*?" -> "taken" (as a stem). Names, determiners and
    object nouns between the auxiliary and the verb are the subject; none when no verb follows.
    """
    tokens = _TOKEN.findall(question)
    for i, token in enumerate(tokens):
        if token.lower() not in _EVENT_AUX or i == 0 and token.lower() not in ("did", "does", "do"):
            continue
        for word in tokens[i + 1 :]:
            low = word.lower()
            if word[0].isupper() or word[0].isdigit() or low.endswith(("'s", "’s")) or low in _EVENT_SKIP:
                continue
            if stem(low) in OBJECT_STEMS or low in ("of", "by"):
                continue
            return None if low in STOPWORDS else stem(low)
        return None
    return None


_NAME_OF = re.compile(r"\bnames? of\b", re.IGNORECASE)
_NUMBER_WORDS = _EN.wordlist("small_number_words")
_WH = re.compile(r"\b(who|whom|whose|when|where|why|how|what|which)\b", re.IGNORECASE)


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
        if nxt in ("many", "much", "old", "long", "far", "tall", "big", "large", "high", "often"):
            return "number"
        return "reason"
    # what / which + noun
    if nxt in ("is", "was", "were", "are") and _NAME_OF.search(question):  # "What was the name of her husband?"
        rest = words(question[_NAME_OF.search(question).end() :])
        for w in rest:
            if w in _PERSON_NOUNS or w.rstrip("s") in _PERSON_NOUNS:
                return "person"
            if w in _PLACE_NOUNS:
                return "place"
    if nxt in ("year", "years", "date", "decade", "century", "month", "day"):
        return "date"
    if nxt in _PERSON_NOUNS or (len(after) > 1 and after[1] in _PERSON_NOUNS and nxt not in ("is", "was")):
        return "person"
    if nxt in _PLACE_NOUNS:
        return "place"
    return "thing"
