"""The words the fact checks read, from the language layer's data files (``rag/language/data/en``)."""

from __future__ import annotations

import re

from rag.language import Language

_EN = Language.for_code("en")

#: Function words: never evidence on their own.
STOPWORDS = _EN.wordlist("stopwords")
#: Words that flip the polarity of a statement.
NEGATIONS = _EN.wordlist("negations")
#: First- and second-person words: a claim about "I" or "you" is conversation, not a record.
PERSONAL = _EN.wordlist("personal_pronouns")
#: Materials, media and techniques: the "medium" line of a museum record.
MATERIALS = _EN.wordlist("materials")

#: Each word -> the words whose swap with it turns a true statement false (kinship, outcome, order, direction).
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _EN.mapping("antonyms")["pairs"]:
    ANTONYMS[_a] = ANTONYMS.get(_a, frozenset()) | {_b}
    ANTONYMS[_b] = ANTONYMS.get(_b, frozenset()) | {_a}

_NUMBERS = _EN.mapping("numbers")
UNITS: dict[str, float] = _NUMBERS["units"]
ORDINALS: dict[str, int] = _NUMBERS["ordinals"]
SCALES: dict[str, int] = _NUMBERS["scales"]
#: Number words too common as pronouns or idioms to count as a stated quantity on their own.
WEAK_NUMBERS = _EN.wordlist("weak_numbers")
#: "the two of *them*": no count.
PARTITIVE_PRONOUNS = _EN.wordlist("partitive_pronouns")
MONTHS = _EN.wordlist("months")

#: Titles and initials after which a full stop does not end a sentence.
ABBREVIATIONS = _EN.wordlist("abbreviations")
CLAUSE_WORDS = _EN.wordlist("clause_words")

_RELATIVE = _EN.mapping("relative_time")
YEAR_AFTER_WORDS = frozenset(_RELATIVE["after"])
YEAR_BEFORE_WORDS = frozenset(_RELATIVE["before"])
NEXT_WORDS = frozenset(_RELATIVE["next"])
PREVIOUS_WORDS = frozenset(_RELATIVE["previous"])

#: Phrases that deny or set aside what follows without a "not": "a benefactor rather than a tycoon".
CONTRAST_WORDS = _EN.wordlist("contrast_words")
BE = _EN.wordlist("be")
#: Past forms that do not end in -ed.
IRREGULAR_PAST = _EN.wordlist("irregular_past")
#: Words that make a person the maker of a work ("painted by X", "X photographed ...").
CREATION = _EN.wordlist("creation_verbs")
#: Nouns for a likeness: "portrait of X" makes X the sitter.
LIKENESS = _EN.wordlist("likeness_nouns")
DEPICTS = _EN.wordlist("depiction_verbs")
#: Catalogue labels ("Artist:", "Sitter:") and the role they give the name after them.
ROLE_LABELS: dict[str, str] = _EN.mapping("role_labels")["labels"]
PERSON_PRONOUNS = _EN.wordlist("person_pronouns")
#: Verb-like words: a claim with none of them (and few content words) is an answer phrase, not a sentence.
AUXILIARIES = _EN.wordlist("auxiliaries")

SENTENCE_END = re.compile(r"[.!?]")
