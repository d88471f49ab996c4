"""``museum-rag ask``: answer a question from the collection records, with numbered citations.

Example::

    museum-rag ask "Who nominated Thurgood Marshall to the Supreme Court?"
    museum-rag ask "What is the medium of the Copley miniature of Lydia Hancock?" --json
    museum-rag ask "Who painted Pocahontas?" --filter type=Painting
"""

from __future__ import annotations

import json
import textwrap
from typing import List, Optional

import typer

from rag.models import Answer, Citation

SERVER_HELP = (
    "Ask a running museum-rag server (e.g. http://127.0.0.1:8000) through its POST /v1/ask instead of opening "
    "the store: use it while `museum-rag serve` owns the embedded store."
)


def register(app: typer.Typer) -> None:
    """Add the ``ask`` command to the ``museum-rag`` app."""
    app.command(name="ask")(ask)


def ask(
    question: str = typer.Argument(..., help="The visitor's question."),
    filter: Optional[List[str]] = typer.Option(
        None, "--filter", help="field=value (museum, type, creator, date_from, date_to, record_id, source)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print exactly the Answer object as JSON."),
    server: Optional[str] = typer.Option(None, "--server", help=SERVER_HELP),
    lang: Optional[str] = typer.Option(
        None, "--lang", help="Answer in this language (en, fr, de, nl, es, it); default: the question's language."
    ),
) -> None:
    """Answer from the museum's records only: answered with citations, corrected, or abstained."""
    from cli.main import fail, open_museum, open_remote, parse_filters, settings_or_fail

    filters = parse_filters(filter)
    if not question.strip():
        fail("the question is empty", code=2)
    if server:
        from cli.remote import RemoteError

        with open_remote(server, None) as remote:
            try:
                data = remote.ask(question, filters=filters, lang=lang)
            except RemoteError as exc:
                fail(str(exc))
                return
        data.pop("answer_id", None)
        answer = Answer.model_validate(data)
        typer.echo(json.dumps(answer.model_dump(mode="json"), indent=2, ensure_ascii=False) if as_json else render(answer))
        return
    museum = open_museum(settings_or_fail())
    try:
        answer = museum.ask(question, filters=filters, lang=lang)
    except ValueError as exc:
        fail(str(exc), code=2)
        return
    finally:
        museum.close()
    if as_json:
        typer.echo(json.dumps(answer.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    typer.echo(render(answer))


def render(answer: Answer) -> str:
    """The answer as plain text: the text, its numbered sources, suggestions when abstaining, the status."""
    lines = [textwrap.fill(answer.text, width=100), ""]
    if answer.citations:
        lines.append("Sources:")
        lines += [_citation_line(c) for c in answer.citations]
        lines.append("")
    if answer.suggestions:
        lines.append("Closest objects:")
        lines += [_citation_line(c, numbered=False) for c in answer.suggestions]
        lines.append("")
    timing = answer.timings.get("total")
    took = f", {timing:.2f}s" if timing is not None else ""
    lines.append(f"status: {answer.status} ({answer.mode}{took})")
    return "\n".join(lines)


def _citation_line(c: Citation, numbered: bool = True) -> str:
    head = f"[{c.n}] " if numbered else "- "
    parts = [c.title]
    if c.museum:
        parts.append(c.museum)
    if c.url:
        parts.append(c.url)
    return head + " | ".join(parts) + f"\n      “{_clip(c.quote)}” ({c.record_id}, {c.field} {c.start}-{c.end})"


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
