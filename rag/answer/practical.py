"""Practical visitor questions (opening hours, tickets, access...): point to the visitor-information page.

The collection records never say when the museum opens; such a question is not a gap in the
collection. A question with a practical term (``rag/data/practical_terms.json``, per language and
English; whole words, case and accents aside) that the best evidence's record does not mention is
abstained on (``rag.answer.abstain.guard``); when the museum configured ``visitor_info_url``, the
abstention's text points to that page and ``Answer.visitor_info_url`` carries the link.

Example::

    terms = PracticalTerms.load()
    terms.visitor_terms("Où est le vestiaire ? Is there parking?", "fr")   # {"vestiaire", "parking"}
    terms.matches("Who painted the café scene?", "en")   # True: answered when its record mentions the café
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from rag.names import fold


class PracticalTerms:
    """The practical words of each language, as one whole-word pattern per language."""

    def __init__(self, terms: dict[str, list[str]]) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}
        for lang, words in terms.items():
            if lang.startswith("_") or not words:
                continue
            alternatives = sorted({re.escape(fold(w)) for w in words if w.strip()}, key=len, reverse=True)
            self._patterns[lang] = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "PracticalTerms":
        path = resources.files("rag.data").joinpath("practical_terms.json")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def matches(self, question: str, lang: str | None = "en") -> bool:
        """Whether the question has a practical term of its language or English."""
        return bool(self.visitor_terms(question, lang))

    def visitor_terms(self, text: str, lang: str | None) -> set[str]:
        """The practical terms ``text`` holds in ``lang`` or in English (visitors mix them: "le parking"), folded."""
        return self.terms_in(text, lang) | self.terms_in(text, "en")

    def terms_in(self, text: str, lang: str | None = "en") -> set[str]:
        """The practical terms of ``lang`` (English when it has no list) that ``text`` holds, folded."""
        pattern = self._patterns.get((lang or "en").split("-")[0].lower()) or self._patterns.get("en")
        return set(pattern.findall(fold(text))) if pattern else set()
