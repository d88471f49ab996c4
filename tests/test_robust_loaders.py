"""Loading real-world and hostile exports: a bad field costs that field, never the record;
every loss is reported with file, line, record and field; nothing raises."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ingest.loaders import CsvMapping, load_paths
from ingest.record_fields import LoadLimits
from tests.invented_export import write_export

GOOD = {
    "id": "lowmere:1",
    "title": "Lantern on a quay",
    "museum": "Lowmere Civic Museum",
    "description": "A brass lantern that once hung on the north quay.",
}


def write_lines(path: Path, lines: list[str | bytes]) -> Path:
    data = b"".join((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines)
    path.write_bytes(data)
    return path


def test_an_export_with_delimited_and_misshapen_fields_keeps_every_record(tmp_path):
    path = write_export(tmp_path / "lowmere.jsonl", count=300)
    result = load_paths([path])
    assert len(result.records) == 300 and result.invalid == 0
    assert not result.errors
    by_id = {loaded.record.id: loaded.record for loaded in result.records}

    split = by_id["lowmere:1000"]  # keywords "a; b; c"
    assert len(split.keywords) == 3 and all(";" not in k for k in split.keywords)
    assert by_id["lowmere:1001"].exhibitions and len(by_id["lowmere:1001"].exhibitions) == 2
    assert by_id["lowmere:1002"].culture == ["Lowmerian", "Ardese"]
    assert isinstance(by_id["lowmere:1002"].date_begin, int)
    assert isinstance(by_id["lowmere:1003"].date_end, int)
    html = by_id["lowmere:1004"].description
    assert "<" not in html and "&amp;" not in html and "& its frame" in html
    assert [c.name for c in by_id["lowmere:1005"].creators][:1] and len(by_id["lowmere:1005"].creators) == 2
    assert by_id["lowmere:1006"].keywords == [] and by_id["lowmere:1006"].dimensions == "42.5"
    assert by_id["lowmere:1007"].date_begin is None and by_id["lowmere:1007"].style == ["Baroque"]
    assert by_id["lowmere:1008"].image_url is None and by_id["lowmere:1008"].url.startswith("https://")

    warnings = {(issue.line, issue.field): issue for issue in result.issues}
    assert all(issue.is_warning for issue in result.issues)
    keyword = warnings[(7, "keywords")]
    assert keyword.record_id == "lowmere:1006" and str(keyword).startswith(f"{path}:7: record lowmere:1006 field 'keywords': ")
    assert "true" in warnings[(8, "date_begin")].message
    assert "javascript:" in warnings[(9, "image_url")].message
    assert (9, "title_translations") in warnings


def test_the_list_delimiters_are_configurable(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD | {"keywords": "harbour / lantern; quay"})])
    default = load_paths([path]).records[0].record.keywords
    slash = load_paths([path], limits=LoadLimits(list_delimiters=("/",))).records[0].record.keywords
    assert default == ["harbour / lantern", "quay"]
    assert slash == ["harbour", "lantern; quay"]


def test_a_byte_that_is_not_utf8_costs_its_line_only(tmp_path):
    bad = json.dumps(GOOD | {"id": "lowmere:2", "title": "Caf\u00e9"}, ensure_ascii=False).encode("utf-8").replace(b"\xc3\xa9", b"\xe9")
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD), bad, json.dumps(GOOD | {"id": "lowmere:3"})])
    result = load_paths([path])
    assert [r.record.id for r in result.records] == ["lowmere:1", "lowmere:3"]
    (issue,) = result.issues
    column = bad.index(b"\xe9") + 1
    assert issue.line == 2 and "not UTF-8" in issue.message and f"column {column}" in issue.message
    assert "0xE9" in issue.message


def test_malformed_json_is_reported_with_one_colon_and_the_real_column(tmp_path):
    truncated = '{"id": "lowmere:4", "title": "Cut short"'
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD), truncated])
    (issue,) = load_paths([path]).issues
    text = str(issue)
    assert "::" not in text
    assert text.startswith(f"{path}:2: malformed JSON at column {len(truncated) + 1}: Expecting ',' delimiter")
    assert "ends before" in text


def test_an_id_without_a_prefix_is_kept_as_is_with_a_warning(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD | {"id": "4711"})])
    result = load_paths([path])
    assert [r.record.id for r in result.records] == ["4711"]
    (issue,) = result.issues
    assert issue.is_warning and issue.field == "id" and "stored unchanged as '4711'" in issue.message
    assert "museum-prefix:" in issue.message


@pytest.mark.parametrize(
    "field,value",
    [
        ("date_begin", "1e30"),
        ("date_begin", str(2**70)),
        ("date_begin", "NaN"),
        ("date_begin", "true"),
        ("date_end", "99999"),
        ("date_end", '"about 1850"'),
        ("accession_number", "true"),
        ("weight_kg", "Infinity"),
        ("inventory", str(2**64)),
    ],
)
def test_values_the_engine_cannot_store_lose_their_field_only(tmp_path, field, value):
    line = json.dumps(GOOD)[:-1] + f', "{field}": {value}}}'
    result = load_paths([write_lines(tmp_path / "c.jsonl", [line])])
    (loaded,) = result.records
    assert getattr(loaded.record, field, None) is None and field not in (loaded.record.model_extra or {})
    (issue,) = result.issues
    assert issue.is_warning and issue.field == field and issue.line == 1 and issue.record_id == "lowmere:1"


def test_json_nested_100000_deep_is_a_clear_issue_in_jsonl_json_and_a_csv_mapping(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    jsonl = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD), '{"id": "x:1", "title": "t", "source": ' + deep + "}"])
    result = load_paths([jsonl])
    assert [r.record.id for r in result.records] == ["lowmere:1"]
    (issue,) = result.issues
    assert issue.line == 2 and "nested too deeply" in issue.message

    whole = tmp_path / "c.json"
    whole.write_text(deep, encoding="utf-8")
    result = load_paths([whole])
    assert result.records == [] and "nested too deeply" in result.issues[0].message and str(whole) in str(result.issues[0])

    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"columns": ' + deep + "}", encoding="utf-8")
    with pytest.raises(ValueError, match="nested too deeply") as caught:
        CsvMapping.from_file(mapping)
    assert str(mapping) in str(caught.value)


def test_nesting_deeper_than_the_limit_loses_that_field(tmp_path):
    nested: object = "bottom"
    for _ in range(50):
        nested = {"level": nested}
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD | {"source": nested})])
    result = load_paths([path], limits=LoadLimits(max_depth=20))
    assert len(result.records) == 1 and result.records[0].record.source is None
    assert result.issues[0].is_warning and result.issues[0].field.startswith("source")


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


MAPPING = CsvMapping(columns={"ID": "id", "Title": "title", "Label": "description"}, id_prefix="lowmere")


def test_a_csv_field_over_131072_characters_is_read_and_one_over_the_record_limit_is_a_clear_issue(tmp_path):
    long_label = "word " * 30_000  # 150,000 characters: over Python's default csv field limit
    huge_label = "x" * 400_000
    path = _csv(
        tmp_path / "c.csv",
        [["ID", "Title", "Label"], ["1", "Long", long_label], ["2", "Huge", huge_label], ["3", "Short", "A short label."]],
    )
    result = load_paths([path], csv_mapping=MAPPING, limits=LoadLimits(max_record_bytes=200_000))
    assert sorted(r.record.id for r in result.records) == ["lowmere:1", "lowmere:3"]
    (issue,) = result.issues
    assert issue.line == 3 and not issue.is_warning and "200,000" in issue.message


def test_a_lone_surrogate_rejects_the_record_when_in_the_id_and_is_replaced_elsewhere(tmp_path):
    path = write_lines(
        tmp_path / "c.jsonl",
        [
            '{"id": "lowmere:\\ud800", "title": "Bad id", "description": "Text."}',
            '{"id": "lowmere:5", "title": "Bad text", "description": "A vase \\udc00 of clay."}',
        ],
    )
    result = load_paths([path])
    assert [r.record.id for r in result.records] == ["lowmere:5"]
    assert result.records[0].record.description == "A vase \ufffd of clay."
    error, warning = sorted(result.issues, key=lambda i: i.line)
    assert error.line == 1 and error.field == "id" and not error.is_warning and "surrogate" in error.message
    assert warning.line == 2 and warning.field == "description" and warning.is_warning
    result.records[0].record.model_dump_json()  # storable: encodes as UTF-8


def test_record_and_text_size_caps_apply_at_load(tmp_path):
    big_line = json.dumps(GOOD | {"id": "lowmere:6", "description": "y" * 5000})
    long_text = json.dumps(GOOD | {"id": "lowmere:7", "description": "word " * 400})
    path = write_lines(tmp_path / "c.jsonl", [big_line, long_text, json.dumps(GOOD)])
    result = load_paths([path], limits=LoadLimits(max_record_bytes=4096, max_text_chars=1000))
    assert sorted(r.record.id for r in result.records) == ["lowmere:1", "lowmere:7"]
    by_line = {issue.line: issue for issue in result.issues}
    assert not by_line[1].is_warning and "over the limit of 4,096" in by_line[1].message
    assert by_line[2].is_warning and by_line[2].field == "description"
    kept = next(r.record for r in result.records if r.record.id == "lowmere:7")
    assert len(kept.description) <= 1000


HOSTILE = [
    GOOD | {"id": "evil:1", "url": "javascript:alert(document.cookie)", "image_url": "data:text/html,<script>x</script>"},
    GOOD | {"id": "evil:2", "title": "Vase<script>alert(1)</script>", "description": "Nice <img src=x onerror=alert(1)> vase."},
    GOOD | {"id": "evil:3", "title": '"><svg onload=alert(1)>Bowl', "description": 'A bowl. "><iframe src=//evil.example></iframe>'},
    GOOD | {"id": "evil:4", "creators": [{"name": "<b onmouseover=alert(1)>Ann</b>", "role": "Maker"}], "url": " JAVASCRIPT:void(0)"},
    GOOD | {"id": "evil:5", "image_url": "//evil.example/x.png", "credit_line": "Gift of <a href='javascript:x'>A. Donor</a>"},
]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_hostile_records_become_plain_text_with_web_urls_only(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(record) for record in HOSTILE])
    result = load_paths([path])
    assert len(result.records) == len(HOSTILE)
    for loaded in result.records:
        dumped = loaded.record.model_dump(mode="json")
        for text in _strings(dumped):
            assert "<" not in text and "javascript:" not in text.lower(), (loaded.record.id, text)
        for name in ("url", "image_url"):
            assert dumped.get(name) is None or dumped[name].startswith(("http://", "https://"))
    by_id = {r.record.id: r.record for r in result.records}
    assert by_id["evil:2"].title == "Vase" and by_id["evil:2"].description == "Nice vase."
    assert by_id["evil:4"].creators[0].name == "Ann"
    assert by_id["evil:5"].credit_line == "Gift of A. Donor"
    dropped = {(i.record_id, i.field) for i in result.issues if i.is_warning}
    assert {("evil:1", "url"), ("evil:1", "image_url"), ("evil:4", "url"), ("evil:5", "image_url")} <= dropped


def test_a_missing_input_is_recorded_as_unreadable(tmp_path):
    result = load_paths([tmp_path / "missing.jsonl"])
    assert result.unreadable == [str(tmp_path / "missing.jsonl")]
