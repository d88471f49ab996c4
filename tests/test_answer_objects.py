"""Which kind of object a question names (pure text, no model; invented questions)."""

from rag.answer.objects import asked_object_kinds, fits_object_kind


def test_the_object_noun_of_a_question_and_the_records_it_fits() -> None:
    asked = asked_object_kinds("When was the Greta Lund photograph taken, and who was the photographer?")
    assert asked == {"photograph"}
    assert not fits_object_kind(asked, "Painting", "Greta Lund at her loom", "Oil on panel")
    assert fits_object_kind(asked, "Photograph", "Greta Lund", "Gelatin silver print")
    # a platinum print is a photograph whose medium says "print"
    assert fits_object_kind(asked_object_kinds("Who made this print of Greta Lund?"), "Photograph", "Greta Lund", "Platinum print")
    # a noun that modifies another names no object; a verb of making does
    assert asked_object_kinds("Where was the photograph studio of Hendrik Mol?") == frozenset()
    assert asked_object_kinds("When Hendrik Mol drew the weaver in 1702, where did he live?") == {"draw"}
    assert fits_object_kind(frozenset(), "Painting")  # no object noun: any record fits
