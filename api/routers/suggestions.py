"""Public: the widget's greeting and questions to try, built from real records (``GET /v1/suggestions``).

Example::

    curl 'localhost:8000/v1/suggestions?n=3&lang=en'
"""

from __future__ import annotations

from functools import partial

import anyio
from fastapi import APIRouter, Depends, Query

from api.deps import AppState, get_state, rate_limit
from api.schemas import SuggestedQuestion, Suggestions
from rag.messages import Messages
from rag.suggestions import suggest_questions

router = APIRouter(prefix="/v1", tags=["ask"], dependencies=[Depends(rate_limit)])


@router.get("/suggestions", response_model=Suggestions, summary="A greeting and questions to try, from the records")
async def suggestions(
    n: int = Query(3, ge=1, le=10, description="How many questions."),
    lang: str | None = Query(None, max_length=35, description="The visitor's language (falls back to English)."),
    state: AppState = Depends(get_state),
) -> Suggestions:
    messages = Messages.for_language(lang)
    picked = await anyio.to_thread.run_sync(partial(suggest_questions, state.museum.store, messages, n))
    return Suggestions(
        lang=messages.lang,
        greeting=messages.text("greeting"),
        suggestions=[SuggestedQuestion(question=s.question, record_id=s.record_id, title=s.title) for s in picked],
    )
