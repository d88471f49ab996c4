"""``museum-rag harvest URL --metadata-prefix lido|oai_dc|edm [--set SET] [--from DATE]``: OAI-PMH harvesting.

Pages through ListRecords with resumption tokens and ingests each page as it arrives; remembers the last
harvest date per source (``<data_dir>/harvest_state.json``); removes records the repository reports deleted.
"""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def harvest(
        url: str = typer.Argument(..., help="The repository's OAI-PMH base URL."),
        metadata_prefix: str = typer.Option(..., "--metadata-prefix", help="lido | oai_dc | edm"),
        set_spec: Optional[str] = typer.Option(None, "--set", help="Harvest only this set (setSpec)."),
        from_date: Optional[str] = typer.Option(None, "--from", help="Records changed since this date (YYYY-MM-DD); "
                                                "default: the last complete harvest of this source."),
        source: Optional[str] = typer.Option(None, help="Source name and id prefix (default: from the URL)."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    ) -> None:
        """Harvest an OAI-PMH repository into the store (incremental; deleted records are removed)."""
        from cli.main import fail, open_museum, settings_or_fail
        from ingest.harvest import METADATA_PREFIXES, Harvester, HarvestError

        if metadata_prefix not in METADATA_PREFIXES:
            fail(f"unknown metadata prefix {metadata_prefix!r}; use one of {', '.join(METADATA_PREFIXES)}", code=2)
        settings = settings_or_fail()
        museum = open_museum(settings)
        harvester = Harvester(settings, museum.store, museum.embedder)
        try:
            summary = harvester.run(url, metadata_prefix, set_spec=set_spec, from_date=from_date, source=source)
        except HarvestError as exc:
            fail(str(exc))
            return
        finally:
            harvester.close()
            museum.close()
        if as_json:
            typer.echo(json.dumps(summary.as_dict(), indent=2))
        else:
            for issue in summary.issues:
                typer.secho(f"skipped: {issue}", fg=typer.colors.YELLOW, err=True)
            typer.echo(summary.describe())
        if not summary.complete:
            raise typer.Exit(1)
