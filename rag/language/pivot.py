"""A question in another language, read through the English question words the answering steps know.

The answering steps (what kind of answer is asked for, which words the evidence must hold, what a
question asserts) read English question words ("who", "when", "how many"). The records of most
collections are in English too, and a visitor's French question shares with them only its names,
years, numbers and the odd cognate. So before analysis a question in another language is *pivoted*:
its question words become the English ones (``data/<lang>/question_words.json``), so do the words that
say how an object was made (verbs of making, materials, kinds of object, the word before a maker or a
year: ``data/<lang>/making_words.json``, which the premise checks read) and the titles before a name
(``data/<lang>/name_titles.json``: "le président Lund" -> "President Lund"), and so do its number words,
ordinals and words of a position in a series (``data/<lang>/numbers.json``: "diecinueve" -> "nineteen",
"tweede" -> "second", "la cadette" -> "youngest"), which the premise checks compare with the record's. Its function words
(``data/<lang>/stopwords.txt``, and the articles French and Italian write onto the next word) are left
out, with a comma where they stood between two names ("Anna Vos de Haarlem Courant" -> "Anna Vos,
Haarlem Courant": two names, as the visitor wrote them), but for the particles of a name
(``data/<lang>/name_particles.txt``: "Charles de Gaulle"). Names, years, numbers and other content words
stay as written. The question's meaning for retrieval and similarity is still the visitor's own text.

Example::

    pivot_question("Qui a sculpté le buste du capitaine Brand en 1840 ?", "fr")
    # "who sculpted bust Captain Brand in 1840 ?"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.language.language import SUPPORTED, Language
from rag.language.tokens import fold

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[¿?¡!]|\.(?=\s)|[,;:—–](?=\s)")
#: Punctuation that ends a name ("Volck, Lincoln"): kept, on the word before it.
_CLAUSE_MARKS = ",;:—–"


Phrases = list[tuple[list[str], str]]


def _sorted(mapping: dict) -> tuple[Phrases, Phrases]:
    """(phrases anywhere, phrases only at the start), each as folded words -> English, longest first."""
    anywhere, start = [], []
    for key, english in mapping.items():
        if key.startswith("_"):
            continue
        target = start if key.startswith("^") else anywhere
        target.append((fold(key.lstrip("^")).replace("-", " ").split(), str(english)))
    return (sorted(anywhere, key=lambda p: -len(p[0])), sorted(start, key=lambda p: -len(p[0])))


@lru_cache(maxsize=None)
def _phrases(lang: str) -> tuple[Phrases, Phrases]:
    """The question words of ``lang``: (anywhere, at a sentence's start: those and the start-only ones), longest first."""
    anywhere, start = _sorted(Language.for_code(lang).mapping("question_words"))
    return anywhere, sorted(start + anywhere, key=lambda p: -len(p[0]))


@lru_cache(maxsize=None)
def _making(lang: str) -> tuple[Phrases, bool]:
    """The making words of ``lang``, and whether they also match a capitalised word (nouns written with a capital)."""
    mapping = Language.for_code(lang).mapping("making_words")
    return _sorted(mapping)[0], bool(mapping.get("_capitalised_nouns"))


def _match(phrases: Phrases, folded: list[str], i: int) -> tuple[int, str] | None:
    for words, english in phrases:
        if folded[i : i + len(words)] == words:
            return len(words), english
    return None


@dataclass(frozen=True)
class Pivoted:
    """A question read through English words: its text, and the words it keeps in the visitor's language."""

    text: str
    untranslated: tuple[str, ...] = ()  # lower-case content words kept as written: no English record holds them
    written: tuple[tuple[str, str], ...] = ()  # (English words, the visitor's words they stand for)

    def as_written(self, english: str) -> str:
        """``english`` (words of :attr:`text`) in the visitor's words where the pivot wrote them in English."""
        words_of = {e.lower(): w for e, w in self.written}
        if english.lower() in words_of:
            return words_of[english.lower()]
        return " ".join(words_of.get(w.lower(), w) for w in english.split())


def pivot_question(question: str, lang: str | None) -> str:
    """``question`` with English question words and without the function words of ``lang`` (unchanged for English)."""
    return pivot(question, lang).text


def pivot(question: str, lang: str | None) -> Pivoted:
    """:func:`pivot_question`, with the words it could not read through English."""
    if not lang or lang == "en" or lang not in SUPPORTED:
        return Pivoted(question)
    language = Language.for_code(lang)
    anywhere, at_start = _phrases(lang)
    making, capitalised = _making(lang)
    tokens = [m.group(0) for m in _WORD.finditer(question.replace("-", " "))]
    folded = [fold(t) for t in tokens]
    out: list[str] = []
    untranslated: list[str] = []
    written: list[tuple[str, str]] = []
    noun_next = False  # the next capitalised word follows an article, in a language that capitalises nouns
    dropped: list[str] = []  # the function words left out since the last word kept
    i = 0
    while i < len(tokens):
        if tokens[i] in "¿¡":
            i += 1
            continue
        if tokens[i] == "." and (not out or len(out[-1]) < 3 or out[-1] == "."):
            i += 1  # the point of an initial or an abbreviation ("Robert L. Johnson", "Dr.")
            continue
        first = not out or out[-1] in "?!."  # the start of the question or of a sentence in it
        candidates = at_start if first else anywhere
        match = _match(candidates, folded, i)
        if match is None and (capitalised or first or not tokens[i][:1].isupper()):
            match = _match(making, folded, i)
        number = None
        if match is None and (first or not tokens[i][:1].isupper()):
            match = number = _match(_numbers(lang), folded, i)
        if match is not None:
            out.extend(match[1].split())
            written.append((match[1], " ".join(tokens[i : i + match[0]])))
            i += match[0]
            dropped = []
            noun_next = noun_next and number is not None  # "den dritten Teller": a number passes the article on
            continue
        elided = language.elision(tokens[i])
        if elided:  # "l'ambrotype", "dell'artista": the elided article is a function word; read on from the word
            tokens[i], folded[i] = elided[1], fold(elided[1])
            dropped.append(elided[0])
            continue
        token = tokens[i]
        i += 1
        title = _titles(lang).get(folded[i - 1])
        if title and i < len(tokens) and tokens[i][:1].isupper():
            token = title  # "le président Lund" -> "President Lund", as the English checks read a title
        if token in _CLAUSE_MARKS:
            if out and out[-1][-1:].isalnum():
                out[-1] += token
            continue
        name = token[:1].isupper() and not first  # a capital at a sentence's start says nothing
        keep = token in "?!." or name or any(ch.isdigit() for ch in token)
        written_upper = token[:1].isupper()
        if noun_next and name and not token.isupper() and not (i < len(tokens) and tokens[i][:1].isupper()):
            # German writes every noun with a capital: after an article ("die Vase") one capitalised word is a
            # noun, not a name (a run of them is one: "der Gebrüder Lund")
            token, name, keep = token.lower(), False, False
        # an adjective between article and noun passes the article on ("die junge Malerin")
        noun_next = capitalised and (fold(token) in _folded_words(lang, "articles") or noun_next and not written_upper)
        if not keep and language.is_stop(token):
            dropped.append(token)
            continue
        if not keep and not token[:1].isupper():
            untranslated.append(token)  # a content word English records don't hold (a capital at the start may be a name)
        if name and dropped and out and _is_name_word(out[-1]):
            # two names the left-out words stood between stay two names ("Anna Vos de Haarlem Courant" is not one
            # name), but for particles inside a name before its last word ("Pieter van der Loon")
            surname = i >= len(tokens) or not tokens[i][:1].isupper()
            if surname and all(fold(w) in _folded_words(lang, "name_particles") for w in dropped):
                out.extend(dropped)
            else:
                out[-1] += ","
        out.append(token)
        dropped = []
    return Pivoted(" ".join(out), tuple(untranslated), tuple(written))


def _is_name_word(token: str) -> bool:
    return token[:1].isupper() and token[-1:].isalnum()


@lru_cache(maxsize=None)
def _numbers(lang: str) -> Phrases:
    """The number words, ordinals and position words of ``lang`` (folded words) with their English words, longest first.

    A number becomes the English word of its value ("diecinueve" -> "nineteen"), so the premise checks catch a
    changed number in any language; "one" (also the article: "un", "ein") and the words ``lang`` also writes with
    another meaning (``_pivot_skip``: Italian "sei", "secondo") are left as they are.
    """
    english = Language.for_code("en").mapping("numbers")
    words_of: dict[str, dict[int, str]] = {}
    for kind in ("units", "ordinals"):
        for word, value in english.get(kind, {}).items():
            words_of.setdefault(kind, {}).setdefault(int(value), word)  # the first word of a value ("three", not "thrice")
    numbers = Language.for_code(lang).mapping("numbers")
    skip = {fold(w) for w in numbers.get("_pivot_skip", [])}
    mapping: dict[str, str] = {}
    for kind in ("units", "ordinals"):
        for word, value in numbers.get(kind, {}).items():
            target = words_of.get(kind, {}).get(int(value))
            if target and (kind == "ordinals" or int(value) > 1):
                mapping[word] = target
    mapping.update(numbers.get("positions", {}))
    return _sorted({w: e for w, e in mapping.items() if fold(w) not in skip})[0]


@lru_cache(maxsize=None)
def _folded_words(lang: str, name: str) -> frozenset[str]:
    """The word list ``data/<lang>/<name>.txt``, folded: ``articles`` (and prepositions written with one, "im"),
    ``name_particles`` (inside a person's name: "de", "van", "da")."""
    return frozenset(fold(w) for w in Language.for_code(lang).wordlist(name))


@lru_cache(maxsize=None)
def _titles(lang: str) -> dict[str, str]:
    """The titles ``lang`` puts before a name, folded, with their English titles."""
    return {fold(k): str(v) for k, v in Language.for_code(lang).mapping("name_titles").items()}
