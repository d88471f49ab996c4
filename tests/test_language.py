"""The language layer: tokens with offsets, the Snowball stemmer, stop words and word lists as data (invented sentences)."""

from __future__ import annotations

import threading

import pytest

from rag.language import SUPPORTED, Language, Token, UnsupportedLanguage
from rag.language.wordlists import DATA_DIR, UnknownWordList

# One invented museum sentence per language, with a word whose inflected forms must share a stem.
SENTENCES = {
    "en": ("The weaver painted three small panels in 1742; her paintings were not sold.", ("painted", "paintings")),
    "fr": ("La tisserande a peint trois petits panneaux en 1742 ; ses peintures ne furent jamais vendues.", ("panneaux", "panneau")),
    "de": ("Die Weberin malte drei kleine Tafeln im Jahr 1742; ihre Gemälde wurden nie verkauft.", ("Tafeln", "Tafel")),
    "nl": ("De weefster schilderde drie kleine panelen in 1742; haar schilderijen werden nooit verkocht.", ("schilderijen", "schilderij")),
    "es": ("La tejedora pintó tres pequeños paneles en 1742; sus pinturas nunca fueron vendidas.", ("pinturas", "pintura")),
    "it": ("La tessitrice dipinse tre piccoli pannelli nel 1742; i suoi dipinti non furono mai venduti.", ("dipinti", "dipinto")),
}


def test_every_supported_language_has_a_sentence_here() -> None:
    assert set(SENTENCES) == set(SUPPORTED) == {"en", "fr", "de", "nl", "es", "it"}


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_tokens_carry_offsets_stems_and_stop_flags(code: str) -> None:
    lang = Language.for_code(code)
    text, (form_a, form_b) = SENTENCES[code]
    tokens = lang.tokens(text)
    assert tokens and all(isinstance(t, Token) for t in tokens)
    for token in tokens:
        assert text[token.start : token.end] == token.text  # offsets point at the token as written
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)
    assert "1742" in [t.text for t in tokens]  # numbers are tokens
    assert ";" not in [t.text for t in tokens]  # punctuation is not
    # function words are stop words, content words are not
    first = tokens[0]
    assert first.is_stop, (code, first)
    assert not any(t.is_stop for t in tokens if t.text == "1742")
    # inflected forms share one stem
    assert lang.stem(form_a) == lang.stem(form_b), (code, lang.stem(form_a), lang.stem(form_b))


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_every_language_has_negations_months_and_number_words(code: str) -> None:
    lang = Language.for_code(code)
    text, _ = SENTENCES[code]
    norms = {t.norm for t in lang.tokens(text)}
    assert norms & lang.wordlist("negations"), code  # each invented sentence is negative
    assert len(lang.wordlist("months")) >= 12
    assert len(lang.stopwords) > 50
    units = lang.mapping("numbers")["units"]
    assert any(w in norms and units[w] == 3 for w in units), code  # "three" in every language


def test_english_stemmer_agrees_across_forms_and_keeps_born() -> None:
    en = Language.for_code("en")
    assert en.stem("paintings") == en.stem("painting") == en.stem("painted") == en.stem("paints")
    assert en.stem("born") == "born"  # not "bear"
    assert en.stem("Stuart's") == en.stem("Stuart")  # possessive dropped
    assert en.stem("made") == en.stem("make")  # irregular forms from data
    assert en.stem("Miloš") == en.stem("Milos")  # accents folded


def test_french_and_italian_split_elided_articles() -> None:
    fr = Language.for_code("fr")
    tokens = fr.tokens("Le portrait de l'orfèvre, d’après nature.")
    assert [t.text for t in tokens] == ["Le", "portrait", "de", "l", "orfèvre", "d", "après", "nature"]
    orfevre = tokens[4]
    assert "Le portrait de l'orfèvre"[orfevre.start : orfevre.end] == "orfèvre"
    assert tokens[3].is_stop and not orfevre.is_stop
    it = Language.for_code("it")
    assert [t.text for t in it.tokens("dell'orafo")] == ["dell", "orafo"]
    # English keeps the apostrophe inside names and contractions
    assert [t.text for t in Language.for_code("en").tokens("O'Keeffe didn't")] == ["O'Keeffe", "didn't"]


def test_codes_with_regions_and_unsupported_codes() -> None:
    assert Language.for_code("fr-CA") is Language.for_code("fr")
    assert Language.for_code(None).code == "en"
    assert Language.for_code("DE").code == "de"
    with pytest.raises(UnsupportedLanguage, match="supported"):
        Language.for_code("xx")


def test_wordlists_are_data_files_and_typos_raise() -> None:
    en = Language.for_code("en")
    assert (DATA_DIR / "en" / "materials.txt").is_file()
    assert {"bronze", "canvas", "albumen"} <= en.wordlist("materials")
    assert not any(w.startswith("#") for w in en.wordlist("materials"))  # comments are not entries
    assert en.stem("bronzes") in en.stemmed("materials")
    assert Language.for_code("nl").wordlist("materials") == frozenset()  # a list this language lacks is empty
    with pytest.raises(UnknownWordList):
        en.wordlist("no_such_list")
    pairs = en.mapping("antonyms")["pairs"]
    assert ["husband", "wife"] in pairs and "_doc" not in en.mapping("antonyms")


def test_stemming_is_thread_safe() -> None:
    en = Language.for_code("en")
    words = [f"varnished{i % 7}" for i in range(50)] + ["engravings", "engraved"] * 50
    expected = [Language("en").stem(w) for w in words]
    results: list[list[str]] = []

    def work() -> None:
        results.append([en.stem(w) for w in words])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4
