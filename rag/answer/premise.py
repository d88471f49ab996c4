"""False premises: the question asserts something the best-matching record contradicts.

Generic checks, in this order, all against the one record the question is about:

1. **maker** — a person the question says made the object ("Why did John Hoppner paint ...",
   "after a George Catlin painting", "Smibert's portrait") is not among the record's makers
   (or only as a former attribution): the record's maker is given instead.
2. **creation date** — a year the question gives for the making of the object ("painted ... in
   1795", "the 1963 photograph") falls outside the record's date.
3. **medium** — a material the question gives the object ("watercolor-on-ivory miniature",
   "carved in marble") is not in the record's medium.
4. **substitution** — a name, year, number or material of the question that the record never
   mentions, where the record's sentence that best matches the rest of the question holds a
   different one in the same place ("President Kennedy" / "President Lyndon Johnson",
   "New York Times" / "New York Tribune", "at Harvard" / "at Yale University").

Nothing is corrected unless the record states the other value: what the records don't
contradict is left alone (and may lead to an answer or an abstention instead).

Example::

    checker = PremiseChecker()
    correction = checker.check(question_info, ranked, pool)
    if correction:
        print(correction.text)   # "The museum's record attributes “Patience Wright” to Robert Edge Pine, not John Hoppner."
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.answer.evidence import Candidate, EvidencePool, label_group
from rag.answer.objects import OBJECT_STEMS, asked_object_kinds, fits_object_kind
from rag.answer.question import QuestionInfo
from rag.answer.terms import NAME_TITLES, STOPWORDS, Phrase, all_stems, name_phrases, stem, stems, years
from rag.text import words

#: Materials and processes a medium line is made of.
MATERIALS = frozenset(
    """oil acrylic tempera watercolor watercolour gouache pastel charcoal graphite pencil crayon chalk ink canvas panel
    paper vellum parchment ivory copper bronze brass silver gold iron steel tin pewter marble plaster terracotta clay
    ceramic porcelain stone granite limestone alabaster wood oak mahogany walnut glass wax silk linen cotton wool
    leather masonite mylar aluminum albumen gelatin platinum palladium cyanotype daguerreotype ambrotype tintype
    collodion photogravure lithograph engraving etching mezzotint woodcut aquatint screenprint serigraph inkjet
    chromogenic polaroid casein encaustic enamel fresco mosaic resin fiberglass""".split()
)
_MATERIAL_STEMS = {stem(m): m for m in MATERIALS}
#: Verbs of making an object, as they follow a maker's name ("Hoppner painted", "did Hoppner paint").
_MAKING = frozenset(
    stem(w)
    for w in """paint painted paints drew draw drawn sketch sketched photograph photographed sculpt sculpted carve carved
    engrave engraved etch etched lithographed model modeled modelled cast made make create created took take design
    designed portray portrayed""".split()
)
#: Creator roles that do not make someone the object's maker.
_NOT_MAKER_ROLES = ("sitter", "former attribution", "formerly attributed", "subject", "owner", "donor")
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
        seventeen eighteen nineteen twenty""".split()
    )
}
_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth
        fifteenth sixteenth seventeenth eighteenth nineteenth twentieth""".split()
    )
}
#: Words that give a position in a series, like ordinals ("the youngest of seventeen" / "the fifteenth of seventeen").
_POSITIONS = frozenset("youngest oldest eldest last".split())
#: Modifiers whose opposite, before the same noun, contradicts them: "her right leg" / "her left leg".
_OPPOSITES = {
    a: b
    for x, y in (("left", "right"), ("life", "death"), ("north", "south"), ("east", "west"), ("upper", "lower"),
                 ("maternal", "paternal"), ("front", "back"), ("younger", "older"), ("earlier", "later"))
    for a, b in ((x, y), (y, x))
}
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9]+(?:['’][A-Za-z]+)?")


@dataclass
class Correction:
    """What the question asserts, what the record says instead, and the record text that says it."""

    kind: str  # maker | date | medium | name | year | number | material
    asserted: str
    stated: str
    evidence: Candidate
    text: str  # the correcting sentence, without its [n] marker
    claim: str = ""  # what the record states, without the rejected value: the part a verifier can check

    def __post_init__(self) -> None:
        if not self.claim:
            self.claim = self.text


class PremiseChecker:
    """Finds a contradiction between the question and the record it is about.

    ``min_alignment``: the share of the question's other terms the record sentence must hold
    before a substitution in it counts as a contradiction; ``object_candidates``: how many of
    the best retrieved objects may be the one the question is about.
    """

    def __init__(self, min_alignment: float = 0.5, object_candidates: int = 3) -> None:
        self.min_alignment = min_alignment
        self.object_candidates = object_candidates

    def check(self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool) -> Correction | None:
        """The first contradiction found, or None.

        The object-level checks (maker, date, medium) run on the best-ranked record that holds
        every name of the question (the question is about that object); the text substitution
        runs on the best record.
        """
        if not ranked:
            return None
        order = list(dict.fromkeys(c.record_id for c in ranked if c.object_rank < self.object_candidates))
        for position, record_id in enumerate(order):
            record = [c for c in pool.candidates if c.record_id == record_id]
            others = [c for c in pool.candidates if c.record_id != record_id]
            if not record or not _is_about(question, record):
                continue
            names_it = (
                _names_the_object(question, record)
                and _object_noun_fits(question, record)
                and (position == 0 or _titled_by(question, record))
            )
            checks = [self._maker, self._creation_date, self._medium] if names_it else []
            if position == 0:
                checks.append(self._substitution)
            for check in checks:
                correction = check(question, record, others)
                if correction is not None:
                    return correction
            if names_it:
                return None  # the object the question is about, and nothing contradicted
        return None

    # --- 1. maker --------------------------------------------------------------------
    def _maker(self, question: QuestionInfo, record: list[Candidate], others: list[Candidate]) -> Correction | None:
        makers = [c for c in record if c.is_tombstone and label_group(c) == "maker" and c.value]
        makers = [c for c in makers if not _role_is(c.label or "", _NOT_MAKER_ROLES)]
        known = [c for c in makers if "unidentified" not in (c.value or "").lower() and "unknown" not in (c.value or "").lower()]
        if not known:
            return None
        creators = _creator_names(record)
        maker_surnames = {_surname(name) for name, role in creators if not _role_is(role, _NOT_MAKER_ROLES)}
        if any(_surname(p.text) in maker_surnames for p in question.names):
            return None  # the question names the record's maker: another name is not a rival attribution
        for phrase in asserted_makers(question.text):
            tokens = _name_tokens(phrase)
            if not tokens:
                continue
            surname = _surname(phrase.text)
            if _creator_of_other(question, phrase, surname, others):
                continue  # a creator of another retrieved object the question also names: it is about that one too
            if any(surname == _surname(name) for name, role in creators if not _role_is(role, _NOT_MAKER_ROLES)):
                continue  # a maker of record (any making role)
            if any(tokens <= _name_tokens_of(name) for name, role in creators if _role_is(role, ("sitter",))):
                continue  # the sitter, not the maker
            if tokens <= _title_tokens(record):
                continue
            after = _is_after(question.text, phrase)
            pick = _best_maker(known, after)
            title = pick.chunk.title
            name = _display_name(pick.value or "")
            role = (pick.label or "").lower()
            if role in ("attribution", "attributed to", "artist", "painter", "photographer", "sculptor", "maker") and not after:
                text = f"The museum's record attributes “{title}” to {name}, not {phrase.text}."
            else:
                text = f"The museum's record gives {name} ({role}) for “{title}”, not {phrase.text}."
            return Correction("maker", phrase.text, name, pick, text, _fact_claim(pick))
        return None

    # --- 2. creation date -------------------------------------------------------------
    def _creation_date(self, question: QuestionInfo, record: list[Candidate], others: list[Candidate]) -> Correction | None:
        dates = [c for c in record if c.is_tombstone and label_group(c) == "date" and c.label and c.label.lower() == "date"]
        if not dates or not dates[0].value:
            return None
        fact = dates[0]
        stated_years = years(fact.value or "")
        if not stated_years:
            return None
        low, high = min(stated_years), max(stated_years)
        slack = 5 if re.search(r"\b(c\.|ca\.|circa|about|after|before)", fact.value or "", re.I) else 1
        for year in creation_years(question.text):
            if low - slack <= year <= high + slack:
                continue
            title = fact.chunk.title
            text = f"The museum's record dates “{title}” to {fact.value}, not {year}."
            return Correction("date", str(year), fact.value or "", fact, text, _fact_claim(fact))
        return None

    # --- 3. medium --------------------------------------------------------------------
    def _medium(self, question: QuestionInfo, record: list[Candidate], others: list[Candidate]) -> Correction | None:
        media = [c for c in record if c.is_tombstone and label_group(c) == "medium" and c.value]
        if not media:
            return None
        fact = media[0]
        stated = {stem(w) for w in words(fact.value or "")} & set(_MATERIAL_STEMS)
        if not stated:
            return None
        for asserted_text, asserted in object_materials(question.text):
            if asserted & stated:
                continue
            title = fact.chunk.title
            text = f"The museum's record gives the medium of “{title}” as {fact.value}, not {asserted_text}."
            return Correction("medium", asserted_text, fact.value or "", fact, text, _fact_claim(fact))
        return None

    # --- 4. substitution in the record's text -------------------------------------------
    def _substitution(self, question: QuestionInfo, record: list[Candidate], others: list[Candidate]) -> Correction | None:
        record_text = " ".join(c.text for c in record)
        record_stems = all_stems(record_text) | all_stems(record[0].chunk.title)
        context = all_stems(" ".join([record[0].chunk.title, *record[0].chunk.creators]))
        for slot in question_slots(question.text):
            if _mentions(slot, record_stems, record_text):
                continue  # the record mentions it: nothing contradicted
            if slot.kind == "name" and _about_other_object(question, slot, others):
                continue  # another retrieved object mentions it with the question's subject: it may be about that one
            rest = set(question.term_stems) - slot.tokens - {stem(w) for w in words(slot.text)}
            found = self._aligned_replacement(question, slot, rest, context, record)
            if found is not None:
                return found
        return None

    def _aligned_replacement(
        self, question: QuestionInfo, slot: "Slot", rest: set[str], context: set[str], record: list[Candidate]
    ) -> Correction | None:
        """The record sentence holding another value in the place of ``slot``.

        A value under the same title or head ("Queen Elizabeth" / "England's Queen Victoria",
        "New York Times" / "New York Tribune") counts in any sentence of the record; a value that
        only shares a neighbour word ("at Harvard" / "at Yale") needs a sentence that also holds
        most of the question's other terms.
        """
        specific = rest - context  # the terms that say what the question is about, beyond the object's names
        best: tuple[float, Candidate, Slot] | None = None
        asked = question_stems_all(question)
        for c in record:
            if c.is_tombstone:
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
                    best = (score, c, other)
        if best is None:
            return None
        _, c, other = best
        quote = c.text.strip()
        text = f"The museum's record gives {other.text}, not {slot.text}: “{quote}”"
        return Correction(slot.kind, slot.text, other.text, c, text, claim=quote)


# --- what the question asserts ------------------------------------------------------------
def asserted_makers(question: str) -> list[Phrase]:
    """Names the question gives as the object's maker: "Hoppner painted", "by X", "after a X painting", "X's portrait"."""
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
            out.append(phrase)
        elif before and before[-1] == "by" and (_mentions_object(question) or _mentions_making(question)):
            out.append(phrase)
        elif before and (before[-1] == "after" or before[-2:] in (["after", "a"], ["after", "an"])):
            out.append(phrase)
        elif nxt in OBJECT_STEMS and (possessive or _lower_followed(question, phrase)):
            # "Smibert's painting", "the Brady photo of General Merritt"; without "of" the name may be the
            # sitter as well ("the William Moultrie portrait", "the Major Ridge lithograph")
            if possessive or words(question[phrase.end :])[1:2] == ["of"]:
                out.append(phrase)
    return out


def making_subjects(question: str) -> list[Phrase]:
    """Names followed by a verb of making: "Noguchi carve", "Hoppner painted"."""
    out = []
    for phrase in name_phrases(question):
        after = words(question[phrase.end :])[:1]
        before = words(question[: phrase.start])[-1:]
        if not after or stem(after[0]) not in _MAKING:
            continue
        if _is_verb(after[0], before):
            out.append(phrase)
    return out


def _is_verb(word: str, before: list[str]) -> bool:
    """A verb of making, not the noun of "the Catlin painting": a past form, or "did Noguchi carve"."""
    return word.endswith("ed") or word in ("drew", "took", "made", "cast") or before[-1:] in (["did"], ["does"], ["didn't"])


def creation_years(question: str) -> list[int]:
    """Years the question gives for the making of the object: "painted ... in 1795", "the 1966 photograph"."""
    out = []
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(question)]
    for i, (_, tok) in enumerate(tokens):
        if not re.fullmatch(r"1[0-9]{3}|20[0-9]{2}", tok):
            continue
        year = int(tok)
        nxt = [stem(t.lower()) for _, t in tokens[i + 1 : i + 2]]
        window = [stem(t.lower()) for _, t in tokens[max(0, i - 6) : i]]
        if nxt and nxt[0] in OBJECT_STEMS:
            out.append(year)  # "the 1966 photograph"
        elif window and window[-1] == "in" and any(w in _MAKING for w in window[:-1]):
            out.append(year)  # "painted her from life in 1795"
        elif window[-2:] in (["from", "the"], ["from"]) or (window and window[-1] == "from"):
            if any(w in OBJECT_STEMS for w in window[:-1]):
                out.append(year)  # "the Fernandez photo of King from the 1963 March"
    return out


def object_materials(question: str) -> list[tuple[str, set[str]]]:
    """Materials the question gives the object: "watercolor-on-ivory miniature", "a marble bust", "painted in oil"."""
    tokens = [m.group(0) for m in _TOKEN.finditer(question)]
    lowered = [t.lower() for t in tokens]
    stemmed = [stem(t) for t in lowered]
    out: list[tuple[str, set[str]]] = []
    i = 0
    while i < len(tokens):
        if stemmed[i] not in _MATERIAL_STEMS or tokens[i][0].isupper() and i > 0:
            i += 1
            continue
        j = i
        # a run like "watercolor on ivory", "oil on canvas"
        while j + 2 < len(tokens) and lowered[j + 1] in ("on", "and") and stemmed[j + 2] in _MATERIAL_STEMS:
            j += 2
        run = set(stemmed[i : j + 1]) & set(_MATERIAL_STEMS)
        following = stemmed[j + 1 : j + 4]
        preceding = stemmed[max(0, i - 4) : i]
        # "a marble bust", not "How many brass pieces did he own?" (things he owned, not this object)
        after = lowered[j + 1 : j + 3]
        modifies_object = any(
            t in OBJECT_STEMS and not (w.endswith("s") and stem(w) != w) for t, w in zip(following[:2], after)
        )
        made_in = bool(preceding) and lowered[i - 1] in ("in", "on", "of") and any(
            t in _MAKING or t in OBJECT_STEMS for t in preceding[:-1]
        )
        if modifies_object or made_in:
            out.append((" ".join(lowered[i : j + 1]), run))
        i = j + 1
    return out


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
                name = re.sub(r"['’]s$", "", p.text)  # "Queen Victoria's mother" -> "Queen Victoria"
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
            return 2  # "President Kennedy" / "President Lyndon Johnson", "Queen Elizabeth" / "England's Queen Victoria"
        if len(q_words) > 2 and len(s_words) > 2 and q_words[:2] == s_words[:2] and q_words != s_words:
            return 2  # "New York Times" / "New York Tribune"
    q_before = [stem(w) for w in words(question[: slot.start]) if w not in _ARTICLES][-1:]
    s_before = [stem(w) for w in words(sentence[: other.start]) if w not in _ARTICLES][-1:]
    q_after = [stem(w) for w in words(question[slot.end :])][:1]
    s_after = [stem(w) for w in words(sentence[other.end :])][:1]
    if slot.kind == "name" and q_before and q_before == s_before:
        if q_before[0] not in _WEAK_NEIGHBOURS:
            return 1
        # a shared preposition alone is weak: the word before it must be near too ("Bethel in" / "Bethel Church in"),
        # unless it is a function word ("she was at Harvard" / "a student at Yale")
        q2 = [w.lower() for w in words(question[: slot.start]) if w not in _ARTICLES][-2:]
        near = {stem(w) for w in words(sentence[: other.start])[-5:-1]}
        if len(q2) == 2 and (q2[0] in _BE_AND_PRONOUNS or stem(q2[0]) in near):
            return 1
    if slot.kind == "name":
        # or what follows it is the same: "in Missouri, which had banned" / "in Kansas, a state that had banned",
        # "the Time magazine story" / "when Life did a story"
        q_next = {stem(w) for w in words(question[slot.end :]) if w not in STOPWORDS and not w.isdigit()}
        q_next &= {stem(w) for w in words(question[slot.end :])[:3]}
        s_next = {stem(w) for w in words(sentence[other.end :])[:5]}
        return 1 if q_next & s_next else 0
    if slot.kind in ("number", "material"):
        # the content word next to it in the question is near it in the sentence ("ivory false teeth" /
        # "porcelain for false teeth", "first issue" / "second issue")
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


_BE_AND_PRONOUNS = frozenset("was is were are be been being he she they it who where when".split())
_ARTICLES = frozenset({"the", "a", "an"})
_WEAK_NEIGHBOURS = frozenset("the a an and of in on at to for with by from as".split())


# --- helpers ----------------------------------------------------------------------------------
def _fact_claim(fact: Candidate) -> str:
    """What a verifier checks for a tombstone fact: the object and the fact as catalogued."""
    return f"{fact.chunk.title.rstrip('.')}. {fact.text}"


def _mentions(slot: Slot, stems_: set[str], text: str = "") -> bool:
    """A name counts as mentioned when its last word and at least half of its words are there
    (or the record's text holds it whole: "Revolution" in "Revolutionary War")."""
    if text and (slot.text in text if slot.kind == "name" else slot.text.lower() in text.lower()):
        return True  # a name as written: "Time" (the magazine) is not "time"
    if slot.kind == "opposite":  # "right leg" is mentioned only as that phrase ("civil rights" is not it)
        return bool(text) and slot.text.lower() in text.lower()
    if slot.kind != "name":
        return slot.tokens <= stems_
    slot_words = words(slot.text)
    if not slot_words:
        return False
    last_word = re.sub(r"['’]s$", "", _TOKEN.findall(slot.text)[-1])
    if text:  # the last word as written ("Times" is not "time")
        last_ok = re.search(rf"\b{re.escape(last_word)}\b", text) is not None  # as a name: capitalised
    else:
        last_ok = stem(slot_words[-1]) in stems_
    return last_ok and len(slot.tokens & stems_) * 2 >= len(slot.tokens)


def _about_other_object(question: QuestionInfo, slot: Slot, others: list[Candidate]) -> bool:
    """Another retrieved object mentions ``slot`` and is named by another name of the question
    (in its title or creators, or a multi-word name in its text)."""
    other_names = [p for p in question.names if p.start != slot.start]
    records: dict[str, list[Candidate]] = {}
    for c in others:
        records.setdefault(c.record_id, []).append(c)
    for cands in records.values():
        text = " ".join(c.text for c in cands)
        stems_ = all_stems(text) | all_stems(cands[0].chunk.title)
        if not _mentions(slot, stems_, text):
            continue
        named = all_stems(" ".join([cands[0].chunk.title, *cands[0].chunk.creators]))
        for p in other_names:
            tokens = _name_tokens(p)
            if tokens and (tokens <= named or (len(tokens) > 1 and tokens <= all_stems(text))):
                return True
    return False


def _is_about(question: QuestionInfo, record: list[Candidate]) -> bool:
    """The question names the record's object, sitter or maker (so a contradiction is about this object)."""
    first = record[0].chunk
    anchor = set()
    for name in [first.title, *first.creators]:
        anchor |= _name_tokens_of(name)
    for phrase in question.names:
        if _name_tokens(phrase) & anchor:
            return True
    return bool(stems(question.text) & stems(first.title) - {"portrait", "self"})


def _names_the_object(question: QuestionInfo, record: list[Candidate]) -> bool:
    """Every name of the question, but the ones it asserts as makers, is wholly in the record:
    a maker, date or medium of this object can only be corrected if the question is about this object."""
    stems_ = set()
    for c in record:
        stems_ |= all_stems(c.text) | all_stems(c.chunk.title)
    sitters = [name for name, role in _creator_names(record) if _role_is(role, ("sitter",))]
    for phrase in making_subjects(question.text):
        if any(_name_tokens(phrase) & _name_tokens_of(name) for name in sitters):
            return False  # "Whose bust did Noguchi carve?" over a photograph of Noguchi: another object
    makers = _rival_makers(question, record)
    for phrase in question.names:
        if phrase.start in makers:
            continue
        if not all(_loosely_in(t, stems_) for t in _name_tokens(phrase)):
            return False
    return True


def _rival_makers(question: QuestionInfo, record: list[Candidate]) -> set[int]:
    """Start offsets of the names the question gives as makers, but for the record's own sitter or title
    ("The Major Ridge lithograph" names the sitter)."""
    own = _title_tokens(record)
    for name, role in _creator_names(record):
        if _role_is(role, ("sitter",)):
            own |= _name_tokens_of(name)
    return {p.start for p in asserted_makers(question.text) if not (_name_tokens(p) and _name_tokens(p) <= own)}


def _titled_by(question: QuestionInfo, record: list[Candidate]) -> bool:
    """A name of the question (not one it asserts as maker) is the record's title or one of its creators."""
    chunk = record[0].chunk
    named = all_stems(" ".join([chunk.title, *chunk.creators]))
    makers = _rival_makers(question, record)
    return any(
        _name_tokens(p) and _name_tokens(p) <= named for p in question.names if p.start not in makers
    )


def _loosely_in(token: str, stems_: set[str]) -> bool:
    """``token`` or a word sharing its first six letters ("American" / "America's")."""
    return token in stems_ or (len(token) >= 6 and any(s[:6] == token[:6] for s in stems_ if len(s) >= 6))


def _object_noun_fits(question: QuestionInfo, record: list[Candidate]) -> bool:
    """The kind of object the question names ("bust") is the kind this record is (not a letter about the bust)."""
    chunk = record[0].chunk
    medium = next((c.value or "" for c in record if c.is_tombstone and label_group(c) == "medium"), "")
    return fits_object_kind(asked_object_kinds(question.text), chunk.type, chunk.title, medium)


def _creator_names(record: list[Candidate]) -> list[tuple[str, str]]:
    roles = record[0].chunk.creator_roles
    out = []
    for entry in roles:
        role, _, name = entry.partition(": ")
        out.append((name, role))
    return out


def _role_is(role: str, names: Sequence[str]) -> bool:
    role = role.lower()
    return any(role.startswith(n) for n in names)


def _creator_of_other(question: QuestionInfo, phrase: Phrase, surname: str, others: list[Candidate]) -> bool:
    """Another retrieved object has this creator and holds another name of the question."""
    other_names = [p for p in question.names if p.start != phrase.start]
    seen: set[str] = set()
    for c in others:
        if c.record_id in seen or surname not in {_surname(n) for n in c.chunk.creators}:
            continue
        seen.add(c.record_id)
        text_stems: set[str] = set()
        for o in others:
            if o.record_id == c.record_id:
                text_stems |= all_stems(o.text)
        named = all_stems(" ".join([c.chunk.title, *c.chunk.creators]))
        for p in other_names:
            tokens = _name_tokens(p)
            if tokens and (tokens <= named or (len(tokens) > 1 and tokens <= text_stems)):
                return True
    return False


def _surname(name: str) -> str:
    """The last word of a name, without dates and suffixes: "Edward Jean Steichen (1879 - 1973)" -> "steichen"."""
    name = re.sub(r"\([^)]*\)", "", name).replace("’", "'")
    name = re.sub(r"'s\b", "", name)
    tokens = [w for w in words(name) if w not in ("jr", "sr", "ii", "iii", "iv")]
    return stem(tokens[-1]) if tokens else ""


def _name_tokens(phrase: Phrase) -> set[str]:
    return {t for t in phrase.tokens if t not in NAME_TITLES and len(t) > 1}


def _name_tokens_of(name: str) -> set[str]:
    return {stem(w) for w in words(name) if len(w) > 1} - NAME_TITLES


def _title_tokens(record: list[Candidate]) -> set[str]:
    return _name_tokens_of(record[0].chunk.title)


def _is_after(question: str, phrase: Phrase) -> bool:
    before = words(question[: phrase.start])[-2:]
    return "after" in before


def _best_maker(makers: list[Candidate], after: bool) -> Candidate:
    if after:
        for c in makers:
            if "after" in (c.label or "").lower():
                return c
    for preferred in ("artist", "painter", "photographer", "sculptor", "maker"):
        for c in makers:
            if (c.label or "").lower() == preferred:
                return c
    return makers[0]


def _display_name(value: str) -> str:
    """"Betsy Graves Reyneau (1888 - 1964)" -> "Betsy Graves Reyneau"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", value).split(",")[0].strip() or value


def _mentions_object(question: str) -> bool:
    return bool({stem(w) for w in words(question)} & OBJECT_STEMS)


def _mentions_making(question: str) -> bool:
    return bool({stem(w) for w in words(question)} & _MAKING)


def _lower_followed(question: str, phrase: Phrase) -> bool:
    """The name is followed by a lower-case object noun: "the George Catlin painting", "the Brady photo"."""
    rest = question[phrase.end :].lstrip()
    return bool(rest) and rest[0].islower()
