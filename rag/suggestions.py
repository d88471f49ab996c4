"""Questions to suggest to a visitor, built from real records of the collection.

Each suggestion is a catalogue template (``suggest_maker``, ``suggest_date`` in
``rag/data/messages/<lang>.json``) filled from one record that holds its answer: "Who made “X”?"
only for a record with a maker (a role grouped under "makers" in ``rag/data/facet_roles.json``),
"When was “X” made?" only for a dated one.

Example::

    for s in suggest_questions(museum.store, Messages.for_language("en"), n=3):
        print(s.question, s.record_id)
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from rag.messages import Messages
from rag.models import SearchFilters
from rag.roles import RoleGroups
from rag.store import VectorStore

_SCAN = 500  # records read to pick from
_FIELDS = ["record_id", "title", "creator_roles", "date"]


@dataclass(frozen=True)
class Suggestion:
    question: str
    record_id: str
    title: str


def _has_maker(creator_roles: list[str], groups: RoleGroups) -> bool:
    return any(groups.group_of(groups.split(value)[0]) == "makers" for value in creator_roles)


def suggest_questions(store: VectorStore, messages: Messages, n: int = 3, rng: random.Random | None = None) -> list[Suggestion]:
    """Up to ``n`` questions about distinct records, alternating the kinds of question."""
    rng = rng or random.Random()
    groups = RoleGroups.load()
    first_chunks = itertools.islice(store.scroll(filters=SearchFilters(chunk_index=0), fields=_FIELDS), _SCAN)
    records = [p.payload for p in first_chunks if p.payload.get("title")]
    rng.shuffle(records)
    by_kind: dict[str, list[Suggestion]] = {"suggest_maker": [], "suggest_date": []}
    for payload in records:
        title = str(payload["title"]).strip().rstrip(".")
        record_id = str(payload["record_id"])
        if _has_maker(list(payload.get("creator_roles") or []), groups):
            by_kind["suggest_maker"].append(Suggestion(messages.text("suggest_maker", title=title), record_id, title))
        elif payload.get("date"):
            by_kind["suggest_date"].append(Suggestion(messages.text("suggest_date", title=title), record_id, title))
    picked: list[Suggestion] = []
    seen: set[str] = set()
    for suggestion in itertools.chain.from_iterable(itertools.zip_longest(*by_kind.values())):
        if suggestion is None or suggestion.record_id in seen or suggestion.title in {s.title for s in picked}:
            continue
        picked.append(suggestion)
        seen.add(suggestion.record_id)
        if len(picked) >= n:
            break
    return picked
