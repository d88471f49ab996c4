"""Public: answer a visitor's question, whole (``POST /v1/ask``) or streamed (``POST /v1/ask/stream``).

The stream is server-sent events, in this order:

* ``status``    ``{"stage": "searching"}``, then ``{"stage": "answering", "status": "answered"}``
* ``delta``     ``{"text": "..."}`` the answer text sentence by sentence, each sent as soon as it is
  verified (with ``"sentence"``: its support, and ``"citations"``: the sources it cites);
  the concatenated deltas equal ``Answer.text``
* ``citations`` ``{"citations": [...], "suggestions": [...], "visitor_info_url"}`` (suggestions: the closest
  objects, when abstaining; visitor_info_url: set when a practical question is pointed to the visitor page)
* ``done``      ``{"answer_id", "status", "mode", "sentences", "retrieved_ids", "timings", "visitor_info_url"}``
* ``error``     a problem+json body, instead of the rest, if answering fails

Example::

    curl -N -X POST localhost:8000/v1/ask/stream -H 'content-type: application/json' \\
         -d '{"question": "Who made the print of Man Ray?"}'
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from functools import partial
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

import anyio
from fastapi import APIRouter, Depends
from sse_starlette.sse import EventSourceResponse

from api.deps import AppState, clean_question, get_state, rate_limit
from api.problems import problem_body
from api.question_log import log_question
from api.schemas import AskRequest, AskResponse
from rag.models import Answer, SearchFilters
from rag.text import split_sentences

if TYPE_CHECKING:
    from rag.answer.answerer import SentenceReady

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["ask"], dependencies=[Depends(rate_limit)])


async def answer_question(
    state: AppState,
    question: str,
    filters: SearchFilters | None,
    on_sentence: Callable[["SentenceReady"], None] | None = None,
    lang: str | None = None,
    lang_hint: str | None = None,
) -> tuple[Answer, str]:
    """Answer in a worker thread (at most ``ask_concurrency`` at once), record it; returns it and its id.

    ``on_sentence`` is called (in the worker thread) with each verified sentence, for streaming.
    ``lang`` forces the answer's language; ``lang_hint`` (the page's) decides when the question can't.
    """
    if filters is not None and filters.is_empty():
        filters = None
    started = time.perf_counter()
    answer: Answer = await anyio.to_thread.run_sync(
        partial(state.museum.ask, question, filters=filters, on_sentence=on_sentence, lang=lang, lang_hint=lang_hint),
        limiter=state.ask_limiter,
    )
    seconds = time.perf_counter() - started
    state.metrics.answers.labels(status=answer.status).inc()
    state.metrics.answer_seconds.observe(seconds)
    answer_id = await anyio.to_thread.run_sync(  # never raises: answering does not depend on the log
        partial(log_question, state.feedback, state.settings, question, answer.status, answer.mode, round(seconds, 4))
    )
    if state.review is not None:  # what the visitor is shown, for the curators' review
        shown = [c.record_id for c in answer.citations + answer.suggestions]
        await anyio.to_thread.run_sync(partial(state.review.record_shown, answer_id, answer.text, shown))
    log.info("answered status=%s mode=%s seconds=%.3f citations=%d", answer.status, answer.mode, seconds,
             len(answer.citations))
    return answer, answer_id


@router.post("/ask", response_model=AskResponse, summary="Answer a question from the collection's records")
async def ask(body: AskRequest, state: AppState = Depends(get_state)) -> AskResponse:
    question = clean_question(body.question, state.settings)
    filters = body.filters.to_search_filters() if body.filters else None
    answer, answer_id = await answer_question(state, question, filters, lang=body.lang, lang_hint=body.page_lang)
    return AskResponse(**answer.model_dump(), answer_id=answer_id)


def text_deltas(text: str) -> list[str]:
    """``text`` cut after each sentence; the pieces concatenate back to ``text`` exactly."""
    pieces, position = [], 0
    for span in split_sentences(text):
        if span.end > position:
            pieces.append(text[position:span.end])
            position = span.end
    if position < len(text):
        pieces.append(text[position:])
    return [piece for piece in pieces if piece]


def _event(name: str, data: dict[str, Any]) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}


async def answer_events(
    state: AppState,
    question: str,
    filters: SearchFilters | None,
    lang: str | None = None,
    lang_hint: str | None = None,
) -> AsyncIterator[dict[str, str]]:
    yield _event("status", {"stage": "searching"})
    send, receive = anyio.create_memory_object_stream(max_buffer_size=math.inf)

    def on_sentence(ready: "SentenceReady") -> None:  # in the worker thread
        try:
            anyio.from_thread.run_sync(send.send_nowait, ready)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, RuntimeError):
            pass  # the visitor has gone: the answer is still finished and recorded

    async def answer_then_close() -> tuple[Answer, str]:
        async with send:
            return await answer_question(state, question, filters, on_sentence, lang=lang, lang_hint=lang_hint)

    task = asyncio.ensure_future(answer_then_close())
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # never an unretrieved exception
    streamed = ""
    async with receive:
        async for ready in receive:
            if not streamed:
                yield _event("status", {"stage": "answering", "status": "answered"})
            streamed += ready.text
            yield _event(
                "delta",
                {
                    "text": ready.text,
                    "sentence": ready.sentence.model_dump(mode="json"),
                    "citations": [c.model_dump(mode="json") for c in ready.citations],
                },
            )
    try:
        answer, answer_id = await task
    except Exception:  # noqa: BLE001 - the stream has started: report it as an event, log the details
        log.exception("answering failed")
        yield _event("error", problem_body(500, "The question could not be answered; please try again."))
        return
    if not streamed:  # abstained, corrected: no sentence was streamed
        yield _event("status", {"stage": "answering", "status": answer.status})
        for piece in text_deltas(answer.text):
            yield _event("delta", {"text": piece})
    elif answer.text.startswith(streamed) and len(answer.text) > len(streamed):
        yield _event("delta", {"text": answer.text[len(streamed):]})
    yield _event(
        "citations",
        {
            "citations": [c.model_dump(mode="json") for c in answer.citations],
            "suggestions": [c.model_dump(mode="json") for c in answer.suggestions],
            "visitor_info_url": answer.visitor_info_url,
        },
    )
    yield _event(
        "done",
        {
            "answer_id": answer_id,
            "status": answer.status,
            "lang": answer.lang,
            "mode": answer.mode,
            "sentences": [s.model_dump(mode="json") for s in answer.sentences],
            "retrieved_ids": answer.retrieved_ids,
            "timings": answer.timings,
            "visitor_info_url": answer.visitor_info_url,
        },
    )


@router.post(
    "/ask/stream",
    summary="Answer a question, streamed as server-sent events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "status, delta, citations, done events"}},
)
async def ask_stream(body: AskRequest, state: AppState = Depends(get_state)) -> EventSourceResponse:
    question = clean_question(body.question, state.settings)  # before the stream: a plain 422 problem
    filters = body.filters.to_search_filters() if body.filters else None
    return EventSourceResponse(answer_events(state, question, filters, body.lang, body.page_lang), ping=10)
