"""The ``museum-rag`` command line.

Every command reads the same :class:`rag.config.Settings` (``MUSEUM_RAG_*`` variables, ``.env``).
Sub-command groups for evaluation live in :mod:`cli.eval_commands`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the defaults are packaged: never reach for a hub by accident
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rag.config import Settings  # noqa: E402
from rag.models import SearchFilters  # noqa: E402
from rag.store import StoreLockedError  # noqa: E402
from rag.store.base import EmbeddingModelMismatch  # noqa: E402

app = typer.Typer(
    help="museum-rag: answer questions about a museum's collection from its own records, with citations.",
    no_args_is_help=True,
    add_completion=False,
)


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def settings_or_fail() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the variable
        fail(f"invalid configuration: {exc}")
        raise


def parse_filters(pairs: list[str] | None) -> SearchFilters | None:
    if not pairs:
        return None
    try:
        return SearchFilters.from_pairs(pairs)
    except ValueError as exc:
        fail(str(exc), code=2)
        raise


#: ``--server`` and ``--api-key``, shared by the commands that can go through a running server's API.
SERVER_HELP = (
    "Ask a running museum-rag server (e.g. http://127.0.0.1:8000) through its HTTP API instead of opening the "
    "store: use it while `museum-rag serve` owns the embedded store."
)
API_KEY_HELP = "Staff API key for --server (search, stats); default: MUSEUM_RAG_SERVER_API_KEY."


def open_remote(url: str, api_key: str | None):
    from cli.remote import RemoteError, RemoteMuseum

    try:
        return RemoteMuseum(url, api_key=api_key or os.environ.get("MUSEUM_RAG_SERVER_API_KEY"))
    except RemoteError as exc:
        fail(str(exc), code=2)
        raise


def open_museum(settings: Settings):
    from rag.pipeline import MuseumRAG

    from rag.store import StoreCorruptError
    from rag.store.space import DiskSpaceError

    try:
        return MuseumRAG(settings)
    except (StoreLockedError, StoreCorruptError, DiskSpaceError, EmbeddingModelMismatch) as exc:
        fail(str(exc))
        raise


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more.")) -> None:
    import faulthandler

    try:  # a fatal signal (SIGBUS on a full disk, SIGSEGV) leaves a traceback, never silence
        faulthandler.enable()
    except (AttributeError, OSError, ValueError):  # stderr without a file descriptor (captured in tests)
        pass
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Collection files or folders (JSONL, JSON, CSV, .txt/.md/.html/.pdf)."),
    source: Optional[str] = typer.Option(None, help="Name of this source (default: the file or folder name)."),
    prune: bool = typer.Option(False, help="Delete records of this source that are no longer in the files."),
    strict: bool = typer.Option(False, help="Any input problem is fatal; nothing is written."),
    csv_mapping: Optional[Path] = typer.Option(None, help="JSON file mapping CSV columns to record fields."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    fmt: str = typer.Option("auto", "--format", help="auto | jsonl | csv | linked-art | lido | edm | oai-dc | iiif "
                            "(auto: .xml and .json files by their content)."),
) -> None:
    """Chunk, embed and store collection files (idempotent: unchanged records are skipped)."""
    from ingest.loaders import CsvMapping
    from ingest.formats.detect import FORMATS
    from ingest.pipeline import IngestError, Ingestor
    from rag.store.space import DiskSpaceError

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", code=2)
    settings = settings_or_fail()
    problems = unreadable_inputs(paths)
    if problems:
        fail("cannot read the input:\n  " + "\n  ".join(problems), code=2)
    mapping = None
    if csv_mapping is not None:
        try:
            mapping = CsvMapping.from_file(csv_mapping)
        except ValueError as exc:
            fail(str(exc), code=2)
    museum = open_museum(settings)
    try:
        summary = Ingestor(settings, museum.store, museum.embedder).run(
            paths, source=source, prune=prune, strict=strict, csv_mapping=mapping, show_progress=not as_json, fmt=fmt
        )
    except IngestError as exc:
        fail(str(exc), code=2)
        return
    except DiskSpaceError as exc:
        fail(str(exc), code=1)
        return
    finally:
        museum.close()
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2))
    else:
        for issue in summary.issues:
            label = "warning" if getattr(issue, "is_warning", False) else "skipped"
            typer.secho(f"{label}: {issue}", fg=typer.colors.YELLOW, err=True)
        typer.echo(summary.describe())
    if summary.unreadable:
        fail(f"{len(summary.unreadable)} input file(s) could not be read: " + ", ".join(summary.unreadable), code=1)


def unreadable_inputs(paths: list[Path]) -> list[str]:
    """What is wrong with each input path that is missing or cannot be opened (empty when all can be read)."""
    problems = []
    for path in paths:
        try:
            if path.is_dir():
                os.listdir(path)
            else:
                with path.open("rb"):
                    pass
        except FileNotFoundError:
            problems.append(f"{path}: no such file or folder")
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
    return problems


@app.command()
def stats(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    server: Optional[str] = typer.Option(None, "--server", help=SERVER_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=API_KEY_HELP, show_default=False),
) -> None:
    """Records and chunks in the store, per museum and type (no model is loaded)."""
    if server:
        from cli.remote import RemoteError

        with open_remote(server, api_key) as remote:
            try:
                data = remote.stats()
            except RemoteError as exc:
                fail(str(exc))
                return
    else:
        museum = open_museum(settings_or_fail())
        try:
            data = museum.stats()
        finally:
            museum.close()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(f"records: {data['records']}\nchunks: {data['chunks']}")
    for title, key in (("per museum", "per_museum"), ("per type", "per_type"), ("per source", "per_source")):
        typer.echo(f"{title}:")
        for name, count in data[key].items():
            typer.echo(f"  {count:6d}  {name}")


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for."),
    limit: int = typer.Option(10, min=1, max=100, help="Objects to return."),
    filter: Optional[List[str]] = typer.Option(None, "--filter", help="field=value (museum, type, creator, date_from, date_to, record_id, source)."),
    mode: str = typer.Option("hybrid", help="hybrid | dense | sparse"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    server: Optional[str] = typer.Option(None, "--server", help=SERVER_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=API_KEY_HELP, show_default=False),
) -> None:
    """Hybrid (dense + BM25) search, fused in the engine; one line per object."""
    if mode not in ("hybrid", "dense", "sparse"):
        fail("--mode must be hybrid, dense or sparse", code=2)
    filters = parse_filters(filter)
    if server:
        _remote_search(server, api_key, query, limit, filters, mode, as_json)
        return
    museum = open_museum(settings_or_fail())
    try:
        hits = museum.search(query, limit=limit, filters=filters, mode=mode)  # type: ignore[arg-type]
    finally:
        museum.close()
    if as_json:
        typer.echo(json.dumps([hit.model_dump(mode="json") for hit in hits], indent=2))
        return
    if not hits:
        typer.echo("no matching objects")
    for rank, hit in enumerate(hits, start=1):
        best = hit.chunks[0].chunk
        snippet = best.text if len(best.text) <= 160 else best.text[:157] + "..."
        typer.echo(f"{rank:2d}. {hit.record_id}  {hit.title}  (score {hit.score:.4f})")
        typer.echo(f"    [{best.field}] {snippet}")


def _remote_search(
    server: str, api_key: str | None, query: str, limit: int, filters: SearchFilters | None, mode: str, as_json: bool
) -> None:
    from cli.remote import RemoteError

    with open_remote(server, api_key) as remote:
        try:
            data = remote.search(query, limit, filters, mode)
        except RemoteError as exc:
            fail(str(exc))
            return
    if as_json:
        typer.echo(json.dumps(data["results"], indent=2, ensure_ascii=False))
        return
    if not data["results"]:
        typer.echo("no matching objects")
    for rank, hit in enumerate(data["results"], start=1):
        typer.echo(f"{rank:2d}. {hit['record_id']}  {hit['title']}  (score {hit['score']:.4f})")
        if hit.get("snippets"):
            best = hit["snippets"][0]
            text = best["text"] if len(best["text"]) <= 160 else best["text"][:157] + "..."
            typer.echo(f"    [{best['field']}] {text}")


def _register_optional_commands() -> None:
    """Commands from the other packages, registered when those modules exist."""
    import importlib

    for module_name in (
        "cli.ask_command", "cli.serve_command", "cli.eval_commands", "cli.migrate_command", "cli.check_command",
        "cli.convert_command", "cli.harvest_command",
    ):  # fmt: skip
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register(app)


_register_optional_commands()

if __name__ == "__main__":
    app()
