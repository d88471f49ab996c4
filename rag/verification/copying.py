"""Near copies: a claim that repeats a source sentence word for word except for a changed span.

A faithful restatement either copies its source or rewords it throughout; a claim that keeps
almost every word of a source sentence and changes one or two content words (a name, a year, a
place) usually changes the fact they state. Likewise two names of a claim that stand in the
source in the opposite order have often traded roles (who did what to whom).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from rag.verification.facts import TextFacts
from rag.verification.tokens import is_material, is_name, tokenize


def copy_edit(claim: TextFacts, where: TextFacts) -> tuple[float, int]:
    """(share of the claim's tokens copied in order from ``where``, number of content words of the claim outside the
    copy that ``where`` lacks, or that are names, numbers or materials).

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
    # A common word the claim takes from elsewhere in ``where`` is reworded, not changed; a name, number or material
    # is changed.
    stated = claim.names | {t.stem for t in tokenize(claim.text) if is_material(t)}
    moved = set(where.stem_set) - stated
    changed = sum(
        1
        for stem, kept in zip(claim.stems, copied)
        if not kept and stem in content and (stem not in moved or stem[:1].isdigit())
    )
    return sum(copied) / len(copied), changed


def reversed_names(claim: TextFacts, where: TextFacts) -> float:
    """Share of the claim's pairs of names (in order) that ``where`` states only in the opposite order.

    A name is a run of name tokens ("Odile Varga"); a pair counts when ``where`` states both names and the claim
    moved both: a name copied in place (with a word next to it, in order from ``where``) has kept its role
    ("Varga painted Brill in Paris" from "Varga painted him in Paris, where Brill lived" moves only Brill).
    """
    tokens = tokenize(claim.text)
    stems = [token.stem for token in tokens]
    runs: list[tuple[int, int]] = []
    previous = False
    for index in range(len(tokens)):
        named = is_name(tokens, index)
        if named and not previous:
            runs.append((index, index + 1))
        elif named:
            runs[-1] = (runs[-1][0], index + 1)
        previous = named
    spans = []
    for start, end in runs:
        run = stems[start:end]
        if _kept_in_place(stems, start, end, where.stems):
            continue
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


def _kept_in_place(stems: list[str], start: int, end: int, where: list[str]) -> bool:
    """Whether ``where`` states the name ``stems[start:end]`` next to the same word before or after it."""
    before = stems[start - 1] if start > 0 else None
    after = stems[end] if end < len(stems) else None
    size = end - start
    for at in range(len(where) - size + 1):
        if where[at : at + size] != stems[start:end]:
            continue
        if (before is not None and at > 0 and where[at - 1] == before) or (
            after is not None and at + size < len(where) and where[at + size] == after
        ):
            return True
    return False
