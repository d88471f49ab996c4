"""A question in another language, read through the English question words the answering steps know.

The answering steps (what kind of answer is asked for, which words the evidence must hold, what a
question asserts) read English question words ("who", "when", "how many"). The records of most
collections are in English too, and a visitor's French question shares with them only its names,
years, numbers and the odd cognate. So before analysis a question in another language is *pivoted*:
its question words become the English ones (``data/<lang>/question_words.json``), and its function
words (``data/<lang>/stopwords.txt``) are left out; names, years, numbers and content words stay as
written. The question's meaning for retrieval and similarity is still the visitor's own text.

Example::

    pivot_question("Qui a peint le portrait du capitaine Brand en 1840 ?", "fr")
    # "who peint portrait capitaine Brand 1840 ?"
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.language.language import SUPPORTED, Language
from rag.language.tokens import fold

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[¿?¡!]")


@lru_cache(maxsize=None)
def _phrases(lang: str) -> tuple[list[tuple[list[str], str]], list[tuple[list[str], str]]]:
    """(phrases anywhere, phrases only at the start), each as folded words -> English, longest first."""
    anywhere, start = [], []
    for key, english in Language.for_code(lang).mapping("question_words").items():
        target = start if key.startswith("^") else anywhere
        target.append((fold(key.lstrip("^")).replace("-", " ").split(), str(english)))
    return (sorted(anywhere, key=lambda p: -len(p[0])), sorted(start, key=lambda p: -len(p[0])))


def pivot_question(question: str, lang: str | None) -> str:
    """``question`` with English question words and without the function words of ``lang`` (unchanged for English)."""
    if not lang or lang == "en" or lang not in SUPPORTED:
        return question
    language = Language.for_code(lang)
    anywhere, at_start = _phrases(lang)
    tokens = [m.group(0) for m in _WORD.finditer(question.replace("-", " "))]
    folded = [fold(t) for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in "¿¡":
            i += 1
            continue
        first = not any(w not in "¿¡" for w in out)
        match = None
        candidates = sorted(at_start + anywhere, key=lambda p: -len(p[0])) if first else anywhere
        for words, english in candidates:
            if folded[i : i + len(words)] == words:
                match = (len(words), english)
                break
        if match is not None:
            out.extend(match[1].split())
            i += match[0]
            continue
        token = tokens[i]
        keep = token in "?!" or token[:1].isupper() or any(ch.isdigit() for ch in token)
        if keep or not (language.is_stop(token) or fold(token) in _stop_folded(lang)):
            out.append(token)
        i += 1
    return " ".join(out)


@lru_cache(maxsize=None)
def _stop_folded(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in Language.for_code(lang).wordlist("stopwords"))
