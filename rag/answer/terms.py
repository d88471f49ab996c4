"""Word-level tools shared by the answering steps: light stemming, content terms, names, years, numbers.

Everything here is deterministic and language-light (English): it compares what a question
asks or asserts with what a record says, without any model.

Example::

    >>> content_terms("How many looms did Greta Lund own?")
    ['looms', 'greta', 'lund', 'own']
    >>> [p.text for p in name_phrases("Why did Hendrik Mol paint Greta Lund?")]
    ['Hendrik Mol', 'Greta Lund']
    >>> years("painted in 1702, copied c. 1790")
    [1702, 1790]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.language import Language
from rag.text import words

_EN = Language.for_code("en")

#: Function words and question scaffolding: never evidence of relevance on their own.
STOPWORDS = _EN.wordlist("question_stopwords")

#: Words that name the kind of question rather than its subject.
QUESTION_WORDS = _EN.wordlist("question_words")

_NUMBER_WORDS = _EN.wordlist("number_words")
_MONTHS = _EN.wordlist("months") | _EN.wordlist("month_abbreviations")
_YEAR = re.compile(r"(?<![\d.,$£])(1[0-9]{3}|20[0-9]{2})(?!\d|,\d|s\b)")
_DECADE = re.compile(r"\b(1[0-9]{2}0)s\b")
_DIGITS = re.compile(r"\d")
_CENTURY = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)[- ]century\b|\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty-first)[- ]century\b",
    re.IGNORECASE,
)
_ORDINAL_CENTURY: dict[str, int] = _EN.mapping("ordinal_centuries")["centuries"]

# A capitalised word, an initial ("F."), or a word joined by an apostrophe ("O'Keeffe", "Seamen's").
_CAP_TOKEN = re.compile(r"[A-ZÀ-Ö][A-Za-zÀ-ÖØ-öø-ÿ'’\-]*\.?|[A-Z]\.")
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9][A-Za-zÀ-ÖØ-öø-ÿ0-9'’\-]*\.?|[^\sA-Za-z0-9]")
#: Lower-case words allowed inside a name ("Seamen's Bethel in Boston" is two names; "Charles de Gaulle" one).
_NAME_CONNECTORS = _EN.wordlist("name_connectors")
#: Capitalised words that open questions and sentences without being names.
_NOT_NAMES = _EN.wordlist("not_names")


def stem(word: str) -> str:
    """The language layer's English stem (Snowball), so answering and verifying compare the same stems."""
    w = word.replace("’", "'").strip("'")
    return _EN.stem(w) if w else w


def content_terms(text: str) -> list[str]:
    """Content words of ``text`` (lower-cased, not stemmed), in order, stop words removed."""
    return [w for w in (t.replace("’", "'").removesuffix("'s") for t in words(text)) if w and w not in STOPWORDS]


def stems(text: str) -> set[str]:
    """The set of stemmed content words of ``text``."""
    return {stem(w) for w in content_terms(text)}


@lru_cache(maxsize=16384)
def all_stems(text: str) -> frozenset[str]:
    """The set of stemmed words of ``text``, stop words included (for containment checks).

    Cached: answering asks it of the same record sentences and titles several times per question,
    and the same popular objects come back question after question.
    """
    return frozenset(stem(w) for w in words(text))


#: Titles that precede a name and say who it is, not which person ("President Kennedy", "Colonel Ellsworth").
NAME_TITLES = frozenset(stem(w) for w in _EN.wordlist("name_titles"))


def years(text: str) -> list[int]:
    """Four-digit years (1000-2099) in order of appearance; a decade "1850s" counts as 1850."""
    found = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(text)]
    found += [(m.start(), int(m.group(1))) for m in _DECADE.finditer(text)]
    return [y for _, y in sorted(found)]


def centuries(text: str) -> list[int]:
    """Centuries named in ``text`` ("19th century", "nineteenth-century" -> 19)."""
    return [number for number, _, _ in century_mentions(text)]


def century_mentions(text: str) -> list[tuple[int, int, int]]:
    """(century, start, end) of each century named in ``text``."""
    out = []
    for m in _CENTURY.finditer(text):
        number = int(m.group(1)) if m.group(1) else _ORDINAL_CENTURY[m.group(2).lower()]
        out.append((number, m.start(), m.end()))
    return out


_ORDINAL_WORDS = _EN.wordlist("ordinal_words")


def _is_cardinal_word(word: str) -> bool:
    """A cardinal number word ("one" is too often a pronoun, and an ordinal like "second" is a position, not a
    quantity)."""
    return word in _NUMBER_WORDS and word != "one" and word not in _ORDINAL_WORDS


def has_number(text: str) -> bool:
    """Whether ``text`` states a quantity: digits or a cardinal number word."""
    return bool(_DIGITS.search(text)) or any(_is_cardinal_word(w) for w in words(text))


_QUESTION_AUXILIARIES = _EN.wordlist("question_auxiliaries")
_GENERAL_COUNTED = frozenset(stem(w) for w in _EN.wordlist("general_count_nouns"))
_HOW_MANY = re.compile(r"\bhow\s+(?:many|much)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’\-]*")
#: How many words after a number the thing it counts may stand ("40 metres of fine undyed linen").
COUNT_WINDOW = 5


def counted_stems(question: str) -> frozenset[str]:
    """Stems of the thing a "how many / how much" question counts: the lower-case content words right after it,
    up to the first function word after them ("how many of the bronze bells were cast?" -> bronze, bell). Empty
    when it counts nothing by name ("how much did it cost?") or names it only with proper names."""
    match = _HOW_MANY.search(question)
    if match is None:
        return frozenset()
    found: list[str] = []
    named = False  # a word of the counted thing seen, a proper name included ("how many Lumen prizes did she win?")
    clause = re.split(r"[,;:?!]", question[match.end() :], maxsplit=1)[0]
    for index, token in enumerate(_WORD.findall(clause)[:6]):
        word = token.lower().replace("’", "'").removesuffix("'s")
        if index == 0 and word in _QUESTION_AUXILIARIES:
            return frozenset()  # "how much did it cost?": the verb says what is counted, not a noun
        if word in STOPWORDS or word in QUESTION_WORDS:
            if named:
                break
            continue
        named = True
        if not token[:1].isupper():
            found.append(stem(word))
        if len(found) == 3:
            break
    return frozenset(found)


def counts(text: str, counted: frozenset[str]) -> bool:
    """Whether ``text`` gives a number (not a year) with one of the ``counted`` stems at most
    :data:`COUNT_WINDOW` words after it ("twenty-four cameras", "3 canvas panels"); any number when a counted
    word is a general noun a record states by its kinds ("people", "pieces": ``general_count_nouns.txt``)."""
    tokens = [t.lower() for t in _TOKEN.findall(text) if t[:1].isalnum()]
    general = bool(counted & _GENERAL_COUNTED)
    for i, token in enumerate(tokens):
        is_count = (
            (token[:1].isdigit() and not _YEAR.fullmatch(token.rstrip(".")))
            or any(_is_cardinal_word(part) for part in token.split("-"))  # "three", "twenty-four"
        )
        if is_count and (general or any(stem(t.strip(".")) in counted for t in tokens[i + 1 : i + 1 + COUNT_WINDOW])):
            return True
    return False


def has_date(text: str) -> bool:
    """Whether ``text`` states a year, a decade, a century or a month."""
    return bool(years(text)) or bool(centuries(text)) or any(w in _MONTHS for w in words(text))


@dataclass(frozen=True)
class Phrase:
    """A run of capitalised words (a likely name) with its character offsets."""

    start: int
    end: int
    text: str

    @property
    def tokens(self) -> list[str]:
        return [t for t in (stem(w) for w in words(self.text)) if t not in _NAME_CONNECTORS]


def name_phrases(text: str) -> list[Phrase]:
    """Runs of capitalised words ("Lyndon Johnson", "New York Tribune", "John F. Kennedy").

    A capitalised word that opens a sentence is only kept when the next word is capitalised
    too, or when it is not a common question or function word.
    """
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
    phrases: list[Phrase] = []
    i = 0
    while i < len(tokens):
        start, end, tok = tokens[i]
        if not _is_cap(tok) or tok.lower().rstrip(".").replace("’", "'") in _NOT_NAMES:
            i += 1
            continue
        j = i + 1
        last = i
        while j < len(tokens):
            _, _, nxt = tokens[j]
            if tokens[last][2].endswith(("'s", "’s", "s'", "s’")):
                break  # a possessive ends the name: "Lincoln Schatz's | Cube", "Mathis' | Odalisque"
            if _is_cap(nxt) and nxt.lower().rstrip(".") not in _NOT_NAMES - {"the"}:
                last = j
                j += 1
            elif nxt.lower() in _NAME_CONNECTORS:
                k = j  # particles before a name's last word: "Charles de Gaulle", "Mies van der Rohe"
                while k < len(tokens) and tokens[k][2].lower() in _NAME_CONNECTORS:
                    k += 1
                if k == j or k >= len(tokens) or not _is_cap(tokens[k][2]):
                    break
                j = k
            else:
                break
        phrase_text = text[start : tokens[last][1]].rstrip(".'’")
        # "F." inside a name keeps its dot; a trailing sentence dot does not belong to the name.
        if phrase_text:
            phrases.append(Phrase(start, start + len(phrase_text), phrase_text))
        i = last + 1
    return phrases


def _is_cap(token: str) -> bool:
    return bool(token) and token[0].isupper() and any(c.isalpha() for c in token)


def overlap(needle: set[str], haystack: set[str]) -> float:
    """Share of ``needle`` found in ``haystack`` (1.0 for an empty needle)."""
    if not needle:
        return 1.0
    return len(needle & haystack) / len(needle)
