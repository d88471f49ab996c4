"""The web pages: ``/`` a demo museum page with the chat widget on it, ``/staff`` the staff search page.

The widget itself is ``/static/widget.js``: one script tag adds it to any page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def demo_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@router.get("/staff")
async def staff_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "staff.html", media_type="text/html")


@router.get("/staff/demo-key")
async def demo_staff_key(request: Request) -> JSONResponse:
    """The demo's staff key, for the staff page to show; ``{"key": null}`` unless the server runs as ``make demo`` does.

    Only ``MUSEUM_RAG_DEMO_STAFF_KEY`` is ever shown, and only when it is also a valid staff key.
    """
    state = request.app.state.museum_rag
    settings = state.settings if state is not None else None
    key = (settings.demo_staff_key or "").strip() if settings is not None else ""
    if not key or key not in settings.api_keys:
        return JSONResponse({"key": None}, headers={"Cache-Control": "no-store"})
    return JSONResponse({"key": key}, headers={"Cache-Control": "no-store"})
