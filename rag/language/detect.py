"""The language of a visitor's question, among the languages museum-rag answers in.

Visitors type short, casual questions, often without accents and full of proper names
("la tapisserie de Bayeux a ete brodee en quelle annee", "Wie is de vrouw naast Jan
Steen?"). Names say nothing about the language of the question around them, so capitalised
words inside a sentence are left out before identification (unless too little would remain);
the identifier is py3langid (langid.py's model) restricted to the supported languages. Measured
with ``python bench/language_id.py`` on the dev questions, it was more accurate than lingua
(restricted alike) in every language. The choice, in order:

1. an explicit language (the ``lang`` of an ask request) when it is supported;
2. the detected language when the identifier is confident enough;
3. the hint (the ``<html lang>`` of the page the widget sits on) when it is supported;
4. the detected language anyway, or English for a question with no letters at all.

Example::

    detector = LanguageDetector()
    detector.detect("Wer hat Martha Washington gemalt?").lang   # "de"
    detector.choose("Rembrandt?", hint="nl")                     # "nl"
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

#: The languages the product answers in (message catalogues, stemmers, stopwords), English first.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "nl", "es", "it")
DEFAULT_LANGUAGE = "en"

#: Below this confidence (the identifier's probability of its best language) the page's language wins.
MIN_CONFIDENCE = 0.5

#: The most a text of names and numbers with fewer than two other words can say about its language.
FEW_WORDS_CONFIDENCE = 0.4

_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_EDGE = "¿¡«»\"'“”‘’„()[],;:"
_SENTENCE_END = (".", "?", "!", ":")


def without_names(text: str) -> str:
    """``text`` without the capitalised words that do not start a sentence (names, mostly)."""
    kept: list[str] = []
    sentence_start = True
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        core = token.strip(_EDGE)
        if sentence_start or not core[:1].isupper():
            kept.append(token)
        sentence_start = token.endswith(_SENTENCE_END) or token in _EDGE
    return " ".join(kept)


def normalize_language(code: str | None) -> str | None:
    """``"fr-BE"`` -> ``"fr"``; None for anything that is not a supported language."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED_LANGUAGES else None


@dataclass(frozen=True)
class Detection:
    lang: str
    confidence: float


class LanguageDetector:
    """py3langid restricted to :data:`SUPPORTED_LANGUAGES`, names left out (see the module docstring)."""

    def __init__(self, languages: tuple[str, ...] = SUPPORTED_LANGUAGES, min_confidence: float = MIN_CONFIDENCE) -> None:
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        self.languages = languages
        self.min_confidence = min_confidence
        self._identifier = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
        self._identifier.set_languages(list(languages))
        self._lock = threading.Lock()
        # Retrieval (BM25's stemmer) and answering both ask for the same question's language.
        self._cached = lru_cache(maxsize=1024)(self._classify)

    def detect(self, text: str) -> Detection:
        """The most likely supported language of ``text`` and the identifier's confidence in it."""
        return self._cached(text or "")

    def _classify(self, text: str) -> Detection:
        if not any(ch.isalpha() for ch in text):
            return Detection(DEFAULT_LANGUAGE, 0.0)
        words = without_names(text)
        few = len(_WORD.findall(words)) < 2
        if few:  # a name and little else: use everything there is, but it says little about the language
            words = text
        with self._lock:
            lang, confidence = self._identifier.classify(words)
        return Detection(str(lang), min(float(confidence), FEW_WORDS_CONFIDENCE) if few else float(confidence))

    def choose(self, text: str, explicit: str | None = None, hint: str | None = None) -> str:
        """The language to answer in: explicit, else confidently detected, else the hint, else detected."""
        forced = normalize_language(explicit)
        if forced:
            return forced
        detection = self.detect(text)
        if detection.confidence >= self.min_confidence:
            return detection.lang
        return normalize_language(hint) or detection.lang


@lru_cache(maxsize=1)
def default_detector() -> LanguageDetector:
    """One shared detector (its models take a moment to load)."""
    return LanguageDetector()
