"""Which record, and which chunk of it, every point of a store is: held in memory by the process that owns the store.

Grouping a search's chunks into objects needs only these two fields of the 50 or so points the engine fuses,
yet reading them from the engine's payload storage costs more than the search itself: each payload is read
whole (text, sentence vectors, the record) from pages the kernel has often dropped since the last question
(measured on the full NPG store: the fused query 0.8 ms without payloads, 9.6 ms reading the two fields the
first time, 2.5 ms when repeated). Held here, about 200 bytes a chunk, they cost a dictionary lookup.

The owner fills it once (:meth:`ChunkPlaces.fill`, from one scroll) and keeps it current on every write it
makes; it is filled only when asked (a server, an evaluation run), never by a one-off command.

Example::

    places = ChunkPlaces(("record_id", "chunk_index"))
    places.fill((point.id, point.payload) for point in store.scroll(fields=["record_id", "chunk_index"]))
    places.payloads(["6f1c…"])   # {"6f1c…": {"record_id": "npg:1", "chunk_index": 0}}, or None if one is unknown
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Sequence


class ChunkPlaces:
    """Point id -> the values of ``fields`` (the first of which is the record id), kept current by the writer."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self._values: dict[str, tuple[Any, ...]] = {}
        self._by_record: dict[Any, set[str]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def covers(self, fields: Sequence[str]) -> bool:
        return set(fields) <= set(self.fields)

    def fill(self, points: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Hold every point of ``points`` (id, payload); returns how many are held."""
        self.put(points)
        return len(self)

    def put(self, points: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Points just written (new, or rewritten with another payload)."""
        with self._lock:
            for point_id, payload in points:
                self._put(point_id, payload)

    def _put(self, point_id: str, payload: dict[str, Any]) -> None:
        point_id = str(point_id)
        old = self._values.get(point_id)
        if old is not None:
            self._by_record.get(old[0], set()).discard(point_id)
        values = tuple(payload.get(field) if isinstance(payload, dict) else None for field in self.fields)
        self._values[point_id] = values
        self._by_record.setdefault(values[0], set()).add(point_id)

    def drop_record(self, record_id: str, keep: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Forget the record's points, except those ``keep(values)`` says stay (the engine kept them)."""
        with self._lock:
            ids = self._by_record.get(record_id, set())
            for point_id in list(ids):
                if keep is None or not keep(dict(zip(self.fields, self._values[point_id]))):
                    ids.discard(point_id)
                    del self._values[point_id]
            if not ids:
                self._by_record.pop(record_id, None)

    def payloads(self, ids: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]] | None:
        """``fields`` of every point of ``ids``, or None when one is not held (read the engine instead)."""
        positions = [self.fields.index(field) for field in fields]
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            for point_id in ids:
                values = self._values.get(point_id)
                if values is None:
                    return None
                out[point_id] = {
                    field: values[i] for field, i in zip(fields, positions) if values[i] is not None
                }
        return out
