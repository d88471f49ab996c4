"""``museum-rag migrate --to URL``: copy the store's points (vectors and payloads) into a Qdrant server.

Point ids are deterministic, so migrating again overwrites rather than duplicates, and an
interrupted migration can simply be re-run. The embedding model is not needed: vectors are
copied as they are.

Example::

    museum-rag migrate --to http://qdrant.internal:6333 --api-key "$QDRANT_API_KEY"
    MUSEUM_RAG_STORE=server MUSEUM_RAG_QDRANT_URL=http://qdrant.internal:6333 museum-rag serve
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import typer

from rag.store import VectorStore


@dataclass
class MigrateSummary:
    points: int
    target_points: int
    dimension: int | None


def migrate_store(
    source: VectorStore, target: VectorStore, batch: int = 256, progress: Callable[[int], None] | None = None
) -> MigrateSummary:
    """Copy every point of ``source`` into ``target`` (created with the source's dimension when missing).

    Example::

        summary = migrate_store(EdgeStore(path), ClientStore(QdrantClient(url=url), "museum"))
        assert summary.points == summary.target_points
    """
    copied = 0
    dimension: int | None = None
    pending = []
    for point in source.scroll_points(batch=batch):
        if dimension is None:
            dimension = len(point.dense)
            target.ensure_collection(dimension)
            model = source.embedding_model()
            if model:  # the target says which model its vectors came from, as the source did
                target.set_embedding_model(model["name"], int(model["dimension"]))
        if len(point.dense) != dimension:
            raise ValueError(f"point {point.id} has a {len(point.dense)}-dimensional vector, expected {dimension}")
        pending.append(point)
        if len(pending) >= batch:
            target.upsert(pending)
            copied += len(pending)
            if progress:
                progress(len(pending))
            pending = []
    if pending:
        target.upsert(pending)
        copied += len(pending)
        if progress:
            progress(len(pending))
    return MigrateSummary(points=copied, target_points=target.count() if dimension is not None else 0, dimension=dimension)


def register(app: typer.Typer) -> None:
    app.command()(migrate)


def migrate(
    to: str = typer.Option(..., "--to", help="The Qdrant server URL (http://host:6333), or :memory: for a dry run."),
    api_key: Optional[str] = typer.Option(
        None, "--api-key", help="The server's API key (default: MUSEUM_RAG_QDRANT_API_KEY).", show_default=False
    ),
    collection: Optional[str] = typer.Option(None, help="Target collection (default: MUSEUM_RAG_COLLECTION, museum)."),
    batch: int = typer.Option(256, min=1, max=10_000, help="Points per upsert."),
) -> None:
    """Copy the configured store (normally the embedded one) into a Qdrant server."""
    from qdrant_client import QdrantClient
    from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse
    from tqdm import tqdm

    from cli.main import fail, settings_or_fail
    from rag.store import StoreLockedError, open_store
    from rag.store.client import ClientStore

    settings = settings_or_fail()
    key = api_key or (settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None)
    name = collection or settings.collection
    if settings.store != "embedded" and to == settings.qdrant_url and name == settings.collection:
        fail("the source and the target are the same collection", code=2)
    try:
        source = open_store(settings)
    except StoreLockedError as exc:
        fail(f"{exc}\n(stop `museum-rag serve` while migrating; the copy needs the store to itself)")
        return
    try:
        client = QdrantClient(":memory:") if to == ":memory:" else QdrantClient(url=to, api_key=key)
        target = ClientStore(client, name)
        total = source.count()
        if total == 0:
            fail("the source store is empty: nothing to migrate (run `museum-rag ingest` first)")
        with tqdm(total=total, desc=f"copying to {name}", unit="point") as bar:
            summary = migrate_store(source, target, batch=batch, progress=bar.update)
    except (ResponseHandlingException, UnexpectedResponse, OSError) as exc:
        fail(f"the Qdrant server at {to} failed: {exc} (check the URL and --api-key)")
        return
    finally:
        source.close()
    if summary.target_points < summary.points:
        fail(f"copied {summary.points} points but the target holds {summary.target_points}")
    typer.echo(f"copied {summary.points} points ({summary.dimension}-dimensional) into collection {name!r} at {to}")
    if to != ":memory:":
        typer.echo(f"to serve from it: MUSEUM_RAG_STORE=server MUSEUM_RAG_QDRANT_URL={to} museum-rag serve")
