"""Question sets: one JSON object per line, ``{"id", "question", "answer", "object_ids", "kind"}`` (``"lang"`` optional).

``lang`` is the language the question is asked in (ISO 639-1, default ``en``): the answer's own
sentences are expected in it, and every metric is reported per language as well.

A bad line never stops a run: it becomes a :class:`QuestionIssue` naming the file and
line, and the row is skipped. Gold object ids the store does not hold are checked the same
way by :func:`check_gold_ids`, once a store is open.

Example::

    questions, issues = load_questions(Path("tests/data/npg_questions_dev.jsonl"))
    for issue in issues:
        print(issue)          # "questions.jsonl:7: 'kind' must be one of factual, ..."
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

#: The question kinds of the question-set format, and the status each one calls for.
EXPECTED_STATUS: dict[str, str] = {
    "factual": "answered",
    "multi_object": "answered",
    "unanswerable": "abstained",
    "false_premise": "corrected",
}
KINDS: tuple[str, ...] = tuple(EXPECTED_STATUS)
#: Kinds whose gold objects must be named (all but unanswerable, whose list may be empty).
KINDS_NEEDING_GOLD = frozenset({"factual", "multi_object", "false_premise"})


@dataclass(frozen=True)
class Question:
    """One evaluated question; ``line`` is its 1-based line in the question file."""

    id: str
    question: str
    answer: str
    object_ids: tuple[str, ...]
    kind: str
    line: int = 0
    lang: str = "en"

    @property
    def expected_status(self) -> str:
        return EXPECTED_STATUS[self.kind]


@dataclass(frozen=True)
class QuestionIssue:
    """A skipped row: where it is and what is wrong with it."""

    file: str
    line: int
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.question_id + ': ' if self.question_id else ''}{self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "id": self.question_id, "message": self.message}


class QuestionFileError(ValueError):
    """The question file itself cannot be read (missing, not UTF-8)."""


def load_questions(path: Path) -> tuple[list[Question], list[QuestionIssue]]:
    """Parse a question file; malformed rows are returned as issues, never raised.

    Raises :class:`QuestionFileError` only when the file cannot be read at all.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise QuestionFileError(f"question file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read question file {path}: {exc}") from exc
    return parse_questions(text.splitlines(), file=str(path))


def parse_questions(lines: Iterable[str], file: str = "<questions>") -> tuple[list[Question], list[QuestionIssue]]:
    """Parse question lines (blank lines are ignored); see :func:`load_questions`."""
    questions: list[Question] = []
    issues: list[QuestionIssue] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        question, problem = _parse_line(raw, number)
        if problem is not None:
            issues.append(QuestionIssue(file, number, _guess_id(raw), problem))
            continue
        assert question is not None
        if question.id in seen:
            issues.append(QuestionIssue(file, number, question.id, f"duplicate id (first on line {seen[question.id]})"))
            continue
        seen[question.id] = number
        questions.append(question)
    return questions, issues


def check_gold_ids(
    questions: list[Question], exists: Callable[[str], bool], file: str = "<questions>"
) -> tuple[list[Question], list[QuestionIssue]]:
    """Keep the questions whose gold objects are all in the store; report the others with their line."""
    known: dict[str, bool] = {}
    kept: list[Question] = []
    issues: list[QuestionIssue] = []
    for question in questions:
        missing = []
        for object_id in question.object_ids:
            if object_id not in known:
                known[object_id] = bool(exists(object_id))
            if not known[object_id]:
                missing.append(object_id)
        if missing:
            issues.append(
                QuestionIssue(file, question.line, question.id, f"unknown object id(s) not in the store: {', '.join(missing)}")
            )
        else:
            kept.append(question)
    return kept, issues


def _parse_line(raw: str, number: int) -> tuple[Question | None, str | None]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, "a question line must be a JSON object"
    for key in ("id", "question"):
        value = data.get(key)
        if not isinstance(value, (str, int)) or not str(value).strip():
            return None, f"{key!r} is missing or empty"
    answer = data.get("answer")
    if not isinstance(answer, str):
        return None, "'answer' (the reference answer) is missing or not a string"
    kind = data.get("kind")
    if kind not in EXPECTED_STATUS:
        return None, f"'kind' must be one of {', '.join(KINDS)} (got {kind!r})"
    object_ids = data.get("object_ids")
    if object_ids is None:
        object_ids = []
    if not isinstance(object_ids, list) or not all(isinstance(i, str) and i.strip() for i in object_ids):
        return None, "'object_ids' must be a list of record id strings"
    if kind in KINDS_NEEDING_GOLD and not object_ids:
        return None, f"a {kind} question must name its gold object(s) in 'object_ids'"
    ids = tuple(dict.fromkeys(i.strip() for i in object_ids))
    lang = data.get("lang")
    if lang is None:
        lang = "en"
    if not isinstance(lang, str) or not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", lang.strip()):
        return None, f"'lang' must be a language code such as fr or fr-BE (got {lang!r})"
    lang = lang.strip().lower().replace("_", "-").split("-")[0]
    question = Question(str(data["id"]).strip(), str(data["question"]).strip(), answer.strip(), ids, kind, number, lang)
    return question, None


def _guess_id(raw: str) -> str | None:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if isinstance(value, (str, int)) and str(value).strip() else None
