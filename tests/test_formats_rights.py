"""Rights from the source to every citation: the rights vocabulary, the chunk payload (labels, "Rights not stated",
IIIF thumbnails) and the HTTP API (/v1/ask, /v1/objects, /v1/search) over records ingested from Linked Art and LIDO."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rag.chunking import Chunker, iiif_thumbnail
from rag.models import CollectionRecord, License, RecordRights, Rights
from rag.rights import complete, from_license, may_display, rights_from
from tests.conftest import make_settings
from tests.formats_store import build_formats_store

STAFF = "staff-key-rights-0123"


@pytest.mark.parametrize("value, uri, label, display", [
    ("http://creativecommons.org/licenses/by-sa/4.0/", "https://creativecommons.org/licenses/by-sa/4.0/",
     "CC BY-SA 4.0 (Creative Commons Attribution-ShareAlike 4.0)", True),
    ("https://creativecommons.org/licenses/by-nc-nd/3.0/deed.fr", "https://creativecommons.org/licenses/by-nc-nd/3.0/",
     "CC BY-NC-ND 3.0 (Creative Commons Attribution-NonCommercial-NoDerivatives 3.0)", True),
    ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal (Public Domain Dedication)", True),
    ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0 (Creative Commons Attribution 4.0)", True),
    ("http://creativecommons.org/publicdomain/mark/1.0/", "https://creativecommons.org/publicdomain/mark/1.0/",
     "Public Domain Mark 1.0", True),
    ("http://rightsstatements.org/page/InC/1.0/?language=en", "http://rightsstatements.org/vocab/InC/1.0/", "In Copyright", False),
    ("https://rightsstatements.org/vocab/CNE/1.0/", "http://rightsstatements.org/vocab/CNE/1.0/", "Copyright Not Evaluated", False),
])
def test_rights_uris_and_spdx_ids_get_human_labels_and_a_display_decision(value, uri, label, display):
    rights = rights_from(value)
    assert (rights.uri, rights.label, rights.display) == (uri, label, display)
    assert may_display(rights) is display


def test_free_text_and_unknown_uris_are_kept_but_never_displayed():
    text = rights_from("© Harbour Town Museum, all rights reserved")
    assert (text.uri, text.label, text.display) == (None, "© Harbour Town Museum, all rights reserved", False)
    other = rights_from("https://museum.example/terms")
    assert other.uri == "https://museum.example/terms" and may_display(other) is False
    assert rights_from(None) is None and rights_from("  ") is None


def test_absent_rights_say_not_stated_and_the_license_field_is_read():
    filled = complete(RecordRights(image=Rights(uri="http://creativecommons.org/licenses/by/4.0/")))
    assert filled.metadata.label == "Rights not stated" and filled.text.label == "Rights not stated"
    assert filled.image.label.startswith("CC BY 4.0") and filled.image.display is True
    derived = from_license(License(metadata="CC0-1.0", text="GFDL (version not stated)"))
    assert derived.metadata.uri == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert derived.text.label == "GFDL (version not stated)" and derived.image is None


def test_chunks_carry_completed_rights_and_a_thumbnail_at_the_requested_size():
    record = CollectionRecord(id="harbour:1", title="Brass Compass", description="A brass compass in a box.",
                              image_service="https://images.example.org/iiif/compass/",
                              rights=RecordRights(image=Rights(uri="http://rightsstatements.org/vocab/InC/1.0/")))
    chunks = Chunker(lambda text: len(text.split()) + 2, max_tokens=64, overlap_tokens=0, thumbnail_size=120).chunk(record)
    payload = chunks[0].payload()
    assert payload["thumbnail_url"] == "https://images.example.org/iiif/compass/full/!120,120/0/default.jpg"
    assert payload["rights"]["image"] == {"uri": "http://rightsstatements.org/vocab/InC/1.0/", "label": "In Copyright", "display": False}
    assert payload["rights"]["text"]["label"] == "Rights not stated"
    assert iiif_thumbnail("https://images.example.org/iiif/x/info.json", 200) == "https://images.example.org/iiif/x/full/!200,200/0/default.jpg"
    assert iiif_thumbnail(None, 200) is None and iiif_thumbnail("javascript:alert(1)", 200) is None


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    from api.main import create_app
    from rag.pipeline import MuseumRAG

    data_dir = build_formats_store(tmp_path_factory.mktemp("formats-api") / "data", embedder)
    museum = MuseumRAG(make_settings(data_dir), embedder=embedder)
    settings = make_settings(data_dir, api_keys=[STAFF], rate_limit_per_minute=10_000)
    with TestClient(create_app(settings, museum=museum, close_museum=False)) as test_client:
        yield test_client
    museum.close()


def test_a_citation_from_a_linked_art_record_carries_its_rights_and_thumbnail(client):
    answer = client.post("/v1/ask", json={"question": "What is signed on The Lantern Keeper's Daughter?"}).json()
    assert answer["status"] == "answered", answer["text"]
    cited = [c for c in answer["citations"] if c["record_id"] == "harbour:LA-1904-17"]
    assert cited, answer
    rights = cited[0]["rights"]
    assert rights["image"] == {"uri": "http://rightsstatements.org/vocab/InC/1.0/", "label": "In Copyright", "display": False}
    assert rights["text"]["uri"] == "https://creativecommons.org/licenses/by/4.0/"
    assert rights["metadata"]["uri"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert cited[0]["thumbnail_url"] == "https://images.example.org/iiif/LA-1904-17/full/!200,200/0/default.jpg"
    assert cited[0]["credit_line"] == "Gift of Hendrika Ossewaarde, 1938"


def test_a_citation_from_a_lido_record_carries_record_and_resource_rights(client):
    answer = client.post("/v1/ask", json={"question": "Who made the print Herring Fleet Leaving the Sound?"}).json()
    cited = [c for c in answer["citations"] + answer["suggestions"] if c["record_id"] == "harbour:HTM-lido-0042"]
    assert cited, answer
    assert cited[0]["rights"]["image"]["label"] == "CC BY-SA 4.0 (Creative Commons Attribution-ShareAlike 4.0)"
    assert cited[0]["rights"]["image"]["display"] is True
    assert cited[0]["rights"]["metadata"]["label"] == "CC0 1.0 Universal (Public Domain Dedication)"


def test_object_and_search_responses_carry_rights(client):
    headers = {"Authorization": f"Bearer {STAFF}"}
    found = client.get("/v1/objects/harbour:HTM-P-0508", headers=headers).json()
    assert found["rights"]["image"]["uri"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert found["record"]["rights"]["image"]["uri"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert found["record"]["title_translations"] == {"fr": "Portrait d'un capitaine de bac"}
    results = client.get("/v1/search", params={"q": "ferry captain portrait"}, headers=headers).json()["results"]
    best = next(r for r in results if r["record_id"] == "harbour:HTM-P-0508")
    assert best["rights"]["text"]["label"].startswith("CC BY-NC 4.0")
    assert best["thumbnail_url"] == "https://images.example.org/iiif3/HTM-P-0508/full/!200,200/0/default.jpg"


@pytest.mark.parametrize("text, uri", [
    ("Wellcome Collection. Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)", "https://creativecommons.org/licenses/by-nc/4.0/"),
    ("Photo released as CC0 by the museum", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("see http://rightsstatements.org/vocab/InC/1.0/ for terms", "http://rightsstatements.org/vocab/InC/1.0/"),
    ("© Harbour Town Museum", None),
])
def test_a_licence_named_inside_free_text_is_recognised(text, uri):
    from rag.rights import find_licence

    found = find_licence(text)
    assert (found.uri if found else None) == uri
