"""Run the answering pipeline over a question set, exactly as the API serves it, and score every answer.

The harness is a client of ``rag``: it builds one :class:`rag.pipeline.MuseumRAG` from the
same :class:`rag.config.Settings` the API uses and calls ``MuseumRAG.ask``. With collection
files it first ingests them into a fresh, temporary embedded store (the configured store is
never touched); otherwise it opens the configured store.

Example::

    run = run_evaluation(Settings(), Path("questions.jsonl"), limit=20)
    write_run(run, Path("eval-runs/today"))
    print(run.summary["overall"]["hit_at_5"])
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from eval.metrics import outcome, question_metrics, strip_markers, summarize
from eval.questions import Question, QuestionIssue, check_gold_ids, load_questions
from eval.rows import CitationRow, ResultRow, SentenceRow, as_row
from rag.chunking import tombstone_text
from rag.config import Settings
from rag.embedding import Embedder
from rag.models import TEXT_FIELDS, Answer, Citation, CollectionRecord, SearchFilters
from rag.pipeline import MuseumRAG
from rag.verify import Verifier, load_verifier

log = logging.getLogger(__name__)

#: Settings never written into a run's summary.
_SECRET_SETTINGS = {"api_keys", "admin_keys", "qdrant_api_key", "llm_api_key"}


class EvalError(RuntimeError):
    """The evaluation cannot run at all (no question file, no ask, no store)."""


@dataclass
class EvalRun:
    """The rows of results.jsonl and the summary.json of one run."""

    rows: list[ResultRow]
    summary: dict[str, Any]
    issues: list[QuestionIssue] = field(default_factory=list)


# --- the store ----------------------------------------------------------------------
@contextlib.contextmanager
def open_eval_museum(
    settings: Settings, collections: Sequence[Path] = (), show_progress: bool = False
) -> Iterator[tuple[MuseumRAG, dict[str, Any]]]:
    """Yield the MuseumRAG to evaluate and a description of its store.

    With ``collections``, the files are ingested into a fresh embedded store in a temporary
    data directory that is deleted afterwards; otherwise the configured store is opened.
    """
    if not collections:
        museum = MuseumRAG(settings)
        try:
            museum.warm_up()
            yield museum, {"kind": "configured", "store": settings.store, "data_dir": str(settings.data_dir)}
        finally:
            museum.close()
        return

    from ingest.pipeline import Ingestor

    missing = [str(p) for p in collections if not Path(p).exists()]
    if missing:
        raise EvalError(f"collection file(s) not found: {', '.join(missing)}")
    temp_dir = Path(tempfile.mkdtemp(prefix="museum-rag-eval-"))
    fresh = settings.model_copy(update={"data_dir": temp_dir, "store": "embedded"})
    museum = MuseumRAG(fresh)
    try:
        summary = Ingestor(fresh, museum.store, museum.embedder).run(list(collections), show_progress=show_progress)
        info = {
            "kind": "fresh",
            "store": "embedded (temporary)",
            "collections": [str(p) for p in collections],
            "ingest": summary.as_dict(),
        }
        museum.warm_up()
        yield museum, info
    finally:
        museum.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


def record_exists(museum: MuseumRAG, record_id: str) -> bool:
    """Whether the store holds any chunk of ``record_id``."""
    return museum.store.count(SearchFilters(record_id=record_id)) > 0


# --- one question -------------------------------------------------------------------
class QuestionScorer:
    """Turns one question and its Answer into a results.jsonl row with per-question metrics.

    Sentences are re-verified with ``verifier`` against the quotes they cite when one is
    given; otherwise the support the pipeline reported is compared with ``threshold``.
    ``get_object`` (``MuseumRAG.get_object``) lets quotes be checked against the records;
    ``embedder`` gives the answer's similarity to the reference (skipped when None).

    Example::

        scorer = QuestionScorer(museum.get_object, museum.embedder, load_verifier(settings, museum.embedder))
        row = scorer.row(question, museum.ask(question.question), latency=0.4)
    """

    def __init__(
        self,
        get_object: Callable[[str], dict[str, Any] | None],
        embedder: Embedder | None,
        verifier: Verifier | None,
        threshold: float = 0.5,
    ) -> None:
        self.get_object = get_object
        self.embedder = embedder
        self.verifier = verifier
        self.threshold = threshold
        self._field_texts: dict[str, dict[str, str]] = {}

    def row(self, question: Question, answer: Answer | None, latency: float, error: str | None = None) -> ResultRow:
        row = ResultRow(
            id=question.id,
            line=question.line,
            kind=question.kind,
            lang=question.lang,
            question=question.question,
            reference=question.answer,
            gold_ids=list(question.object_ids),
            expected_status=question.expected_status,
            status="error" if answer is None else answer.status,
            latency=round(latency, 4),
            error=error,
        )
        if answer is not None:
            row.answer = answer.text
            row.answer_lang = answer.lang
            row.mode = answer.mode
            row.citations = [self._citation(c) for c in answer.citations]
            row.sentences = self._sentences(answer)
            row.suggestions = [s.record_id for s in answer.suggestions]
            row.retrieved_ids = list(answer.retrieved_ids)
            row.timings = dict(answer.timings)
            if question.kind != "unanswerable":
                row.embedding_similarity = self._similarity(answer.text, question.answer)
        row.metrics = question_metrics(row)
        row.outcome = outcome(row, row.metrics)
        return row

    def _citation(self, citation: Citation) -> CitationRow:
        text = self._field_text(citation.record_id, citation.field)
        exact = None if text is None else text[citation.start : citation.end] == citation.quote
        return CitationRow.model_validate(citation.model_dump(mode="json") | {"quote_exact": exact})

    def _sentences(self, answer: Answer) -> list[SentenceRow]:
        # A citation as a visitor sees it: the object's title and the quoted text (a quote alone
        # often leaves "he" or "this portrait" unresolved).
        quotes = {c.n: f"{c.title}: {c.quote}" for c in answer.citations}
        sources = [[quotes[n] for n in s.citation_ids if n in quotes] for s in answer.sentences]
        verified: list[float | None] = [None] * len(answer.sentences)
        if self.verifier is not None:
            checked = [i for i, src in enumerate(sources) if src]
            verdicts = self.verifier.score_many(
                [(answer.sentences[i].claim or strip_markers(answer.sentences[i].text).strip(), sources[i]) for i in checked],
                [answer.question] * len(checked),
            )
            for i, verdict in zip(checked, verdicts):
                verified[i] = verdict.score
            threshold = self.verifier.threshold
        else:
            threshold = self.threshold
        out = []
        for sentence, src, check in zip(answer.sentences, sources, verified):
            score = sentence.support if self.verifier is None else (check or 0.0)
            out.append(
                SentenceRow(
                    text=sentence.text,
                    citation_ids=list(sentence.citation_ids),
                    support=sentence.support,
                    verified_support=None if check is None else round(check, 4),
                    supported=bool(src) and score >= threshold,
                    reported_supported=sentence.support >= self.threshold,
                )
            )
        return out

    def _similarity(self, answer_text: str, reference: str) -> float | None:
        answer_text = strip_markers(answer_text).strip()
        if not reference.strip():
            return None
        if self.embedder is None:
            return None
        if not answer_text:
            return 0.0
        vectors = self.embedder.embed_documents([answer_text, reference])
        return round(float(vectors[0] @ vectors[1]), 4)

    def _field_text(self, record_id: str, field_name: str) -> str | None:
        """The text a citation's offsets point into (None when the record cannot be read)."""
        if record_id not in self._field_texts:
            self._field_texts[record_id] = self._load_fields(record_id)
        return self._field_texts[record_id].get(field_name)

    def _load_fields(self, record_id: str) -> dict[str, str]:
        found = self.get_object(record_id)
        if not found or not isinstance(found.get("record"), dict) or "title" not in found["record"]:
            return {}
        record = found["record"]
        texts = {name: record[name] for name in TEXT_FIELDS if isinstance(record.get(name), str)}
        try:
            texts["tombstone"] = tombstone_text(CollectionRecord.model_validate(record))
        except ValueError:
            pass
        return texts


# --- the run ------------------------------------------------------------------------
def select_questions(questions: list[Question], limit: int | None, limit_per_kind: int | None) -> list[Question]:
    """The first ``limit_per_kind`` of each kind (file order kept), then the first ``limit``."""
    if limit_per_kind is not None:
        taken: dict[str, int] = {}
        kept = []
        for q in questions:
            if taken.get(q.kind, 0) < limit_per_kind:
                taken[q.kind] = taken.get(q.kind, 0) + 1
                kept.append(q)
        questions = kept
    return questions[:limit] if limit is not None else questions


def load_configured_verifier(settings: Settings, museum: MuseumRAG) -> Verifier:
    """The verifier the answering pipeline is configured with."""
    try:
        return load_verifier(settings, museum.embedder)
    except Exception as exc:  # a missing weights file or model: say what to do, no traceback
        raise EvalError(
            f"cannot load the configured verifier to re-check answer sentences: {exc} "
            "(or run with --no-reverify to judge with the support the pipeline reported)"
        ) from exc


def run_evaluation(
    settings: Settings,
    questions_path: Path,
    collections: Sequence[Path] = (),
    limit: int | None = None,
    limit_per_kind: int | None = None,
    reverify: bool = True,
    show_progress: bool = True,
) -> EvalRun:
    """Load the questions, open (or build) the store, ask every question and summarise."""
    questions, issues = load_questions(Path(questions_path))
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with open_eval_museum(settings, collections, show_progress=show_progress) as (museum, store_info):
        if not callable(getattr(museum, "ask", None)):
            raise EvalError("this build of MuseumRAG has no ask(): the answering pipeline is not installed")
        questions, gold_issues = check_gold_ids(questions, lambda rid: record_exists(museum, rid), file=str(questions_path))
        issues = sorted(issues + gold_issues, key=lambda i: i.line)
        selected = select_questions(questions, limit, limit_per_kind)
        verifier = load_configured_verifier(settings, museum) if reverify else None
        scorer = QuestionScorer(museum.get_object, museum.embedder, verifier, settings.verifier_threshold)
        rows = [_ask(museum, scorer, q) for q in _progress(selected, show_progress)]
        store_info["records"] = museum.stats()["records"]
        embedder_name = getattr(museum.embedder, "name", type(museum.embedder).__name__)
    summary = summarize(rows)
    summary["run"] = {
        "started_at": started_at,
        "seconds": round(time.perf_counter() - started, 2),
        "questions_file": str(questions_path),
        "store": store_info,
        "questions_valid": len(questions),
        "questions_evaluated": len(rows),
        "limit": limit,
        "limit_per_kind": limit_per_kind,
        "errors": sum(1 for r in rows if r.status == "error"),
        "faithfulness_judge": (
            f"re-verified with {verifier.name} (threshold {verifier.threshold})"
            if verifier is not None
            else f"support reported by the pipeline >= {settings.verifier_threshold}"
        ),
        "embedder": embedder_name,
        "retrieval_depth": max((len(r.retrieved_ids) for r in rows), default=0),
        "settings": public_settings(settings),
    }
    summary["skipped"] = {"count": len(issues), "rows": [i.as_dict() for i in issues]}
    return EvalRun(rows=rows, summary=summary, issues=issues)


def _ask(museum: MuseumRAG, scorer: QuestionScorer, question: Question) -> ResultRow:
    started = time.perf_counter()
    try:
        answer = museum.ask(question.question)
    except Exception as exc:  # one failing question must not end the run; it is reported as an error row
        log.exception("question %s failed", question.id)
        return scorer.row(question, None, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
    return scorer.row(question, answer, time.perf_counter() - started)


def _progress(items: list[Question], enabled: bool):
    from tqdm import tqdm

    return tqdm(items, desc="questions", unit="q", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def public_settings(settings: Settings) -> dict[str, Any]:
    """The settings of a run, without secrets."""
    data = settings.model_dump(mode="json", exclude=_SECRET_SETTINGS)
    data["llm_api_key_set"] = settings.llm_api_key is not None
    return data


# --- files --------------------------------------------------------------------------
def write_run(run: EvalRun, out_dir: Path) -> dict[str, Path]:
    """Write results.jsonl, summary.json, report.md and report.html into ``out_dir``."""
    from eval.report import write_reports

    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / "results.jsonl"
    with results.open("w", encoding="utf-8") as handle:
        for row in run.rows:
            handle.write(json.dumps(as_row(row).to_json(), ensure_ascii=False) + "\n")
    summary = out_dir / "summary.json"
    summary.write_text(json.dumps(run.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths = {"results": results, "summary": summary}
    paths.update(write_reports(run.summary, run.rows, out_dir))
    return paths


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[ResultRow]]:
    """Read a run directory written by :func:`write_run`: (summary, rows)."""
    run_dir = Path(run_dir)
    summary_path, results_path = run_dir / "summary.json", run_dir / "results.jsonl"
    if not summary_path.is_file() or not results_path.is_file():
        raise EvalError(f"{run_dir} is not an evaluation run (summary.json and results.jsonl expected)")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    rows = [
        ResultRow.model_validate_json(line) for line in results_path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return summary, rows


__all__ = [
    "EvalError",
    "EvalRun",
    "QuestionScorer",
    "load_run",
    "open_eval_museum",
    "run_evaluation",
    "select_questions",
    "write_run",
]
