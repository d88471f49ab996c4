"""Stored payloads read back as :class:`Chunk` objects, never raising.

A payload written by an older version, edited by hand, or damaged on disk may hold a value
the chunk model rejects (a ``date_begin`` of 1e30, a text where a number belongs). Reading
it must not break the question or the search that retrieved it: the bad optional field is
dropped (and logged), and a point whose identity fields (record id, chunk index, text ...)
are unusable is skipped.

Example::

    chunk = read_chunk(point.payload, point.id)  # None when the point cannot be used at all
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from rag.models import Chunk

log = logging.getLogger(__name__)

#: Fields without which a chunk cannot be cited: a point missing one is skipped.
REQUIRED_CHUNK_FIELDS = frozenset(name for name, info in Chunk.model_fields.items() if info.is_required())


def chunk_from_payload(payload: Any) -> tuple[Chunk | None, list[str]]:
    """The chunk, with the optional fields it could not read dropped, and one message per problem."""
    if not isinstance(payload, dict):
        return None, [f"the payload is {type(payload).__name__}, not an object"]
    data = payload
    problems: list[str] = []
    for _ in range(3):
        try:
            return Chunk.model_validate(data), problems
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            problems.extend(
                f"field '{'.'.join(map(str, error['loc']))}': {error['msg']}" for error in exc.errors()
            )
            if not bad or bad & REQUIRED_CHUNK_FIELDS:
                return None, problems
            data = {key: value for key, value in data.items() if key not in bad}
        except (TypeError, ValueError, RecursionError) as exc:  # defensive: never raise to a reader
            return None, problems + [str(exc)]
    return None, problems


def read_chunk(payload: Any, point_id: str | None = None) -> Chunk | None:
    """:func:`chunk_from_payload`, logging what was dropped or why the point was skipped."""
    chunk, problems = chunk_from_payload(payload)
    if problems:
        record = payload.get("record_id") if isinstance(payload, dict) else None
        action = "read without the bad field(s)" if chunk is not None else "skipped"
        log.warning(
            "stored point %s (record %s) %s: %s; run `museum-rag check`", point_id, record, action, "; ".join(problems)
        )
    return chunk
