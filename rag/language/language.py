"""One language layer for answering and verifying: tokens with offsets, one library stemmer, stop words, word lists.

Every language-specific word the answerer or the verifier needs (stop words, negations, months,
number words, materials, role labels...) is a data file under ``rag/language/data/<code>/``; the
stemmer is the Snowball stemmer of the language (PyStemmer).

Example::

    >>> fr = Language.for_code("fr")
    >>> [(t.text, t.stem, t.is_stop) for t in fr.tokens("Les peintures de l'atelier")]
    [('Les', 'le', True), ('peintures', 'peintur', False), ('de', 'de', True), ('l', 'l', True), ('atelier', 'ateli', False)]
    >>> Language.for_code("en").wordlist("months") >= {"march", "june"}
    True
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

from rag.language.tokens import Token, fold, split_tokens
from rag.language.wordlists import load_mapping, load_wordlist

#: The languages with a stemmer and word lists, and the Snowball algorithm of each.
SNOWBALL = {"en": "english", "fr": "french", "de": "german", "nl": "dutch", "es": "spanish", "it": "italian"}
SUPPORTED = tuple(SNOWBALL)

#: Elided articles and pronouns written onto the next word ("l'atelier", "dell'arte"): split off as their own token.
_ELISION = re.compile(r"^((?:[a-z]|qu|jusqu|lorsqu|puisqu|quoiqu|dell|dall|nell|sull|all|coll|quell|quest|un)['’])(.+)$", re.I)
_ELIDING = frozenset({"fr", "it"})


class UnsupportedLanguage(ValueError):
    """A language code the layer has no stemmer or word lists for."""


class Language:
    """The words of one language. Get one with :meth:`for_code` (instances are shared and thread-safe)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._local = threading.local()
        self.stopwords: frozenset[str] = frozenset(fold(w) for w in load_wordlist(code, "stopwords"))
        self._irregular: dict[str, str] = {fold(k): fold(v) for k, v in load_mapping(code, "irregular_forms").get("forms", {}).items()}
        self._stem_cached = lru_cache(maxsize=65536)(self._stem_uncached)

    def __repr__(self) -> str:
        return f"Language({self.code!r})"

    @classmethod
    def for_code(cls, code: str | None) -> "Language":
        """The language of an ISO 639-1 code (a region is ignored: "fr-CA" is "fr"); None is English.

        Raises :class:`UnsupportedLanguage` for a language without a stemmer here.
        """
        base = (code or "en").strip().lower().replace("_", "-").split("-")[0]
        if base not in SNOWBALL:
            raise UnsupportedLanguage(f"language {code!r} is not supported (supported: {', '.join(SUPPORTED)})")
        return _instance(base)

    @classmethod
    def supported(cls) -> tuple[str, ...]:
        return SUPPORTED

    # ------------------------------------------------------------------ words

    def stem(self, word: str) -> str:
        """The stem of one word: folded, possessive and irregular forms normalised, Snowball-stemmed.

        >>> en = Language.for_code("en")
        >>> en.stem("paintings") == en.stem("painted") == en.stem("painting")
        True
        """
        return self._stem_cached(word)

    def _stem_uncached(self, word: str) -> str:
        norm = self.norm(word)
        if not norm or not norm.isalpha():
            return norm
        norm = self._irregular.get(norm, norm)
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:  # a Snowball stemmer object is not thread-safe: one per thread
            stemmer = self._local.stemmer = Stemmer.Stemmer(SNOWBALL[self.code])
        return fold(stemmer.stemWord(norm))

    def norm(self, word: str) -> str:
        """The compared form of a word: lower-case, accents folded, English possessive dropped ("Stuart's" -> "stuart")."""
        norm = fold(word)
        if self.code == "en" and norm.endswith("'s"):
            norm = norm[:-2]
        return norm

    def is_stop(self, word: str) -> bool:
        return self.norm(word) in self.stopwords

    def tokens(self, text: str) -> list[Token]:
        """The tokens of ``text`` with offsets, normal form, stem and stop-word flag.

        In French and Italian an elided article is its own token ("l'atelier" -> "l", "atelier").
        """
        out: list[Token] = []
        for raw in split_tokens(text):
            pieces = [(raw.text, raw.start)]
            if elided := self.elision(raw.text):
                head, rest = elided
                pieces = [(head, raw.start), (rest, raw.start + len(raw.text) - len(rest))]
            for piece, start in pieces:
                norm = self.norm(piece)
                out.append(Token(piece, start, start + len(piece), norm, self.stem(piece), norm in self.stopwords))
        return out

    def elision(self, word: str) -> tuple[str, str] | None:
        """(the elided word without its apostrophe, the word it is written onto) in French and Italian
        ("l'atelier" -> ("l", "atelier")), else None."""
        if self.code not in _ELIDING or not (match := _ELISION.match(word)):
            return None
        return match.group(1)[:-1], match.group(2)

    def words(self, text: str) -> list[str]:
        """The normal forms of the tokens of ``text``."""
        return [t.norm for t in self.tokens(text)]

    def stems(self, text: str) -> list[str]:
        """The stems of every token of ``text``, in order."""
        return [t.stem for t in self.tokens(text)]

    def content_stems(self, text: str) -> list[str]:
        """The stems of the tokens of ``text`` that are not stop words, in order."""
        return [t.stem for t in self.tokens(text) if not t.is_stop]

    # ------------------------------------------------------------------ data

    def wordlist(self, name: str) -> frozenset[str]:
        """The word list ``data/<code>/<name>.txt`` as written (empty when this language has none)."""
        return load_wordlist(self.code, name)

    def stemmed(self, name: str) -> frozenset[str]:
        """The stems of the entries of a word list (for comparing with token stems)."""
        return _stemmed(self.code, name)

    def mapping(self, name: str) -> dict:
        """The JSON mapping ``data/<code>/<name>.json`` (empty when this language has none)."""
        return load_mapping(self.code, name)


@lru_cache(maxsize=None)
def _instance(code: str) -> Language:
    return Language(code)


@lru_cache(maxsize=None)
def _stemmed(code: str, name: str) -> frozenset[str]:
    language = Language.for_code(code)
    return frozenset(language.stem(w) for w in language.wordlist(name))
