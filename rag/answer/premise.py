"""False premises: the question asserts something the record it is about positively contradicts.

Candidate corrections, all against the one record the question is about:

1. **maker**: a person the question says made the object ("Why did Anna Vos paint ...", "after a
   Pieter Claes painting", "Vos's portrait") is not among the record's makers. Who counts as a
   maker is the catalogue profile's data (rag/data/profiles): an engraver of a print after a
   painting, a sitter or a publisher are not "the" maker, and a name the record lists in any
   making role is never contradicted.
2. **creation date**: a year the question gives for the making of the object ("painted ... in
   1710", "the 1931 photograph") falls outside the record's date (a creator's life dates are not
   the object's date).
3. **medium**: a material the question gives the object ("a marble bust", "watercolor on ivory")
   is not in the record's medium.
4. **substitution**: a name, year, number or material of the question that the record never
   mentions, where the record's sentence that best matches the rest of the question holds a
   different one in the same place ("Governor Hale" / "Governor Peter Brandt").

A candidate correction needs the record to state the other value; then a learned gate
(:data:`GATE_FEATURES`, fitted on the labelled false premises and their true-premise look-alikes
by ``scripts/fit_answering.py``) decides whether it is a contradiction, at the threshold
``Settings.premise_threshold`` (calibrated so that true-premise questions are rarely corrected).

Example::

    checker = PremiseChecker()
    for candidate in checker.candidates(question_info, pool):
        print(candidate.kind, candidate.asserted, candidate.stated)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from rag.answer.candidates import Candidate, EvidencePool
from rag.answer.citations import display_text
from rag.answer.features import PERSON_FACTS
from rag.answer.objects import OBJECT_STEMS, asked_object_kinds, fits_object_kind
from rag.answer.question import QuestionInfo
from rag.answer.terms import (
    NAME_TITLES, STOPWORDS, Phrase, all_stems, centuries, century_mentions, name_phrases, stem, stems, years,
)
from rag.catalogue import CatalogueProfile
from rag.language import Language
from rag.messages import Messages
from rag.names import without_parentheses
from rag.text import words

_EN = Language.for_code("en")
#: Materials and processes a medium line is made of.
MATERIALS = _EN.wordlist("materials")
_MATERIAL_STEMS = {stem(m): m for m in MATERIALS}
#: Verbs of making an object, as they follow a maker's name ("Vos painted", "did Vos paint").
_MAKING = frozenset(stem(w) for w in _EN.wordlist("creation_verbs"))
_NUMBERS = _EN.mapping("numbers")
_NUMBER_WORDS: dict[str, int] = {w: int(v) for w, v in _NUMBERS.get("units", {}).items() if int(v) <= 20}
_ORDINALS: dict[str, int] = {w: int(v) for w, v in _NUMBERS.get("ordinals", {}).items() if int(v) <= 20}
#: Words that give a position in a series, like ordinals.
_POSITIONS = _EN.wordlist("position_words")
_MAKING_PAST = _EN.wordlist("making_past_irregular")
_DO = _EN.wordlist("do_auxiliaries")
_NAME_SUFFIXES = _EN.wordlist("name_suffixes")
#: Modifiers whose swap contradicts ("left" / "right", "husband" / "wife"): the language layer's antonym pairs.
_OPPOSITES: dict[str, str] = {}
for _pair in _EN.mapping("antonyms").get("pairs", []):
    if len(_pair) == 2:
        _OPPOSITES[_pair[0]] = _pair[1]
        _OPPOSITES[_pair[1]] = _pair[0]
_DEFINITE = _EN.wordlist("definite_determiners")
_INDEFINITE = _EN.wordlist("articles") - _DEFINITE
_BE = _EN.wordlist("be")
#: Lower-case words inside a name that are not a given name ("van", "de", "von").
_NAME_PARTICLES = frozenset(stem(w) for w in _EN.wordlist("name_connectors"))
_BC = re.compile(r"\b(?:B\.?C\.?E?|BCE)\b")
#: "early", "mid", "late" before a century ("an early 1800s engraving"): its first, middle or last third.
_PERIOD_PARTS: dict[str, int] = {w: int(v) for w, v in _EN.mapping("period_parts").get("thirds", {}).items()}
#: Marks that open a quoted title.
_QUOTES = frozenset({"'", '"', "“", "‘", "«", "„", "‚"})
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9]+(?:['’][A-Za-z]+)?")

#: Fact kinds of who made the object (the record's attribution, certain or not). A culture given instead of a maker
#: ("maker_culture": "Artist: French") is the museum's attribution too: an unnamed French maker, not the name a
#: visitor offers.
MAKER_KINDS = frozenset({"maker", "maker_uncertain", "maker_culture"})
#: Fact kinds of people named with the object who did not make it (as the profile reads their roles).
NOT_MAKER_KINDS = frozenset({"depicted", "former_maker", "owner", "publisher", "associated", "author"})

CORRECTION_KINDS = ("maker", "date", "medium", "name", "year", "number", "material", "opposite")
#: Features of a candidate correction the premise gate weighs, in order.
GATE_FEATURES = (
    *(f"kind_{k}" for k in CORRECTION_KINDS),
    "strength",
    "alignment",
    "specific",
    "evidence_prob",
    "evidence_is_fact",
    "object_top",
    "names_object",
    "answerability",
    "anchor",
    "asserted_len",
)


@dataclass
class Correction:
    """What the question asserts, what the record says instead, and the record text that says it."""

    kind: str  # maker | date | medium | name | year | number | material | opposite
    asserted: str
    stated: str
    evidence: Candidate
    text: str = ""  # the correcting sentence in the visitor's language (:meth:`worded`), without its [n] marker
    claim: str = ""  # what the record states, without the rejected value: the part a verifier can check
    strength: float = 1.0  # 2: same title or head word; 1: same neighbour word; for typed facts 2
    alignment: float = 1.0  # share of the question's other terms in the evidence sentence
    specific: float = 0.0
    names_object: bool = True
    gate: float = 0.0  # the premise gate's probability that this is a real contradiction
    features: dict[str, float] = field(default_factory=dict)
    written: str = ""  # ``asserted`` as the visitor wrote it, in their language ("menor" for "youngest")

    def __post_init__(self) -> None:
        if not self.claim:
            self.claim = self.evidence.text.strip()
        if not self.written:
            self.written = self.asserted

    def worded(self, messages: Messages) -> str:
        """The correction in ``messages``' language, around the record's own values and the visitor's words: a
        typed fact names the object's title (and a maker the record's role), a value in the record's text quotes
        the sentence that states it."""
        title = self.evidence.chunk.title
        if self.kind == "maker":
            role = (self.evidence.label or "").lower()
            return messages.text("correct_maker", title=title, name=self.stated, role=role, asserted=self.written)
        if self.kind == "date":
            return messages.text("correct_date", title=title, date=self.stated, asserted=self.written)
        if self.kind == "medium":
            return messages.text("correct_medium", title=title, medium=self.stated, asserted=self.written)
        quote = display_text(self.evidence.text.strip())
        return messages.text("correct_text", stated=self.stated, asserted=self.written, quote=quote)


class PremiseChecker:
    """Finds candidate contradictions between the question and the record it is about.

    ``min_alignment``: the share of the question's other terms the record sentence must hold
    before a substitution in it counts; ``object_candidates``: how many of the best retrieved
    objects may be the one the question is about; ``profile``: the catalogue profile whose culture
    names ("the Ottoman jug") are not makers the question asserts.
    """

    def __init__(
        self,
        min_alignment: float = 0.5,
        object_candidates: int = 3,
        messages: Messages | None = None,
        profile: CatalogueProfile | None = None,
    ) -> None:
        self.min_alignment = min_alignment
        self.object_candidates = object_candidates
        self.messages = messages or Messages.for_language("en")
        self.profile = profile or CatalogueProfile.load()

    def candidates(self, question: QuestionInfo, pool: EvidencePool, messages: Messages | None = None) -> list[Correction]:
        """Every candidate correction, in the order the checks found them (at most one per check and record)."""
        msg = messages or self.messages
        out: list[Correction] = []
        order = [o.record_id for o in pool.objects[: self.object_candidates]]
        for position, record_id in enumerate(order):
            record = pool.of_record(record_id)
            others = [c for c in pool.candidates if c.record_id != record_id]
            if not record or not _is_about(question, record, pool):
                continue
            names_it = (
                _names_the_object(question, record, pool)
                and _object_noun_fits(question, record, pool)
                and (position == 0 or _titled_by(question, record, pool))
            )
            checks = [self._maker, self._creation_date, self._medium] if names_it else []
            if position == 0:
                checks.append(self._substitution)
            for check in checks:
                correction = check(question, record, others, pool)
                if correction is not None:
                    correction.names_object = names_it
                    correction.text = correction.worded(msg)
                    out.append(correction)
            if names_it:
                break  # the object the question is about
        return out

    # --- 1. maker --------------------------------------------------------------------
    def _maker(self, question, record, others, pool) -> Correction | None:
        facts = [c for c in record if c.fact is not None]
        known = [c for c in facts if c.kind in MAKER_KINDS]
        if not known:
            return None
        people = _people(record[0].record_id, pool)
        makers = [name for name, kind in people if kind not in NOT_MAKER_KINDS]
        asserted = asserted_makers(question.text)
        record_text = all_stems(" ".join(c.text for c in record)) if asserted else set()
        namesakes = {p.start for p in asserted if _namesake(p, makers, record_text)}
        maker_surnames = {_surname(name) for name in makers}
        if any(_surname(p.text) in maker_surnames and p.start not in namesakes for p in question.names):
            return None  # the question names the record's maker: another name is not a rival attribution
        for phrase in asserted:
            tokens = _name_tokens(phrase)
            if not tokens or self.profile.is_culture_name(phrase.text):
                continue  # "the Ottoman jug": a culture, not a person the record could contradict
            surname = _surname(phrase.text)
            if _creator_of_other(question, phrase, surname, others, pool):
                continue  # a creator of another retrieved object the question also names
            named = any(surname == _surname(name) or tokens <= _name_tokens_of(name) for name, _ in people)
            if named and phrase.start not in namesakes:
                continue  # named by the record in some role ("Anna" of "Anna Vos"): not a contradiction
            if tokens <= _title_tokens(record):
                continue
            pick = _best_maker(known, after=_is_after(question.text, phrase), facts=facts)
            return Correction("maker", phrase.text, pick.value or "", pick, claim=_fact_claim(pick), strength=2.0)
        return None

    # --- 2. creation date -------------------------------------------------------------
    def _creation_date(self, question, record, others, pool) -> Correction | None:
        dates = [c for c in record if c.fact is not None and c.kind == "date" and c.fact.field == "date"]
        if not dates or not dates[0].value:
            return None
        fact = dates[0]
        span = _date_span(fact)
        if span is None:
            return None
        low, high = span
        slack = 5 if re.search(r"\b(c\.|ca\.|circa|about|after|before)", fact.value or "", re.I) else 1
        for asserted, first, last in creation_periods(question.text):
            if first <= high + slack and last >= low - slack:
                continue
            return Correction("date", asserted, fact.value or "", fact, claim=_fact_claim(fact), strength=2.0)
        return None

    # --- 3. medium --------------------------------------------------------------------
    def _medium(self, question, record, others, pool) -> Correction | None:
        media = [c for c in record if c.fact is not None and c.kind == "material" and c.value]
        if not media:
            return None
        fact = media[0]
        stated = {stem(w) for w in words(fact.value or "")} & set(_MATERIAL_STEMS)
        if not stated:
            return None
        for asserted_text, asserted in object_materials(question.text):
            if asserted & stated:
                continue
            return Correction(
                "medium", asserted_text, fact.value or "", fact, claim=_fact_claim(fact), strength=2.0,
                written=question.as_written(asserted_text),
            )
        return None

    # --- 4. substitution in the record's text -------------------------------------------
    def _substitution(self, question, record, others, pool) -> Correction | None:
        record_text = " ".join(c.text for c in record)
        title = record[0].chunk.title
        record_stems = all_stems(record_text) | all_stems(title)
        names = [name for name, _ in _people(record[0].record_id, pool)]
        context = all_stems(" ".join([title, *names]))
        for slot in question_slots(question.text):
            if _mentions(slot, record_stems, record_text):
                continue  # the record mentions it: nothing contradicted
            if slot.kind == "name" and _about_other_object(question, slot, others, pool):
                continue  # another retrieved object mentions it with the question's subject
            rest = set(question.term_stems) - slot.tokens - {stem(w) for w in words(slot.text)}
            if slot.kind in ("year", "number"):
                # a year or number reads the same in every language, so the sentence that states another in its place
                # is found by the question's other terms an English record could hold: not the words it keeps in
                # another language. (A name is less sure: German writes its nouns with a capital.)
                rest -= question.untranslated
            found = self._aligned_replacement(question, slot, rest, context, record)
            if found is not None:
                return found
        return None

    def _aligned_replacement(self, question, slot, rest, context, record) -> Correction | None:
        """The record sentence holding another value in the place of ``slot``.

        A value under the same title or head word counts in any sentence of the record; a value
        that only shares a neighbour word needs a sentence that also holds most of the question's
        other terms.
        """
        specific = rest - context  # the terms that say what the question is about, beyond the object's names
        best: tuple[float, Candidate, Slot, int, float, int] | None = None
        asked = all_stems(question.text)
        for c in record:
            if c.fact is not None:
                continue
            sentence_stems = all_stems(c.text)
            alignment = len(rest & sentence_stems) / len(rest) if rest else 0.0
            specific_hits = len(specific & sentence_stems)
            aligned = alignment >= self.min_alignment and specific_hits >= min(2, len(specific))
            for other in sentence_slots(c.text, slot.kind):
                if _mentions(other, asked, question.text):
                    continue  # the question mentions it too
                strength = _same_place(question.text, slot, c.text, other)
                if strength == 0 or (strength == 1 and not aligned):
                    continue
                score = strength + alignment + 0.1 * specific_hits
                if best is None or score > best[0]:
                    best = (score, c, other, strength, alignment, specific_hits)
        if best is None:
            return None
        _, c, other, strength, alignment, specific_hits = best
        return Correction(
            slot.kind, slot.text, other.text, c, strength=float(strength), alignment=alignment,
            specific=float(specific_hits), written=question.as_written(slot.text),
        )


def gate_features(correction: Correction, evidence_prob: float, answerability: float, anchor: float) -> list[float]:
    """The premise gate's input for one candidate correction (order: :data:`GATE_FEATURES`)."""
    values = {f"kind_{k}": float(correction.kind == k) for k in CORRECTION_KINDS}
    values.update(
        strength=correction.strength,
        alignment=correction.alignment,
        specific=min(correction.specific, 5.0) / 5.0,
        evidence_prob=evidence_prob,
        evidence_is_fact=float(correction.evidence.fact is not None),
        object_top=float(correction.evidence.object_rank == 0),
        names_object=float(correction.names_object),
        answerability=answerability,
        anchor=anchor,
        asserted_len=min(len(correction.asserted.split()), 5) / 5.0,
    )
    return [values[name] for name in GATE_FEATURES]


# --- what the question asserts ------------------------------------------------------------
def asserted_makers(question: str) -> list[Phrase]:
    """Names the question gives as the object's maker: "Mol painted", "by X", "after a X painting", "X's portrait"."""
    out = []
    for phrase in name_phrases(question):
        before = words(question[: phrase.start])[-3:]
        after = words(question[phrase.end :])[:3]
        raw_after = question[phrase.end : phrase.end + 3]
        nxt = stem(after[0]) if after else ""
        possessive = raw_after.startswith(("'s", "’s")) or phrase.text.endswith(("'s", "’s"))
        if phrase.text.endswith(("'s", "’s")):
            phrase = Phrase(phrase.start, phrase.end - 2, phrase.text[:-2])
            after = words(question[phrase.end + 2 :])[:3]
            nxt = stem(after[0]) if after else ""
        if nxt in _MAKING and _is_verb(after[0], before):
            if not _described(before, after) and before[-1:] not in (["in"], ["at"], ["from"]):
                out.append(phrase)  # not "which workshop in Delft carved it" (a place)
        elif before and before[-1] == "by" and (
            _mentions_object(question) or _mentions_making(question) or _titled_by_name(question, phrase)
        ):
            out.append(phrase)
        elif before and (before[-1] == "after" or before[-2:] in (["after", "a"], ["after", "an"])):
            out.append(phrase)
        elif nxt in OBJECT_STEMS and (possessive or _lower_followed(question, phrase)):
            # "Mol's painting", "the Vos photo of Captain Lund"; without "of" the name may be the
            # sitter as well ("the William Moultrie portrait", "the Major Ridge lithograph")
            if possessive or words(question[phrase.end :])[1:2] == ["of"]:
                out.append(phrase)
    return out


def _titled_by_name(question: str, phrase: Phrase) -> bool:
    """"Is Harbour with Boats by Anna Vos?": a question asking whether a title is by someone (it opens with a
    form of "be" and a capitalised word, the end of the title, comes just before "by")."""
    opening = words(question)[:1]
    title_end = _TOKEN.findall(question[: phrase.start])[-2:-1]
    return bool(opening) and opening[0] in _BE and bool(title_end) and title_end[0][0].isupper()


def making_subjects(question: str) -> list[Phrase]:
    """Names followed by a verb of making: "Vos carve", "Mol painted"."""
    out = []
    for phrase in name_phrases(question):
        after = words(question[phrase.end :])[:1]
        before = words(question[: phrase.start])[-1:]
        if not after or stem(after[0]) not in _MAKING:
            continue
        if _is_verb(after[0], before) and not _described(before, words(question[phrase.end :])[:3]):
            out.append(phrase)
    return out


def _described(before: list[str], after: list[str]) -> bool:
    """A name before a verb of making that describes the object, not who made it: "the Bremen Madonna made of
    limewood", "the sword guard with Mount Hiei made in Kyoto", "the head of Anna Vos cast in bronze"."""
    in_material = after[1:2] == ["in"] and len(after) > 2 and stem(after[2]) in _MATERIAL_STEMS
    return after[1:2] in (["of"], ["from"]) or in_material or before[-1:] == ["with"]


def _is_verb(word: str, before: list[str]) -> bool:
    """A verb of making, not the noun of "the Catlin painting": a past form, or "did Noguchi carve"."""
    return word.endswith("ed") or word in _MAKING_PAST or (bool(before) and before[-1] in _DO)


def creation_periods(question: str) -> list[tuple[str, int, int]]:
    """Years, decades and centuries the question gives for the making of the object, as (text, first year, last
    year): "painted ... in 1702", "the 1931 photograph", "drew it in the 1920s", "an early 1800s engraving", "a
    14th-century Sienese panel", "the altarpiece is 15th-century?"."""
    out = []
    for text, first, last, start, end in _periods(question):
        raw = [m.group(0) for m in _TOKEN.finditer(question[:start]) if m.group(0).lower() not in _ARTICLES][-8:]
        if first != last and raw and raw[-1].lower() in _PERIOD_PARTS:
            raw = raw[:-1]
        window = [stem(t.lower()) for t in raw]
        nxt = [stem(t.lower()) for t in _TOKEN.findall(question[end:])[:2]]
        if nxt[:1] and (nxt[0] in OBJECT_STEMS or (first != last and nxt[-1] in OBJECT_STEMS)):
            out.append((text, first, last))  # "the 1931 photograph", "a 14th-century Sienese panel"
        elif window and window[-1] == "in" and any(w in _MAKING for w in window[:-1]):
            made = max(k for k, w in enumerate(window[:-1]) if w in _MAKING)
            if not any(_is_plural(t) for t in raw[made + 1 : -1]):
                out.append((text, first, last))  # "painted her from life in 1702", not "stopped making vases in 1931"
        elif window and window[-1] == "from" and any(w in OBJECT_STEMS for w in window[:-1]):
            out.append((text, first, last))  # "the Vos photo of Lund from the 1931 regatta"
        elif first != last and _said_of_object(question, raw, end):
            out.append((text, first, last))  # "the altarpiece is 15th-century?"
    return out


def _periods(text: str) -> list[tuple[str, int, int, int, int]]:
    """(text, first year, last year, start, end) of each year ("1931"), decade ("1920s"; a century "1800s") and
    century ("15th-century", "fifteenth century") in ``text``; "early", "mid", "late" before a century narrow it
    to a third."""
    out = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if re.fullmatch(r"1[0-9]{3}|20[0-9]{2}", token):
            out.append((token, int(token), int(token), m.start(), m.end()))
        elif re.fullmatch(r"(1[0-9]{2}|20[0-9])0s", token):
            first = int(token[:4])
            span = (first, first + 9) if first % 100 else _third(first, first + 99, text, m.start())
            out.append((token, *span, m.start(), m.end()))
    for number, start, end in century_mentions(text):
        span = _third((number - 1) * 100 + 1, number * 100, text, start)
        out.append((text[start:end], *span, start, end))
    return sorted(out, key=lambda p: p[3])


def _third(first: int, last: int, text: str, start: int) -> tuple[int, int]:
    """A century, or its first, middle or last third when "early", "mid" or "late" comes before it."""
    before = words(text[:start])[-1:]
    third = _PERIOD_PARTS.get(before[0]) if before else None
    if third is None:
        return first, last
    return first + 33 * third, first + 33 * third + 33


def _said_of_object(question: str, before: list[str], end: int) -> bool:
    """A value the question says the object is: "the little miniature is watercolor on vellum, isn't it?", "the
    altarpiece is 15th-century?" (a form of "be" just before it, an object noun before that, and nothing after it
    but the end of the clause; not "a man who was a silver miner": a noun follows)."""
    lowered = [t.lower() for t in before]
    if lowered and lowered[-1] in _INDEFINITE:
        lowered = lowered[:-1]
    if not lowered or lowered[-1] not in _BE:
        return False
    if question[end:].lstrip()[:1] not in ("", ",", "?", ".", "!", ";"):
        return False
    return any(stem(t) in OBJECT_STEMS for t in lowered[-10:-1])


def _is_plural(word: str) -> bool:
    """A lower-case plural noun ("vases", "portraits"): things other than the one object a question is about."""
    return word.islower() and len(word) > 3 and word.endswith("s") and not word.endswith("ss") and stem(word) != word


def object_materials(question: str) -> list[tuple[str, set[str]]]:
    """Materials the question gives the object: "watercolor-on-ivory miniature", "a marble bust", "painted in oil",
    "Vos's bronze 'Sleeping Hound'" (a material before the object's title)."""
    found = list(_TOKEN.finditer(question))
    tokens = [m.group(0) for m in found]
    lowered = [t.lower() for t in tokens]
    stemmed = [stem(t) for t in lowered]
    out: list[tuple[str, set[str]]] = []
    i = 0
    while i < len(tokens):
        if stemmed[i] not in _MATERIAL_STEMS or tokens[i][0].isupper() and i > 0 or _not_material(question, found, i):
            i += 1
            continue
        j = i
        # a run like "watercolor on ivory", "oil on canvas"
        while j + 2 < len(tokens) and lowered[j + 1] in ("on", "and") and stemmed[j + 2] in _MATERIAL_STEMS:
            j += 2
        run = set(stemmed[i : j + 1]) & set(_MATERIAL_STEMS)
        following = stemmed[j + 1 : j + 4]
        preceding = stemmed[max(0, i - 4) : i]
        # "a marble bust", not "how many brass bowls he owned" (things he owned, not this object) nor "which paper
        # printed it" (a verb)
        after = lowered[j + 1 : j + 3]
        # ... and not the thing an object shows: "the drawing of the bronze statue"
        depicted = any(stemmed[k] in OBJECT_STEMS and lowered[k + 1] == "of" for k in range(i))
        modifies_object = not depicted and any(
            t in OBJECT_STEMS and not (w.endswith(("s", "ed")) and stem(w) != w) for t, w in zip(following[:2], after)
        )
        made_in = bool(preceding) and lowered[i - 1] in ("in", "on", "of") and any(
            t in _MAKING or t in OBJECT_STEMS for t in preceding[:-1]
        )
        # "Vos's bronze 'Large Hound'", "the marble Athena": the material of the object the title names (not "led
        # Vos to", "shaped like a bronze urn")
        before_title = (
            not depicted
            and j + 1 < len(tokens)
            and i > 0
            and (lowered[i - 1] in _DEFINITE or lowered[i - 1].endswith(("'s", "’s")))
            and (tokens[j + 1][0].isupper() or question[found[j].end() : found[j + 1].start()].strip() in _QUOTES)
        )
        if modifies_object or made_in or before_title or _said_of_object(question, tokens[:i], found[j].end()):
            out.append((" ".join(lowered[i : j + 1]), run))
        i = j + 1
    return out


def _not_material(question: str, found: list[re.Match], i: int) -> bool:
    """A word that stems like a material but is not one here: "horned" (a participle), "copper-red" (part of a
    compound with a word that is not a material)."""
    word = found[i].group(0).lower()
    if word.endswith("ed") and word not in MATERIALS:
        return True
    end = found[i].end()
    if question[end : end + 1] == "-" and i + 1 < len(found) and found[i + 1].start() == end + 1:
        following = found[i + 1].group(0).lower()
        return following not in ("on", "and") and stem(following) not in _MATERIAL_STEMS
    return False


@dataclass(frozen=True)
class Slot:
    """A checkable value in a text: a name, a year, a number or ordinal, or a material."""

    kind: str  # name | year | number | material | opposite
    text: str
    start: int
    end: int
    tokens: frozenset[str]


def question_slots(question: str) -> list[Slot]:
    return sentence_slots(question, None)


def sentence_slots(text: str, kind: str | None) -> list[Slot]:
    """The values of ``kind`` (all kinds when None) in ``text``, with offsets."""
    slots: list[Slot] = []
    if kind in (None, "name"):
        for p in name_phrases(text):
            toks = frozenset(_name_tokens(p))
            if toks:
                name = re.sub(r"['’]s$", "", p.text)  # "Duke Anton's mother" -> "Duke Anton"
                slots.append(Slot("name", name, p.start, p.start + len(name), toks))
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        low = tok.lower()
        if kind in (None, "year") and re.fullmatch(r"1[0-9]{3}|20[0-9]{2}", tok):
            slots.append(Slot("year", tok, m.start(), m.end(), frozenset({tok})))
        elif kind in (None, "number") and (low in _ORDINALS or low in _NUMBER_WORDS or low in _POSITIONS) and low != "one":
            slots.append(Slot("number", tok, m.start(), m.end(), frozenset({low})))
        elif kind in (None, "material") and stem(low) in _MATERIAL_STEMS and not tok[0].isupper():
            slots.append(Slot("material", tok, m.start(), m.end(), frozenset({stem(low)})))
        elif kind in (None, "opposite") and low in _OPPOSITES:
            nxt = _TOKEN.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
            if nxt and nxt.group(0).isalpha() and nxt.group(0).lower() not in STOPWORDS:  # "right leg", "death mask"
                phrase = text[m.start() : nxt.end()]
                slots.append(Slot("opposite", phrase, m.start(), nxt.end(), frozenset({low, stem(nxt.group(0))})))
    return slots


def question_stems_all(question: QuestionInfo) -> set[str]:
    return all_stems(question.text)


def _same_place(question: str, slot: Slot, sentence: str, other: Slot) -> int:
    """Whether ``other`` stands where ``slot`` stands: 2 under the same title or head word, 1 next to the
    same neighbour word or before the same content word, 0 not."""
    if slot.kind == "name":
        q_words = [stem(w) for w in words(slot.text)]
        s_words = [stem(w) for w in words(other.text)]
        if q_words and q_words[0] in NAME_TITLES and q_words[0] in s_words[:-1]:
            return 2  # "Governor Hale" / "Governor Peter Brandt"
        if len(q_words) > 2 and len(s_words) > 2 and q_words[:2] == s_words[:2] and q_words != s_words:
            return 2  # "Haarlem Weekly Courant" / "Haarlem Weekly Post"
    q_before = [stem(w) for w in words(question[: slot.start]) if w not in _ARTICLES][-1:]
    s_before = [stem(w) for w in words(sentence[: other.start]) if w not in _ARTICLES][-1:]
    q_after = [stem(w) for w in words(question[slot.end :])][:1]
    s_after = [stem(w) for w in words(sentence[other.end :])][:1]
    if slot.kind == "name" and q_before and q_before == s_before:
        if q_before[0] not in _WEAK_NEIGHBOURS:
            return 1
        # a shared preposition alone is weak: the word before it must be near too ("Abbey in" / "Abbey Church in"),
        # unless it is a function word ("she was at Leiden" / "a student at Utrecht")
        q2 = [w.lower() for w in words(question[: slot.start]) if w not in _ARTICLES][-2:]
        near = {stem(w) for w in words(sentence[: other.start])[-5:-1]}
        if len(q2) == 2 and (q2[0] in _BE_AND_PRONOUNS or stem(q2[0]) in near):
            return 1
    if slot.kind == "name":
        # or what follows it is the same: "in Zeeland, which had banned" / "in Holland, a province that had banned",
        # "the Courant newspaper story" / "when the Post ran a story"
        q_next = {stem(w) for w in words(question[slot.end :]) if w not in STOPWORDS and not w.isdigit()}
        q_next &= {stem(w) for w in words(question[slot.end :])[:3]}
        s_next = {stem(w) for w in words(sentence[other.end :])[:5]}
        return 1 if q_next & s_next else 0
    if slot.kind in ("number", "material"):
        # the content word next to it in the question is near it in the sentence ("ivory combs" /
        # "horn for combs", "first issue" / "second issue")
        q_next = [stem(w) for w in words(question[slot.end :]) if w not in STOPWORDS][:1]
        q_prev = [stem(w) for w in words(question[: slot.start]) if w not in STOPWORDS][-1:]
        s_next = {stem(w) for w in words(sentence[other.end :])[:4]}
        s_prev = {stem(w) for w in words(sentence[: other.start])[-4:]}
        if (q_next and q_next[0] in s_next) or (q_prev and q_prev[0] in s_prev):
            return 1
        return 0
    if slot.kind == "year":
        return 1 if (q_before and q_before == s_before) or (q_after and q_after == s_after) else 0
    if slot.kind == "opposite":  # "right leg" / "left leg": the opposite modifier of the same noun
        q_mod, q_noun = words(slot.text)[0], stem(words(slot.text)[-1])
        s_mod, s_noun = words(other.text)[0], stem(words(other.text)[-1])
        return 2 if _OPPOSITES.get(q_mod) == s_mod and q_noun == s_noun else 0
    return 0


_BE_AND_PRONOUNS = _EN.wordlist("clause_openers")
_ARTICLES = _EN.wordlist("articles")
_WEAK_NEIGHBOURS = _EN.wordlist("weak_neighbours")


# --- helpers ----------------------------------------------------------------------------------
def _date_span(fact: Candidate) -> tuple[int, int] | None:
    """The years the record's date covers: the record's own range (``date_begin`` / ``date_end``, BC negative) when
    it has one, else the years or centuries its display date names."""
    chunk = fact.chunk
    bounds = [y for y in (chunk.date_begin, chunk.date_end) if y is not None]
    if bounds:
        return min(bounds), max(bounds)
    stated = years(fact.value or "")
    if stated:
        return min(stated), max(stated)
    named = centuries(fact.value or "")
    if named and not _BC.search(fact.value or ""):
        return (min(named) - 1) * 100 + 1, max(named) * 100
    return None


def _fact_claim(fact: Candidate) -> str:
    """What a verifier checks for a tombstone fact: the object and the fact as catalogued."""
    return f"{fact.chunk.title.rstrip('.')}. {fact.text}"


def _mentions(slot: Slot, stems_: set[str], text: str = "") -> bool:
    """A name counts as mentioned when its last word and at least half of its words are there
    (or the record's text holds it whole: "Revolution" in "Revolutionary War")."""
    if text and (slot.text in text if slot.kind == "name" else slot.text.lower() in text.lower()):
        return True  # a name as written: "Post" (a newspaper) is not "post"
    if slot.kind == "opposite":  # "right leg" is mentioned only as that phrase ("civil rights" is not it)
        return bool(text) and slot.text.lower() in text.lower()
    if slot.kind != "name":
        return slot.tokens <= stems_
    slot_words = words(slot.text)
    if not slot_words:
        return False
    last_word = re.sub(r"['’]s$", "", _TOKEN.findall(slot.text)[-1])
    if text:  # the last word as written ("Times" is not "time"), or a people's singular ("Romans": "Roman")
        people = len(slot_words) == 1 and last_word.endswith("s") and len(last_word) > 4
        forms = [last_word, last_word[:-1]] if people else [last_word]
        last_ok = any(re.search(rf"\b{re.escape(form)}\b", text) is not None for form in forms)
    else:
        last_ok = stem(slot_words[-1]) in stems_
    return last_ok and len(slot.tokens & stems_) * 2 >= len(slot.tokens)


def _people(record_id: str, pool: EvidencePool) -> list[tuple[str, str]]:
    """(name, fact kind) of the record's creators, as its typed facts give them."""
    return [(f.value, f.kind.removeprefix("unknown_")) for f in pool.facts.get(record_id, []) if f.field == "creators"]


def _named(record_id: str, pool: EvidencePool) -> set[str]:
    """Stems of a record's title and people's names."""
    return all_stems(" ".join([pool.titles.get(record_id, ""), *(n for n, _ in _people(record_id, pool))]))


def _about_other_object(question: QuestionInfo, slot: Slot, others: list[Candidate], pool: EvidencePool) -> bool:
    """Another retrieved object mentions ``slot`` and is named by another name of the question
    (in its title or creators, or a multi-word name in its text)."""
    other_names = [p for p in question.names if p.start != slot.start]
    records: dict[str, list[Candidate]] = {}
    for c in others:
        records.setdefault(c.record_id, []).append(c)
    for record_id, cands in records.items():
        text = " ".join(c.text for c in cands)
        stems_ = all_stems(text) | all_stems(cands[0].chunk.title)
        if not _mentions(slot, stems_, text):
            continue
        named = _named(record_id, pool)
        for p in other_names:
            tokens = _name_tokens(p)
            if tokens and (tokens <= named or (len(tokens) > 1 and tokens <= all_stems(text))):
                return True
    return False


def _is_about(question: QuestionInfo, record: list[Candidate], pool: EvidencePool) -> bool:
    """The question names the record's object or one of its people (so a contradiction is about this object)."""
    record_id = record[0].record_id
    anchor: set[str] = set()
    for name in [pool.titles.get(record_id, record[0].chunk.title), *(n for n, _ in _people(record_id, pool))]:
        anchor |= _name_tokens_of(name)
    for phrase in question.names:
        if _name_tokens(phrase) & anchor:
            return True
    return bool(stems(question.text) & stems(record[0].chunk.title) - OBJECT_STEMS)


def _names_the_object(question: QuestionInfo, record: list[Candidate], pool: EvidencePool) -> bool:
    """Every name of the question, but the ones it asserts as makers, is wholly in the record:
    a maker, date or medium of this object can only be corrected if the question is about this object."""
    stems_: set[str] = set()
    for c in record:
        stems_ |= all_stems(c.text) | all_stems(c.chunk.title)
    depicted = [name for name, kind in _people(record[0].record_id, pool) if kind == "depicted"]
    for phrase in making_subjects(question.text):
        if any(_name_tokens(phrase) & _name_tokens_of(name) for name in depicted):
            return False  # the question has the record's sitter making something: another object
    makers = _rival_makers(question, record, pool)
    for phrase in question.names:
        if phrase.start in makers:
            continue
        if not all(_loosely_in(t, stems_) for t in _name_tokens(phrase)):
            return False
    return True


def _rival_makers(question: QuestionInfo, record: list[Candidate], pool: EvidencePool) -> set[int]:
    """Start offsets of the names the question gives as makers, but for the record's own sitter or title."""
    own = _title_tokens(record)
    for name, kind in _people(record[0].record_id, pool):
        if kind == "depicted":
            own |= _name_tokens_of(name)
    return {p.start for p in asserted_makers(question.text) if not (_name_tokens(p) and _name_tokens(p) <= own)}


def _titled_by(question: QuestionInfo, record: list[Candidate], pool: EvidencePool) -> bool:
    """A name of the question (not one it asserts as maker) is the record's title or one of its people."""
    named = _named(record[0].record_id, pool)
    makers = _rival_makers(question, record, pool)
    return any(_name_tokens(p) and _name_tokens(p) <= named for p in question.names if p.start not in makers)


def _loosely_in(token: str, stems_: set[str]) -> bool:
    """``token`` or a word sharing its first six letters ("American" / "America's")."""
    return token in stems_ or (len(token) >= 6 and any(s[:6] == token[:6] for s in stems_ if len(s) >= 6))


def _object_noun_fits(question: QuestionInfo, record: list[Candidate], pool: EvidencePool) -> bool:
    """The kind of object the question names ("bust") is the kind this record is (not a letter about a bust)."""
    chunk = record[0].chunk
    medium = next((f.value for f in pool.facts.get(chunk.record_id, []) if f.kind == "material"), "")
    kind = " ".join(f.value for f in pool.facts.get(chunk.record_id, []) if f.kind == "type") or chunk.type
    return fits_object_kind(asked_object_kinds(question.text), kind, chunk.title, medium)


def _creator_of_other(
    question: QuestionInfo, phrase: Phrase, surname: str, others: list[Candidate], pool: EvidencePool
) -> bool:
    """Another retrieved object has this creator and holds another name of the question."""
    other_names = [p for p in question.names if p.start != phrase.start]
    seen: set[str] = set()
    for c in others:
        if c.record_id in seen or surname not in {_surname(n) for n, _ in _people(c.record_id, pool)}:
            continue
        seen.add(c.record_id)
        text_stems: set[str] = set()
        for o in others:
            if o.record_id == c.record_id:
                text_stems |= all_stems(o.text)
        named = _named(c.record_id, pool)
        for p in other_names:
            tokens = _name_tokens(p)
            if tokens and (tokens <= named or (len(tokens) > 1 and tokens <= text_stems)):
                return True
    return False


def _namesake(phrase: Phrase, makers: list[str], record_stems: set[str]) -> bool:
    """The question gives the maker another given name than the record does: "Jacob van Dijk" where the
    record's maker is "Salomon van Dijk" (a family of artists). Every maker of that family name has a given
    name, none of them the question's, and the record never writes the question's."""
    surname = _surname(phrase.text)
    given = {t for t in _name_tokens(phrase) if t != surname and len(t) > 1} - _NAME_PARTICLES
    family = [name for name in makers if _surname(name) == surname]
    if not given or not family or given & record_stems:
        return False
    for name in family:
        own = {t for t in _name_tokens_of(without_parentheses(name)) if t != surname and len(t) > 1}
        if not own - _NAME_PARTICLES or own & given:
            return False
    return True


def _surname(name: str) -> str:
    """The last word of a name, without dates and suffixes: "Hendrik Jan Mol (1671 - 1733)" -> "mol"."""
    name = without_parentheses(name).replace("’", "'")
    name = re.sub(r"'s\b", "", name)
    tokens = [w for w in words(name) if w not in _NAME_SUFFIXES]
    return stem(tokens[-1]) if tokens else ""


def _name_tokens(phrase: Phrase) -> set[str]:
    return {t for t in phrase.tokens if t not in NAME_TITLES and len(t) > 1}


def _name_tokens_of(name: str) -> set[str]:
    return {stem(w) for w in words(name) if len(w) > 1} - NAME_TITLES


def _title_tokens(record: list[Candidate]) -> set[str]:
    return _name_tokens_of(record[0].chunk.title)


def _is_after(question: str, phrase: Phrase) -> bool:
    """The name is the maker of what the object copies: "after Vos", "after a Vos painting", "after a painting by
    Vos"."""
    before = words(question[: phrase.start])[-4:]
    return "after" in before and (before[-1] in ("after", "a", "an", "by") or before[-2:-1] in (["after"], ["a"]))


def _best_maker(makers: list[Candidate], after: bool, facts: list[Candidate]) -> Candidate:
    """The record's maker to give instead: the maker of the original for "after X", else the first certain maker."""
    if after:
        for c in facts:
            if c.kind == "source_maker":
                return c
    for c in makers:
        if c.kind == "maker":
            return c
    return makers[0]


def _mentions_object(question: str) -> bool:
    return bool({stem(w) for w in words(question)} & OBJECT_STEMS)


def _mentions_making(question: str) -> bool:
    return bool({stem(w) for w in words(question)} & _MAKING)


def _lower_followed(question: str, phrase: Phrase) -> bool:
    """The name is followed by a lower-case object noun: "the Pieter Claes painting", "the Vos photo"."""
    rest = question[phrase.end :].lstrip()
    return bool(rest) and rest[0].islower()
