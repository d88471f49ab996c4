"""Numbers, years, decades and relative dates ("the next year", "four years later") a text states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from rag.verification.tokens import Token
from rag.verification.vocabulary import (
    NEXT_WORDS,
    ORDINALS,
    PARTITIVE_PRONOUNS,
    PREVIOUS_WORDS,
    SCALES,
    UNITS,
    WEAK_NUMBERS,
    YEAR_AFTER_WORDS,
    YEAR_BEFORE_WORDS,
)

if TYPE_CHECKING:
    from rag.verification.facts import TextFacts



def digit_value(norm: str) -> tuple[float, bool] | None:
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
            parsed = digit_value(norm)
            if parsed is not None:
                value = parsed[0]
                if i + 1 < len(tokens) and tokens[i + 1].norm in SCALES:
                    value *= SCALES[tokens[i + 1].norm]
                    i += 1
                values.add(value)
            i += 1
            continue
        parts = norm.split("-")
        if parts[0] in UNITS or parts[0] in ORDINALS or parts[0] in SCALES:
            total, current, used, j, weak = 0.0, 0.0, 0, i, True
            while j < len(tokens):
                pieces = tokens[j].norm.split("-")
                if not all(p in UNITS or p in ORDINALS or p in SCALES or p == "and" for p in pieces):
                    break
                if pieces == ["and"] and (used == 0 or j + 1 >= len(tokens) or tokens[j + 1].norm not in UNITS):
                    break
                for piece in pieces:
                    if piece in UNITS:
                        current += UNITS[piece]
                    elif piece in ORDINALS:
                        current += ORDINALS[piece]
                    elif piece in SCALES:
                        current = max(current, 1) * SCALES[piece]
                        if SCALES[piece] >= 1000:
                            total, current = total + current, 0.0
                    if piece != "and":
                        used += 1
                        weak = weak and piece in WEAK_NUMBERS
                j += 1
            partitive = (
                j + 1 < len(tokens) and tokens[j].norm == "of" and tokens[j + 1].norm in PARTITIVE_PRONOUNS and total + current <= 3
            )
            if used and not weak and not partitive:  # "the two of them" states no count
                values.add(total + current)
            i = max(j, i + 1)
            continue
        i += 1
    return values


def years(values: set[float]) -> set[float]:
    return {v for v in values if v.is_integer() and 1000 <= v <= 2100}


DECADE_TOKEN = re.compile(r"^\d{3}0'?s$")


def decades(tokens: Sequence[Token]) -> set[float]:
    """Decades written as such ("1930s", "1960's"): they cover the ten years that follow."""
    return {float(t.norm.rstrip("s").rstrip("'")) for t in tokens if DECADE_TOKEN.match(t.norm)}


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




def _count_word(token: Token) -> float | None:
    """The small count a token states ("two", "2", "a"), for "two years later"."""
    if token.norm in ("a", "an", "one"):
        return 1.0
    if token.norm in UNITS and token.norm not in ("half", "pair", "couple", "dozen"):
        return float(UNITS[token.norm])
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
        parsed = digit_value(token.norm) if token.norm[:1].isdigit() else None
        if parsed is not None and parsed[1] and not DECADE_TOKEN.match(token.norm) and 1000 <= parsed[0] <= 2100:
            last = parsed[0]
            continue
        if last is None or token.norm not in ("year", "years", "decade", "decades"):
            continue
        span = 10.0 if token.norm.startswith("decade") else 1.0
        before = tokens[index - 1] if index >= 1 else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        # The year is placed at the phrase's first word ("*next* year", "*four* years later").
        if before is not None and before.norm in NEXT_WORDS and token.norm in ("year", "decade"):
            found.append((index - 1, last + span))
        elif before is not None and before.norm in PREVIOUS_WORDS and token.norm in ("year", "decade"):
            found.append((index - 1, last - span))
        elif before is not None and after is not None and (count := _count_word(before)) is not None:
            if after.norm in YEAR_AFTER_WORDS:
                found.append((index - 1, last + count * span))
            elif after.norm in YEAR_BEFORE_WORDS and after.norm != "ago":
                found.append((index - 1, last - count * span))
    return [(i, v) for i, v in found if 1000 <= v <= 2100], last

