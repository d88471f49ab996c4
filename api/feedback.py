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

import logging
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
_log = logging.getLogger(__name__)

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

    #: "ok"; "recreated" (a bad file was moved aside); "memory" (not persisted: the file can't be written);
    #: "failing" (writes fail, e.g. the disk is full). Set by :func:`open_feedback_store` and the API.
    status: str = "ok"
    status_detail: str | None = None

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

    # --- health and retention (docs/robustness.md) -----------------------------------
    def integrity_problem(self) -> str | None:
        """None when SQLite's quick check passes, else what it found."""
        with self._lock:
            rows = self._db.execute("PRAGMA quick_check").fetchall()
        found = "; ".join(str(r[0]) for r in rows[:5])
        return None if found == "ok" else found

    def prune(self, max_days: float | None = None, max_rows: int | None = None, now: float | None = None) -> int:
        """Delete questions older than ``max_days`` and all but the newest ``max_rows``, with their ratings.

        Returns how many questions were deleted.
        """
        conditions, params = [], []
        if max_days is not None:
            conditions.append("asked_at < ?")
            params.append((now if now is not None else time.time()) - max_days * 86400)
        if max_rows is not None:
            conditions.append("answer_id NOT IN (SELECT answer_id FROM questions ORDER BY asked_at DESC LIMIT ?)")
            params.append(int(max_rows))
        if not conditions:
            return 0
        doomed = f"SELECT answer_id FROM questions WHERE {' OR '.join(conditions)}"
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for table in _tables_referencing_questions(self._db):
                    self._db.execute(f"DELETE FROM {table} WHERE answer_id IN ({doomed})", params)
                deleted = self._db.execute(f"DELETE FROM questions WHERE answer_id IN ({doomed})", params).rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(deleted)


def _tables_referencing_questions(db: sqlite3.Connection) -> list[str]:
    """Tables with an ``answer_id`` column that refers to a question (ratings, and any added later)."""
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'questions'")]
    return [t for t in tables if any(col[1] == "answer_id" for col in db.execute(f'PRAGMA table_info("{t}")'))]


def open_feedback_store(path: Path) -> FeedbackStore:
    """Open the feedback database; never fails, so answering never depends on it.

    A file SQLite can't open or whose quick check fails (corrupt, truncated, a directory...)
    is moved aside as ``<name>.bad-<time>`` (logged) and a fresh database created; when even
    that fails (a read-only or full disk), an in-memory database is used: questions and ratings
    are kept until the process ends. ``status`` and ``status_detail`` say which happened.
    """
    path = Path(path)
    try:
        store = FeedbackStore(path)
        problem = store.integrity_problem()
        if problem is None:
            return store
        store.close()
        reason = f"its integrity check failed ({problem})"
    except (sqlite3.Error, OSError) as exc:
        reason = f"SQLite can't open it ({exc})"
    moved = _move_aside(path)
    detail = f"{path} was unusable: {reason}; " + (f"moved aside to {moved.name}" if moved else "it could not be moved aside")
    try:
        store = FeedbackStore(path)
        store.status, store.status_detail = "recreated", detail + "; a new database was created"
        _log.warning("feedback database: %s", store.status_detail)
        return store
    except (sqlite3.Error, OSError) as exc:
        store = FeedbackStore(Path(":memory:"))
        store.status = "memory"
        store.status_detail = f"{detail}; a new one could not be created ({exc}): questions and ratings are kept in memory only"
        _log.error("feedback database: %s", store.status_detail)
        return store


def _move_aside(path: Path) -> Path | None:
    if not path.exists() and not path.is_symlink():
        return None
    target = path.with_name(f"{path.name}.bad-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}")
    try:
        path.rename(target)
    except OSError as exc:
        _log.error("feedback database: could not move %s aside: %s", path, exc)
        return None
    for suffix in ("-wal", "-shm", "-journal"):  # SQLite's side files belong to the bad file
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                side.rename(target.with_name(target.name + suffix))
            except OSError:
                pass
    return target
