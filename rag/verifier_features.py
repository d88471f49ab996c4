"""Text analysis for the offline faithfulness verifier: what changes when a museum fact is wrong.

A claim that misstates a museum record usually keeps most of the record's words and changes
one fact: a person's name, a year or a number, a place, a material, a relation, or it adds a
negation. This module turns a (claim, sources) pair into a small vector of such signals,
measured against the source span the claim aligns with best, plus lexical overlap. The
embedding similarity is added by the verifier (it needs the embedder); the combination
weights live in ``rag/data/verifier_weights.json``.

Beyond presence, the checks read how a fact is attached: a year, number, material or name the
record states but beside something else (``fact_displaced``, ``name_displaced``: two dates swapped
between two titles, a birthplace taken from another sentence), a verb whose doer and undergoer
trade places (``voice_swap``), a person cast as the maker when the record makes them the sitter
(``role_conflict``), a negation the record lacks or a word the record denies (``negation_mismatch``,
``negation_dropped``; "rather than" and "instead of" count as negations). Relative dates ("the next
year", "four years later") are resolved against the last year written before them.

Claim-form features (``answer_phrase``, ``in_question``, ``verbatim_copy`` and the ``phrase_*``
products) let the one logistic model keep two operating points: a short answer phrase copied
from its source is judged by presence, a full sentence may paraphrase its source. Likewise the
``document`` indicator and its ``doc_*`` products give a sentence checked against a passage of
three or more sentences (rewording expected, a changed fact is what matters) its own weights,
apart from a reply grounded in a one- or two-line snippet (words the snippet lacks are the sign).

Everything here is plain Python and fast: a source text is analysed once and cached, so
scoring every sentence of an answer against the same few sources costs little.

Example::

    claim = analyse_claim("Bennett is shown seated with his four children.")
    sources = [analyse_source("This photograph shows Henry Hamilton Bennett seated with his three children.")]
    alignment = align(claim, sources)
    values = lexical_features(claim, sources, alignment)
    values["numbers_missing"], values["number_swap"]  # 0.5, 1.0: "four" is nowhere, "three" stands in its place
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from rag.text import Span, split_sentences

# ----------------------------------------------------------------------------- vocabulary

#: Function words: never evidence on their own.
STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with as is was were are be been being it its this that these
    those he she his her him they them their theirs we our ours you your yours i me my mine not no so than then there
    here who whom whose which what when where why how do does did doing done has have had having will would can could
    should may might must shall also into about over under after before while during until since upon onto off out up
    down very just only even still yet both either neither each every all any some such same other another own more
    most much many few less least well too again once if because though although whether s t its it's itself himself
    herself themselves ourselves yourself myself one ones thing things something anything nothing get got gets
    become became becomes let lets make made makes like yes yeah yep yup nope oh ok okay well hi hey wow lol sure
    really actually indeed perhaps maybe""".split()
)

#: Words that flip the polarity of a statement.
NEGATIONS = frozenset(
    "not no never n't nor neither none nobody nothing nowhere without cannot cant dont doesnt didnt isnt wasnt "
    "werent arent wont wouldnt couldnt shouldnt hasnt havent hadnt".split()
)

#: First- and second-person words: a claim about "I" or "you" is conversation, not a record.
PERSONAL = frozenset("i me my mine myself we us our ours you your yours yourself i'm i've i'd i'll".split())

#: Materials, media and techniques: the "medium" line of a museum record.
MATERIALS = frozenset(
    """oil oils tempera acrylic acrylics watercolor watercolour watercolors gouache pastel pastels charcoal graphite
    pencil ink inks chalk crayon conte sepia bistre encaustic fresco enamel lacquer gesso bronze brass copper iron
    steel tin pewter lead silver gold platinum palladium aluminum aluminium zinc nickel marble granite limestone
    sandstone alabaster basalt slate jade ivory bone horn shell tortoiseshell amber pearl coral wood walnut oak
    mahogany pine maple cherry ebony boxwood cedar terracotta plaster clay porcelain stoneware earthenware faience
    ceramic glass crystal canvas linen panel paper vellum parchment board cardboard silk wool cotton velvet satin
    leather felt feathers wax resin plastic fiberglass vinyl albumen salted gelatin collodion daguerreotype
    ambrotype tintype ferrotype cyanotype calotype platinotype photogravure heliogravure lithograph lithography
    chromolithograph etching engraving woodcut woodblock linocut mezzotint aquatint drypoint screenprint serigraph
    silkscreen monotype offset inkjet chromogenic dye polaroid collage mosaic tapestry embroidery needlework""".split()
)

#: Pairs of words whose swap turns a true statement false (kinship, outcome, order, direction).
_ANTONYM_PAIRS = (
    ("husband", "wife"), ("brother", "sister"), ("father", "mother"), ("son", "daughter"), ("uncle", "aunt"),
    ("nephew", "niece"), ("grandfather", "grandmother"), ("king", "queen"), ("prince", "princess"),
    ("man", "woman"), ("men", "women"), ("male", "female"), ("boy", "girl"),
    ("won", "lost"), ("win", "lose"), ("victory", "defeat"), ("defeated", "lost"), ("together", "separate"),
    ("together", "separately"), ("before", "after"), ("first", "last"), ("earlier", "later"), ("older", "younger"),
    ("eldest", "youngest"), ("elder", "younger"), ("early", "late"), ("north", "south"), ("east", "west"),
    ("northern", "southern"), ("eastern", "western"), ("upper", "lower"), ("left", "right"), ("inside", "outside"),
    ("front", "back"), ("born", "died"), ("birth", "death"), ("open", "closed"), ("opened", "closed"),
    ("accepted", "rejected"), ("accepted", "refused"), ("supported", "opposed"), ("support", "oppose"),
    ("friend", "enemy"), ("friends", "enemies"), ("ally", "enemy"), ("allies", "enemies"), ("liberal", "conservative"),
    ("democrat", "republican"), ("democratic", "republican"), ("union", "confederate"), ("public", "private"),
    ("increase", "decrease"), ("rise", "fall"), ("success", "failure"), ("successful", "unsuccessful"),
    ("legal", "illegal"), ("married", "divorced"), ("hired", "fired"), ("bought", "sold"), ("buy", "sell"),
    ("gave", "received"), ("teacher", "student"), ("teacher", "pupil"), ("master", "pupil"), ("employer", "employee"),
    ("black", "white"), ("day", "night"), ("morning", "evening"), ("summer", "winter"), ("spring", "autumn"),
    ("spring", "fall"), ("large", "small"), ("larger", "smaller"), ("largest", "smallest"), ("highest", "lowest"),
    ("most", "least"), ("more", "less"), ("major", "minor"), ("always", "never"), ("arrived", "departed"),
    ("entered", "left"), ("start", "end"), ("began", "ended"), ("beginning", "end"), ("native", "foreign"),
    ("ancient", "modern"), ("fiction", "nonfiction"), ("comedy", "tragedy"), ("author", "illustrator"),
)
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _ANTONYM_PAIRS:
    ANTONYMS[_a] = ANTONYMS.get(_a, frozenset()) | {_b}
    ANTONYMS[_b] = ANTONYMS.get(_b, frozenset()) | {_a}

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "twice": 2, "thrice": 3,
    "single": 1, "pair": 2, "couple": 2, "half": 0.5,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100, "thousandth": 1000,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
#: Number words too common as pronouns or idioms to count as a stated quantity on their own.
_WEAK_NUMBERS = frozenset({"one", "single", "pair", "couple", "half", "second"})

_PRONOUNS = frozenset("them us you these those which whom".split())

_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)

_TOKEN = re.compile(
    r"\$?\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th|s|'s)?|\.\d+|[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ]+(?:['’][A-Za-z]+)*"
)
_SENTENCE_END = re.compile(r"[.!?]")


# ----------------------------------------------------------------------------- tokens


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip accents: ``Miloš`` and ``Milos`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper (plural, past tense, -ing, -ly) for matching word forms.

    >>> stem("married") == stem("marry"), stem("paintings") == stem("painting") == stem("painted")
    (True, True)
    """
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, replacement in (
        ("ies", "i"), ("ied", "i"), ("sses", "ss"), ("ings", ""), ("ing", ""), ("edly", ""), ("ed", ""),
        ("ly", ""), ("es", ""), ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[: len(w) - len(suffix)] + replacement
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # stopped -> stopp -> stop
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w.endswith("y"):
        w = w[:-1] + "i"
    return w


@dataclass(frozen=True)
class Token:
    text: str  # as written
    norm: str  # folded, possessive stripped
    stem: str
    capitalised: bool
    sentence_initial: bool
    next_char: str = ""  # the character right after the token ("," after an answer's "No,")
    clause_start: bool = False  # punctuation or a conjunction stands before it: a new clause begins here


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    last_end = 0
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        gap = text[last_end : match.start()]
        if tokens and gap.lstrip().startswith(".") and _abbreviation(tokens[-1].text):
            gap = gap.replace(".", "", 1)  # "Ulysses S. Grant", "Dr. King": no sentence ends there
        initial = not tokens or bool(_SENTENCE_END.search(gap))
        last_end = match.end()
        norm = fold(raw)
        if norm.endswith("'s"):
            norm = norm[:-2]
        norm = norm.replace("'", "") if norm not in ("n't",) else norm
        after = text[match.end() : match.end() + 1]
        clause = initial or bool(_CLAUSE_GAP.search(gap)) or norm in _CLAUSE_WORDS
        if fold(raw).endswith("n't") and len(raw) > 3:  # don't / wasn't -> "do" + "n't"
            tokens.append(Token(raw[:-3], norm[:-2], stem(norm[:-2]), raw[0].isupper(), initial, "", clause))
            tokens.append(Token("n't", "n't", "n't", False, False, after))
            continue
        tokens.append(Token(raw, norm, stem(norm), raw[:1].isupper(), initial, after, clause))
    return tokens


_TITLES = frozenset("mr mrs ms dr st jr sr rev gen col capt lt maj sgt gov sen rep pres prof hon mt ft".split())


def _abbreviation(word: str) -> bool:
    """An initial ("S") or a title ("Dr", "Gen"): a full stop after it does not end a sentence."""
    return (len(word) == 1 and word.isupper()) or word.lower() in _TITLES


_CLAUSE_GAP = re.compile(r"[,;:—–.!?]|\s-\s")
_CLAUSE_WORDS = frozenset({"and", "but", "while", "whereas", "although"})


# ----------------------------------------------------------------------------- numbers


def _digit_value(norm: str) -> tuple[float, bool] | None:
    """(value, is_year) for a token written in digits, else None."""
    text = norm.lstrip("$")
    decade = text.endswith("s") and not text.endswith(("st", "nd", "rd", "th"))
    text = re.sub(r"(st|nd|rd|th|s)$", "", text).replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    is_year = value.is_integer() and 1000 <= value <= 2100 and "," not in norm
    return (value, is_year or decade)


def extract_numbers(tokens: Sequence[Token]) -> set[float]:
    """Every quantity stated in the tokens: digits, number words, ordinals, "two million", "1930s", "19th"."""
    values: set[float] = set()
    i = 0
    while i < len(tokens):
        norm = tokens[i].norm
        if norm[:1].isdigit() or norm[:1] in "$.":
            parsed = _digit_value(norm)
            if parsed is not None:
                value = parsed[0]
                if i + 1 < len(tokens) and tokens[i + 1].norm in _SCALES:
                    value *= _SCALES[tokens[i + 1].norm]
                    i += 1
                values.add(value)
            i += 1
            continue
        parts = norm.split("-")
        if parts[0] in _UNITS or parts[0] in _ORDINALS or parts[0] in _SCALES:
            total, current, used, j, weak = 0.0, 0.0, 0, i, True
            while j < len(tokens):
                pieces = tokens[j].norm.split("-")
                if not all(p in _UNITS or p in _ORDINALS or p in _SCALES or p == "and" for p in pieces):
                    break
                if pieces == ["and"] and (used == 0 or j + 1 >= len(tokens) or tokens[j + 1].norm not in _UNITS):
                    break
                for piece in pieces:
                    if piece in _UNITS:
                        current += _UNITS[piece]
                    elif piece in _ORDINALS:
                        current += _ORDINALS[piece]
                    elif piece in _SCALES:
                        current = max(current, 1) * _SCALES[piece]
                        if _SCALES[piece] >= 1000:
                            total, current = total + current, 0.0
                    if piece != "and":
                        used += 1
                        weak = weak and piece in _WEAK_NUMBERS
                j += 1
            partitive = (
                j + 1 < len(tokens) and tokens[j].norm == "of" and tokens[j + 1].norm in _PRONOUNS and total + current <= 3
            )
            if used and not weak and not partitive:  # "the two of them" states no count
                values.add(total + current)
            i = max(j, i + 1)
            continue
        i += 1
    return values


def years(values: set[float]) -> set[float]:
    return {v for v in values if v.is_integer() and 1000 <= v <= 2100}


_DECADE = re.compile(r"^\d{3}0'?s$")


def decades(tokens: Sequence[Token]) -> set[float]:
    """Decades written as such ("1930s", "1960's"): they cover the ten years that follow."""
    return {float(t.norm.rstrip("s").rstrip("'")) for t in tokens if _DECADE.match(t.norm)}


def numbers_match(value: float, where: "TextFacts", decade: bool = False) -> bool:
    """Whether ``where`` states ``value``: the same number, or a year inside a decade it names (or vice versa)."""
    if value in where.numbers:
        return True
    if value.is_integer() and 1000 <= value <= 2100:
        if any(d <= value < d + 10 for d in where.decades):
            return True  # "around 1965" against "in the 1960s"
        if decade:
            return any(value <= other < value + 10 for other in where.numbers)
    return False


# ----------------------------------------------------------------------------- relative dates

_YEAR_AFTER_WORDS = frozenset({"later", "afterward", "afterwards", "thereafter", "on"})
_YEAR_BEFORE_WORDS = frozenset({"earlier", "before", "prior", "previously", "ago"})
_NEXT = frozenset({"next", "following", "succeeding", "subsequent"})
_PREVIOUS = frozenset({"previous", "preceding", "prior"})


def _count_word(token: Token) -> float | None:
    """The small count a token states ("two", "2", "a"), for "two years later"."""
    if token.norm in ("a", "an", "one"):
        return 1.0
    if token.norm in _UNITS and token.norm not in ("half", "pair", "couple", "dozen"):
        return float(_UNITS[token.norm])
    if token.norm.isdigit() and 0 < int(token.norm) < 100:
        return float(token.norm)
    return None


def implied_years(tokens: Sequence[Token], anchor: float | None = None) -> tuple[list[tuple[int, float]], float | None]:
    """Years a text states relative to an earlier one: "the next year", "four years later", "a decade earlier".

    Returns ``[(token index, year)]`` (the index of the phrase's first word: "next", "four") and the last year written
    out in digits (the anchor for the text that follows).

    >>> implied_years(tokenize("Captured in 1863, he was released the next year."))[0]
    [(7, 1864.0)]
    """
    found: list[tuple[int, float]] = []
    last = anchor
    for index, token in enumerate(tokens):
        parsed = _digit_value(token.norm) if token.norm[:1].isdigit() else None
        if parsed is not None and parsed[1] and not _DECADE.match(token.norm) and 1000 <= parsed[0] <= 2100:
            last = parsed[0]
            continue
        if last is None or token.norm not in ("year", "years", "decade", "decades"):
            continue
        span = 10.0 if token.norm.startswith("decade") else 1.0
        before = tokens[index - 1] if index >= 1 else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        # The year is placed at the phrase's first word ("*next* year", "*four* years later").
        if before is not None and before.norm in _NEXT and token.norm in ("year", "decade"):
            found.append((index - 1, last + span))
        elif before is not None and before.norm in _PREVIOUS and token.norm in ("year", "decade"):
            found.append((index - 1, last - span))
        elif before is not None and after is not None and (count := _count_word(before)) is not None:
            if after.norm in _YEAR_AFTER_WORDS:
                found.append((index - 1, last + count * span))
            elif after.norm in _YEAR_BEFORE_WORDS and after.norm != "ago":
                found.append((index - 1, last - count * span))
    return [(i, v) for i, v in found if 1000 <= v <= 2100], last


# ----------------------------------------------------------------------------- negation, voice and roles

#: Phrases that deny or set aside what follows without a "not": "a benefactor rather than a tycoon".
_CONTRAST_WORDS = frozenset(
    "instead unlike lack lacked lacking lacks fail failed fails failing refused refuse refuses declined absent "
    "absence".split()
)
_BE = frozenset("is was were are be been being am".split())
#: Past forms that do not end in -ed (the verbs museum labels use most).
_IRREGULAR_PAST = frozenset(
    """won lost led made wrote written took taken gave given beat beaten met left found became drew drawn built
    shot sent told sold bought taught held brought began begun chose chosen fought hung kept knew known paid
    ran saw seen sang sung struck sat stood spent spoke spoken swore threw thrown wore worn""".split()
)
#: Words that make a person the maker of a work ("painted by X", "X photographed ...").
_CREATION = frozenset(
    """paint painted painting paints photograph photographed photographs drew drawn draw drawing sculpt sculpted
    sculptor carved carve engraved engrave etched etch lithographed designed design created create made make
    modeled modelled cast executed execute rendered render caricatured caricature printed print""".split()
)
#: Nouns for a likeness: "portrait of X" makes X the sitter.
_LIKENESS = frozenset(
    """portrait portraits likeness bust photograph photo picture image painting drawing caricature sketch
    depiction statue study print sitter""".split()
)
_DEPICTS = frozenset("depict depicts depicted portray portrays portrayed show shows showing shown".split())
_ROLE_LABELS = {
    **dict.fromkeys(
        """artist artists painter photographer photographers sculptor engraver lithographer printmaker printer
        maker makers designer illustrator caricaturist creator creators author draftsman""".split(),
        "creator",
    ),
    **dict.fromkeys("sitter sitters subject subjects depicted".split(), "sitter"),
}


def count_contrasts(tokens: Sequence[Token]) -> int:
    """How often a text sets something aside without a "not": "rather than", "instead of", "failed to"."""
    count = sum(1 for t in tokens if t.norm in _CONTRAST_WORDS)
    count += sum(1 for a, b in zip(tokens, tokens[1:]) if a.norm == "rather" and b.norm == "than")
    count += sum(1 for a, b in zip(tokens, tokens[1:]) if a.norm == "no" and b.norm in ("longer", "more"))
    return count


def negated_stems(tokens: Sequence[Token], reach: int = 3) -> frozenset[str]:
    """The content words a negation governs: "did *not* arrive" -> {"arriv"}; "never married" -> {"marri"}."""
    found: set[str] = set()
    for index, token in enumerate(tokens):
        if token.norm not in NEGATIONS or _answer_particle(token):
            continue
        for follower in tokens[index + 1 : index + 1 + reach]:
            if _SENTENCE_END.match(follower.text) or follower.norm in ("but", "and"):
                break
            if _is_content(follower) and follower.norm not in _BE and not follower.norm[:1].isdigit():
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


def _is_past_verb(token: Token) -> bool:
    norm = token.norm
    if token.capitalised and not token.sentence_initial:
        return False
    return (norm.endswith("ed") and len(norm) > 4 and norm.isalpha()) or norm in _IRREGULAR_PAST


def verb_frames(tokens: Sequence[Token], reach: int = 5) -> tuple[Frame, ...]:
    """The frames of a text's past-tense verbs, each side cut at the sentence's end."""
    frames: list[Frame] = []
    for index, token in enumerate(tokens):
        if not _is_past_verb(token) or token.norm in STOPWORDS:
            continue
        start = index
        while start > 0 and index - start < reach and not _SENTENCE_END.search(tokens[start].text):
            start -= 1
        left = tokens[start:index]
        right: list[Token] = []
        for follower in tokens[index + 1 : index + 1 + reach]:
            if follower.sentence_initial:
                break
            right.append(follower)
        be_before = any(t.norm in _BE for t in left[-2:])
        by_after = any(t.norm == "by" for t in right[:2])
        passive = be_before and by_after
        keep = lambda part: frozenset(t.stem for t in part if _is_content(t) and t.norm not in _BE)  # noqa: E731
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


def _name_run(tokens: Sequence[Token], flags: Sequence[bool], start: int) -> list[str]:
    """The stems of the run of name tokens starting at ``start`` (``Charles Willson Peale``)."""
    run: list[str] = []
    index = start
    while index < len(tokens) and (flags[index] or (run and tokens[index].norm in ("de", "van", "von", "da"))):
        run.append(tokens[index].stem)
        index += 1
    return run


def name_roles(tokens: Sequence[Token], flags: Sequence[bool]) -> dict[str, frozenset[str]]:
    """Which names a text makes the maker of a work and which the person shown.

    Reads catalogue fields ("Artist: Gilbert Stuart", "Sitter: George Washington") and prose
    ("painted by Stuart", "Brady photographed Lincoln", "a portrait of Washington").

    >>> sorted(name_roles(*_flagged("Portrait of Lincoln painted by Mathew Brady.")).items())
    [('bradi', frozenset({'creator'})), ('lincoln', frozenset({'sitter'})), ('mathew', frozenset({'creator'}))]
    """
    roles: dict[str, set[str]] = {}

    def mark(names: list[str], role: str) -> None:
        for name in names:
            roles.setdefault(name, set()).add(role)

    for index, token in enumerate(tokens):
        nxt = index + 1
        if nxt >= len(tokens):
            break
        label = _ROLE_LABELS.get(token.norm)
        if label and token.capitalised and token.next_char == ":":
            mark(_name_run(tokens, flags, nxt), label)  # "Artist: Gilbert Stuart"
        elif token.norm == "by" and index >= 1:
            before = tokens[max(0, index - 3) : index]
            made = any(t.norm in _CREATION for t in tokens[max(0, index - 2) : index])
            likeness = any(t.norm in _CREATION or t.norm in _LIKENESS for t in before)
            if likeness and (made or not any(t.norm in _BE for t in before)):
                mark(_name_run(tokens, flags, nxt), "creator")  # "painted by X", "a portrait by X"
        elif token.norm == "of" and index >= 1 and tokens[index - 1].norm in _LIKENESS:
            start = nxt + 1 if tokens[nxt].norm in ("the", "a", "an", "his", "her") else nxt
            mark(_name_run(tokens, flags, start), "sitter")  # "a portrait of X"
        elif token.norm in _DEPICTS and not token.capitalised:
            mark(_name_run(tokens, flags, nxt), "sitter")  # "depicts X"
        elif (
            (flags[index] or (token.capitalised and token.sentence_initial and token.norm not in STOPWORDS))
            and tokens[nxt].norm in _CREATION
            and _is_past_verb(tokens[nxt])
            and not (nxt + 1 < len(tokens) and tokens[nxt + 1].norm == "by")
        ):
            start = index
            while start > 0 and flags[start - 1]:
                start -= 1
            mark(_name_run(tokens, flags, start) or [token.stem], "creator")  # "Mathew Brady photographed ..."
            after = nxt + 1 + (1 if nxt + 1 < len(tokens) and tokens[nxt + 1].norm in ("the",) else 0)
            if after < len(tokens) and flags[after]:
                mark(_name_run(tokens, flags, after), "sitter")  # "... photographed Lincoln"
    return {name: frozenset(kinds) for name, kinds in roles.items()}


def _flagged(text: str) -> tuple[list[Token], list[bool]]:
    tokens = tokenize(text)
    return tokens, [_is_name(tokens, i) for i in range(len(tokens))]


def role_conflicts(claim: TextFacts, where: TextFacts) -> list[str]:
    """Names the claim casts in one role (maker, person shown) that the source gives only the other role."""
    conflicts = []
    for name, kinds in claim.roles.items():
        stated = where.roles.get(name)
        if stated and not (kinds & stated):
            conflicts.append(name)
    return conflicts


# ----------------------------------------------------------------------------- analysed texts


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


def _answer_particle(token: Token) -> bool:
    """A sentence-initial "No," or "No;" answers a question; it does not negate the statement."""
    return token.sentence_initial and token.norm == "no" and token.next_char in ",;:.!-—"


def _is_name(tokens: Sequence[Token], index: int) -> bool:
    """A capitalised word that names someone or somewhere (not a sentence's ordinary first word)."""
    token = tokens[index]
    if not token.capitalised or not token.norm.isalpha() or len(token.norm) < 2:
        return False
    if token.norm in STOPWORDS or token.norm in NEGATIONS or token.norm in _MONTHS:
        return False
    if token.norm in _ORDINALS or token.norm in _UNITS or token.norm in PERSONAL:
        return False
    if token.sentence_initial:
        # "Drawn for Vanity Fair, ..." vs "Mathew Brady photographed ...": first words count only as part of a
        # multi-word name or with a possessive.
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        return token.text.endswith(("'s", "’s")) or (
            following is not None and following.capitalised and not following.sentence_initial and token.next_char == " "
        )
    return True


def _is_content(token: Token) -> bool:
    return token.norm[:1].isdigit() or (
        len(token.norm) > 1 and token.norm not in STOPWORDS and token.norm not in NEGATIONS
    )


def _is_material(token: Token) -> bool:
    return token.norm in MATERIALS and (not token.capitalised or token.sentence_initial)


def facts(text: str, anchor_year: float | None = None) -> TextFacts:
    """Analyse one text (a claim, a source window or a whole source).

    ``anchor_year`` is the last year stated before this text (the previous sentence of a source):
    "Captured in 1863, he was released the next year" states 1864, and so does "He was released
    the next year" after a sentence that ends in 1863.
    """
    tokens = tokenize(text)
    stems = [t.stem for t in tokens]
    name_flags = [_is_name(tokens, i) for i in range(len(tokens))]
    implied, last_year = implied_years(tokens, anchor_year)
    implied_at: dict[int, list[float]] = {}
    for index, value in implied:
        implied_at.setdefault(index, []).append(value)
    sequence: list[tuple[str, str]] = []
    clauses: list[int] = []
    pronoun_clauses: set[int] = set()
    clause = 0
    for index, (token, is_name) in enumerate(zip(tokens, name_flags)):
        if token.clause_start and index > 0:
            clause += 1
        if token.norm in _PERSON_PRONOUNS:
            pronoun_clauses.add(clause)
        for value in implied_at.get(index, ()):
            sequence.append((f"#{value}", "number"))
            clauses.append(clause)
        if not _is_content(token):
            continue
        clauses.append(clause)
        if token.norm[:1].isdigit() or token.norm[:1] in "$.":
            parsed = _digit_value(token.norm)
            sequence.append((f"#{parsed[0]}" if parsed else token.stem, "number"))
        elif is_name:
            sequence.append((token.stem, "name"))
        elif _is_material(token):
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
        content=[t.stem for t in tokens if _is_content(t)],
        norms=norms,
        stem_set=frozenset(stems) | norms,
        prefixes=frozenset(n[:5] for n in norms if len(n) >= 6 and n.isalpha()),
        names=frozenset(t.stem for t, flag in zip(tokens, name_flags) if flag),
        capitals=frozenset(t.stem for t in alpha if t.capitalised or not cased),
        initial_names=frozenset(t.stem for t, flag in zip(tokens, name_flags) if flag and t.sentence_initial),
        numbers=extract_numbers(tokens) | {value for _, value in implied},
        decades=decades(tokens),
        materials=frozenset(t.norm for t in tokens if _is_material(t)),
        negations=sum(1 for t in tokens if t.norm in NEGATIONS and not _answer_particle(t)),
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


_PERSON_PRONOUNS = frozenset("he him his she her hers they them their".split())


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


@lru_cache(maxsize=4096)
def analyse_source(text: str) -> SourceFacts:
    """Cut a source into sentence windows; each sentence is tokenized once, larger windows are merged."""
    sentences: list[TextFacts] = []
    anchor: float | None = None
    for span in split_sentences(text) or [Span(0, len(text), text)]:
        sentences.append(facts(span.text, anchor))
        anchor = sentences[-1].last_year if sentences[-1].last_year is not None else anchor
    windows = sentences + [merge([a, b]) for a, b in zip(sentences, sentences[1:])]
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


# ----------------------------------------------------------------------------- alignment


@dataclass(frozen=True)
class Alignment:
    source_index: int | None
    window: TextFacts | None
    recall: float
    candidates: tuple[tuple[int, int], ...]  # (source, window) of the best few windows, best first


def _recall(claim: TextFacts, where: TextFacts) -> float:
    if not claim.content:
        return 1.0
    return sum(1 for w in claim.content if knows(w, where)) / len(claim.content)


def _bigram_recall(claim: TextFacts, where: TextFacts) -> float:
    if not claim.bigrams:
        return _recall(claim, where)
    return len(claim.bigrams & where.bigrams) / len(claim.bigrams)


def align(claim: TextFacts, sources: Sequence[SourceFacts], keep: int = 3, context: TextFacts | None = None) -> Alignment:
    """The source window that states most of the claim (and of ``context``, e.g. the question)."""
    scored: list[tuple[float, int, int]] = []
    for s, source in enumerate(sources):
        for w, window in enumerate(source.windows):
            value = _recall(claim, window) + 0.25 * _bigram_recall(claim, window)
            if context is not None and context.content:
                value += 0.25 * _recall(context, window)
            # Prefer the shorter window on ties: single sentences come first in ``windows``.
            scored.append((value - 0.001 * len(window.content) / 100, s, w))
    if not scored:
        return Alignment(None, None, 0.0, ())
    scored.sort(key=lambda item: -item[0])
    _, s, w = scored[0]
    window = sources[s].windows[w]
    return Alignment(s, window, _recall(claim, window), tuple((s2, w2) for _, s2, w2 in scored[:keep]))


# ----------------------------------------------------------------------------- features


def _pair_recall(claim: TextFacts, sources: Sequence[SourceFacts], alignment: Alignment) -> float:
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


def _question_window(question: TextFacts, sources: Sequence[SourceFacts]) -> TextFacts | None:
    """The window that answers the question's own terms best (where the answer should stand)."""
    if not question.content:
        return None
    best, found = -1.0, None
    for source in sources:
        for window in source.windows:
            value = _recall(question, window) - 0.001 * len(window.content) / 100
            if value > best:
                best, found = value, window
    return found


def knows_name(name: str, claim: TextFacts, where: TextFacts) -> bool:
    """Whether a capitalised claim token is a name ``where`` also writes with a capital (Britain/British too)."""
    if name in claim.initial_names and knows(name, where):
        return True  # "Drawn for Vanity Fair": a sentence's first word may be an ordinary word
    if name in where.capitals:
        return True
    return len(name) >= 6 and any(len(c) >= 6 and c[:4] == name[:4] for c in where.capitals)


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


def union_facts(sources: Sequence[SourceFacts]) -> TextFacts:
    """The facts of all sources together (what the claim may draw on)."""
    if len(sources) == 1:
        return sources[0].whole
    return _joined_facts(tuple(s.text for s in sources))


@lru_cache(maxsize=1024)
def _joined_facts(texts: tuple[str, ...]) -> TextFacts:
    return merge([analyse_source(text).whole for text in texts])


#: Verb-like words: a claim with none of them (and few content words) is an answer phrase, not a sentence.
_AUXILIARIES = frozenset(
    "is was were are be been has had have did does do can could will would should may might became become".split()
)

#: The features that :func:`claim_form_interactions` multiplies by the ``answer_phrase`` indicator.
PHRASE_GATED = ("recall_window", "bigram_window", "answer_recall", "names_missing", "numbers_missing")


def is_answer_phrase(claim: TextFacts) -> bool:
    """A short answer phrase ("American", "the Louvre in Paris"): at most 4 content words and no verb-like word.

    Such claims are judged differently from full sentences: a copied phrase is either in the
    source or not, while a sentence may paraphrase its source.

    >>> is_answer_phrase(analyse_claim("American")), is_answer_phrase(analyse_claim("He was painted in 1851."))
    (True, False)
    """
    if len(claim.content) > 4:
        return False
    return not any(
        t.norm in _AUXILIARIES or (t.norm.endswith("ed") and len(t.norm) > 4 and not t.capitalised)
        for t in tokenize(claim.text)
    )


@lru_cache(maxsize=4096)
def _token_line(text: str) -> str:
    """The text's normalised tokens joined by single spaces, padded (for whole-token substring tests)."""
    return " " + " ".join(t.norm for t in tokenize(text)) + " "


def copied_verbatim(claim: TextFacts, sources: Sequence[SourceFacts]) -> bool:
    """Whether the whole claim (its tokens, in order) stands word for word in one source."""
    line = _token_line(claim.text)
    return line.strip() != "" and any(line in _token_line(source.text) for source in sources)


def claim_form_interactions(values: dict[str, float]) -> dict[str, float]:
    """``phrase_<feature>`` = ``answer_phrase`` x feature: lets one linear model keep a separate operating point
    for short answer phrases (copied verbatim, judged by presence) and for full sentences (paraphrased)."""
    gate = values["answer_phrase"]
    return {f"phrase_{name}": gate * values[name] for name in PHRASE_GATED}


def lexical_features(
    claim: TextFacts,
    sources: Sequence[SourceFacts],
    alignment: Alignment,
    question: TextFacts | None = None,
) -> dict[str, float]:
    """The non-embedding features of one claim against its sources (see ``LEXICAL_FEATURES``)."""
    allf = union_facts(sources)
    window = alignment.window or allf
    asked = question.stem_set if question is not None else frozenset()

    conflicts = role_conflicts(claim, allf)
    # A name cast in a role the source gives it not (the sitter named as the painter) is a missing fact.
    missing_names = [n for n in claim.names if not knows_name(n, claim, allf) and n not in conflicts] + conflicts
    missing_numbers = [v for v in claim.numbers if not numbers_match(v, allf, v in claim.decades)]
    window_missing_numbers = [v for v in claim.numbers if not numbers_match(v, window, v in claim.decades)]
    missing_years = [v for v in years(claim.numbers) if not numbers_match(v, allf, v in claim.decades)]
    missing_materials = [m for m in claim.materials if not knows(stem(m), allf)]
    fact_words = set(claim.names) | {stem(m) for m in claim.materials}
    other_names = window.names - claim.names
    other_numbers = {v for v in window.numbers if v not in claim.numbers}

    antonym = 0
    for word in claim.norms:
        opposite = ANTONYMS.get(word)
        if opposite and word not in window.norms and any(o in window.norms for o in opposite):
            antonym += 1

    # Two scales: a fact's near neighbours ("in 1992") and its clause ("fled Nazi Germany ... in 1939").
    tight, wide = displaced_facts(claim, allf), displaced_facts(claim, allf, claim_radius=3, radius=6)
    displaced_values = sorted(set(tight[0]) | set(wide[0]))
    displaced_names = sorted(set(tight[1]) | set(wide[1]))
    swaps = voice_swaps(claim, window) if window is not allf else voice_swaps(claim, allf)
    denied = claim.negations > 0 and window.negations + window.contrasts == 0
    # The source denies a word the claim asserts ("had not arrived" -> "arrived"), with no negation in the claim.
    dropped = claim.negations == 0 and claim.contrasts == 0 and bool(window.negated & set(claim.content))

    content = claim.content
    novel = [w for w in content if w not in asked]  # the claim's own words, not the question's
    novel_unknown = [w for w in novel if not knows(w, allf)]
    common = [w for w in novel if w not in fact_words and not w[:1].isdigit()]
    common_unknown = [w for w in common if not knows(w, allf)]
    fact_missing = float(bool(missing_names or missing_numbers or missing_materials))
    context = fact_context(claim, allf)
    asked_window = _question_window(question, sources) if question is not None else None
    in_asked = [w for w in novel if knows(w, asked_window)] if asked_window is not None and novel else None
    verified = (
        len(claim.names) - len(missing_names) + len(claim.numbers) - len(missing_numbers)
        + len(claim.materials) - len(missing_materials)
    )
    phrase = float(is_answer_phrase(claim))
    values = {
        "recall_window": alignment.recall,
        "recall_all": _recall(claim, allf),
        "bigram_window": _bigram_recall(claim, window),
        "answer_recall": (1.0 - len(novel_unknown) / len(novel)) if novel else 1.0,
        "question_window_recall": (
            len(in_asked) / len(novel) if in_asked is not None else (1.0 - len(novel_unknown) / len(novel)) if novel else 1.0
        ),
        "common_unknown": (len(common_unknown) / len(common)) if common else 0.0,
        "unknown_count": min(len(novel_unknown), 6) / 6,
        "names_missing": min(len(missing_names), 2) / 2,
        "name_swap": float(bool(missing_names) and bool(other_names)),
        "numbers_missing": min(len(missing_numbers), 2) / 2,
        "number_swap": float(bool(window_missing_numbers) and bool(other_numbers)),
        "years_missing": min(len(missing_years), 2) / 2,
        "materials_missing": min(len(missing_materials), 2) / 2,
        "fact_missing": fact_missing,
        "fact_missing_aligned": fact_missing * alignment.recall,
        "has_facts": float(bool(claim.names or claim.numbers or claim.materials)),
        "facts_verified": min(verified, 4) / 4,
        "context_min": min(context) if context else 1.0,
        "context_mean": sum(context) / len(context) if context else 1.0,
        "antonym": min(antonym, 2) / 2,
        "negation_mismatch": float(denied),
        "negation_dropped": float(dropped),
        "fact_displaced": min(len(displaced_values), 2) / 2,
        "name_displaced": min(len(displaced_names), 2) / 2,
        "voice_swap": float(swaps > 0),
        "role_conflict": float(bool(conflicts)),
        "contradiction": float(
            bool(antonym or denied or dropped or displaced_values or displaced_names or swaps or conflicts)
        ),
        "recall_pair": _pair_recall(claim, sources, alignment),
        "personal": float(claim.personal > 0 and allf.personal == 0),
        "is_question": float(claim.text.rstrip().endswith("?")),
        "claim_length": min(len(content), 30) / 30,
        "short_answer": float(len(content) <= 4),
        "answer_phrase": phrase,
        "in_question": (sum(1 for w in content if w in asked) / len(content)) if content and asked else 0.0,
        "verbatim_copy": float(copied_verbatim(claim, sources)),
    }
    values.update(claim_form_interactions(values))
    values["document"] = float(not phrase and sum(source.sentences for source in sources) >= DOCUMENT_SENTENCES)
    values.update(document_interactions(values, DOCUMENT_GATED_LEXICAL))
    return values


#: A claim checked against this many source sentences or more (and not a bare answer phrase) is in the
#: document regime: a restatement of a passage of a record, where rewording is expected and a changed fact
#: is what matters. Fewer sentences is the snippet regime: a reply grounded in a line or two of knowledge,
#: where words the snippet lacks are the warning sign.
DOCUMENT_SENTENCES = 3


def document_interactions(values: dict[str, float], names: Sequence[str]) -> dict[str, float]:
    """``doc_<feature>`` = ``document`` x feature: the document regime's own weights on top of the shared ones.

    One logistic model with these products is a two-regime model whose regime weights are shrunk
    towards the shared ones (the L2 penalty), so neither regime's few rows decide alone.
    """
    gate = values["document"]
    return {f"doc_{name}": gate * values[name] for name in names}


#: Feature order of the weight vector (the embedding features come from the verifier).
LEXICAL_FEATURES = (
    "recall_window", "recall_all", "bigram_window", "answer_recall", "question_window_recall", "common_unknown", "unknown_count",
    "names_missing", "name_swap", "numbers_missing", "number_swap", "years_missing", "materials_missing",
    "fact_missing", "fact_missing_aligned", "has_facts", "facts_verified", "context_min", "context_mean", "antonym",
    "negation_mismatch", "negation_dropped", "fact_displaced", "name_displaced", "voice_swap", "role_conflict",
    "contradiction", "recall_pair", "personal", "is_question", "claim_length", "short_answer",
    "answer_phrase", "in_question", "verbatim_copy", *(f"phrase_{name}" for name in PHRASE_GATED),
)
#: The lexical features that :func:`document_interactions` multiplies by the ``document`` indicator
#: (the answer-phrase ones are always 0 in the document regime).
DOCUMENT_GATED_LEXICAL = tuple(
    name for name in LEXICAL_FEATURES if not name.startswith("phrase_") and name not in ("answer_phrase",)
)
#: ``phrase_embedding_window`` is ``answer_phrase`` x ``embedding_window`` (see :func:`claim_form_interactions`),
#: ``doc_embedding_window`` is ``document`` x ``embedding_window``.
EMBEDDING_FEATURES = ("embedding_window", "phrase_embedding_window", "doc_embedding_window")
DOCUMENT_FEATURES = ("document", *(f"doc_{name}" for name in DOCUMENT_GATED_LEXICAL))
FEATURES = LEXICAL_FEATURES + EMBEDDING_FEATURES + DOCUMENT_FEATURES
