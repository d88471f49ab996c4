"""The verifier's view of a text's tokens: the language layer's tokens, with sentence, clause and name marks.

Built on :mod:`rag.language` (one tokenizer, one stemmer); adds what the fact checks read: whether a
token opens a sentence or a clause, the character after it, and whether it is a name, a content
word or a material. "don't" is read as "do" + "n't" (the negation is its own token).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.language import Language, fold, split_tokens
from rag.verification.vocabulary import (
    ABBREVIATIONS,
    CLAUSE_WORDS,
    MATERIALS,
    MONTHS,
    NEGATIONS,
    ORDINALS,
    PERSONAL,
    SENTENCE_END,
    STOPWORDS,
    UNITS,
)

LANGUAGE = Language.for_code("en")


def stem(word: str) -> str:
    """The language layer's stem of a word.

    >>> stem("married") == stem("marry"), stem("paintings") == stem("painting") == stem("painted")
    (True, True)
    """
    return LANGUAGE.stem(word)


@dataclass(frozen=True)
class Token:
    text: str  # as written
    norm: str  # folded, possessive stripped
    stem: str
    capitalised: bool
    sentence_initial: bool
    next_char: str = ""  # the character right after the token ("," after an answer's "No,")
    clause_start: bool = False  # punctuation or a conjunction stands before it: a new clause begins here
    start: int = 0  # character offsets in the text
    end: int = 0


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    last_end = 0
    for match in split_tokens(text):
        raw = match.text
        gap = text[last_end : match.start]
        if tokens and gap.lstrip().startswith(".") and _abbreviation(tokens[-1].text):
            gap = gap.replace(".", "", 1)  # "Ulysses S. Grant", "Dr. King": no sentence ends there
        initial = not tokens or bool(SENTENCE_END.search(gap))
        last_end = match.end
        norm = fold(raw)
        if norm.endswith("'s"):
            norm = norm[:-2]
        norm = norm.replace("'", "") if norm not in ("n't",) else norm
        after = text[match.end : match.end + 1]
        clause = initial or bool(_CLAUSE_GAP.search(gap)) or norm in CLAUSE_WORDS
        if fold(raw).endswith("n't") and len(raw) > 3:  # don't / wasn't -> "do" + "n't"
            cut = match.end - 3
            tokens.append(Token(raw[:-3], norm[:-2], stem(norm[:-2]), raw[0].isupper(), initial, "", clause, match.start, cut))
            tokens.append(Token("n't", "n't", "n't", False, False, after, False, cut, match.end))
            continue
        tokens.append(Token(raw, norm, stem(norm), raw[:1].isupper(), initial, after, clause, match.start, match.end))
    return tokens

def _abbreviation(word: str) -> bool:
    """An initial ("S") or a title ("Dr", "Gen"): a full stop after it does not end a sentence."""
    return (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS


_CLAUSE_GAP = re.compile(r"[,;:—–.!?]|\s-\s")
CLAUSE_WORDS = frozenset({"and", "but", "while", "whereas", "although"})


def answer_particle(token: Token) -> bool:
    """A sentence-initial "No," or "No;" answers a question; it does not negate the statement."""
    return token.sentence_initial and token.norm == "no" and token.next_char in ",;:.!-—"


def is_name(tokens: Sequence[Token], index: int) -> bool:
    """A capitalised word that names someone or somewhere (not a sentence's ordinary first word)."""
    token = tokens[index]
    if not token.capitalised or not token.norm.isalpha() or len(token.norm) < 2:
        return False
    if token.norm in STOPWORDS or token.norm in NEGATIONS or token.norm in MONTHS:
        return False
    if token.norm in ORDINALS or token.norm in UNITS or token.norm in PERSONAL:
        return False
    if token.sentence_initial:
        # "Drawn for Vanity Fair, ..." vs "Mathew Brady photographed ...": first words count only as part of a
        # multi-word name or with a possessive.
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        return token.text.endswith(("'s", "’s")) or (
            following is not None and following.capitalised and not following.sentence_initial and token.next_char == " "
        )
    return True


def is_content(token: Token) -> bool:
    return token.norm[:1].isdigit() or (
        len(token.norm) > 1 and token.norm not in STOPWORDS and token.norm not in NEGATIONS
    )


def is_material(token: Token) -> bool:
    return token.norm in MATERIALS and (not token.capitalised or token.sentence_initial)



def flagged(text: str) -> tuple[list[Token], list[bool]]:
    tokens = tokenize(text)
    return tokens, [is_name(tokens, i) for i in range(len(tokens))]

