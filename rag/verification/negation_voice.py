"""Negation and voice: what a "not" governs, denials without a "not", and who did what to whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from rag.verification.tokens import Token, answer_particle, is_content
from rag.verification.vocabulary import BE, CONTRAST_WORDS, IRREGULAR_PAST, NEGATIONS, SENTENCE_END, STOPWORDS

if TYPE_CHECKING:
    from rag.verification.facts import TextFacts



def count_contrasts(tokens: Sequence[Token]) -> int:
    """How often a text sets something aside without a "not": "rather than", "instead of", "failed to"."""
    count = sum(1 for t in tokens if t.norm in CONTRAST_WORDS)
    count += sum(1 for a, b in zip(tokens, tokens[1:]) if a.norm == "rather" and b.norm == "than")
    count += sum(1 for a, b in zip(tokens, tokens[1:]) if a.norm == "no" and b.norm in ("longer", "more"))
    return count


def negated_stems(tokens: Sequence[Token], reach: int = 3) -> frozenset[str]:
    """The content words a negation governs: "did *not* arrive" -> {"arriv"}; "never married" -> {"marri"}."""
    found: set[str] = set()
    for index, token in enumerate(tokens):
        if token.norm not in NEGATIONS or answer_particle(token):
            continue
        for follower in tokens[index + 1 : index + 1 + reach]:
            if SENTENCE_END.match(follower.text) or follower.norm in ("but", "and"):
                break
            if is_content(follower) and follower.norm not in BE and not follower.norm[:1].isdigit():
                found.add(follower.stem)
                break
    return frozenset(found)


@dataclass(frozen=True)
class Frame:
    """A past-tense verb with its voice and the content words on either side: who did what to whom."""

    verb: str  # stem
    passive: bool  # "were defeated by": the words after "by" are the doer
    before: frozenset[str]
    after: frozenset[str]


def is_past_verb(token: Token) -> bool:
    norm = token.norm
    if token.capitalised and not token.sentence_initial:
        return False
    return (norm.endswith("ed") and len(norm) > 4 and norm.isalpha()) or norm in IRREGULAR_PAST


def verb_frames(tokens: Sequence[Token], reach: int = 5) -> tuple[Frame, ...]:
    """The frames of a text's past-tense verbs, each side cut at the sentence's end."""
    frames: list[Frame] = []
    for index, token in enumerate(tokens):
        if not is_past_verb(token) or token.norm in STOPWORDS:
            continue
        start = index
        while start > 0 and index - start < reach and not SENTENCE_END.search(tokens[start].text):
            start -= 1
        left = tokens[start:index]
        right: list[Token] = []
        for follower in tokens[index + 1 : index + 1 + reach]:
            if follower.sentence_initial:
                break
            right.append(follower)
        be_before = any(t.norm in BE for t in left[-2:])
        by_after = any(t.norm == "by" for t in right[:2])
        passive = be_before and by_after
        keep = lambda part: frozenset(t.stem for t in part if is_content(t) and t.norm not in BE)  # noqa: E731
        frames.append(Frame(token.stem, passive, keep(left), keep(right)))
    return tuple(frames)


def voice_swaps(claim: TextFacts, where: TextFacts) -> int:
    """Verbs whose doer and undergoer trade places between claim and source.

    "His troops defeated the tribes" against "his troops were defeated by the tribes": the same verb,
    the same words, but one text is active and the other passive without the roles moving with it.
    Only a change of voice is read this way (word order alone shifts too freely in a paraphrase).
    """
    swaps = 0
    for frame in claim.frames:
        for other in where.frames:
            if other.verb != frame.verb or other.passive == frame.passive:
                continue
            before, after = (other.after, other.before)  # the other voice: its sides trade roles
            kept = len(frame.before & before) + len(frame.after & after)
            traded = len(frame.before & other.before) + len(frame.after & other.after)
            if traded > kept and traded >= 2:
                swaps += 1
                break
    return swaps

