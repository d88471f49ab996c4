"""The facts a text states (:class:`TextFacts`), and sources cut into sentence windows (:class:`SourceFacts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from rag.text import Span, split_sentences
from rag.verification.dates_numbers import decades, digit_value, extract_numbers, implied_years
from rag.verification.names_roles import name_roles
from rag.verification.negation_voice import Frame, count_contrasts, negated_stems, verb_frames
from rag.verification.tokens import answer_particle, is_content, is_material, is_name, tokenize
from rag.verification.vocabulary import NEGATIONS, PERSON_PRONOUNS, PERSONAL, STOPWORDS



@dataclass
class TextFacts:
    """The facts a text states, as sets of normalised word forms and values."""

    text: str
    stems: list[str]  # all word stems, in order
    content: list[str]  # stems of content words, in order
    norms: frozenset[str]
    stem_set: frozenset[str]
    prefixes: frozenset[str]
    names: frozenset[str]  # stems of capitalised name-like tokens
    capitals: frozenset[str]  # stems of every capitalised token (or of all tokens in a lower-cased text)
    initial_names: frozenset[str]  # names that stand first in a sentence (could be ordinary words)
    numbers: set[float]
    decades: set[float]
    materials: frozenset[str]
    negations: int
    personal: int
    bigrams: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    #: content tokens in order as (key, kind); kind is name | number | material | word, a number's key is "#value"
    sequence: list[tuple[str, str]] = field(default_factory=list)
    positions: dict[str, list[int]] = field(default_factory=dict)  # key -> indexes into ``sequence``
    contrasts: int = 0  # "rather than", "instead of", "unlike", "failed to": negation in other words
    negated: frozenset[str] = field(default_factory=frozenset)  # stems a negation governs ("did not *arrive*")
    frames: tuple["Frame", ...] = ()  # verbs with their voice and the words on either side
    roles: dict[str, frozenset[str]] = field(default_factory=dict)  # name stem -> {"creator", "sitter"}
    last_year: float | None = None  # the last year written out (anchors "the next year" in a following text)
    breaks: tuple[int, ...] = (0,)  # where each merged part (sentence) starts in ``sequence``
    clauses: list[int] = field(default_factory=list)  # the clause number of each ``sequence`` item
    pronoun_clauses: frozenset[int] = frozenset()  # clauses with a "he", "him", "her"... (a name may hide there)


def facts(text: str, anchor_year: float | None = None) -> TextFacts:
    """Analyse one text (a claim, a source window or a whole source).

    ``anchor_year`` is the last year stated before this text (the previous sentence of a source):
    "Captured in 1863, he was released the next year" states 1864, and so does "He was released
    the next year" after a sentence that ends in 1863.
    """
    tokens = tokenize(text)
    stems = [t.stem for t in tokens]
    name_flags = [is_name(tokens, i) for i in range(len(tokens))]
    implied, last_year = implied_years(tokens, anchor_year)
    implied_at: dict[int, list[float]] = {}
    for index, value in implied:
        implied_at.setdefault(index, []).append(value)
    sequence: list[tuple[str, str]] = []
    clauses: list[int] = []
    pronoun_clauses: set[int] = set()
    clause = 0
    for index, (token, named) in enumerate(zip(tokens, name_flags)):
        if token.clause_start and index > 0:
            clause += 1
        if token.norm in PERSON_PRONOUNS:
            pronoun_clauses.add(clause)
        for value in implied_at.get(index, ()):
            sequence.append((f"#{value}", "number"))
            clauses.append(clause)
        if not is_content(token):
            continue
        clauses.append(clause)
        if token.norm[:1].isdigit() or token.norm[:1] in "$.":
            parsed = digit_value(token.norm)
            sequence.append((f"#{parsed[0]}" if parsed else token.stem, "number"))
        elif named:
            sequence.append((token.stem, "name"))
        elif is_material(token):
            sequence.append((token.stem, "material"))
        else:
            sequence.append((token.stem, "word"))
    positions: dict[str, list[int]] = {}
    for index, (key, _) in enumerate(sequence):
        positions.setdefault(key, []).append(index)
    bigrams = frozenset(
        (a, b) for a, b in zip(stems, stems[1:]) if not (a in STOPWORDS and b in STOPWORDS)
    )
    norms = frozenset(t.norm for t in tokens)
    alpha = [t for t in tokens if t.norm.isalpha()]
    cased = sum(t.capitalised for t in alpha) >= max(1, 0.02 * len(alpha))
    return TextFacts(
        text=text,
        stems=stems,
        content=[t.stem for t in tokens if is_content(t)],
        norms=norms,
        stem_set=frozenset(stems) | norms,
        prefixes=frozenset(n[:5] for n in norms if len(n) >= 6 and n.isalpha()),
        names=frozenset(t.stem for t, flag in zip(tokens, name_flags) if flag),
        capitals=frozenset(t.stem for t in alpha if t.capitalised or not cased),
        initial_names=frozenset(t.stem for t, flag in zip(tokens, name_flags) if flag and t.sentence_initial),
        numbers=extract_numbers(tokens) | {value for _, value in implied},
        decades=decades(tokens),
        materials=frozenset(t.norm for t in tokens if is_material(t)),
        negations=sum(1 for t in tokens if t.norm in NEGATIONS and not answer_particle(t)),
        personal=sum(1 for t in tokens if t.norm in PERSONAL),
        bigrams=bigrams,
        sequence=sequence,
        positions=positions,
        contrasts=count_contrasts(tokens),
        negated=negated_stems(tokens),
        frames=verb_frames(tokens),
        roles=name_roles(tokens, name_flags),
        last_year=last_year,
        clauses=clauses,
        pronoun_clauses=frozenset(pronoun_clauses),
    )





def knows(word: str, where: TextFacts) -> bool:
    """Whether a claim word (a stem) is stated in ``where``, allowing word-form variants (Britain/British)."""
    if word in where.stem_set:
        return True
    return len(word) >= 6 and word.isalpha() and word[:5] in where.prefixes


@dataclass
class SourceFacts:
    """One source text cut into alignment windows (one and two consecutive sentences)."""

    text: str
    whole: TextFacts
    windows: list[TextFacts]
    sentences: int = 1


#: A first sentence of at most this many tokens is a heading ("Portrait of a Weaver."), paired with every later sentence.
HEADING_TOKENS = 12


@lru_cache(maxsize=4096)
def analyse_source(text: str) -> SourceFacts:
    """Cut a source into sentence windows; each sentence is tokenized once, larger windows are merged."""
    sentences: list[TextFacts] = []
    anchor: float | None = None
    for span in split_sentences(text) or [Span(0, len(text), text)]:
        sentences.append(facts(span.text, anchor))
        anchor = sentences[-1].last_year if sentences[-1].last_year is not None else anchor
    windows = sentences + [merge([a, b]) for a, b in zip(sentences, sentences[1:])]
    if len(sentences) >= 3 and len(sentences[0].stems) <= HEADING_TOKENS:
        # A short first sentence is the source's heading (a title): it applies to each sentence after it.
        windows += [merge([sentences[0], later]) for later in sentences[2:]]
    return SourceFacts(text, merge(sentences), windows, len(sentences))


def merge(parts: Sequence[TextFacts]) -> TextFacts:
    """The facts of consecutive texts read as one (no re-tokenizing)."""
    if len(parts) == 1:
        return parts[0]
    sequence = [item for part in parts for item in part.sequence]
    positions: dict[str, list[int]] = {}
    for index, (key, _) in enumerate(sequence):
        positions.setdefault(key, []).append(index)
    stems = [stem for part in parts for stem in part.stems]
    bigrams = frozenset().union(*(part.bigrams for part in parts)) | {
        (a.stems[-1], b.stems[0]) for a, b in zip(parts, parts[1:]) if a.stems and b.stems
    }
    return TextFacts(
        text=" ".join(part.text for part in parts),
        stems=stems,
        content=[word for part in parts for word in part.content],
        norms=frozenset().union(*(part.norms for part in parts)),
        stem_set=frozenset().union(*(part.stem_set for part in parts)),
        prefixes=frozenset().union(*(part.prefixes for part in parts)),
        names=frozenset().union(*(part.names for part in parts)),
        capitals=frozenset().union(*(part.capitals for part in parts)),
        initial_names=frozenset().union(*(part.initial_names for part in parts)),
        numbers=set().union(*(part.numbers for part in parts)),
        decades=set().union(*(part.decades for part in parts)),
        materials=frozenset().union(*(part.materials for part in parts)),
        negations=sum(part.negations for part in parts),
        personal=sum(part.personal for part in parts),
        bigrams=bigrams,
        sequence=sequence,
        positions=positions,
        contrasts=sum(part.contrasts for part in parts),
        negated=frozenset().union(*(part.negated for part in parts)),
        frames=tuple(frame for part in parts for frame in part.frames),
        roles=_merge_roles(part.roles for part in parts),
        last_year=next((part.last_year for part in reversed(parts) if part.last_year is not None), None),
        breaks=_merged_breaks(parts),
        clauses=_merged_clauses(parts),
        pronoun_clauses=_merged_pronoun_clauses(parts),
    )


def _merged_pronoun_clauses(parts: Sequence[TextFacts]) -> frozenset[int]:
    found: set[int] = set()
    offset = 0
    for part in parts:
        found.update(offset + c for c in part.pronoun_clauses)
        offset += (max(part.clauses) + 1) if part.clauses else 0
    return frozenset(found)


def _merged_clauses(parts: Sequence[TextFacts]) -> list[int]:
    clauses: list[int] = []
    offset = 0
    for part in parts:
        clauses.extend(offset + c for c in part.clauses)
        offset += (max(part.clauses) + 1) if part.clauses else 0
    return clauses


def _merged_breaks(parts: Sequence[TextFacts]) -> tuple[int, ...]:
    breaks: list[int] = []
    offset = 0
    for part in parts:
        breaks.extend(offset + b for b in part.breaks)
        offset += len(part.sequence)
    return tuple(breaks)


def _merge_roles(maps: Iterable[dict[str, frozenset[str]]]) -> dict[str, frozenset[str]]:
    merged: dict[str, frozenset[str]] = {}
    for roles in maps:
        for name, kinds in roles.items():
            merged[name] = merged.get(name, frozenset()) | kinds
    return merged


@lru_cache(maxsize=4096)
def analyse_claim(text: str) -> TextFacts:
    return facts(text)


def union_facts(sources: Sequence[SourceFacts]) -> TextFacts:
    """The facts of all sources together (what the claim may draw on)."""
    if len(sources) == 1:
        return sources[0].whole
    return _joined_facts(tuple(s.text for s in sources))


@lru_cache(maxsize=1024)
def _joined_facts(texts: tuple[str, ...]) -> TextFacts:
    return merge([analyse_source(text).whole for text in texts])


def knows_name(name: str, claim: TextFacts, where: TextFacts) -> bool:
    """Whether a capitalised claim token is a name ``where`` also writes with a capital (Britain/British too)."""
    if name in claim.initial_names and knows(name, where):
        return True  # "Drawn for Vanity Fair": a sentence's first word may be an ordinary word
    if name in where.capitals:
        return True
    return len(name) >= 6 and any(len(c) >= 6 and c[:4] == name[:4] for c in where.capitals)
