"""``museum-rag check``: is the store whole? (No model is loaded: it runs in about a second.)"""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def check(as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
        """Verify the store: every record complete, every payload readable, the point count as at the last
        clean close. Lists the records and sources to re-ingest; exits 1 when something is lost or damaged."""
        from cli.main import fail, settings_or_fail
        from rag.store import StoreCorruptError, StoreLockedError, open_store
        from rag.store.health import check_store
        from rag.store.space import DiskSpaceError

        settings = settings_or_fail()
        try:
            store = open_store(settings)
        except StoreLockedError as exc:
            fail(str(exc))
            return
        except (StoreCorruptError, DiskSpaceError) as exc:
            fail(str(exc))
            return
        try:
            report = check_store(store)
        finally:
            store.close()
        if as_json:
            typer.echo(json.dumps(report.as_dict(), indent=2))
        else:
            typer.echo(report.describe())
        if not report.ok:
            raise typer.Exit(1)
