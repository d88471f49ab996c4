"""Which source window a claim (and its question) aligns with, and how much of the claim it states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rag.verification.facts import SourceFacts, TextFacts, knows



@dataclass(frozen=True)
class Alignment:
    source_index: int | None
    window: TextFacts | None
    recall: float
    candidates: tuple[tuple[int, int], ...]  # (source, window) of the best few windows, best first


def recall(claim: TextFacts, where: TextFacts) -> float:
    if not claim.content:
        return 1.0
    return sum(1 for w in claim.content if knows(w, where)) / len(claim.content)


def bigram_recall(claim: TextFacts, where: TextFacts) -> float:
    if not claim.bigrams:
        return recall(claim, where)
    return len(claim.bigrams & where.bigrams) / len(claim.bigrams)


def align(claim: TextFacts, sources: Sequence[SourceFacts], keep: int = 3, context: TextFacts | None = None) -> Alignment:
    """The source window that states most of the claim (and of ``context``, e.g. the question)."""
    scored: list[tuple[float, int, int]] = []
    for s, source in enumerate(sources):
        for w, window in enumerate(source.windows):
            value = recall(claim, window) + 0.25 * bigram_recall(claim, window)
            if context is not None and context.content:
                value += 0.25 * recall(context, window)
            # Prefer the shorter window on ties: single sentences come first in ``windows``.
            scored.append((value - 0.001 * len(window.content) / 100, s, w))
    if not scored:
        return Alignment(None, None, 0.0, ())
    scored.sort(key=lambda item: -item[0])
    _, s, w = scored[0]
    window = sources[s].windows[w]
    return Alignment(s, window, recall(claim, window), tuple((s2, w2) for _, s2, w2 in scored[:keep]))




def pair_recall(claim: TextFacts, sources: Sequence[SourceFacts], alignment: Alignment) -> float:
    """The share of the claim's content words stated by its best window together with one more window.

    An answer sentence often joins two facts the record states sentences apart ("He started it
    around 1965 and reworked it in 1996").
    """
    if alignment.window is None or not claim.content:
        return alignment.recall
    left = [w for w in claim.content if not knows(w, alignment.window)]
    if not left:
        return 1.0
    best = 0
    for source in sources:
        for window in source.windows:
            best = max(best, sum(1 for w in left if knows(w, window)))
    return (len(claim.content) - len(left) + best) / len(claim.content)


def question_window(question: TextFacts, sources: Sequence[SourceFacts]) -> TextFacts | None:
    """The window that answers the question's own terms best (where the answer should stand)."""
    if not question.content:
        return None
    best, found = -1.0, None
    for source in sources:
        for window in source.windows:
            value = recall(question, window) - 0.001 * len(window.content) / 100
            if value > best:
                best, found = value, window
    return found

