"""Build the spaCy pipeline of the tagger: tokenizer plus one matcher component over data files.

The default is ``spacy.blank("en")`` (no model download). When a trained pipeline is named
(``processors.model``, e.g. ``en_core_web_sm``) it is loaded instead; its parser then gives the
sentences and its NER adds places. Everything the component matches is data under
``processors/patterns/``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from escmon.errors import ConfigError

PATTERNS = Path(__file__).with_name("patterns")
#: ``doc.user_data`` key of the cue matches: a list of ``(label, start, end)`` token offsets.
CUES_KEY = "escmon_cues"
#: ``doc.user_data`` key of the gazetteer matches: ``(canonical name, start, end)``.
PLACES_KEY = "escmon_places"
GAZETTEER_FILE = PATTERNS / "gazetteer.jsonl"
#: cities and countries generated from GeoNames (``processors.gazetteer_build``); the hand file wins
GEONAMES_FILE = PATTERNS / "places-geonames.jsonl"
CUES_FILE = PATTERNS / "cues.json"


class ModelNotFoundError(ConfigError, RuntimeError):
    """The configured trained pipeline is not installed."""


#: the ``YEAR`` cue class: years as words, generated rather than listed in ``cues.json``; the
#: rules date a harm to the past by "in <year>" (``processors.reader``)
YEARS = tuple(str(y) for y in range(1900, 2101))


@cache
def load_cues(path: Path = CUES_FILE) -> dict[str, tuple[str, ...]]:
    """Cue classes and their phrases from ``cues.json`` (keys starting with ``_`` are notes),
    plus the generated ``YEAR`` class."""
    data = json.loads(path.read_text(encoding="utf-8"))
    cues = {k: tuple(v) for k, v in data.items() if not k.startswith("_")}
    cues["YEAR"] = YEARS
    return cues


def event_cues(path: Path = PATTERNS / "events.json") -> dict[str, tuple[str, ...]]:
    """Cues that date or place a sentence's event (``events.json``), matched with the others.

    ``EV_CUMULATIVE`` ('since the war began'), ``EV_EARLIER`` ('last month'), ``EV_OTHER`` ('in a
    separate attack') and ``EV_YEAR`` ('2015'): ``processors.eventfacts`` reads them per sentence
    instead of scanning every token in Python; ``EV_REACTION`` ('retaliatory', 'truce'),
    ``EV_DAY`` ('Sunday', 'yesterday') and ``EV_MONTH`` ('June', 'Oct.': matched as written, see
    ``CASED_CUES``) likewise.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    months: list[str] = ["Sept", "Sept."]
    for name in data["MONTHS"]:
        months += [name.capitalize(), name[:3].capitalize(), f"{name[:3].capitalize()}."]
    return {
        "EV_CUMULATIVE": tuple(data["CUMULATIVE"]),
        "EV_EARLIER": tuple(data["EARLIER"]),
        "EV_OTHER": tuple(data["OTHER"]),
        "EV_LATER": tuple(data["LATER"]),
        "EV_YEAR": tuple(str(year) for year in range(1900, 2100)),
        "EV_REACTION": tuple(data["REACTION"]),
        "EV_DAY": (
            *data["WEEKDAYS"],
            *("yesterday", "today", "tonight", "overnight", "last weekend", "the weekend"),
        ),
        "EV_MONTH": tuple(dict.fromkeys(months)),
    }


#: cue classes whose phrases are tokenised as written: lower-cased, 'Oct.' would split in two
#: while a text's 'Oct.' is one token (matching is on LOWER either way)
CASED_CUES = frozenset({"EV_MONTH"})


@cache
def load_gazetteer(
    path: Path = GAZETTEER_FILE, generated: Path | None = GEONAMES_FILE
) -> dict[str, dict[str, Any]]:
    """Gazetteer entities keyed by canonical name: ``path``'s, then ``generated``'s that ``path``
    does not name (the hand file is the authority; the generated file is read only if present)."""
    entities: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "name" in record:
            entities[record["name"]] = record
    if generated is not None and generated.exists():
        for line in generated.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "name" in record:
                entities.setdefault(record["name"], record)
    return entities


@cache
def hand_names(path: Path = GAZETTEER_FILE) -> frozenset[str]:
    """The hand file's canonical names (the authority, see ``load_gazetteer``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(json.loads(line).get("name", "") for line in lines if line.strip())


@cache
def name_nouns(path: Path = PATTERNS / "lexicon.json") -> frozenset[str]:
    """``NAME_NOUNS`` of ``lexicon.json``: 'Club' in 'the Sari Club' (read once)."""
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["NAME_NOUNS"])


def _part_of_a_name(doc: Doc, name: str, end: int) -> bool:
    """A GeoNames city right before a capitalised venue or street noun names the venue: 'the Sari
    Club' is a club in Bali, not Sari in Iran. The hand file's cities are kept ('Kabul Airport')."""
    if end >= len(doc) or doc[end].text not in name_nouns():
        return False
    return name not in hand_names() and load_gazetteer()[name]["kind"] == "city"


def gazetteer_phrases(path: Path = GAZETTEER_FILE) -> dict[str, list[str]]:
    """Canonical name → the phrases that mention it (the name itself first)."""
    return {name: [name, *rec["patterns"]] for name, rec in load_gazetteer(path).items()}


class Matchers:
    """Pipeline component: two PhraseMatcher passes over the Doc and nothing per token in Python.

    - cues (``cues.json``) on ``LOWER``: kept as ``(label, start, end)`` in ``doc.user_data``;
    - gazetteer (``gazetteer.jsonl``) on ``ORTH``: kept as ``(name, start, end)``, longest match
      first, without overlaps.

    Why not ``doc.ents`` through an EntityRuler: on news-length texts the ruler's Python
    bookkeeping cost more than tokenising the text (measured with bench/tagger.py); the matches are
    the same PhraseMatcher matches either way. A trained pipeline's NER still fills ``doc.ents``,
    and ``processors.places`` reads it.
    """

    def __init__(self, nlp: Language, cues: dict[str, tuple[str, ...]]) -> None:
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, cue_phrases in cues.items():
            written = label in CASED_CUES
            self.cues.add(label, [nlp.make_doc(p if written else p.lower()) for p in cue_phrases])
        self.labels = {nlp.vocab.strings[label]: label for label in cues}
        self.places = PhraseMatcher(nlp.vocab, attr="ORTH")
        for name, phrases in gazetteer_phrases().items():
            self.places.add(name, [nlp.make_doc(p) for p in phrases])
        self.names = {nlp.vocab.strings[name]: name for name in load_gazetteer()}

    def __call__(self, doc: Doc) -> Doc:
        """Store the cue and gazetteer matches of ``doc``."""
        labels = self.labels
        doc.user_data[CUES_KEY] = [(labels[m], s, e) for m, s, e in self.cues(doc)]
        places = self.places(doc)
        if places:
            names, kept, taken = self.names, [], -1
            for m, s, e in sorted(places, key=lambda x: (x[1], -x[2])):
                if s >= taken and not _part_of_a_name(doc, names[m], e):
                    kept.append((names[m], s, e))
                    taken = e
            doc.user_data[PLACES_KEY] = kept
        return doc


@Language.factory("escmon_matchers")
def make_matchers(nlp: Language, name: str) -> Matchers:
    """Factory of :class:`Matchers` with the shipped pattern files."""
    return Matchers(nlp, {**load_cues(), **event_cues()})


def build_pipeline(model: str | None = None) -> Language:
    """Return the tagging pipeline; ``model`` names an installed trained spaCy pipeline or ``None``.

    The default pipeline has no sentence component: ``processors.signals`` splits sentences only
    in texts that hold cues (spaCy's sentencizer alone cost a third of the tokeniser's time).
    """
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer", "textcat"])
        except OSError as exc:
            msg = (
                f"spaCy pipeline {model!r} is not installed ({exc}); "
                "install it or unset processors.model"
            )
            raise ModelNotFoundError(msg) from None
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe("escmon_matchers")
    return nlp


_RUNS = re.compile(r"[ \t\u00a0]{2,}|\u00a0")


class SpaceMap:
    """Offsets from a text with runs of spaces squeezed back to the original text.

    News feeds keep doubled spaces ("killed more  than 100"); spaCy makes a whitespace token of
    them, which would break multi-word cues. The tagger reads the squeezed text and reports evidence
    offsets in the original through this map.

    >>> text, spaces = squeeze_spaces("a  b   c")
    >>> text, spaces.to_source(2), spaces.to_source(4)
    ('a b c', 3, 7)
    """

    def __init__(self, anchors: list[tuple[int, int]]) -> None:
        self.points = [a for a, _ in anchors]
        self.deltas = [d for _, d in anchors]

    def to_source(self, pos: int) -> int:
        """Original offset of squeezed offset ``pos``."""
        i = bisect_right(self.points, pos)
        return pos + (self.deltas[i - 1] if i else 0)


def squeeze_spaces(text: str) -> tuple[str, SpaceMap | None]:
    """Return ``text`` with each run of spaces/tabs as one space, and the offset map (or None)."""
    if "  " not in text and "\t" not in text and "\u00a0" not in text:
        return text, None
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    last = delta = 0
    for m in _RUNS.finditer(text):
        parts.append(text[last : m.start()])
        parts.append(" ")
        norm_start = m.start() - delta
        delta += len(m.group()) - 1
        anchors.append((norm_start + 1, delta))
        last = m.end()
    parts.append(text[last:])
    return "".join(parts), SpaceMap(anchors)
