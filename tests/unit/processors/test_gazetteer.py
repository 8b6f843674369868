"""The GeoNames places (``patterns/places-geonames.jsonl``) and how they join the hand file."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from processors.nlp import GAZETTEER_FILE, GEONAMES_FILE, gazetteer_phrases, load_gazetteer
from processors.tagger import Tagger


def _records(path):  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if "name" in r]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One default pipeline for the module."""
    return Tagger()


def test_generated_places_name_a_known_country():
    merged = load_gazetteer()
    countries = {n for n, r in merged.items() if r["kind"] == "country"}
    for rec in _records(GEONAMES_FILE):
        assert rec["kind"] in ("city", "country"), rec
        assert rec["country"] in countries, rec


def test_the_hand_file_wins_and_no_phrase_names_two_places():
    hand = {r["name"]: r for r in _records(GAZETTEER_FILE)}
    merged = load_gazetteer()
    for name, rec in hand.items():
        assert merged[name] is not None and merged[name]["kind"] == rec["kind"]
    phrases = Counter(p for ps in gazetteer_phrases().values() for p in ps)
    assert [p for p, n in phrases.items() if n > 1] == []


@pytest.mark.parametrize(
    "word", ["Nice", "Reading", "Mobile", "Split", "Bath", "Victoria", "Jackson", "Of", "Santa"]
)
def test_words_and_person_names_are_not_places(word: str):
    assert word not in load_gazetteer()


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        ("Russian missiles struck Kramatorsk overnight.", "Kramatorsk", "Ukraine"),
        ("A drone hit an apartment block in Dnipro.", "Dnipro", "Ukraine"),
        ("The gunman opened fire at two mosques in Christchurch.", "Christchurch", "New Zealand"),
        ("A suicide bomber struck a concert in Manchester.", "Manchester", "United Kingdom"),
        ("A car bomb exploded outside the police academy in Bogota.", "Bogotá", "Colombia"),
        # Ukraine's official romanization ('yi') beside GeoNames' 'yy'
        ("A Russian missile struck Kryvyi Rih on Friday.", "Kryvyy Rih", "Ukraine"),
        ("A Russian missile struck Kryvyy Rih on Friday.", "Kryvyy Rih", "Ukraine"),
        # facts9: and 'ia' beside GeoNames' 'ya' after a consonant
        ("Russian missiles slammed into the centre of Vinnytsia.", "Vinnytsya", "Ukraine"),
        ("A missile struck Zaporizhzhia overnight.", "Zaporizhzhya", "Ukraine"),
        # linkq2: a city's former name, which older reports use (blind12's 1993 Bombay blasts:
        # a report naming only Bombay and Dubai was filed under the Emirates)
        ("A series of bombs tore through Bombay on Friday.", "Mumbai", "India"),
        ("A bomb exploded near a cinema in Rangoon.", "Yangon", "Myanmar"),
    ],
)
def test_new_places_carry_their_country(tagger: Tagger, text: str, place: str, country: str):
    tagged = tagger.tag_text(text)
    places = {m.name: m.country for m in tagged.places}
    assert places.get(place) == country


def test_a_former_name_is_matched_as_written_only(tagger: Tagger):
    """The former names are patterns of the current city (one place, not two), matched
    case-sensitively: 'madras' (the cloth) is no place."""
    gazetteer = load_gazetteer()
    assert "Bombay" in gazetteer["Mumbai"]["patterns"] and "Bombay" not in gazetteer
    # must not: the lower-case word
    assert tagger.tag_text("He wore a madras shirt to the market in Chennai.").places[0].name == (
        "Chennai"
    )
    assert [m.name for m in tagger.tag_text("He wore a madras shirt to the market.").places] == []


def test_a_sentence_opening_word_is_not_a_place(tagger: Tagger):
    assert tagger.tag_text("Reading the statement, the minister said it was nice.").places == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a GeoNames city before a capitalised venue noun names the venue: the Sari Club is in
        # Bali, not in Sari (Iran)
        ("Bombs tore through the Sari Club in Bali late on Saturday.", ["Bali"]),
        # must not: the city named on its own is the city
        ("A bomb exploded at a market in Sari late on Saturday.", ["Sari"]),
        # must not: the hand file's cities stay places before such a noun (the hotel is in Kabul)
        ("A suicide bomber struck the Kabul Hotel on Saturday.", ["Kabul"]),
    ],
)
def test_a_city_in_a_venue_name_is_not_the_place(tagger: Tagger, text: str, places: list[str]):
    assert [m.name for m in tagger.tag_text(text).places] == places


def test_the_yi_spelling_is_only_for_ukraine():
    """'yy' → 'yi' is Ukraine's romanization: Russian cities keep GeoNames' spelling alone."""
    gazetteer = load_gazetteer()
    assert "Kryvyi Rih" in gazetteer["Kryvyy Rih"]["patterns"]
    assert gazetteer["Staryy Oskol"]["patterns"] == []


def test_the_ia_spelling_is_only_after_a_consonant():
    """'ya' → 'ia' only after a consonant (Vinnytsya); after a vowel GeoNames' spelling stays
    alone (Yevpatoriya: the press writes Yevpatoria, not Yevpatoriia)."""
    gazetteer = load_gazetteer()

    def spellings(name: str) -> list[str]:
        entry = gazetteer[name]
        return [*entry["patterns"], *entry.get("spellings", [])]

    assert "Vinnytsia" in spellings("Vinnytsya")
    assert "Yevpatoriia" not in spellings("Yevpatoriya")
