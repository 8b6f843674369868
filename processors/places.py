"""Places and actors named in a Doc, and the theater they point to.

Names come from the gazetteer matches (``patterns/gazetteer.jsonl``, matched by
``processors.nlp``); with a trained pipeline its GPE entities that the gazetteer does not know are
kept as places too. The theater is the region most place mentions belong to
(``patterns/theaters.json``); outside powers such as the United States decide it only when
nothing else is named.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from escmon.models import Mention
from processors.nlp import PATTERNS, PLACES_KEY, load_gazetteer

PLACE_KINDS = frozenset({"country", "city", "region", "waterway"})
ACTOR_KINDS = frozenset({"armed_group", "force", "organisation"})


@cache
def load_theaters(path: Path = PATTERNS / "theaters.json") -> dict[str, Any]:
    """The theaters file as a dict."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def _facts(name: str) -> tuple[str, str | None, bool | None, str | None, bool]:
    """What a gazetteer name says, worked out once per name instead of once per mention:
    ``(kind, country, is_place (None: neither place nor actor), theater, outside power)``."""
    record = load_gazetteer()[name]
    theaters = load_theaters()
    kind = record["kind"]
    country = record["country"] or (name if kind == "country" else None)
    is_place = True if kind in PLACE_KINDS else False if kind in ACTOR_KINDS else None
    theater = theaters["countries"].get(country) if country else None
    theater = theater or theaters["waterways"].get(name)
    return kind, country, is_place, theater, country in theaters["outside_powers"]


def mentions(doc: Doc, ner: bool = False) -> tuple[list[Mention], list[Mention], str | None]:
    """Return ``(places, actors, theater)`` of ``doc``, each mention once, in order of appearance.

    ``ner``: the pipeline has a trained NER whose ``doc.ents`` should be read too (reading
    ``doc.ents`` walks every token, so it is skipped when there is none).
    """
    matches = doc.user_data.get(PLACES_KEY, ())
    if not matches and not ner:
        return [], [], None
    places: dict[str, Mention] = {}
    actors: dict[str, Mention] = {}
    votes: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    for name, start, end in matches:
        kind, country, is_place, theater, is_outside = _facts(name)
        if is_place is not None:
            target = places if is_place else actors
            if name not in target:
                # the tokens' own text, cheaper than building a Span
                text = "".join(doc[i].text_with_ws for i in range(start, end)).rstrip()
                target[name] = Mention(text=text, name=name, kind=kind, country=country)
        if theater:
            (outside if is_outside else votes)[theater] += 1
    taken = {m.text for m in places.values()}
    for ent in (
        doc.ents if ner else ()
    ):  # a trained pipeline's NER: places the gazetteer does not know
        if ent.label_ == "GPE" and ent.text not in taken and ent.text not in places:
            places[ent.text] = Mention(text=ent.text, name=ent.text, kind="gpe")
    chosen = votes or outside
    theater = chosen.most_common(1)[0][0] if chosen else None
    return list(places.values()), list(actors.values()), theater
