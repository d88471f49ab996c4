"""``museum-rag convert PATH... [--format ...]``: show how collection files map onto records, as JSON Lines.

Nothing is stored and no model is loaded: a registrar can check a LIDO, Linked Art, EDM, Dublin Core or
IIIF export field by field before ingesting it. Problems go to stderr, naming file and record.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def convert(
        paths: List[Path] = typer.Argument(..., help="Collection files or folders (.xml, .json, .jsonl, .csv, documents)."),
        fmt: str = typer.Option("auto", "--format", help="auto | jsonl | csv | linked-art | lido | edm | oai-dc | iiif "
                                "(auto: .xml and .json files by their content)."),
        source: Optional[str] = typer.Option(None, help="Source name, also the id prefix (default: the file or folder name)."),
        csv_mapping: Optional[Path] = typer.Option(None, help="JSON file mapping CSV columns to record fields."),
    ) -> None:
        """Write the mapped records as JSON Lines on stdout (nothing is stored; exit code 1 if any input had problems)."""
        from ingest.formats.detect import FORMATS
        from ingest.loaders import CsvMapping, load_paths

        if fmt not in FORMATS:
            typer.secho(f"error: unknown format {fmt!r}; use one of {', '.join(FORMATS)}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        mapping = None
        if csv_mapping is not None:
            try:
                mapping = CsvMapping.from_file(csv_mapping)
            except ValueError as exc:
                typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
                raise typer.Exit(2)
        result = load_paths(paths, source=source, csv_mapping=mapping, fmt=fmt)
        out = sys.stdout
        for loaded in result.records:
            out.write(json.dumps(loaded.record.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
        out.flush()
        for issue in result.issues:
            typer.secho(f"skipped: {issue}", fg=typer.colors.YELLOW, err=True)
        typer.echo(f"{len(result.records)} record(s) from {result.files} file(s); {len(result.issues)} problem(s)", err=True)
        if result.issues:
            raise typer.Exit(1)
