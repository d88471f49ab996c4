"""What curators review: abstentions, disliked answers and corrections, with what the visitor was shown.

Kept in the feedback database (``feedback.sqlite3``) beside the questions and ratings of
:class:`api.feedback.FeedbackStore`, in tables of its own (added if missing, so an older database
gains them on first open and nothing stored is touched):

* ``answers_shown``: per answer id, the answer text and the record ids (cited or suggested) shown;
* ``review_handled``: the questions a curator marked handled, per kind and normalised wording.

A question is listed under ``abstained`` or ``corrected`` by its answer's status, and under
``disliked`` when a visitor rated its answer down. Items group the same normalised wording; a
"handled" mark hides an item until it is asked (or disliked) again after the mark.

Example::

    review = ReviewLog(settings.data_dir / "feedback.sqlite3")
    review.record_shown(answer_id, answer.text, ["npg:23"])
    review.items("disliked")
    review.set_handled("disliked", "who made the man ray print", True)
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Kind = Literal["abstained", "disliked", "corrected"]
KINDS: tuple[Kind, ...] = ("abstained", "disliked", "corrected")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers_shown (
    answer_id  TEXT PRIMARY KEY REFERENCES questions (answer_id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    record_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS review_handled (
    kind       TEXT NOT NULL,
    normalized TEXT NOT NULL,
    handled_at REAL NOT NULL,
    PRIMARY KEY (kind, normalized)
);
"""

_FLAGGED = """
SELECT q.answer_id, q.asked_at, q.question, q.normalized, q.status, f.rating, f.comment, s.text, s.record_ids
FROM questions q
LEFT JOIN feedback f ON f.answer_id = q.answer_id
LEFT JOIN answers_shown s ON s.answer_id = q.answer_id
WHERE q.asked_at >= ? AND (q.status IN ('abstained', 'corrected') OR f.rating = 'down')
ORDER BY q.asked_at
"""


@dataclass
class ReviewItem:
    kind: Kind
    question: str  # the latest wording
    normalized: str
    count: int
    last_asked: float
    shown: str | None  # the latest answer text the visitor saw
    record_ids: list[str] = field(default_factory=list)  # objects shown, most often first
    comments: list[str] = field(default_factory=list)
    handled: bool = False
    handled_at: float | None = None


@dataclass
class ObjectCount:
    record_id: str
    abstained: int = 0
    disliked: int = 0
    corrected: int = 0

    @property
    def total(self) -> int:
        return self.abstained + self.disliked + self.corrected


class ReviewLog:
    """The review tables, on their own connection to the feedback database (safe from worker threads)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10.0, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def record_shown(self, answer_id: str, text: str, record_ids: list[str]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers_shown (answer_id, text, record_ids) VALUES (?, ?, ?)",
                (answer_id, text, json.dumps(list(dict.fromkeys(record_ids)))),
            )

    def set_handled(self, kind: Kind, normalized: str, handled: bool) -> None:
        with self._lock:
            if handled:
                self._db.execute(
                    "INSERT OR REPLACE INTO review_handled (kind, normalized, handled_at) VALUES (?, ?, ?)",
                    (kind, normalized, time.time()),
                )
            else:
                self._db.execute("DELETE FROM review_handled WHERE kind = ? AND normalized = ?", (kind, normalized))

    def _flagged(self, since: float | None) -> list[tuple[Kind, tuple]]:
        with self._lock:
            rows = self._db.execute(_FLAGGED, (since or 0.0,)).fetchall()
        flagged: list[tuple[Kind, tuple]] = []
        for row in rows:
            status, rating = row[4], row[5]
            if status in ("abstained", "corrected"):
                flagged.append((status, row))
            if rating == "down":
                flagged.append(("disliked", row))
        return flagged

    def items(self, kind: Kind | None = None, since: float | None = None, include_handled: bool = True,
              limit: int = 100) -> list[ReviewItem]:
        """Flagged questions grouped by kind and wording, most frequent first (``kind`` None: every kind)."""
        with self._lock:
            handled = {(k, n): at for k, n, at in self._db.execute("SELECT kind, normalized, handled_at FROM review_handled")}
        groups: dict[tuple[str, str], ReviewItem] = {}
        shown_ids: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for flagged_kind, row in self._flagged(since):
            if kind is not None and flagged_kind != kind:
                continue
            _, asked_at, question, normalized, _, _, comment, text, record_ids = row
            key = (flagged_kind, normalized)
            item = groups.get(key)
            if item is None:
                item = groups[key] = ReviewItem(flagged_kind, question, normalized, 0, asked_at, text)
            item.count += 1
            if asked_at >= item.last_asked:
                item.question, item.last_asked, item.shown = question, asked_at, text if text is not None else item.shown
            if flagged_kind == "disliked" and comment:
                item.comments.append(comment)
            shown_ids[key].update(json.loads(record_ids or "[]"))
        result = []
        for key, item in groups.items():
            item.record_ids = [r for r, _ in shown_ids[key].most_common()]
            at = handled.get(key)
            item.handled = at is not None and at >= item.last_asked
            item.handled_at = at
            if include_handled or not item.handled:
                result.append(item)
        result.sort(key=lambda i: (i.handled, -i.count, -i.last_asked))
        return result[:limit]

    def object_counts(self, since: float | None = None, limit: int = 100) -> list[ObjectCount]:
        """Per object shown: how many abstained, disliked and corrected answers showed it, most first."""
        counts: dict[str, ObjectCount] = {}
        for flagged_kind, row in self._flagged(since):
            for record_id in dict.fromkeys(json.loads(row[8] or "[]")):
                entry = counts.setdefault(record_id, ObjectCount(record_id))
                setattr(entry, flagged_kind, getattr(entry, flagged_kind) + 1)
        return sorted(counts.values(), key=lambda c: (-c.total, c.record_id))[:limit]

    def close(self) -> None:
        with self._lock:
            self._db.close()
