"""The question log as the ask routes use it: it never stops an answer, and it is pruned.

Answering needs no disk: when the log can't be written (the disk is full, the file went
bad), the visitor still gets the answer (with an answer id that can't be rated), the
failure is logged once per kind naming the data directory, and ``/readyz`` reports the
feedback store as ``failing``. Questions older than ``question_log_max_days`` and beyond
``question_log_max_rows`` are deleted at start-up and every ``PRUNE_EVERY`` questions.

Example::

    answer_id = log_question(state.feedback, state.settings, "Who made it?", "answered", "extractive", 0.4)
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import uuid

from api.diskspace import DiskFull, ensure_free
from api.feedback import FeedbackStore
from rag.config import Settings

log = logging.getLogger(__name__)
PRUNE_EVERY = 1000
_counter = itertools.count(1)
_counter_lock = threading.Lock()


def log_question(
    feedback: FeedbackStore, settings: Settings, question: str, status: str, mode: str | None, seconds: float | None
) -> str:
    """Store the question and return its answer id; on any storage failure an unstored id (logged, never raised)."""
    try:
        if feedback.status != "memory":
            ensure_free(settings, what="the question log")
        answer_id = feedback.record_question(question, status, mode, seconds)
    except (sqlite3.Error, OSError, DiskFull) as exc:
        _mark_failing(feedback, settings, exc)
        return uuid.uuid4().hex
    if feedback.status == "failing":  # writes work again (space was freed)
        feedback.status, feedback.status_detail = "ok", None
        log.info("question log: writes work again in %s", settings.data_dir)
    with _counter_lock:
        due = next(_counter) % PRUNE_EVERY == 0
    if due:
        prune_question_log(feedback, settings)
    return answer_id


def prune_question_log(feedback: FeedbackStore, settings: Settings) -> int:
    """Apply the retention settings; returns the questions deleted (0 on failure, logged)."""
    if settings.question_log_max_days is None and settings.question_log_max_rows is None:
        return 0
    try:
        deleted = feedback.prune(settings.question_log_max_days, settings.question_log_max_rows)
    except sqlite3.Error as exc:
        log.error("question log: pruning failed in %s: %s", settings.data_dir, exc)
        return 0
    if deleted:
        log.info("question log: deleted %d question(s) past the retention settings", deleted)
    return deleted


def _mark_failing(feedback: FeedbackStore, settings: Settings, exc: BaseException) -> None:
    detail = f"the question log can't be written in the data directory {settings.data_dir}: {exc}"
    if feedback.status != "failing":
        log.error("%s; answering goes on without logging questions", detail)
    if feedback.status in ("ok", "recreated", "failing"):
        feedback.status, feedback.status_detail = "failing", detail
