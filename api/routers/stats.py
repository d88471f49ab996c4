"""Staff: records and chunks in the store, per museum, type and source (``GET /v1/stats``).

What ``museum-rag stats`` prints, for a store that a running server owns
(``museum-rag stats --server http://127.0.0.1:8000``).

Example::

    curl -H "Authorization: Bearer $KEY" localhost:8000/v1/stats
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Depends

from api.deps import AppState, get_state, require_staff

router = APIRouter(prefix="/v1", tags=["staff"], dependencies=[Depends(require_staff)])


@router.get("/stats", summary="Records and chunks in the store, per museum, type and source")
async def stats(state: AppState = Depends(get_state)) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(state.museum.stats)
