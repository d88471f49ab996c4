"""Near copies: a claim that repeats a source sentence word for word except for a changed span.

A faithful restatement either copies its source or rewords it throughout; a claim that keeps
almost every word of a source sentence and changes one or two content words (a name, a year, a
place) usually changes the fact they state. Likewise two names of a claim that stand in the
source in the opposite order have often traded roles (who did what to whom).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from rag.verification.facts import TextFacts


def copy_edit(claim: TextFacts, where: TextFacts) -> tuple[float, int]:
    """(share of the claim's tokens copied in order from ``where``, number of content words of the claim outside the copy).

    >>> from rag.verification.facts import analyse_claim
    >>> copy_edit(analyse_claim("Varga painted Brill in 1861."), analyse_claim("Varga painted Castel in 1861."))
    (0.8, 1)
    """
    if not claim.stems or not where.stems:
        return 0.0, 0
    matcher = SequenceMatcher(None, claim.stems, where.stems, autojunk=False)
    copied = [False] * len(claim.stems)
    for block in matcher.get_matching_blocks():
        for i in range(block.a, block.a + block.size):
            copied[i] = True
    content = set(claim.content)
    changed = sum(1 for stem, kept in zip(claim.stems, copied) if not kept and stem in content)
    return sum(copied) / len(copied), changed


def reversed_names(claim: TextFacts, where: TextFacts) -> float:
    """Share of the claim's pairs of names (in order) that ``where`` states only in the opposite order.

    A name is a run of name tokens ("Odile Varga"); a pair counts when ``where`` states both names.
    """
    runs: list[list[str]] = []
    previous_kind = None
    for key, kind in claim.sequence:
        if kind == "name":
            if previous_kind != "name":
                runs.append([])
            runs[-1].append(key)
        previous_kind = kind
    spans = []
    for run in runs:
        found = [p for key in run for p in where.positions.get(key, ())]
        if found and not any(set(run) == set(other) for other, _ in spans):
            spans.append((run, (min(found), max(found))))
    pairs = reversed_pairs = 0
    for i, (_, (first_a, _)) in enumerate(spans):
        for _, (_, last_b) in spans[i + 1 :]:
            pairs += 1
            if first_a > last_b:
                reversed_pairs += 1
    return reversed_pairs / pairs if pairs else 0.0
