"""Bad input in the interoperability formats: a clear message naming the file and the record, and the rest of
the file still loaded; `museum-rag convert` shows the same without touching a store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.loaders import load_paths
from tests.conftest import REPO

FORMATS_DIR = Path(__file__).parent / "data" / "formats"


def test_xml_bomb_is_refused_with_a_clear_message_and_other_files_still_load(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(FORMATS_DIR / "xml_bomb.xml", folder / "a_bomb.xml")
    shutil.copy(FORMATS_DIR / "oai_dc_record.xml", folder / "b_good.xml")
    result = load_paths([folder], source="harbour")
    assert [r.record.id for r in result.records] == ["harbour:HTM-B-0117"]
    (issue,) = result.issues
    assert issue.file.endswith("a_bomb.xml")
    assert "XML bomb" in issue.message and "<!ENTITY" in issue.message
    assert result.invalid == 1


def test_external_entities_are_refused_too(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE dc [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>Leak</dc:title><dc:identifier>x-1</dc:identifier><dc:description>&s;</dc:description></oai_dc:dc>",
        encoding="utf-8",
    )
    result = load_paths([path])
    assert result.records == [] and "entities" in result.issues[0].message
    assert "TOP-SECRET-VALUE" not in str(result.issues[0])


@pytest.mark.parametrize("name, expected", [
    ("unknown_format.xml", "XML in no known format: expected LIDO"),
    ("unknown_format.json", "JSON in no known format: expected Linked Art"),
])
def test_a_file_in_no_known_format_says_which_formats_are_read(name, expected):
    result = load_paths([FORMATS_DIR / name])
    (issue,) = result.issues
    assert issue.file.endswith(name) and expected in issue.message
    assert result.records == [] and result.invalid == 1


def test_json_ld_record_without_a_title_is_named_and_the_rest_of_the_file_loads():
    result = load_paths([FORMATS_DIR / "linked_art_legacy_list.json"], source="harbour")
    assert sorted(r.record.id for r in result.records) == ["harbour:7731", "harbour:7733"]
    (issue,) = result.issues
    assert issue.file.endswith("linked_art_legacy_list.json")
    assert issue.record_id == "https://old.example.org/museum/object/7732"
    assert "no title" in issue.message and issue.field == "identified_by"


def test_lido_record_without_a_work_type_is_named_with_its_line_and_the_rest_loads():
    result = load_paths([FORMATS_DIR / "lido_export.xml"], source="harbour")
    assert sorted(r.record.id for r in result.records) == ["harbour:HTM-lido-0042", "harbour:HTM-lido-0044"]
    (issue,) = result.issues
    assert issue.record_id == "HTM/lido/0043" and issue.field == "objectWorkType" and issue.line is not None
    text = str(issue)
    assert "lido_export.xml:" in text and "HTM/lido/0043" in text and "no object work type" in text


def test_a_record_without_any_text_is_named(tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"@context": "http://iiif.io/api/presentation/3/context.json",
                                "id": "https://iiif.example.org/bare/manifest.json", "type": "Manifest",
                                "label": {"en": ["Bare Oar"]}}), encoding="utf-8")
    result = load_paths([path], source="harbour")
    (issue,) = result.issues
    assert issue.record_id == "harbour:bare" and "no text" in issue.message


def test_an_unknown_format_name_is_refused():
    with pytest.raises(ValueError, match="unknown format 'marc'"):
        load_paths([FORMATS_DIR / "lido_export.xml"], fmt="marc")


def test_a_format_that_does_not_fit_the_file_says_so():
    result = load_paths([FORMATS_DIR / "lido_export.xml"], fmt="iiif")
    assert result.records == [] and "malformed JSON" in result.issues[0].message


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "MUSEUM_RAG_DATA_DIR": "/nonexistent/store"})


def test_convert_writes_json_lines_and_names_problems_without_a_store():
    done = run_cli("convert", str(FORMATS_DIR / "lido_export.xml"), str(FORMATS_DIR / "iiif_v3_manifest.json"),
                   "--source", "harbour")
    assert done.returncode == 1, "a problem in the input is an exit code, the records are still written"
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in lines] == ["harbour:HTM-lido-0042", "harbour:HTM-lido-0044", "harbour:HTM-P-0508"]
    assert lines[0]["creators"][0] == {"name": "Oswin Trelawny", "role": "Printmaker", "nationality": "British", "dates": "1801-1870"}
    assert lines[2]["rights"]["image"]["uri"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert "HTM/lido/0043" in done.stderr and "no object work type" in done.stderr
    assert not Path("/nonexistent/store").exists()


def test_convert_with_a_format_and_an_unknown_format():
    done = run_cli("convert", str(FORMATS_DIR / "oai_dc_record.xml"), "--format", "oai-dc")
    assert done.returncode == 0 and json.loads(done.stdout)["title"] == "Net Mender's Needle Case"
    bad = run_cli("convert", str(FORMATS_DIR / "oai_dc_record.xml"), "--format", "marc")
    assert bad.returncode == 2 and "unknown format 'marc'" in bad.stderr


def test_ingest_and_harvest_refuse_unknown_formats_before_opening_a_store():
    bad = run_cli("ingest", str(FORMATS_DIR / "lido_export.xml"), "--format", "marc")
    assert bad.returncode == 2 and "unknown format 'marc'" in bad.stderr
    wrong_prefix = run_cli("harvest", "http://127.0.0.1:9/oai", "--metadata-prefix", "marc21")
    assert wrong_prefix.returncode == 2 and "unknown metadata prefix 'marc21'" in wrong_prefix.stderr
    assert not Path("/nonexistent/store").exists()
