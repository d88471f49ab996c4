"""The interactive API docs, served offline: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so they are blank without internet.
Here the assets come from the ``fastapi-offline`` package (Swagger UI's bundle and CSS, ReDoc's
standalone build), mounted at ``/docs-assets``, following FastAPI's self-hosted docs recipe. The pages
themselves are static HTML with their start-up code in ``/static/docs/*.js`` (no inline script), so
they run under a content security policy that allows scripts from this server only
(:data:`api.security.DOCS_CONTENT_SECURITY_POLICY`). ReDoc 3 puts its publisher's logo, from its CDN, in
the side menu whatever the options: the policy blocks it (the browser logs that), so no request leaves.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.routers.pages import STATIC_DIR

#: Swagger UI and ReDoc's files, as shipped by the fastapi-offline package.
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"
DOCS_PAGES = STATIC_DIR / "docs"

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> FileResponse:
    return FileResponse(DOCS_PAGES / "swagger.html", media_type="text/html")


@router.get("/redoc")
async def redoc() -> FileResponse:
    return FileResponse(DOCS_PAGES / "redoc.html", media_type="text/html")
