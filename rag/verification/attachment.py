"""Facts the source states but attached to something else: a year beside another title, a birthplace from another sentence."""

from __future__ import annotations

from bisect import bisect_right

from rag.verification.facts import TextFacts


def _fact_kind(key: str, kind: str) -> str:
    """A fact's kind for swaps: a year trades places with a year, a count with a count, a name with a name."""
    if kind == "number":
        try:
            value = float(key[1:])
        except ValueError:
            return "number"
        return "year" if value.is_integer() and 1000 <= value <= 2100 else "number"
    return kind


def _attachment(neighbours: set[str], where: TextFacts, spot: int, radius: int) -> float:
    """How closely the claim's neighbours of a fact surround position ``spot`` of ``where`` (1/distance each),
    counting only words of the same clause ("painted Brandt, and the next year Lenz": Lenz is not Brandt's)."""
    closest: dict[str, int] = {}
    sequence = where.sequence
    clause = where.clauses[spot]
    for j in range(max(0, spot - radius), min(len(sequence), spot + radius + 1)):
        key = sequence[j][0]
        if j != spot and key in neighbours and where.clauses[j] == clause:
            closest[key] = min(closest.get(key, radius + 1), abs(j - spot))
    return sum(1.0 / d for d in closest.values())


def _sentence_cover(keys: set[str], where: TextFacts, spot: int) -> int:
    """How many of ``keys`` the sentence around position ``spot`` of ``where`` holds."""
    index = bisect_right(where.breaks, spot) - 1
    start = where.breaks[index] if index >= 0 else 0
    end = where.breaks[index + 1] if index + 1 < len(where.breaks) else len(where.sequence)
    return len(keys & {k for k, _ in where.sequence[start:end]})


def displaced_facts(
    claim: TextFacts, where: TextFacts, claim_radius: int = 2, radius: int = 4, margin: float = 0.3
) -> tuple[list[str], list[str]]:
    """Facts the source states, but attached to something else: another fact of the same kind sits where the claim puts this one.

    "See, I Told You So in 1992 and The Way Things Ought to Be in 1993" against "The Way Things Ought
    to Be (1992) and See, I Told You So (1993)": both years are in the source, each next to the other
    title. "Kempton was born in Berlin" against "the Vienna-born Greta Kempton ... push the West out of
    Berlin": Berlin is there, but Vienna holds its place. Returns (numbers and materials, names):
    a name counts only when nothing of its claim context surrounds it anywhere in the source.
    """
    values: list[str] = []
    names: list[str] = []
    claim_keys = {k for k, _ in claim.sequence}
    for index, (key, kind) in enumerate(claim.sequence):
        spots = where.positions.get(key)
        if kind == "word" or not spots:
            continue
        fact_kind = _fact_kind(key, kind)
        low = max(0, index - claim_radius)
        near = [
            item for j, item in enumerate(claim.sequence[low : index + claim_radius + 1], start=low)
            if claim.clauses[j] == claim.clauses[index]
        ]
        # A name is placed by the words around it ("born in"), not by the other names of a title or a list.
        neighbours = {k for k, kind2 in near if k != key and (fact_kind != "name" or kind2 == "word")}
        if not neighbours:
            continue
        own = max(_attachment(neighbours, where, spot, radius) for spot in spots)
        own_cover = max(_sentence_cover(claim_keys, where, spot) for spot in spots)
        rival, rival_cover = 0.0, 0
        for j, (other, other_kind) in enumerate(where.sequence):
            if other == key or other in neighbours or _fact_kind(other, other_kind) != fact_kind:
                continue
            if fact_kind == "name" and other in claim_keys:
                continue  # names listed in another order ("Grant with Bergman" / "Bergman and Grant")
            if fact_kind == "name" and where.clauses[j] in where.pronoun_clauses:
                continue  # "Warren photographed him in Boston": the claim's person may be the "him"
            value = _attachment(neighbours, where, j, radius)
            if value > rival:
                rival, rival_cover = value, _sentence_cover(claim_keys, where, j)
        # The rival must also stand in a sentence that says as much of the claim (a paraphrase moves words about).
        if rival_cover < own_cover:
            continue
        if fact_kind == "name":
            if own == 0.0 and rival >= 1.0:
                names.append(key)
        elif rival >= own + margin:
            values.append(key)
    return values, names


def fact_context(claim: TextFacts, where: TextFacts, claim_radius: int = 2, source_radius: int = 5) -> list[float]:
    """For each name, number or material of the claim that ``where`` states: how much of its claim context surrounds it there.

    "Kempton ... was born in Berlin" against a source that names Berlin only in "push the West out of
    Berlin" scores 0: the fact exists, but not in the claim's relation.
    """
    scores: list[float] = []
    for index, (key, kind) in enumerate(claim.sequence):
        spots = where.positions.get(key)
        if kind == "word" or not spots:
            continue
        neighbours = {
            k for j, (k, _) in enumerate(claim.sequence[max(0, index - claim_radius) : index + claim_radius + 1])
            if k != key
        }
        if not neighbours:
            continue
        best = 0.0
        for spot in spots:
            near = {k for k, _ in where.sequence[max(0, spot - source_radius) : spot + source_radius + 1]}
            best = max(best, sum(1 for n in neighbours if n in near) / len(neighbours))
        scores.append(best)
    return scores


