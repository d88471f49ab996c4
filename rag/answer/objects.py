"""Kinds of museum object a question names ("the Lund *photograph*"), and whether a record is of that kind.

A question that says "photograph" is not about a painting of the same sitter: evidence from a
record of another kind must not answer it, and a record of another kind is not the object a
question's premise is about.

Example::

    >>> asked = asked_object_kinds("When was the Greta Lund photograph printed?")
    >>> sorted(asked)
    ['photograph']
    >>> fits_object_kind(asked, record_type="Painting", title="Greta Lund at her loom")
    False
"""

from __future__ import annotations

import re

from rag.answer.terms import STOPWORDS, all_stems, stem
from rag.language import Language
from rag.text import words

_EN = Language.for_code("en")

#: Nouns that name a museum object.
OBJECT_NOUNS = _EN.wordlist("object_nouns")
OBJECT_STEMS = frozenset(stem(w) for w in OBJECT_NOUNS)

#: The object types an object noun of a question can refer to (a record's ``type`` and title are compared by stem).
#: Nouns missing here ("portrait", "picture", "work") fit any object.
NOUN_TYPES = {
    stem(noun): frozenset(stem(t) for t in types.split())
    for noun, types in _EN.mapping("object_noun_types")["types"].items()
}


def asked_object_kinds(question: str) -> frozenset[str]:
    """The specific object nouns of a question, as stems ("the 1923 photo" -> {"photograph"}).

    A noun that modifies the next one ("the *photograph* studio") names no object: an
    object noun counts when a function word, a participle ("photograph *taken*") or the end follows it.
    A verb of making counts as its object ("*drew* the weaver": a drawing); the work an object copies does not
    ("the engraving Harbour after a *painting* by Vos").
    """
    tokens = words(question)
    asked = set()
    for i, token in enumerate(tokens):
        noun = stem(token)
        if noun not in NOUN_TYPES:
            continue
        if "after" in tokens[max(0, i - 2) : i] and tokens[i - 1] in ("after", "a", "an", "the"):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        verb = token.endswith("ed") or token in ("drew", "drawn")  # "drew the weaver": a drawing
        if verb or not nxt or nxt in STOPWORDS or _PARTICIPLE.search(nxt):
            asked.add(noun)
    return frozenset(asked)


_PARTICIPLE = re.compile(r"(?:ed|en|wn|ne|de|ht|ok|ung|ast)$")


def fits_object_kind(asked: frozenset[str], record_type: str | None, title: str = "", medium: str = "") -> bool:
    """Whether a record of ``record_type`` (titled ``title``, of ``medium``) can be the object the question names.

    The medium counts too: a "platinum print" is a photograph whose medium says "print".
    """
    if not asked:
        return True
    kind = all_stems(" ".join(filter(None, [record_type, title])))
    made_of = all_stems(medium) if medium else set()
    return any(NOUN_TYPES[noun] & kind or noun in made_of for noun in asked)
