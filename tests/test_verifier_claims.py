"""Verifier claims derived from training labels: the corruption rules change one fact, on invented records."""

from __future__ import annotations

from eval.verifier_claims import (
    antonym,
    catalogue_text,
    change_material,
    change_name,
    change_number,
    change_year,
    corruptions,
    denegate,
    derive_claims,
    evidence_claim,
    flip_voice,
    negate,
    swap_roles,
)

RECORD = {
    "id": "toy:7",
    "title": "The Lantern Maker",
    "creators": [{"name": "Odile Varga", "role": "Painter", "display": "Odile Varga"}],
    "date": "1861",
    "type": "Painting",
    "technique": "Oil on walnut panel",
    "description": (
        "Odile Varga painted the lantern maker Tomas Brill in his Lyon workshop in 1861. "
        "Brill had trained under Henri Castel before opening three shops. "
        "The panel was not exhibited until 1902."
    ),
    "credit_line": "Gift of the Varga family",
}

LABEL = {
    "id": "toy-q1",
    "question": "Who taught the lantern maker?",
    "kind": "factual",
    "lang": "en",
    "evidence": [
        {"record_id": "toy:7", "field": "description", "quote": "Brill had trained under Henri Castel before opening three shops."},
        {"record_id": "toy:7", "field": "technique", "quote": "Oil on walnut panel"},
    ],
    "premise": None,
}


def test_a_year_is_exchanged_for_another_year_of_the_record_or_moved() -> None:
    source = RECORD["description"]
    assert change_year("Varga painted Brill in 1861.", source) == "Varga painted Brill in 1902."
    moved = change_year("It was painted in 1861.", "No other year here.")
    assert moved is not None and "1861" not in moved
    assert change_year("It has no year.", source) is None


def test_counts_change_in_words_and_digits_never_years() -> None:
    assert change_number("He opened three shops.") == "He opened four shops."
    assert change_number("He opened 3 shops in 1861.") == "He opened 4 shops in 1861."
    assert change_number("Painted in 1861.") is None


def test_a_name_is_exchanged_for_another_name_of_the_record() -> None:
    changed = change_name("Brill had trained under Henri Castel.", RECORD["description"])
    assert changed is not None and "Castel" not in changed and changed.startswith("Brill had trained under ")


def test_two_names_trade_places_and_the_voice_turns_round() -> None:
    assert swap_roles("Odile Varga painted Tomas Brill.") == "Tomas Brill painted Odile Varga."
    assert flip_voice("Brill was trained by Castel.") == "Brill trained Castel."
    assert flip_voice("Varga painted the lantern maker.") == "Varga was painted by the lantern maker."


def test_materials_negations_and_opposites() -> None:
    assert change_material("Oil on walnut panel.", "Oil on walnut panel, bronze frame.") == "Bronze on walnut panel."
    assert negate("The panel was exhibited in 1902.") == "The panel was not exhibited in 1902."
    assert negate("The panel was not exhibited.") is None
    assert denegate("The panel was not exhibited until 1902.") == "The panel was exhibited until 1902."
    assert antonym("She was his wife.") == "She was his husband."


def test_corruptions_are_distinct_and_differ_from_the_claim() -> None:
    claim = "Odile Varga painted Tomas Brill in 1861."
    made = corruptions(claim, RECORD["description"])
    kinds = [kind for kind, _ in made]
    assert {"year", "name", "role_swap"} <= set(kinds)
    assert len(set(kinds)) == len(kinds)
    assert all(text != claim for _, text in made)


def test_derived_rows_pair_each_quote_with_its_changed_copies() -> None:
    rows = derive_claims([LABEL], {"toy:7": RECORD})
    supported = [r for r in rows if r["label"] == "supported"]
    assert [r["kind"] for r in supported] == ["quote", "field"]
    assert supported[0]["claim"] == LABEL["evidence"][0]["quote"] and supported[0]["source"] == RECORD["description"]
    field = supported[1]
    assert field["claim"] == evidence_claim(RECORD, "technique", "Oil on walnut panel") == "The Lantern Maker. Medium: Oil on walnut panel."
    assert "Medium: Oil on walnut panel." in field["source"] == catalogue_text(RECORD)
    changed_field = [r for r in rows if r["label"] == "unsupported" and r["claim"].startswith("The Lantern Maker. Medium: ")]
    assert changed_field  # a field's value is changed, its title and label kept
    assert all(r["pair_id"] == "toy-q1" and r["museum"] == "toy" and r["origin"] == "toy-derived" for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_a_false_premise_gives_an_asserted_and_a_record_says_claim() -> None:
    label = {
        **LABEL,
        "id": "toy-q2",
        "kind": "false_premise",
        "evidence": [LABEL["evidence"][0]],
        "premise": {"asserted": "Brill trained under Odile Varga", "record_says": "Brill trained under Henri Castel"},
    }
    rows = {r["kind"]: r for r in derive_claims([label], {"toy:7": RECORD})}
    assert rows["premise"]["claim"] == "Brill trained under Odile Varga." and rows["premise"]["label"] == "unsupported"
    assert rows["record_says"]["label"] == "supported"
    assert derive_claims([label], {"toy:7": RECORD}, museum="other") == []
