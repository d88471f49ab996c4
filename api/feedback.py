"""Asked questions, their outcome and visitors' ratings, in SQLite under the data directory.

Each answer the API gives gets an ``answer_id``; the question is stored with its status so
curators can list what the records could not answer (:meth:`FeedbackStore.unanswered`), and
visitors rate an answer by its id. No IP address or other personal data is stored.

Example::

    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    answer_id = store.record_question("Who painted Man Ray?", "answered")
    store.rate(answer_id, "up")
    store.unanswered(limit=20)
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    answer_id  TEXT PRIMARY KEY,
    asked_at   REAL NOT NULL,
    question   TEXT NOT NULL,
    normalized TEXT NOT NULL,
    status     TEXT NOT NULL,
    mode       TEXT,
    seconds    REAL
);
CREATE INDEX IF NOT EXISTS questions_by_status ON questions (status, normalized);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id  TEXT PRIMARY KEY REFERENCES questions (answer_id),
    rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment    TEXT,
    rated_at   REAL NOT NULL
);
"""

_PUNCTUATION = re.compile(r"[^\w\s]", flags=re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize_question(question: str) -> str:
    """The form questions are grouped by: NFKC, case-folded, punctuation dropped, spaces collapsed.

    >>> normalize_question("  Who painted   Man Ray's portrait?! ")
    'who painted man rays portrait'
    """
    text = unicodedata.normalize("NFKC", question).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class UnansweredQuestion:
    question: str  # the most recent wording
    normalized: str
    count: int
    last_asked: float  # unix time


class FeedbackStore:
    """A small SQLite database; safe to use from the server's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def record_question(self, question: str, status: str, mode: str | None = None, seconds: float | None = None) -> str:
        """Store an asked question and its outcome; returns the new answer id."""
        answer_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO questions (answer_id, asked_at, question, normalized, status, mode, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (answer_id, time.time(), question, normalize_question(question), status, mode, seconds),
            )
        return answer_id

    def rate(self, answer_id: str, rating: Rating, comment: str | None = None) -> bool:
        """Record (or change) the rating of an answer; False when the answer id is unknown."""
        with self._lock:
            known = self._db.execute("SELECT 1 FROM questions WHERE answer_id = ?", (answer_id,)).fetchone()
            if known is None:
                return False
            self._db.execute(
                "INSERT INTO feedback (answer_id, rating, comment, rated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, "
                "rated_at = excluded.rated_at",
                (answer_id, rating, comment, time.time()),
            )
        return True

    def rating_of(self, answer_id: str) -> tuple[str, str | None] | None:
        with self._lock:
            row = self._db.execute("SELECT rating, comment FROM feedback WHERE answer_id = ?", (answer_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def unanswered(self, limit: int = 50, since: float | None = None) -> list[UnansweredQuestion]:
        """Questions that were abstained on, grouped by normalised text, most frequent first."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT normalized, COUNT(*) AS n, MAX(asked_at) AS last,
                       (SELECT q2.question FROM questions q2
                         WHERE q2.normalized = q.normalized AND q2.status = 'abstained'
                         ORDER BY q2.asked_at DESC LIMIT 1) AS wording
                FROM questions q
                WHERE status = 'abstained' AND asked_at >= ?
                GROUP BY normalized
                ORDER BY n DESC, last DESC
                LIMIT ?
                """,
                (since or 0.0, limit),
            ).fetchall()
        return [UnansweredQuestion(question=r[3], normalized=r[0], count=int(r[1]), last_asked=float(r[2])) for r in rows]

    def counts(self) -> dict[str, int]:
        """Questions per status, and ratings per value."""
        with self._lock:
            statuses = self._db.execute("SELECT status, COUNT(*) FROM questions GROUP BY status").fetchall()
            ratings = self._db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        return {**{f"questions_{s}": n for s, n in statuses}, **{f"ratings_{r}": n for r, n in ratings}}

    def close(self) -> None:
        with self._lock:
            self._db.close()
