"""Which kind of object a question names, ordinal phrases and names that pick a record (pure text, no model)."""

from rag.answer.abstain import _names_match, ordinal_pairs, _with_ordinals
from rag.answer.objects import asked_object_kinds, fits_object_kind
from rag.answer.terms import all_stems


def test_the_object_noun_of_a_question_and_the_records_it_fits() -> None:
    asked = asked_object_kinds("When was the Dennis Chavez photograph taken, and who was the photographer?")
    assert asked == {"photograph"}
    assert not fits_object_kind(asked, "Painting", "Senator Dennis Chavez", "Paint on hand-etched black granite")
    assert fits_object_kind(asked, "Photograph", "Dennis Chavez", "Gelatin silver print")
    # a platinum print is a photograph whose medium says "print"
    assert fits_object_kind(asked_object_kinds("Who made this print of Karl Struss?"), "Photograph", "Karl Struss", "Toned platinum print")
    # a noun that modifies another names no object; a verb of making does
    assert asked_object_kinds("What was the address of Gurney's daguerreotype gallery?") == frozenset()
    assert asked_object_kinds("When Elaine de Kooning drew Harold Rosenberg in 1967, what did he do?") == {"draw"}
    assert fits_object_kind(frozenset(), "Painting")  # no object noun: any record fits


def test_an_ordinal_counts_only_next_to_its_noun() -> None:
    pairs = ordinal_pairs("What was the name of Carmen Ghirardelli's first husband?")
    assert pairs == [("first", "husband")]
    text = "The family first made its home above the confectionary."
    assert "first" not in _with_ordinals(all_stems(text), text, pairs)
    text = "Her first husband, a merchant, died in 1845."
    assert "first" in _with_ordinals(all_stems(text), text, pairs)


def test_a_name_picks_a_record_by_surname_and_short_forms() -> None:
    assert _names_match(["don", "larsen"], all_stems("Perfect Game Donald James Larsen Arthur Rickerby"))
    assert _names_match(["elmer", "ellsworth"], all_stems("Elmer Ephraim Ellsworth Mathew Brady"))
    assert not _names_match(["don", "delillo"], all_stems("Michael O'Brien Strait family"))
