"""Loaders: every format, and bad input reported with file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.loaders import CsvMapping, load_paths

GOOD = {
    "id": "test:1",
    "title": "Portrait of a Lady",
    "museum": "Test Museum",
    "creators": [{"name": "Jane Painter", "role": "Artist", "dates": "1800 - 1870"}],
    "date": "1850",
    "date_begin": 1850,
    "date_end": 1850,
    "type": "Painting",
    "technique": "Oil on canvas",
    "description": "The sitter wears a blue dress. She holds a letter from her brother.",
}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_good_and_bad_lines_are_reported_by_line_and_field(tmp_path):
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            json.dumps(GOOD),
            "{not json",
            json.dumps({"id": "test:2", "description": "No title here."}),
            json.dumps({"id": "test:3", "title": "No text"}),
            json.dumps(GOOD | {"title": "Same id again"}),
            json.dumps({"title": "Missing id", "description": "Text."}),
            json.dumps(GOOD | {"id": "test:4"}),
        ],
    )
    result = load_paths([path])
    assert [r.record.id for r in result.records] == ["test:1", "test:4"]
    assert result.invalid == 5
    by_line = {issue.line: issue for issue in result.issues}
    assert "malformed JSON" in by_line[2].message
    assert by_line[3].field == "title" and by_line[3].record_id == "test:2"
    assert "no text" in by_line[4].message
    assert by_line[5].field == "id" and "duplicate id" in by_line[5].message and f"{path}:1" in by_line[5].message
    assert by_line[6].field == "id"
    assert str(by_line[3]).startswith(f"{path}:3:")


def test_json_array_and_records_object(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([GOOD]), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"records": [GOOD | {"id": "test:9"}]}), encoding="utf-8")
    result = load_paths([tmp_path / "a.json", tmp_path / "b.json"])
    assert sorted(r.record.id for r in result.records) == ["test:1", "test:9"]
    assert not result.issues


def test_csv_with_column_mapping(tmp_path):
    csv_path = tmp_path / "objects.csv"
    csv_path.write_text(
        "Object ID,Title,Label,Artist,Role,Year,Tags\n"
        '17,Bronze Horse,"A small bronze horse. It was cast in Paris.",Rosa Bonheur,Artist,1860,animals; bronze\n'
        '18,,"Untitled row.",,,,\n',
        encoding="utf-8",
    )
    mapping_path = tmp_path / "mapping.json"
    mapping_path.write_text(
        json.dumps(
            {
                "columns": {
                    "Object ID": "source_id",
                    "Title": "title",
                    "Label": "description",
                    "Artist": "creator_name",
                    "Role": "creator_role",
                    "Year": "date",
                    "Tags": "keywords",
                },
                "id_prefix": "csvmuseum",
                "museum": "CSV Museum",
            }
        ),
        encoding="utf-8",
    )
    result = load_paths([csv_path], csv_mapping=CsvMapping.from_file(mapping_path))
    assert len(result.records) == 1
    record = result.records[0].record
    assert record.id == "csvmuseum:17" and record.museum == "CSV Museum"
    assert record.creators[0].name == "Rosa Bonheur" and record.creators[0].role == "Artist"
    assert record.keywords == ["animals", "bronze"]
    assert result.issues[0].line == 3 and result.issues[0].field == "title"


def test_csv_without_mapping_is_an_issue_not_a_crash(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = load_paths([path])
    assert not result.records and "column mapping" in result.issues[0].message


def _minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF with a text stream (built by hand: no PDF writer is a dependency)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_archive_documents_txt_md_html_pdf(tmp_path):
    folder = tmp_path / "archive"
    (folder / "letters").mkdir(parents=True)
    (folder / "letters" / "letter_1901.txt").write_text("Dear Sir, the portrait arrived safely.", encoding="utf-8")
    (folder / "notes.md").write_text("# Conservation notes\n\nThe varnish was removed in 1988.", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Gallery guide</title><script>var x=1;</script></head>"
        "<body><h1>Room 4</h1><p>Portraits of inventors.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "report.pdf").write_bytes(_minimal_pdf("Condition report: minor craquelure."))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = load_paths([folder], source="archive")
    by_title = {r.record.title: r.record for r in result.records}
    assert by_title["letter 1901"].description == "Dear Sir, the portrait arrived safely."
    assert by_title["letter 1901"].id == "archive:letters-letter-1901"
    assert by_title["Conservation notes"].description.endswith("removed in 1988.")
    assert "Portraits of inventors." in by_title["Gallery guide"].description
    assert "var x" not in by_title["Gallery guide"].description
    assert "minor craquelure" in by_title["report"].description
    assert len(result.issues) == 1 and result.issues[0].file.endswith("broken.pdf")


def test_missing_path_is_reported(tmp_path):
    result = load_paths([tmp_path / "nope.jsonl"])
    assert result.issues[0].message == "no such file or folder"


@pytest.mark.parametrize("bad", ['{"columns": 3}', "not json"])
def test_bad_mapping_file_names_the_file(tmp_path, bad):
    path = tmp_path / "m.json"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError, match=str(path)):
        CsvMapping.from_file(path)
