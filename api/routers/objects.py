"""Staff: one object's stored record and its chunks (``GET /v1/objects/{record_id}``)."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends, Path

from api.deps import AppState, get_state, require_staff
from api.problems import Problem
from api.schemas import ObjectResponse

router = APIRouter(prefix="/v1", tags=["staff"], dependencies=[Depends(require_staff)])


@router.get("/objects/{record_id}", response_model=ObjectResponse, summary="A record and its chunks")
async def get_object(
    record_id: str = Path(min_length=1, max_length=300, examples=["npg:23"]), state: AppState = Depends(get_state)
) -> ObjectResponse:
    found = await anyio.to_thread.run_sync(state.museum.get_object, record_id)
    if found is None:
        raise Problem(404, f"No object with id {record_id!r} in the collection.")
    chunks = found.get("chunks") or []
    return ObjectResponse(**found, rights=chunks[0].get("rights") if chunks else None)
