"""``museum-rag serve``: the HTTP API, the chat widget's demo page (/) and the staff page (/staff).

Example::

    MUSEUM_RAG_API_KEYS=staff-secret museum-rag serve --port 8000
"""

from __future__ import annotations

import os
from typing import Optional

import typer

#: The most answer processes `serve` starts by itself, one per core: each holds its own models (about 350 MB).
MAX_AUTO_ANSWER_PROCESSES = 4


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: Optional[str] = typer.Option(None, help="Address to listen on (default: MUSEUM_RAG_HOST, 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, min=1, max=65535, help="Port (default: MUSEUM_RAG_PORT, 8000)."),
    workers: int = typer.Option(
        1, min=1, max=64, help="Server processes. More than one needs MUSEUM_RAG_STORE=server (one process owns an embedded store)."
    ),
    log_level: Optional[str] = typer.Option(None, help="debug | info | warning | error (default: MUSEUM_RAG_LOG_LEVEL, info)"),
) -> None:
    """Serve the API, the chat widget demo page (/) and the staff page (/staff)."""
    import uvicorn

    from api.observability import configure_logging
    from cli.main import fail, settings_or_fail

    settings = settings_or_fail()
    level = (log_level or settings.log_level).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        fail("--log-level must be debug, info, warning or error", code=2)
    updates = {k: v for k, v in (("host", host), ("port", port), ("log_level", level)) if v is not None}
    cores = os.cpu_count() or 1
    if settings.embed_threads is None:  # concurrent questions side by side, each encoding on its share of the cores
        updates["embed_threads"] = max(1, cores // settings.ask_concurrency)
    if settings.answer_processes is None:  # the answers' Python rules on every core (rag.answer.pool)
        updates["answer_processes"] = min(cores, MAX_AUTO_ANSWER_PROCESSES) if cores > 1 and workers == 1 else 0
    settings = settings.model_copy(update=updates)
    if workers > 1 and settings.store == "embedded":
        fail(
            "the embedded store is owned by one process: use --workers 1, or a Qdrant server "
            "(MUSEUM_RAG_STORE=server, MUSEUM_RAG_QDRANT_URL; `museum-rag migrate --to URL` copies the store)",
            code=2,
        )
    configure_logging(level)
    _announce(settings)
    common = dict(
        host=settings.host, port=settings.port, log_config=None, log_level=level.lower(), access_log=False,
        server_header=False, timeout_graceful_shutdown=10,
        # X-Forwarded-For/-Proto are trusted only from MUSEUM_RAG_FORWARDED_ALLOW_IPS (default: nobody, not even
        # loopback, so a client can't rotate the header to escape the rate limit).
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=",".join(settings.forwarded_allow_ips) or "",
    )
    if workers > 1:  # each worker builds its app from the same MUSEUM_RAG_* environment
        os.environ.update(MUSEUM_RAG_HOST=settings.host, MUSEUM_RAG_PORT=str(settings.port), MUSEUM_RAG_LOG_LEVEL=level,
                          MUSEUM_RAG_EMBED_THREADS=str(max(1, (settings.embed_threads or 1) // workers)))
        uvicorn.run("api.main:app_from_environment", factory=True, workers=workers, **common)
        return

    from api.main import create_app
    from rag.pipeline import MuseumRAG
    from rag.store import StoreLockedError, open_store

    try:  # the store first: a locked store is a clear error at once, before the models load or the port binds
        store = open_store(settings)
    except StoreLockedError as exc:
        fail(str(exc))
        return
    museum = MuseumRAG(settings, store=store)
    uvicorn.run(create_app(settings, museum=museum, close_museum=True), **common)


def _announce(settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(f"museum-rag: demo page {base}/  staff page {base}/staff  API docs {base}/docs", err=True)
    if not settings.api_keys and not settings.admin_keys:
        typer.secho(
            "museum-rag: no staff keys (MUSEUM_RAG_API_KEYS): the staff page and staff routes are disabled.",
            fg=typer.colors.YELLOW, err=True,
        )
