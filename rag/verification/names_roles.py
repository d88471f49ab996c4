"""Names and their roles: who a text makes the maker of a work and who the person shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rag.verification.negation_voice import is_past_verb
from rag.verification.tokens import Token, is_name, tokenize
from rag.verification.vocabulary import BE, CREATION, DEPICTS, LIKENESS, ROLE_LABELS, STOPWORDS

if TYPE_CHECKING:
    from rag.verification.facts import TextFacts

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

    >>> sorted(name_roles(*flagged("Portrait of Lincoln painted by Mathew Brady.")).items())
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
        label = ROLE_LABELS.get(token.norm)
        if label and token.capitalised and token.next_char == ":":
            mark(_name_run(tokens, flags, nxt), label)  # "Artist: Gilbert Stuart"
        elif token.norm == "by" and index >= 1:
            before = tokens[max(0, index - 3) : index]
            made = any(t.norm in CREATION for t in tokens[max(0, index - 2) : index])
            likeness = any(t.norm in CREATION or t.norm in LIKENESS for t in before)
            if likeness and (made or not any(t.norm in BE for t in before)):
                mark(_name_run(tokens, flags, nxt), "creator")  # "painted by X", "a portrait by X"
        elif token.norm == "of" and index >= 1 and tokens[index - 1].norm in LIKENESS:
            start = nxt + 1 if tokens[nxt].norm in ("the", "a", "an", "his", "her") else nxt
            mark(_name_run(tokens, flags, start), "sitter")  # "a portrait of X"
        elif token.norm in DEPICTS and not token.capitalised:
            mark(_name_run(tokens, flags, nxt), "sitter")  # "depicts X"
        elif (
            (flags[index] or (token.capitalised and token.sentence_initial and token.norm not in STOPWORDS))
            and tokens[nxt].norm in CREATION
            and is_past_verb(tokens[nxt])
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




def role_conflicts(claim: TextFacts, where: TextFacts) -> list[str]:
    """Names the claim casts in one role (maker, person shown) that the source gives only the other role."""
    conflicts = []
    for name, kinds in claim.roles.items():
        stated = where.roles.get(name)
        if stated and not (kinds & stated):
            conflicts.append(name)
    return conflicts



def flagged(text: str) -> tuple[list[Token], list[bool]]:
    tokens = tokenize(text)
    return tokens, [is_name(tokens, i) for i in range(len(tokens))]
