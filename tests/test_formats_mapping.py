"""Each interoperability format mapped onto the record model, field by field (fixtures in tests/data/formats/,
invented objects written in the shape of the public specifications' examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load_paths

FORMATS_DIR = Path(__file__).parent / "data" / "formats"


def load(name: str, fmt: str = "auto"):
    result = load_paths([FORMATS_DIR / name], source="harbour", fmt=fmt)
    return {loaded.record.id: loaded.record for loaded in result.records}, result


def creators(record) -> list[tuple[str, str | None]]:
    return [(c.name, c.role) for c in record.creators]


# --- Linked Art ----------------------------------------------------------------------------------


def test_linked_art_current_model_field_by_field():
    records, result = load("linked_art_painting.json")
    assert result.issues == []
    record = records["harbour:LA-1904-17"]
    assert record.title == "The Lantern Keeper's Daughter", "the primary Name, not the developer _label"
    assert record.language == "en"
    assert record.title_translations == {"nl": "De dochter van de lantaarnopsteker"}, "language given only by AAT URI"
    assert record.accession_number == "LA-1904-17"
    assert record.type == "Painting"
    assert creators(record) == [("Maartje Voskuil", "Artist"), ("Atelier Ter Lijst", "Frame maker")], "nested parts"
    assert (record.date, record.date_begin, record.date_end) == ("about 1904", 1903, 1905)
    assert record.technique == "Oil on panel", "the material statement wins over made_of labels"
    assert record.description.startswith("A girl holds a storm lantern")
    assert record.description_translations["nl"].startswith("Een meisje houdt een stormlantaarn")
    assert record.provenance.startswith("Bought from the artist's widow, 1911")
    assert record.inscriptions == "Signed lower right: M. Voskuil"
    assert record.credit_line == "Gift of Hendrika Ossewaarde, 1938"
    assert record.museum == "Harbour Town Museum"
    assert record.url == "https://collection.example.org/objects/LA-1904-17"
    assert record.image_url == "https://images.example.org/iiif/LA-1904-17/full/full/0/default.jpg"
    assert record.image_service == "https://images.example.org/iiif/LA-1904-17"
    assert record.rights.image.uri == "http://rightsstatements.org/vocab/InC/1.0/" and record.rights.image.display is False
    assert record.rights.text.label.startswith("CC BY 4.0")
    assert record.rights.metadata.uri == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_linked_art_pre_1_0_model_in_a_list_wrapper():
    records, result = load("linked_art_legacy_list.json")
    salt = records["harbour:7731"]
    assert salt.title == "Salt Cellar with Dolphins"
    assert salt.accession_number == "1899.4.2"
    assert creators(salt) == [("Jurriaan Blom", "Silversmith")], "consists_of, label: the pre-1.0 names"
    assert (salt.date, salt.date_begin, salt.date_end) == ("1742", 1742, 1742)
    assert salt.technique == "silver"
    assert salt.description.startswith("A silver salt cellar") and salt.inscriptions.startswith("Marked under the foot")
    assert salt.image_url == "https://old.example.org/images/7731.jpg"
    assert salt.rights.image.label == "Public Domain Mark 1.0" and salt.rights.image.display is True
    tile = records["harbour:7733"]
    assert tile.description.startswith("A blue and white tin-glazed tile"), "an unclassified statement is the description"
    assert creators(tile) == [("Anonymous tile workshop", None)]


# --- LIDO ----------------------------------------------------------------------------------------


def test_lido_production_event_dates_the_object_not_the_actors_life_or_the_acquisition():
    records, _ = load("lido_export.xml")
    record = records["harbour:HTM-lido-0042"]
    assert record.title == "Herring Fleet Leaving the Sound"
    assert record.title_translations == {"de": "Heringsflotte verlässt den Sund"}
    assert record.type == "Print"
    assert creators(record) == [("Oswin Trelawny", "Printmaker"), ("Pellow & Sons", "Publisher")]
    assert record.creators[0].dates == "1801-1870" and record.creators[0].nationality == "British"
    assert "Philippa Rusk" not in [c.name for c in record.creators], "an acquisition's donor made nothing"
    assert (record.date, record.date_begin, record.date_end) == ("ca. 1845", 1843, 1847), "displayDate vs earliest/latest"
    assert "Acquisition (1962): Philippa Rusk (Donor)" in record.provenance
    assert record.technique == "Etching and roulette on laid paper"
    assert record.description.startswith("Twelve herring boats sail out past the lighthouse in a stiff breeze;"), "wrapped lines joined"
    assert record.description_translations["de"].startswith("Zwölf Heringsboote")
    assert record.inscriptions == "Oswin Trelawny fec.; in the plate, lower left"
    assert (record.museum, record.accession_number) == ("Harbour Town Museum", "HTM-G-0042")
    assert record.dimensions == "Plate: 18.2 x 24.6 cm" and record.place_of_origin == "Falmouth"
    assert record.credit_line == "Gift of Philippa Rusk, 1962"
    assert record.url == "https://collection.example.org/objects/HTM-G-0042"
    assert record.image_url == "https://images.example.org/full/HTM-G-0042.jpg", "the master image, not the thumbnail"
    assert record.rights.metadata.label.startswith("CC0 1.0")
    assert record.rights.image.uri == "https://creativecommons.org/licenses/by-sa/4.0/", "resource rights for the image"


def test_lido_language_variants_in_repeated_descriptive_metadata():
    records, _ = load("lido_export.xml")
    record = records["harbour:HTM-lido-0044"]
    assert (record.language, record.title) == ("de", "Modell eines Lotsenbootes")
    assert record.title_translations == {"en": "Model of a Pilot Boat"}
    assert record.description_translations == {"en": "A model of a pilot boat with a red sail."}
    assert (record.date, record.date_begin, record.date_end) == ("1880-1899", 1880, 1899), "events from the variant that has them"


# --- EDM -----------------------------------------------------------------------------------------


def test_edm_resolves_agents_timespans_and_concepts_in_the_same_file():
    records, result = load("edm_records.xml")
    assert result.issues == []
    record = records["harbour:EDM-311"]
    assert (record.language, record.title) == ("nl", "Gezicht op de pier bij storm")
    assert record.title_translations == {"en": "View of the Pier in a Storm"}
    assert creators(record) == [("Ysbrand Kalf", "Creator")] and record.creators[0].dates == "1851-1919"
    assert (record.date, record.date_begin, record.date_end) == ("1880s", 1880, 1889)
    assert record.technique == "watercolour, papier", "a concept URI resolved to its prefLabel in the record's language"
    assert record.type == "tekening"
    assert record.description_translations["en"].startswith("High waves break over the wooden pier")
    assert record.museum == "Harbour Town Museum" and record.accession_number == "TEK-311"
    assert record.url == "https://collection.example.org/objects/TEK-311"
    assert record.image_url == "https://images.example.org/full/TEK-311.jpg", "isShownBy before the edm:object thumbnail"
    assert record.image_service == "https://images.example.org/iiif/TEK-311"
    assert record.rights.image.label.startswith("CC BY 4.0"), "the WebResource's own rights win over the aggregation's"
    plain = records["harbour:EDM-312"]
    assert creators(plain) == [("Unknown rope walk, Harbour Town", "Creator")]
    assert (plain.date, plain.date_begin, plain.date_end) == ("18th century", 1701, 1800)
    assert plain.technique == "oak" and plain.rights.image.uri == "https://creativecommons.org/publicdomain/zero/1.0/"


# --- Dublin Core ---------------------------------------------------------------------------------


def test_oai_dc_repeated_values_wrapped_lines_and_links():
    records, result = load("oai_dc_record.xml")
    assert result.issues == []
    record = records["harbour:HTM-B-0117"]
    assert record.title == "Net Mender's Needle Case"
    assert creators(record) == [("Tamsin Penhallow", "Creator"), ("Jory Penhallow", "Creator")]
    assert record.description == (
        "A carved bone case for netting needles, decorated with a running border of waves and the initials T.P. "
        "It was used on the quay for mending nets.\n\nThe lid is missing."
    )
    assert record.keywords == ["fishing", "needlework"]
    assert (record.date, record.date_begin, record.date_end) == ("1872", 1872, 1872)
    assert record.technique == "carved bone", "a MIME type in dc:format is not a material"
    assert record.museum == "Harbour Town Museum" and record.type == "Needle case"
    assert record.url == "https://collection.example.org/objects/HTM-B-0117"
    assert record.image_url == "https://images.example.org/full/HTM-B-0117.jpg"
    assert record.rights.image.label == "No Copyright - Non-Commercial Use Only"
    assert record.language == "en"


# --- IIIF ----------------------------------------------------------------------------------------


def test_iiif_v3_language_maps_metadata_and_image_service():
    records, result = load("iiif_v3_manifest.json")
    assert result.issues == []
    record = records["harbour:HTM-P-0508"]
    assert (record.language, record.title) == ("en", "Portrait of a Ferry Captain")
    assert record.title_translations == {"fr": "Portrait d'un capitaine de bac"}
    assert record.description_translations["fr"].startswith("Le capitaine Elias Dunmore")
    assert creators(record) == [("Rosalind Achterberg", "Artist")], "a metadata pair labelled Artist"
    assert (record.date, record.date_begin, record.date_end) == ("1921", 1921, 1921)
    assert record.technique == "Oil on canvas" and record.dimensions == "61 x 50 cm"
    assert record.accession_number == "HTM-P-0508"
    assert record.credit_line == "Harbour Town Museum, bequest of Ada Dunmore, 1950", "requiredStatement"
    assert record.museum == "Harbour Town Museum" and record.url == "https://collection.example.org/objects/HTM-P-0508"
    assert record.image_service == "https://images.example.org/iiif3/HTM-P-0508"
    assert record.rights.image.uri == "https://creativecommons.org/licenses/by-nc/4.0/"


def test_iiif_v2_values_with_languages_attribution_and_license():
    records, _ = load("iiif_v2_manifest.json")
    record = records["harbour:HTM-M-0090"]
    assert (record.title, record.title_translations) == ("Chart of the Outer Sands", {"de": "Karte der äußeren Sande"})
    assert record.description.startswith("A hand-coloured chart")
    assert creators(record) == [("Barnabas Quiller", "Cartographer")]
    assert (record.date, record.technique, record.credit_line) == ("1788", "Engraving, hand-coloured", "Purchased, 1931")
    assert record.image_service == "https://images.example.org/iiif2/HTM-M-0090"
    assert record.rights.metadata.label.startswith("CC0 1.0") and record.rights.image.display is True
    assert record.url == "https://collection.example.org/objects/HTM-M-0090"


# --- choosing the format ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, fmt", [
    ("linked_art_painting.json", "linked-art"), ("lido_export.xml", "lido"), ("edm_records.xml", "edm"),
    ("oai_dc_record.xml", "oai-dc"), ("iiif_v3_manifest.json", "iiif"),
])
def test_format_is_chosen_by_content_whatever_the_file_name(tmp_path, name, fmt):
    disguised = tmp_path / ("export.json" if name.endswith(".xml") else "export.xml")
    disguised.write_bytes((FORMATS_DIR / name).read_bytes())
    auto = load_paths([disguised], source="harbour")
    forced = load_paths([FORMATS_DIR / name], source="harbour", fmt=fmt)
    assert auto.records and [r.record for r in auto.records] == [r.record for r in forced.records]


def test_collection_schema_json_still_loads_and_gets_rights_from_its_license(tmp_path):
    path = tmp_path / "records.json"
    path.write_text('[{"id": "inv:1", "title": "Brass Compass", "description": "A brass compass in a wooden box.",'
                    ' "license": {"metadata": "CC0-1.0", "text": "CC-BY-4.0"}}]', encoding="utf-8")
    result = load_paths([path])
    (record,) = [r.record for r in result.records]
    assert record.rights.metadata.uri == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert record.rights.text.label.startswith("CC BY 4.0") and record.rights.image is None


def test_linked_art_actor_referenced_by_uri_is_named_from_the_same_file():
    records, result = load("linked_art_with_people.json")
    assert result.issues == [] and list(records) == ["harbour:W-77"], "the Person is not a record of its own"
    record = records["harbour:W-77"]
    assert creators(record) == [("Ann Tregear", None)] and record.creators[0].dates == "1821-1890"
    assert (record.date, record.date_begin, record.date_end) == ("1833", 1833, 1833)


def test_lido_inside_an_oai_pmh_response_and_an_event_without_a_date():
    records, result = load("oai_pmh_lido_response.xml")
    assert result.issues == [] and list(records) == ["harbour:HTM-N-0007"], "the deleted record is not a record"
    record = records["harbour:HTM-N-0007"]
    assert (record.title, record.type) == ("Figurehead of the Brig Merryn", "Figurehead")
    assert creators(record) == [("Caleb Nance", "Carver")] and record.creators[0].dates == "1790-1861"
    assert (record.date, record.date_begin, record.date_end) == (None, None, None), "life dates never date the object"


@pytest.mark.parametrize("text, expected", [
    ("ca. 1650-1655", (1650, 1655)), ("1880s", (1880, 1889)), ("18th century", (1701, 1800)),
    ("500 BC", (-500, -500)), ("1642-01-01", (1642, 1642)), ("19. Jahrhundert", (1801, 1900)),
    ("61.5 x 1200.5 cm", (None, None)),
])
def test_year_ranges_from_display_dates(text, expected):
    from ingest.formats.common import years

    assert years(text) == expected


def test_lido_1_1_concepts_preferences_and_types_given_as_uris():
    records, result = load("lido_v11_concepts.xml")
    assert result.issues == []
    record = records["harbour:DE-X1-lido-obj-5531"]
    assert (record.language, record.title) == ("de", "Netzflickerinnen am Hafen"), "lido00169 is preferred, lido00170 not"
    assert record.title_translations == {"en": "Net Menders at the Harbour"}
    assert record.type == "Fotografie", "a skos:Concept prefLabel in the record's language"
    assert creators(record) == [("Ahlers, Gesine", "Fotografin")] and record.creators[0].dates == "1879-1958"
    assert (record.date, record.date_begin, record.date_end) == ("um 1907", 1905, 1909)
    assert record.technique == "Silbergelatineabzug", "LIDO 1.1 object-level materials; not the added search term"
    assert (record.museum, record.accession_number) == ("Archiv für Küstenfotografie", "KFA 1907/12"), "current repository"
    assert record.image_url == "https://images.example.org/kfa/display/5531", "not the lido00451 thumbnail"
    assert record.rights.metadata.uri == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert record.rights.image.label == "In Copyright" and record.rights.image.display is False
    assert record.credit_line is None, "the photograph's credit is not the object's"


def test_lido_participle_event_types_materials_elsewhere_and_dates_per_language():
    records, result = load("lido_participle_events.xml")
    assert result.issues == []
    record = records["harbour:DE-MUS-000000-4410"]
    assert record.type == "Zeichnung"
    assert creators(record) == [("Henrike Vosskamp", None)] and record.creators[0].dates == "1850-1931"
    assert (record.date, record.date_begin, record.date_end) == ("12. April 1888", 1888, 1888), "the record language's displayDate"
    assert record.technique == "Bleistift auf Karton"
    assert record.provenance is None, "an event with nothing to say is not a provenance line"
    assert record.image_url == "https://images.example.org/km/800w_2210.jpg", "a relative master file link is no URL"
    assert record.rights.image.label == "© Kanalmuseum Beispielstadt" and record.rights.image.display is False


def test_linked_art_actors_known_only_by_uri_fall_back_to_the_production_statement(tmp_path):
    path = tmp_path / "object.json"
    path.write_text("""{"@context": "https://linked.art/ns/v1/linked-art.json", "id": "https://m.example.org/object/9",
      "type": "HumanMadeObject", "identified_by": [{"type": "Name", "content": "Weathervane"}],
      "referred_to_by": [{"type": "LinguisticObject", "content": "A copper weathervane in the shape of a herring."}],
      "produced_by": {"type": "Production", "referred_to_by": [{"type": "LinguisticObject", "content": "coppersmith: Ezra Pengelly"}],
        "part": [{"type": "Production", "carried_out_by": [{"id": "https://m.example.org/person/31", "type": "Person"}]}]}}""",
                    encoding="utf-8")
    (loaded,) = load_paths([path], source="harbour").records
    assert creators(loaded.record) == [("coppersmith: Ezra Pengelly", None)]


def test_edm_written_as_rdf_descriptions_with_types():
    records, result = load("edm_rdf_description.xml")
    assert result.issues == []
    record = records["harbour:EDM-400"]
    assert (record.title, record.date, record.date_begin) == ("Fog Horn", "1899", 1899)
    assert creators(record) == [("Trevail Brothers", "Creator")], "the agent URI resolved through its typed Description"
    assert record.museum == "Harbour Town Museum" and record.image_url == "https://images.example.org/full/EDM-400.jpg"
    assert record.rights.image.uri == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_iiif_licence_named_only_in_the_required_statement(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("""{"@context": "http://iiif.io/api/presentation/3/context.json", "id": "https://iiif.example.org/m/77/manifest",
      "type": "Manifest", "label": {"en": ["Diving Helmet"]}, "navDate": "1912-01-01T00:00:00Z",
      "metadata": [{"label": {"en": ["Reference"]}, "value": {"en": ["Harbour Town Museum no. 77"]}}],
      "requiredStatement": {"label": {"en": ["Attribution"]}, "value": {"en": ["Harbour Town Museum (CC BY-SA 4.0)"]}}}""",
                    encoding="utf-8")
    (loaded,) = load_paths([path], source="harbour").records
    record = loaded.record
    assert record.description == "Reference: Harbour Town Museum no. 77.", "unmatched metadata pairs are the text when nothing else is"
    assert (record.date, record.date_begin) == ("1912", 1912), "navDate"
    assert record.rights.image.uri == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert record.credit_line == "Harbour Town Museum (CC BY-SA 4.0)"
