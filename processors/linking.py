"""Link reports of one real-world event across outlets into one ``event/1`` record (pure core).

No Kafka, no Faust, no clock: the shell (the event agent) partitions tagged articles by
:func:`routing_key`, keeps one :class:`OpenEvents` per key in a table, feeds it articles in arrival
order and publishes what :meth:`OpenEvents.add` and :meth:`OpenEvents.prune` return.

Contract (the event agent is built against it; keep it)::

    @dataclass(frozen=True) class LinkConfig        # thresholds and windows, defaults below
    def routing_key(article: TaggedArticle) -> str | None
        # the action country used to partition; None = the article names no place (not linked)
    class OpenEvents:                                # the open events of one routing key
        def add(self, article) -> list[EventRecord]
            # events opened/updated/merged by this report, as NEW revisions (merged-away events
            # come back with status="merged", merged_into=<survivor>); the same article id with
            # the same content again returns []; a later version of an article id (full text
            # arrived) REPLACES that report's facts and never counts as a new report
        def prune(self, before: datetime) -> list[EventRecord]
            # events whose event time < before, returned with status="closed"
        def to_json(self) -> dict[str, Any]; @classmethod def from_json(cls, d) -> OpenEvents
        def __len__(self) -> int                     # open events
        # additive: from_json(d, config=None) (given config wins over the stored one);
        # watermark: datetime | None, the latest event time added (prune(watermark - horizon));
        # records(): the current revision of every open event, not bumped

How a report is linked (each step is written into ``EventRecord.links`` as a reason):

1. **Candidates**: members of open events of the same routing key whose date is within
   ``window_days`` of the report's date (both dates stated by the texts), or within
   ``published_window_days`` when a date is only the publication date (outlets publish days
   after the event) or only the time we fetched it (no date known). Of those, only the ones
   that can reach the threshold are scored: they share a rare enough word, a place or a toll
   figure with the report (per-key postings and a bound on the score, ``_tail_bound``; exact:
   the same links as scoring them all, see ``OpenEvents._retrieve``).
2. **Score against each candidate member** (symmetric): cosine of the content words of title,
   lead and evidence sentences, plus a bonus per shared capitalised name (up to three; not
   titles and offices) and per content word both titles have (up to three), a bonus for a
   shared named place below country level (or a name the gazetteer does not know right after
   "in", "at", "near", "outside"), for a shared casualty figure and for the same stated
   day (or the one day, or else the one weekday, an undated report names, when it is the
   other's date), minus
   ``day_penalty`` per day between their dates (not when the later report is a toll
   follow-up; a follow-up dated on its publication day is dated by publication: that day is
   the new count's); no candidate when one has no date and names only days of the year far from the
   other's date (``_days_apart``), or when a violent event is stated after the other report's
   publication (``_after_publication``), or when one says its event came a day after
   another happening on the other's stated day (``_came_after``); minus a penalty when one
   report is
   a reaction (retaliation, truce) and the other is not and both texts state their date, or
   when one is a de-escalation and the other is not (a ceasefire is not a strike).
3. **Fit** (``fit_dates``): an event is kept as a match only when every dated report of it lies
   within the windows of every dated report already chosen (the report, then the better-scoring
   events): a pair link is single link, the dates are complete link. One report that states no
   date and reads like two strikes on one city three days apart links to one of them only.
4. **Decision**: no event fits -> a new event is opened; one does -> the report joins it;
   several do -> the report bridges them and they are merged (the survivor has the most
   reports, then the smallest id; the others are returned with ``status="merged"``).

What holds under reordering: the score is symmetric, but the fit makes the events depend on
arrival order (which event an undated report joins first); on the dev set B-cubed F1 varies
about 0.84-0.90 over shuffled orders (docs/events.md). An event's id is
``ev-`` + a hash of the article id that opened it and never changes while it lives (alerts keep
their state by event id); so the ids are the same for the same input in the same order. After a
merge the survivor keeps its id.

Tolls over reports (ACLED codes one conservative figure, UCDP a best estimate with low and high):
``low`` is the lowest figure a report states, ``high`` the highest, ``best`` the lower median
of the reports' best figures: it follows a toll that rises as more outlets report it, but one
report that adds another event's dead cannot move it alone. See docs/events.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import processors
from escmon.models import (
    SIGNAL_TYPES,
    EventRecord,
    Evidence,
    LinkDecision,
    Mention,
    TaggedArticle,
    Toll,
    stable_id,
)

# The package's own file, not this module's: compiled by mypyc in a group, this module's
# ``__file__`` names a directory that does not exist (processors/processors/).
PATTERNS = Path(processors.__file__).resolve().parent / "patterns"
PLACE_KINDS: Final = frozenset({"city", "region", "waterway", "gpe"})
# Kinds a report can tell of before they happen ("the truce starts on Friday"): a publication date
# does not bound their date from above.
ANNOUNCED_KINDS: Final = frozenset({"deescalation", "threat", "retaliation_pledge"})
# The main kind of a report when the tagger's event facts are absent: the first of these it has
# (a de-escalation only when there is no violence: war reports often mention peace talks).
KIND_ORDER: Final = ("strike", "casualties", "deescalation", "retaliation_pledge", "threat")
_WORD: Final = re.compile(r"[^\W\d_][\w'-]*")
_NAME: Final = re.compile(r"(?<![.!?:\"“] )\b[A-Z][\w'’-]+")
# _NAME without its look-behind, which is tested on the match instead (_capitalised): a pattern
# that starts with a look-behind is tried at every position of the text, a third slower
_CAPITALISED: Final = re.compile(r"\b[A-Z][\w'’-]+")
_SENTENCE_END: Final = frozenset('.!?:"“')
_YEAR: Final = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONTHS = (
    "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_MONTH_DAY: Final = re.compile(
    rf"\b(?:({_MONTHS})\.? ?(\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTHS}))\b"
)
# A follow-up: in one clause, the toll (or the dead, wounded, casualties) and then a verb saying
# it rose, was revised or reached a figure. Two plain searches per clause, verb first: one pattern
# spanning both with gaps between them backtracked for a tenth of a millisecond per report.
_CLAUSE: Final = re.compile(r"[.;]")
_RISE: Final = re.compile(
    r"\b(?:rises|rose|risen|rising|climbs|climbed|jumps|jumped|mounts|mounted|reaches|reached"
    r"|increases|increased|revised|revises|passes|passed|tops|topped)\b",
    re.IGNORECASE,
)
# the verbs and month names as _words cuts them ("rises" -> "rise", "reaches" -> "reache")
_RISE_WORDS: Final = frozenset(
    "rise rose risen rising climb climbed jump jumped mount mounted reache reached increase "
    "increased revised revise passe passed top tops topped".split()
)
_MONTH_WORDS: Final = frozenset(
    "jan january feb february mar march apr april jun june jul july aug august sep sept "
    "september oct october nov november dec december".split()
)
_TOLL_WORD: Final = re.compile(
    r"\b(?:toll|dead|deaths|killed|injured|wounded|casualties|victims)\b", re.IGNORECASE
)
# A capitalised phrase right after a preposition of place ("in Beslan", "at Nasa-Hablod"):
# where the gazetteer knows no place, the text still says where things happened.
# Also after "in the town of" ("in the western town of Inates") and after "village of"
# anywhere ("the herding village of Ogossagou": villages are what a gazetteer lacks). Not "the
# town of X" after any verb: "airstrike on the town of Khan Sheikhoun" is, in a report of the
# US strikes it answered, the place of another event.
_PLACE_PHRASE: Final = re.compile(
    r"\b(?:in|at|near|outside"
    r"|(?:in|at|near|outside)\s+the\s+(?:[a-z-]+\s+){0,2}(?:town|city|district|village|hamlet)\s+of"
    r"|(?:village|hamlet)\s+of)"
    r"\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)
# Nouns of a force or a weapon that a nationality word before them names as the attacker
# ("Israeli jets strike Yemen's Hodeidah port", "Russian missile hits ..."): that country is
# where the blow came from, not where it landed.
_FORCE_WORDS: Final = frozenset(
    "jet warplane plane aircraft missile rocket drone raid strike airstrike air bomb bombing "
    "shelling force troop army navy military soldier artillery".split()
)
# Words of place names that many places share ("Borno State", "Kanbalu Township", "Palm
# Beach"): only the particular word tells one unknown place from another.
_PLACE_TYPES: Final = frozenset(
    "state province district region area county city town township village market school "
    "hospital hotel street square station camp base airport beach north south east west "
    "northern southern eastern western central upper lower new islamic".split()
)
# "exploded across Lebanon on Wednesday, a day after a wave of pager blasts": in one sentence
# with the weekday of the report's stated date, the day before that date is another happening's.
_SENTENCE: Final = re.compile(r"[^.!?]+")
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS_AFTER: Final = re.compile(r"\b(a|one|two|three) days? after\b", re.IGNORECASE)
_DAYS_AFTER_N: Final = {"a": 1, "one": 1, "two": 2, "three": 3}
# "Wednesday's walkie-talkie explosions": the weekday of the event an undated report is about
_WEEKDAY_OF: Final = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)['’]s\b"
)
_CALENDAR: Final = frozenset(
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


@dataclass(frozen=True)
class LinkConfig:
    """Windows and weights of the link decision (defaults are the documented ones).

    ``window_days``: two reports whose texts state the event's date link only within this many
    days. ``published_window_days``: the same when one date is only the publication (or fetch)
    date, which lags the event. ``threshold``: the score a pair needs to link. ``fit_dates``: a
    report joins (or bridges) events only when every dated report of the result lies within
    these windows of every other (complete link on dates; the score itself is single link).
    ``reaction_penalty`` applies only when both texts state their date (see ``_both_stated``).
    """

    # 2 days: the tagger's stated dates are often a day off ("last night", time zones)
    window_days: float = 2.0
    published_window_days: float = 3.0
    # an event stated (or named) more than this after a report's publication is not its event
    published_lead_days: float = 1.0
    # a toll follow-up the tagger could not date is dated by the one day it names this far
    # before its publication (big attacks' tolls are revised for a week or two)
    follow_up_days: float = 14.0
    threshold: float = 0.35
    place_bonus: float = 0.3
    name_bonus: float = 0.1
    # per content word both titles have (up to names_counted), the routing country's name aside
    headline_bonus: float = 0.05
    names_counted: int = 3
    number_bonus: float = 0.15
    same_day_bonus: float = 0.1
    day_penalty: float = 0.1
    kind_penalty: float = 1.0
    reaction_penalty: float = 1.0
    fit_dates: bool = True
    sentences: int = 12
    evidence: int = 3
    links: int = 50


@cache
def _stopwords() -> frozenset[str]:
    data = json.loads((PATTERNS / "linking.json").read_text(encoding="utf-8"))
    return frozenset(data["stopwords"])


@cache
def _common_names() -> frozenset[str]:
    data = json.loads((PATTERNS / "linking.json").read_text(encoding="utf-8"))
    return frozenset(data["common_names"])


@cache
def _country_words() -> dict[str, frozenset[str]]:
    """Per country of the hand gazetteer, the words of its name and of the forms that name it
    ("Syrian", "Syrians"; "American", "US"), cut like words."""
    out: dict[str, frozenset[str]] = {}
    for line in (PATTERNS / "gazetteer.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("kind") != "country" or "name" not in record:
            continue
        phrases = [record["name"], *record.get("patterns", ())]
        out[record["name"]] = frozenset(
            _stem(token) for phrase in phrases for token in phrase.lower().split()
        )
    return out


@cache
def _not_names(key: str) -> frozenset[str]:
    """Capitalised words that say nothing of which event of routing key ``key`` a report is
    about: calendar words, titles and offices, the key country's name and nationality."""
    return _CALENDAR | _common_names() | _country_words().get(key, frozenset())


@cache
def _outside_powers() -> frozenset[str]:
    data = json.loads((PATTERNS / "theaters.json").read_text(encoding="utf-8"))
    return frozenset(data["outside_powers"])


def routing_key(article: TaggedArticle) -> str | None:
    """The action country that partitions the stream; None when the article names no place or
    reports no event (:func:`_reports_event`: no strike, casualties, pledge, threat or truce).

    With the tagger's event facts it is their first action country that is not an outside
    power (an embassy bombing in Nairobi and Dar es Salaam may give the US, Kenya and Tanzania:
    the event is filed where it happened, as the other reports of it are); of several, the one
    most of the event's towns lie in; of one that the title names as the attacker ("Israeli
    jets strike ..."), the country most of the towns named elsewhere lie in (:func:`_landed`).
    When all are outside powers: the country most of the towns the text names lie in, when it
    is not an outside power, else their first.
    One action country with no action place, whose country no town of the text lies in, and
    which the title does not name, while it names the country of some of those towns: that one
    (:func:`_titled`).
    Without them: the country most of the cities and regions named lie in (a text names the
    place where things happened below country level far more often than an attacker's home;
    a tie: the first named of them), else the first
    country named that is not an outside power (the US, UK, France, Russia are named as
    attackers far from where things happen), else the first country named.
    """
    if not _reports_event(article):
        # everyday news of a country ('Germany deploys troops', a cup final, a trial) would
        # otherwise join whatever else names its capital
        return None
    outside = _outside_powers()
    if article.event is not None and article.event.countries:
        countries = article.event.countries
        inside = [c for c in countries if c not in outside]
        if len(inside) > 1:
            # the country most of the event's towns lie in (strikes on Tripoli and Benghazi
            # after a bombing in Berlin, which the tagger counts too); a tie keeps its order
            per = Counter(p.country for p in article.event.places if p.kind in PLACE_KINDS)
            return max(inside, key=lambda c: per[c])
        if inside:
            landed = _landed(article, inside[0])
            if landed != inside[0] or article.event.places:
                return landed
            return _titled(article, landed)
        # Only outside powers (the attacker: "Russian missiles hit central Vinnytsia"): where
        # most of the towns the text names lie in one other country, that is where it happened.
        return _most_towns(article, frozenset()) or countries[0]
    # the country most of the towns lie in, not the first town's: a report of strikes on
    # Beirut and Sidon names the Haifa the rockets answered first (blind10 b10-022)
    towns = _towns(article, outside)
    if towns:
        return max(towns, key=lambda c: towns[c])
    countries = [p.country or p.name for p in article.places if p.kind == "country"]
    for country in countries:
        if country not in outside:
            return country
    return countries[0] if countries else None


def _reports_event(article: TaggedArticle) -> bool:
    """The article reports a strike, casualties, a pledge, a threat or a truce: its event facts
    have a kind (the tagger gives none to a text without a signal), or, in a record without
    event facts, it has a signal."""
    if article.event is not None:
        return article.event.kind is not None
    return bool(article.signals)


def _landed(article: TaggedArticle, country: str) -> str:
    """Where a strike landed when the tagger's one action country ``country`` is the attacker.

    A title naming ``country`` by its nationality before a force or weapon ("Israeli jets
    strike Yemen's Hodeidah port") says the blow came from there; when the towns the text
    names outside ``country`` all lie in one other country, that one is where it landed (the
    tagger took the city the strike answered, Tel Aviv, for the action place). Otherwise
    ``country``: "Russian strike kills 5 in Belgorod" names no town elsewhere."""
    forms = _country_words().get(country)
    if not forms:
        return country
    tokens = [_stem(t) for t in _WORD.findall(article.title.lower().replace("’", "'"))]
    attacker = any(
        a in forms
        and a != country.lower()
        and a not in _PLACE_TYPES
        and b.removesuffix("s") in _FORCE_WORDS
        for a, b in zip(tokens, tokens[1:], strict=False)
    )
    if not attacker:
        return country
    return _most_towns(article, frozenset({country})) or country


def _towns(article: TaggedArticle, skip: frozenset[str]) -> Counter[str]:
    """How many of the cities and regions the text names lie in each country, but ``skip``."""
    return Counter(
        p.country
        for p in article.places
        if p.kind in PLACE_KINDS and p.country and p.country not in skip
    )


def _most_towns(article: TaggedArticle, skip: frozenset[str]) -> str | None:
    """The country more of the text's towns lie in than any other (``skip`` aside), when it
    is not an outside power; else None. More, not all: a strike report names the mediators'
    capitals too ("Khan Younis ... Gaza ... talks in Doha and Cairo", blind10 b10-011)."""
    towns = _towns(article, skip)
    if not towns:
        return None
    (first, n), *rest = towns.most_common(2)
    if rest and rest[0][1] == n:
        return None
    return None if first in _outside_powers() else first


def _titled(article: TaggedArticle, country: str) -> str:
    """The country the report is about when the tagger's one action country ``country`` has no
    action place and no town of the text lies in it: of the countries the towns lie in (most
    towns first), the first the title names, unless the title names ``country`` too. The tagger
    took a country the text names in another role for the action country: where the gunman
    trained ("Britons make up most of the dead in Tunisia attack", Sousse; the tagger: Libya),
    who is blamed ("Nigeria blames Islamic State affiliate ...", Ondo; the tagger: Chad).
    A title naming ``country`` as well ("Iranian attack on Iraq bases") keeps it. A text that
    names no town at all: the other countries it names stand for the towns ("Eight dead in
    attack on cricket team; Pakistan hunts gunmen"; the tagger: Sri Lanka, the team's)."""
    outside = _outside_powers()
    towns = _towns(article, outside)
    if towns[country]:
        return country
    where = towns or Counter(
        p.country
        for p in article.places
        if p.kind == "country" and p.country and p.country not in outside and p.country != country
    )
    if not where:
        return country
    tokens = {_stem(t) for t in _WORD.findall(article.title.lower().replace("’", "'"))}
    words = _country_words()
    if not tokens.isdisjoint(words.get(country, ())):
        return country
    for other, _ in where.most_common():
        if not tokens.isdisjoint(words.get(other, ())):
            return other
    return country


@dataclass(frozen=True, slots=True)
class Report:
    """What the linker keeps of one tagged article: its facts and a bag of words to compare."""

    id: str
    source: str
    key: str
    title: str
    url: str | None
    date: dt.date | None
    dated_by: str  # "event" (the text states it), "published", or "" (no date)
    arrival: datetime  # fetched (else tagged): when we got it
    seen: datetime  # TaggedArticle.event_time: published, else fetched, as the article rules use
    year: int | None  # the latest year the text names: the event is no earlier
    kind: str | None
    reaction: bool
    signals: tuple[str, ...]
    countries: tuple[str, ...]
    places: tuple[Mention, ...]
    place_names: frozenset[str]
    words: frozenset[str]
    names: frozenset[str]
    numbers: frozenset[int]
    killed: Toll
    wounded: Toll
    theater: str | None
    score: float
    evidence: tuple[Evidence, ...]
    fingerprint: str
    # days of the year the text names ("the March 22 attack", "on 8 January") as month*100+day:
    # what dates a report that has no date of its own (see _days_apart)
    days: frozenset[int] = frozenset()
    # the report says a toll rose or was revised: a follow-up, days after the event
    update: bool = False
    # content words of the title, less the routing country's name: what the story is about
    # (a sorted tuple: a title has a few words, and a tuple of them takes a fraction of a set's
    # memory in each of thousands of open reports)
    headline: tuple[str, ...] = ()
    # the stated day of another happening the text says its event came after ("on Wednesday, a
    # day after a wave of pager blasts"), as a date ordinal: that day's reports are of another
    # event (only with a date the text states, and not for a follow-up)
    after: int | None = None
    # the one weekday an undated report names as its event's ("Wednesday's walkie-talkie
    # explosions"), 0 = Monday: see _names_the_weekday
    weekday: int | None = None

    @property
    def time(self) -> datetime:
        """The event time of this report: its date when known, else when it was fetched."""
        if self.date is not None:
            return datetime.combine(self.date, dt.time(), tzinfo=UTC)
        return self.arrival

    def to_json(self) -> dict[str, Any]:
        """JSON-ready state (sets as sorted lists)."""
        return {
            "id": self.id,
            "source": self.source,
            "key": self.key,
            "title": self.title,
            "url": self.url,
            "date": self.date.isoformat() if self.date else None,
            "dated_by": self.dated_by,
            "arrival": self.arrival.isoformat(),
            "seen": self.seen.isoformat(),
            "year": self.year,
            "kind": self.kind,
            "reaction": self.reaction,
            "signals": list(self.signals),
            "countries": list(self.countries),
            "places": [p.model_dump() for p in self.places],
            "place_names": sorted(self.place_names),
            "words": sorted(self.words),
            "names": sorted(self.names),
            "numbers": sorted(self.numbers),
            "killed": self.killed.model_dump(),
            "wounded": self.wounded.model_dump(),
            "theater": self.theater,
            "score": self.score,
            "evidence": [e.model_dump() for e in self.evidence],
            "fingerprint": self.fingerprint,
            "days": sorted(self.days),
            "update": self.update,
            "headline": list(self.headline),
            "after": self.after,
            "weekday": self.weekday,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Report:
        """Inverse of :meth:`to_json`."""
        return cls(
            id=d["id"],
            source=d["source"],
            key=d["key"],
            title=d["title"],
            url=d["url"],
            date=dt.date.fromisoformat(d["date"]) if d["date"] else None,
            dated_by=d["dated_by"],
            arrival=datetime.fromisoformat(d["arrival"]),
            seen=datetime.fromisoformat(d.get("seen") or d["arrival"]),
            year=d.get("year"),
            kind=d["kind"],
            reaction=d["reaction"],
            signals=tuple(d["signals"]),
            countries=tuple(d["countries"]),
            places=tuple(Mention.model_validate(p) for p in d["places"]),
            place_names=frozenset(d["place_names"]),
            words=frozenset(d["words"]),
            names=frozenset(d.get("names", ())),
            numbers=frozenset(d["numbers"]),
            killed=Toll.model_validate(d["killed"]),
            wounded=Toll.model_validate(d["wounded"]),
            theater=d["theater"],
            score=d["score"],
            evidence=tuple(Evidence.model_validate(e) for e in d["evidence"]),
            fingerprint=d["fingerprint"],
            days=frozenset(d.get("days", ())),
            update=d.get("update", False),
            headline=tuple(d.get("headline", ())),
            after=d.get("after"),
            weekday=d.get("weekday"),
        )


# Toll is frozen, so every event and report without a figure can share this one; with
# model_construct below it skips pydantic's validation of values that are already ints
# (Toll validation was a tenth of build_record, itself a tenth of an add: bench/linking.py).
_NO_TOLL: Final = Toll()


def _toll(value: int | None) -> Toll:
    if value is None:
        return _NO_TOLL
    return Toll.model_construct(low=value, best=value, high=value)


def _stem(token: str) -> str:
    """``token`` (lower case) without a possessive or a plural ``s``."""
    if token[-1] in "s'-":
        token = token.removesuffix("'s").rstrip("'-")
        if len(token) > 4 and token[-1] == "s" and token[-2] != "s":
            token = token[:-1]
    return token


def _words(text: str) -> frozenset[str]:
    """Content words of ``text``: lower case, stop words out, a plural ``s`` dropped."""
    cuts = _CUTS
    if len(cuts) > _CUTS_KEPT:
        cuts.clear()  # a bound on the memory of a long-running worker
    out: set[str] = set()
    for token in set(_WORD.findall(text.lower().replace("’", "'"))):
        word = cuts.get(token)
        if word is None:
            word = cuts[token] = _cut(token)
        if word:
            out.add(word)
    return frozenset(out)


def _cut(token: str) -> str:
    """The content word of a token (see :func:`_words`), or "" when it is none."""
    stop = _stopwords()
    if token in stop:
        return ""
    word = _stem(token)
    # interned: the same word in thousands of open reports is then one string in memory
    return sys.intern(word) if len(word) > 2 and word not in stop else ""


# token -> _cut(token): most tokens of a report are words other reports had (cutting them
# again was half of _words); cleared when it holds more than _CUTS_KEPT
_CUTS: Final[dict[str, str]] = {}
_CUTS_KEPT: Final = 200_000


def _names(
    text: str, words: frozenset[str], skip: set[str], also: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Capitalised content words (people, places, groups, weapons): what makes one event's
    reports alike, beside the country's name and its nationality adjective, which every event
    of the routing key shares, and calendar words.

    A name is cut like a word (``_stem``), so a venue or town ending in ``s`` ("Crocus City
    Hall", "Idlib's") counts as a name as well as a word."""
    out = set()
    for match in _capitalised(text):
        token = _stem(match.lower().replace("’", "'"))
        if token in words and token not in skip and token not in also:
            out.add(sys.intern(token))
    return frozenset(out)


def _capitalised(text: str) -> list[str]:
    """``_NAME.findall(text)``: capitalised words not right after the end of a sentence, a colon
    or a quotation mark and a space (the first word of a sentence is capitalised anyway).

    The look-behind is tested on each match of ``_CAPITALISED``; a rejected match is searched
    again from its next character, as ``findall`` tries every position (in "X-Ray" after a full
    stop, "Ray" is a name)."""
    out: list[str] = []
    pos = 0
    while True:
        match = _CAPITALISED.search(text, pos)
        if match is None:
            return out
        start = match.start()
        if start >= 2 and text[start - 1] == " " and text[start - 2] in _SENTENCE_END:
            pos = start + 1
            continue
        out.append(match.group())
        pos = match.end()


def _latest_year(text: str) -> int | None:
    """The latest year from 1950 on that ``text`` names (``_YEAR``); the substring test spares
    the regular expression's scan of the many texts that name none."""
    if "19" not in text and "20" not in text:
        return None
    return max((int(y) for y in _YEAR.findall(text)), default=None)


def report_of(article: TaggedArticle, config: LinkConfig | None = None) -> Report | None:
    """The linker's view of ``article``; None when it has no routing key (names no place or
    reports no event)."""
    config = config or LinkConfig()
    key = routing_key(article)
    if key is None:
        return None
    facts = article.event
    sentences: list[str] = []
    for signal in article.signals:
        if signal.sentence not in sentences:
            sentences.append(signal.sentence)
            if len(sentences) >= config.sentences:
                break
    # The lead says who did what where even when the casualty and strike sentences are further
    # down (a follow-up's lead names the venue, its signals only the new toll).
    body = " ".join([article.lead, *sentences])
    text = f"{article.title} {body}"
    headline = _words(article.title)
    words = headline | _words(body)
    # Every event of a routing key shares its country's name, nationality and the names of its
    # offices: only the rest of the capitalised words say which event a report is about.
    skip = {
        _stem(token)
        for p in article.places
        if p.kind == "country"
        for token in f"{p.text} {p.name}".lower().replace("’", "'").split()
    }
    names = _names(text, words, skip, _not_names(key))
    types = {s.type for s in article.signals}
    if facts is not None:
        kind = facts.kind
        reaction = facts.reaction
        # the tagger's action countries, unless they are all outside powers and the towns the
        # text names lie elsewhere (routing_key): the country of those towns alone
        countries = tuple(facts.countries) if key in facts.countries else (key,)
        # the facts' places lie in the attacker's country when the key is where the blow landed
        # (_landed): the key's towns instead
        places = (
            tuple(facts.places)
            if key in facts.countries
            else tuple(p for p in facts.places if p.country == key)
        ) or tuple(
            p
            for p in article.places
            if p.kind in PLACE_KINDS and (p.country in countries or p.country == key)
        )
        killed, wounded = facts.killed, facts.wounded
        date = facts.date
        dated_by = "event" if date else ""
    else:
        kind = next((t for t in KIND_ORDER if t in types), None)
        # Without the tagger's attribution a pledge in the text may answer this very event, so
        # a report is not taken for a reaction on that alone.
        reaction = False
        countries = (key,)
        places = tuple(p for p in article.places if p.kind in PLACE_KINDS and p.country == key)
        killed, wounded = _toll(article.summary.killed), _toll(article.summary.wounded)
        date, dated_by = None, ""
    days, update = _month_days(text, words), _is_update(text, words)
    published = article.published.astimezone(UTC).date() if article.published else None
    if published is not None and (date is None or (update and date == published)):
        # A toll follow-up's stated day that is its publication day is the day of the new
        # count ("216 bodies recovered, the Defense Department said on Wednesday"), which
        # lags the event as a publication does: it dates the report as its publication would.
        date, dated_by = published, "published"
        named = _follow_up_day(date, text, days, config) if update else None
        if named is not None:
            date, dated_by = named, "event"
    # Only the report's own toll figures are compared: other numbers in a text are often the
    # toll of the event it reacts to, which its reaction and follow-up reports repeat as well.
    numbers: set[int] = set()
    for toll in (killed, wounded):
        numbers |= {n for n in (toll.low, toll.best, toll.high) if n is not None and n >= 2}
    evidence = tuple(
        Evidence.model_construct(
            sentence=s.sentence,
            type=s.type,
            article_id=article.id,
            source=article.source,
            url=article.url,
        )
        for s in _first_per_type(article)
    )[: config.evidence]
    # The same content tagged or fetched again is the same report (idempotent add).
    content = article.model_dump_json(exclude={"tagged_at", "fetched", "tagger"})
    return Report(
        id=article.id,
        source=article.source,
        key=key,
        title=article.title,
        url=article.url,
        date=date,
        dated_by=dated_by,
        arrival=article.fetched or article.tagged_at,
        seen=article.event_time,
        year=_latest_year(text),
        kind=kind,
        reaction=reaction,
        signals=tuple(t for t in SIGNAL_TYPES if t in types),
        countries=countries,
        places=places,
        place_names=frozenset(p.name for p in places) | _unknown_places(body, names, article),
        words=words,
        names=names,
        numbers=frozenset(numbers),
        killed=killed,
        wounded=wounded,
        theater=article.theater,
        score=article.score.total,
        evidence=evidence,
        fingerprint=stable_id(content),
        days=days,
        update=update,
        headline=tuple(sorted(headline - {key.lower()})),
        after=_day_after(body, date) if dated_by == "event" and not update else None,
        weekday=_weekday_named(text) if date is None and not days else None,
    )


def _weekday_named(text: str) -> int | None:
    """The one weekday ``text`` names in the possessive ("Wednesday's walkie-talkie
    explosions"), which is its event's; None when it names none or several."""
    named = {m.group(1) for m in _WEEKDAY_OF.finditer(text)}
    return _WEEKDAYS.index(named.pop()) if len(named) == 1 else None


def _day_after(text: str, date: dt.date | None) -> int | None:
    """The day the report's own event came after, as the text says it in one sentence with
    the weekday of its date ("exploded across Lebanon on Wednesday, a day after a wave of pager
    blasts"): another happening's day. Only beside that weekday: "the strike came a day after
    Iran fired at Erbil" counts from the strike, whose day may not be the report's date (the
    tagger may date the statement)."""
    if date is None or " after " not in text:
        return None
    folded = text.casefold()  # _DAYS_AFTER ignores case
    if "day after" not in folded and "days after" not in folded:
        return None  # one search of the text costs less than splitting it into sentences
    weekday = _WEEKDAYS[date.weekday()]
    for sentence in _SENTENCE.findall(text):
        match = _DAYS_AFTER.search(sentence)
        if match and f"on {weekday}" in sentence[: match.start()]:
            return date.toordinal() - _DAYS_AFTER_N[match.group(1).lower()]
    return None


def _follow_up_day(
    published: dt.date, text: str, days: frozenset[int], config: LinkConfig
) -> dt.date | None:
    """The event's day for a toll follow-up that the tagger could not date: the one day of the
    year it names in the ``follow_up_days`` before its publication ("358 people were now known
    to have died in the October 14 truck bombing"). A follow-up tells of a new count about an
    event that happened days before; the day it names is that event's. None when it names no
    such day or several (which of them is the event's is then the tagger's question). A day
    after "since" starts a period ("the toll since October 7 rose to ..."): a war's or a
    campaign's total, not one event, so it dates nothing (:func:`_month_days` leaves it out)."""
    offsets = {_offset_to(day, published) for day in days}
    before = [o for o in offsets if -config.follow_up_days <= o <= 0]
    if len(before) != 1:
        return None
    return published + dt.timedelta(days=int(before[0]))


def _unknown_places(text: str, names: frozenset[str], article: TaggedArticle) -> frozenset[str]:
    """Names the text (lead and sentences, not in title case: "Killed in Ambush") puts right
    after "in", "at", "near" or "outside" ("School No. 1 in Beslan") that the gazetteer does
    not know: the town or venue where things happened, when the tagger found no place below
    country level. Known places are left to the tagger, which tells action places ("in
    Sarajevo") from where someone spoke ("in Belgrade, ..."). Cut like names (lower case,
    ``_stem``), so they never equal a gazetteer place's name."""
    if not names:
        return frozenset()
    known = {
        _stem(token)
        for p in article.places
        for token in f"{p.text} {p.name}".lower().replace("’", "'").split()
    }
    generic = _generic_place_words()
    out: set[str] = set()
    for match in _PLACE_PHRASE.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()].split()
        if before and before[-1][0].isupper():
            continue  # title case ("Are Killed in Ambush"): every word is capitalised
        tokens = [_stem(t) for t in match.group(1).lower().replace("’", "'").split()]
        if known.isdisjoint(tokens):
            out.update(t for t in tokens if t in names and t not in generic)
    return frozenset(out)


@cache
def _generic_place_words() -> frozenset[str]:
    """Words of place names that name no particular town or venue: place types, and a country's
    name or nationality ("in Israeli custody")."""
    return _PLACE_TYPES.union(*_country_words().values())


def _is_update(text: str, words: frozenset[str]) -> bool:
    """The text says a toll rose or was revised ("toll rises to 137", "the number of injured
    rose to more than 40"): a follow-up report. ``words`` (the text's, :func:`_words`) spare the
    searches when no such verb is there, as in most reports."""
    if words.isdisjoint(_RISE_WORDS):
        return False
    for clause in _CLAUSE.split(text):
        verb = _RISE.search(clause)
        if verb is not None and _TOLL_WORD.search(clause, 0, verb.start()) is not None:
            return True
    return False


def _month_days(text: str, words: frozenset[str]) -> frozenset[int]:
    """The days of the year ``text`` names ("March 22", "8 Jan."), as month*100+day.
    ``words`` (the text's) spare the search when it names no month, as in most reports.

    Not a day after "since": it starts a period ("the fighting since 7 May had killed about
    70"), a war's or a campaign's, and says nothing of the day of the event reported."""
    if words.isdisjoint(_MONTH_WORDS) and "May" not in text:  # 'may' is a stop word
        return frozenset()
    out = {
        _day_of(m)
        for m in _MONTH_DAY.finditer(text)
        if not text[max(0, m.start() - 10) : m.start()].rstrip().lower().endswith("since")
    }
    return frozenset(day for day in out if 1 <= day % 100 <= 31)


def _day_of(match: re.Match[str]) -> int:
    """month*100+day of a ``_MONTH_DAY`` match."""
    m1, d1, d2, m2 = match.groups()
    return _MONTH_NUMBER[(m1 or m2)[:3].lower()] * 100 + int(d1 or d2)


_MONTH_NUMBER: Final = {
    m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())
}


def _first_per_type(article: TaggedArticle) -> Iterable[Any]:
    seen: set[str] = set()
    for signal in article.signals:
        if signal.type not in seen:
            seen.add(signal.type)
            yield signal


def pair_score(a: Report, b: Report, config: LinkConfig) -> float | None:
    """How likely ``a`` and ``b`` report one event; None = not candidates (too far apart in time).

    Symmetric in ``a`` and ``b``, which is what makes the events independent of arrival order.
    :func:`explain` gives the same terms as words; this is the fast path the linker runs on every
    candidate.
    """
    raw = _raw_score(a, b, config)
    return None if raw is None else round(raw, 4)


def _raw_score(a: Report, b: Report, config: LinkConfig) -> float | None:
    """:func:`pair_score` before rounding to 4 places. Rounding a float to decimal places costs
    as much as the rest of the score (it goes through a decimal string), and a score more than
    ``_MARGIN`` below the threshold stays below it rounded: the linker rounds only the others."""
    bonus = 0.0
    if a.date is not None and b.date is not None:
        gap = abs(a.date.toordinal() - b.date.toordinal())
        if a.dated_by == "event" and b.dated_by == "event":
            if gap > config.window_days or _came_after(a, b):
                return None
        elif gap > config.published_window_days or _after_publication(a, b, config):
            return None
        if gap == 0:
            bonus += config.same_day_bonus
        elif not ((a.update or b.update) and _follows(a, b)):
            bonus -= config.day_penalty * gap
    elif abs((a.arrival - b.arrival).total_seconds()) > config.published_window_days * 86400:
        return None
    elif (a.date is not None and b.year is not None and a.date.year < b.year) or (
        b.date is not None and a.year is not None and b.date.year < a.year
    ):
        # a report with no date that names a year reports an event of that year or later
        # (background years are earlier): it cannot be an event dated before that year
        return None
    elif _days_apart(a, b, config) or _weekdays_apart(a, b):
        return None
    elif (
        _names_the_day(a, b)
        or _names_the_day(b, a)
        or _names_the_weekday(a, b)
        or _names_the_weekday(b, a)
    ):
        bonus += config.same_day_bonus
    shared = len(a.words & b.words)
    text = shared / math.sqrt(len(a.words) * len(b.words)) if shared else 0.0
    # (no shared name or headline word adds nothing: skipped when one side has none)
    if a.names and b.names:
        bonus += config.name_bonus * min(len(a.names & b.names), config.names_counted)
    if a.headline and b.headline:
        shared_title = _common(a.headline, b.headline)
        bonus += config.headline_bonus * min(shared_title, config.names_counted)
    if _share_place(a, b):
        bonus += config.place_bonus
    if a.numbers and not a.numbers.isdisjoint(b.numbers):
        bonus += config.number_bonus
    if a.reaction != b.reaction and _both_stated(a, b):
        bonus -= config.reaction_penalty
    if a.kind != b.kind and a.kind and b.kind and "deescalation" in (a.kind, b.kind):
        bonus -= config.kind_penalty
    return text + bonus


def _share_place(a: Report, b: Report) -> bool:
    """Both reports name a place of the event: one of the places of both, or, when only one of
    them has places, a name both use that it puts the event at, a town the gazetteer does not
    know (``_unknown_places``: "in Solhan", "the village of Togoga"). The other names it without
    a preposition ("the Solhan massacre", "Sinjar's Yazidi villages") and no place of its own,
    so the name is all it says of where: its reports were split (dev D12, blind10 J09). Not
    when it has places of its own: "Tawila officials said, in Nyala" is about Nyala. A shared
    place requires a shared name this way, which the score bounds count on."""
    if a.place_names:
        if b.place_names:
            return not a.place_names.isdisjoint(b.place_names)
        one = a.place_names
    elif b.place_names:
        one = b.place_names
    else:
        return False
    return not (a.names & b.names).isdisjoint(one)


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many words two headlines share (each a tuple of distinct words, see ``Report``):
    a title has a handful, and counting them beats building a set per pair."""
    n = 0
    for word in a:
        if word in b:
            n += 1
    return n


def _came_after(a: Report, b: Report) -> bool:
    """One report says its event came a day (or two) after another happening, and the other
    report states that day: two events (the radio blasts of 18 Sep 2024 "a day after" the pager
    blasts). Only lowers a score (a gate), as the date windows do."""
    return (a.after is not None and b.date is not None and a.after == b.date.toordinal()) or (
        b.after is not None and a.date is not None and b.after == a.date.toordinal()
    )


def _names_the_day(undated: Report, other: Report) -> bool:
    """``undated`` has no date but names one day of the year, in the year ``other`` is dated
    ("the car bomb went off in Market Street, Omagh, on 15 August 1998"): that day is its
    event's, and it is ``other``'s day, as for two reports dated the same day. Not when it names
    several days (which is its event's?) or a year after them (the text is later)."""
    return (
        undated.date is None
        and other.date is not None
        and len(undated.days) == 1
        and undated.year == other.date.year
        and next(iter(undated.days)) == other.date.month * 100 + other.date.day
    )


def _names_the_weekday(undated: Report, other: Report) -> bool:
    """``undated`` has no date and names no day of the year, but one weekday as its event's
    ("Wednesday's walkie-talkie explosions"), and ``other``'s stated date is that weekday: the
    same day, as far as a report fetched within the window can tell (it earns what
    :func:`_names_the_day` earns, the same-day bonus, which the score bound already counts)."""
    return (
        undated.date is None
        and undated.weekday is not None
        and other.date is not None
        and other.dated_by == "event"
        and other.date.weekday() == undated.weekday
    )


def _follows(a: Report, b: Report) -> bool:
    """The later of two dated reports is a follow-up ("toll rises to 137"): it comes out days
    after the event, and the day it states is often the day of the new count ("police said on
    Sunday"), so the days between the two are expected, not a sign of another event."""
    if a.date is None or b.date is None:
        return False
    later = a if a.date > b.date else b
    return later.update


def _both_stated(a: Report, b: Report) -> bool:
    """Both texts state their event's date: only then does the reaction flag count.

    A reaction on another day is kept apart by the dates already; the penalty is for a reaction
    of the same days. The tagger's flag differs between reports of one event that state no date
    (outlets call one barrage "retaliation" or not), where it would split more events than it
    keeps apart (docs/events.md).
    """
    return a.dated_by == "event" and b.dated_by == "event"


def _days_apart(a: Report, b: Report, config: LinkConfig) -> bool:
    """A report with no date that names days of the year is about an event on one of them
    ("the March 22 attack", "on Oct. 11"): it is not one event with a report dated (or naming
    days) outside the windows of all of them. The year is the other report's, give or take one
    (a text without a date names none, or only background years)."""
    if a.date is None and a.days:
        undated, other = a, b
    elif b.date is None and b.days:
        undated, other = b, a
    else:
        return False
    if other.date is not None and other.dated_by == "published" and not _announced(a, b):
        # the days before its publication, not after (a day's slack: time zones)
        return all(
            not -config.published_window_days
            <= _offset_to(day, other.date)
            <= config.published_lead_days
            for day in undated.days
        )
    if other.date is not None:
        return all(abs(_offset_to(day, other.date)) > config.window_days for day in undated.days)
    if other.days:
        return all(_cyclic_gap(x, y) > config.window_days for x in undated.days for y in other.days)
    return False


def _weekdays_apart(a: Report, b: Report) -> bool:
    """One report has no date but names its event's weekday ("Saturday's synagogue bombings")
    and the other states a date more than a day from that weekday (a Thursday), or names such a
    weekday too: two events, as for the days of :func:`_days_apart` (a day's slack: "last
    night", time zones). Two Istanbul bombings five days apart were joined through such a report
    (blind14 C01/C02). A pair rule only, not part of the group date fit (:func:`_fits`): there it
    also kept out reports of the right event from a group an undated report had wrongly joined
    (blind3 D03, blind13 L04: F1 down), which the pair rule alone does not."""
    if a.date is None and b.date is None:
        # both undated, each naming its event's weekday: the same slack between the two
        days = (a.weekday, b.weekday)
    elif a.date is None and b.date is not None and b.dated_by == "event":
        days = (a.weekday, b.date.weekday())
    elif b.date is None and a.date is not None and a.dated_by == "event":
        days = (b.weekday, a.date.weekday())
    else:
        return False
    if days[0] is None or days[1] is None:
        return False
    gap = abs(days[0] - days[1])
    return min(gap, 7 - gap) > 1


def _announced(*reports: Report) -> bool:
    """One of ``reports`` is of a kind announced before it happens (a truce, a threat, a vow)."""
    return any(r.kind in ANNOUNCED_KINDS for r in reports)


def _offset_to(day: int, date: dt.date) -> float:
    """Days from ``date`` to the nearest date on month*100+day ``day`` (negative: before it)."""
    offsets = []
    for year in (date.year - 1, date.year, date.year + 1):
        try:
            offsets.append((dt.date(year, day // 100, day % 100) - date).days)
        except ValueError:  # 30 February, 29 February of a common year
            continue
    return min(offsets, key=abs, default=math.inf)


def _cyclic_gap(x: int, y: int) -> float:
    """Days between two days of the year (month*100+day), the year wrapping round."""
    try:
        a = dt.date(2000, x // 100, x % 100).toordinal()
        b = dt.date(2000, y // 100, y % 100).toordinal()
    except ValueError:
        return math.inf
    gap = abs(a - b)
    return min(gap, 366 - gap)


def _dates_apart(a: Report, b: Report, config: LinkConfig) -> bool:
    """Both reports are dated and too far apart for one event (the window of :func:`pair_score`),
    or one has no date and names only days far from the other's (:func:`_days_apart`)."""
    if a.date is None or b.date is None:
        return _days_apart(a, b, config)
    gap = abs(a.date.toordinal() - b.date.toordinal())
    if a.dated_by == "event" and b.dated_by == "event":
        return gap > config.window_days or _came_after(a, b)
    return gap > config.published_window_days or _after_publication(a, b, config)


def _after_publication(a: Report, b: Report, config: LinkConfig) -> bool:
    """One report is dated by its publication and the other states a day after it: a report
    does not tell of a violent event after it was published (a day's slack: time zones); a
    truce or a threat is announced before it starts (``ANNOUNCED_KINDS``)."""
    if a.date is None or b.date is None or _announced(a, b):
        return False
    if a.dated_by == "published" and b.dated_by == "event":
        return (b.date - a.date).days > config.published_lead_days
    if b.dated_by == "published" and a.dated_by == "event":
        return (a.date - b.date).days > config.published_lead_days
    return False


def _fits(group: list[Report], members: list[Report], config: LinkConfig) -> bool:
    """Whether two sets of reports can be one event by their dates (see OpenEvents._fitting):
    no pair of a report of ``group`` and one of ``members`` is :func:`_dates_apart`.

    Worked out from the extreme dates of each side, stated and published apart, rather than pair
    by pair: a large event made this quadratic (tests/unit/processors/test_linking_candidates.py
    checks it against the pairs).
    """
    if not config.fit_dates:
        return True
    g_stated, g_published = _extremes(group)
    m_stated, m_published = _extremes(members)
    # two stated dates: window_days; any pair with a publication date: published_window_days
    if _gap(g_stated, m_stated) > config.window_days:
        return False
    wide = config.published_window_days
    if (
        _gap(g_published, m_stated) > wide
        or _gap(g_published, m_published) > wide
        or _gap(g_stated, m_published) > wide
    ):
        return False
    return not _apart_by_pair_rules(group, members, config)


def _apart_by_pair_rules(group: list[Report], members: list[Report], config: LinkConfig) -> bool:
    """The rules of :func:`_dates_apart` that extreme dates do not decide, pair by pair, on the
    few reports they concern: a violent event stated after the other side's publication (its
    exemption depends on both kinds), an undated report that names days of the year, and a
    report whose event came after the other's day (:func:`_came_after`)."""
    for one, other in ((group, members), (members, group)):
        published = [r.date for r in one if r.date is not None and r.dated_by == "published"]
        stated = [r.date for r in other if r.date is not None and r.dated_by == "event"]
        if (
            published
            and stated
            and (max(stated) - min(published)).days > config.published_lead_days
        ):
            if any(_after_publication(a, b, config) for a in one for b in other):
                return True
        if any(a.date is None and a.days for a in one):
            if any(
                _days_apart(a, b, config) for a in one if a.date is None and a.days for b in other
            ):
                return True
        if any(a.after is not None for a in one) and any(
            _came_after(a, b) for a in one if a.after is not None for b in other
        ):
            return True
    return False


def _extremes(
    reports: list[Report],
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(earliest, latest) day ordinal of the stated dates and of the other dates of ``reports``
    (None: no such date)."""
    stated = [r.date.toordinal() for r in reports if r.date is not None and r.dated_by == "event"]
    other = [r.date.toordinal() for r in reports if r.date is not None and r.dated_by != "event"]
    return (
        (min(stated), max(stated)) if stated else None,
        (min(other), max(other)) if other else None,
    )


def _gap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> int:
    """The largest distance in days between a date of ``a`` and one of ``b`` (0 if one is empty)."""
    if a is None or b is None:
        return 0
    return max(a[1] - b[0], b[1] - a[0])


def explain(a: Report, b: Report, config: LinkConfig) -> list[str]:
    """The terms of :func:`pair_score` in words, for ``LinkDecision.reasons``."""
    reasons: list[str] = []
    if a.date is not None and b.date is not None:
        gap = abs(a.date.toordinal() - b.date.toordinal())
        how = "stated" if a.dated_by == b.dated_by == "event" else "published"
        if gap == 0:
            reasons.append(f"same day {a.date.isoformat()} ({how})")
        elif _follows(a, b):
            reasons.append(f"dates {gap} day(s) apart ({how}), the later a follow-up")
        else:
            reasons.append(f"dates {gap} day(s) apart ({how})")
    elif _names_the_day(a, b) or _names_the_day(b, a):
        day = (a.date or b.date or dt.date.min).isoformat()
        reasons.append(f"no date on one report, which names the other's day {day}")
    elif _names_the_weekday(a, b) or _names_the_weekday(b, a):
        day = (a.date or b.date or dt.date.min).isoformat()
        reasons.append(f"no date on one report, which names the other's weekday {day}")
    else:
        reasons.append("no date on one report: fetched within the window")
    shared = a.words & b.words
    text = len(shared) / math.sqrt(len(a.words) * len(b.words)) if shared else 0.0
    reasons.append(f"text {text:.2f} ({len(shared)} words shared)")
    names = a.names & b.names
    if names:
        reasons.append("shared names " + ", ".join(sorted(names)[:5]))
    headline = set(a.headline).intersection(b.headline)
    if headline:
        reasons.append("headlines share " + ", ".join(sorted(headline)[:5]))
    places = a.place_names & b.place_names
    if places:
        reasons.append("shared place " + ", ".join(sorted(places)[:3]))
    elif _share_place(a, b):
        named = a.names & b.names & (a.place_names | b.place_names)
        reasons.append("shared place, named by one " + ", ".join(sorted(named)[:3]))
    numbers = a.numbers & b.numbers
    if numbers:
        reasons.append("same toll figure " + ", ".join(str(n) for n in sorted(numbers)[:3]))
    if a.reaction != b.reaction and _both_stated(a, b):
        reasons.append("one is a reaction, the other not")
    if a.kind != b.kind and a.kind and b.kind and "deescalation" in (a.kind, b.kind):
        reasons.append(f"kinds differ ({a.kind}, {b.kind})")
    return reasons


def compare(a: Report, b: Report, config: LinkConfig) -> tuple[float, list[str]] | None:
    """:func:`pair_score` with its reasons; None = not candidates."""
    score = pair_score(a, b, config)
    return None if score is None else (score, explain(a, b, config))


@dataclass
class _Event:
    id: str
    revision: int = 0
    status: Literal["open", "merged", "closed"] = "open"
    merged_into: str | None = None
    members: list[str] = field(default_factory=list)
    links: list[LinkDecision] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "revision": self.revision,
            "members": self.members,
            "links": [link.model_dump() for link in self.links],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> _Event:
        return cls(
            id=d["id"],
            revision=d["revision"],
            members=list(d["members"]),
            links=[LinkDecision.model_validate(x) for x in d["links"]],
        )


def _discard(index: dict[int, set[str]], day: int, report_id: str) -> None:
    ids = index.get(day)
    if ids is not None:
        ids.discard(report_id)
        if not ids:
            del index[day]


_SERIAL: Final = struct.Struct("q")
# reports with fewer content words are candidates of every report in their window (_retrieve)
_SMALL: Final = 12
# an entry of the postings costs a tenth of scoring a pair or less (counted in C, bounded, most
# ruled out): postings up to this many times the window are cheaper than scanning it (with the
# postings of the window's days only, 10 screens every report of bench/linking.py and scores
# 4,466 pairs of 2,000 reports; 3 scanned 90 windows and scored 12,033)
_CHEAPER = 10


def _post(index: dict[Any, bytes], terms: Iterable[Any], serial: int) -> None:
    packed = _SERIAL.pack(serial)
    for term in terms:
        # a copy of the postings per report added: small for all but the commonest words
        index[term] = index.get(term, b"") + packed


def _unpost(index: dict[Any, bytes], terms: Iterable[Any], serial: int) -> None:
    for term in terms:
        ids = array("q", index[term])
        ids.remove(serial)
        if ids:
            index[term] = ids.tobytes()
        else:
            del index[term]


def _serials(postings: list[bytes]) -> Iterable[int]:
    return memoryview(b"".join(postings)).cast("q")


# What rounding (pair_score rounds to 4 places) and float sums may add to a score: a bound must
# stay this far below the threshold to rule a pair out.
_MARGIN: Final = 1e-4


def _can_prune(config: LinkConfig) -> bool:
    """Whether :func:`_tail_bound` holds: it takes every penalty as 0 and no bonus below 0."""
    return (
        min(
            config.place_bonus,
            config.name_bonus,
            config.names_counted,
            config.number_bonus,
            config.day_penalty,
            config.kind_penalty,
            config.reaction_penalty,
        )
        >= 0
    )


def _tail_bound(
    words: int,
    names: int,
    heads: int,
    place: bool,
    number: bool,
    size: int,
    smallest: int,
    config: LinkConfig,
    day: float | None = None,
    by_name: bool = True,
) -> float:
    """The most :func:`pair_score` can give a pair that shares only ``words`` of the report's
    content words (``names`` of them capitalised names), a place only when ``place``, a toll
    figure only when ``number``; ``size``: the report's word count, ``smallest``: the smallest
    word count of the other reports. Keep it in step with pair_score.

    ``heads`` of the shared words are words of the report's headline: each can earn the headline
    bonus (when it is in the other's headline too, which the bound cannot know), up to
    ``names_counted``, as names earn theirs.

    A shared name earns the place bonus when one report puts the event there (``_share_place``):
    with ``names`` the place bonus is counted whatever ``place`` says, unless ``by_name`` is
    False (the caller knows both reports have places, or neither: only a shared place counts).

    The date term is at most the same-day bonus (a gap only subtracts, no date adds nothing),
    or ``day`` when the caller knows the pair's (:func:`_date_term`); the penalties subtract.
    The cosine is shared / sqrt(size * other's size) with shared <= the other's size, so at
    most words / sqrt(size * max(words, smallest)); a shared name is a shared content word of
    both (``_names`` takes names among the words).
    """
    text = words / math.sqrt(size * max(words, smallest)) if words else 0.0
    return (
        (max(config.same_day_bonus, 0.0) if day is None else day)
        + text
        + config.name_bonus * min(names, config.names_counted)
        + config.headline_bonus * min(heads, config.names_counted)
        # a shared name may be a place one report puts the event at (_share_place)
        + (config.place_bonus if place or (names and by_name) else 0.0)
        + (config.number_bonus if number else 0.0)
    )


def _pair_bound(
    report: Report,
    heads: frozenset[str],
    other: Report,
    words: int,
    config: LinkConfig,
    limit: float = -math.inf,
) -> float:
    """The most :func:`pair_score` can give ``report`` and ``other`` when they share at most
    ``words`` content words: :func:`_tail_bound` with every term but the cosine worked out on
    the pair (``heads``: the report's headline as a set). Cheaper than the score (no word sets
    intersected, no date rules), it rules out most of the candidates the postings leave
    (common words, a common toll figure and headline words are taken as shared there). Keep it
    in step with pair_score, as _tail_bound: penalties only subtract, so it leaves them out but
    the day penalty, which it takes only when neither report is a follow-up (``_follows``).

    Below ``limit`` (the caller's cut) it may return a looser bound, still below ``limit``:
    the names and headline words are then taken as all shared, which spares intersecting
    them on most pairs (their date or text term has ruled them out already)."""
    if report.date is not None and other.date is not None:
        gap = abs(report.date.toordinal() - other.date.toordinal())
        day = _date_term(report, other, gap, config)
    else:
        day = max(config.same_day_bonus, 0.0)
    size, smallest = len(report.words), len(other.words)
    text = words / math.sqrt(size * max(words, smallest)) if words else 0.0
    bound = day + text
    if _share_place(report, other):
        bound += config.place_bonus
    if report.numbers and not report.numbers.isdisjoint(other.numbers):
        bound += config.number_bonus
    names = bool(report.names and other.names)
    titles = bool(heads and other.headline)
    # every term is at least its value on the pair, and a float sum does not fall when a term
    # grows: this loose bound is a bound
    loose = bound
    if names:
        loose += config.name_bonus * min(len(report.names), config.names_counted)
    if titles:
        loose += config.headline_bonus * min(len(heads), config.names_counted)
    if loose < limit:
        return loose
    if names:
        bound += config.name_bonus * min(len(report.names & other.names), config.names_counted)
    if titles:
        shared_title = _common(report.headline, other.headline)
        bound += config.headline_bonus * min(shared_title, config.names_counted)
    return bound


def _date_term(report: Report, other: Report, gap: int, config: LinkConfig) -> float:
    """The most the date term of :func:`pair_score` gives two dated reports ``gap`` days apart:
    the same-day bonus on one day, else 0 when one is a follow-up (``_follows``), else the day
    penalty per day."""
    if gap == 0:
        return config.same_day_bonus
    if report.update or other.update:
        return 0.0
    return -config.day_penalty * gap


@dataclass
class _Plan:
    """Which terms of a report to take candidates from (see :func:`_plan`).

    ``words``: the postings of the rare content words (``names_in`` of them names, ``heads_in``
    headline words); the other ``words_out`` words (``names_out`` names, ``heads_out`` headline
    words) are left out, as are the places when ``place_out`` and the toll figures when
    ``number_out`` (else their postings are ``places``, ``numbers``).
    """

    words: list[bytes]
    names_in: int
    heads_in: int
    words_out: int
    names_out: int
    heads_out: int
    place_out: bool
    number_out: bool
    places: list[bytes]
    numbers: list[bytes]
    cost: int  # bytes of postings


def _plan(
    report: Report,
    words: list[tuple[int, str, bytes]],
    by_place: dict[str, bytes],
    by_number: dict[int, bytes],
    smallest: int,
    config: LinkConfig,
) -> _Plan | None:
    """The terms to take candidates from, or None when none can be left out.

    A report shares terms with a candidate it can link to; the terms with the longest postings
    (generic words, a common toll figure) are left out as long as sharing only them stays below
    the threshold (:func:`_tail_bound`). Places and figures are left out all or none (the bonus
    counts once), so the four combinations are tried and the one with the fewest postings kept.
    ``words``: (length, word, postings) of the report's words in its date window, longest first
    (:meth:`OpenEvents._word_postings`).
    """
    limit = config.threshold - _MARGIN
    places = [ids for p in report.place_names if (ids := by_place.get(p)) is not None]
    numbers = [ids for n in report.numbers if (ids := by_number.get(n)) is not None]
    size = len(report.words)
    # a name is among the words (``_names``); one that is not could be shared all the same;
    # headline words are among the words too (report_of) and earn a bonus of their own
    heads = frozenset(report.headline)
    loose = len(report.names - report.words)
    loose_heads = len(heads - report.words)
    best: _Plan | None = None
    for place_out in (False, True) if places else (False,):
        for number_out in (False, True) if numbers else (False,):
            if (
                _tail_bound(0, loose, loose_heads, place_out, number_out, size, smallest, config)
                >= limit
            ):
                continue
            kept: list[bytes] = []
            n_out, k_out, h_out, k_in, h_in = 0, loose, loose_heads, 0, 0
            for i, (_, word, ids) in enumerate(words):
                name = word in report.names
                head = word in heads
                k, h = k_out + name, h_out + head
                if (
                    _tail_bound(n_out + 1, k, h, place_out, number_out, size, smallest, config)
                    < limit
                ):
                    n_out, k_out, h_out = n_out + 1, k, h
                elif name or head:
                    kept.append(ids)
                    k_in += name
                    h_in += head
                else:
                    # the bound grows with every word left out: no later one can be
                    for _, rest, ids in words[i:]:
                        kept.append(ids)
                        k_in += rest in report.names
                        h_in += rest in heads
                    break
            cost = sum(map(len, kept))
            if not place_out:
                cost += sum(map(len, places))
            if not number_out:
                cost += sum(map(len, numbers))
            if best is None or cost < best.cost:
                best = _Plan(
                    words=kept,
                    names_in=k_in,
                    heads_in=h_in,
                    words_out=n_out,
                    names_out=k_out,
                    heads_out=h_out,
                    place_out=place_out,
                    number_out=number_out,
                    places=[] if place_out else places,
                    numbers=[] if number_out else numbers,
                    cost=cost,
                )
    return best


def _day(t: datetime) -> int:
    return t.astimezone(UTC).date().toordinal()


class OpenEvents:
    """The open events of one routing key, with an index of their reports by day."""

    def __init__(
        self, config: LinkConfig | None = None, *, prune: bool = True, always_screen: bool = False
    ) -> None:
        """``prune=False`` scores every report in the date window (the reference the pruned
        candidates are tested against; same links, slower). ``always_screen`` takes the
        postings even where scanning the window would cost less, so that a test puts every
        report through them (a parameter, not a patched method: the class may be compiled)."""
        self.config = config or LinkConfig()
        self._reports: dict[str, Report] = {}
        self._event_of: dict[str, str] = {}
        self._events: dict[str, _Event] = {}
        # day ordinal -> report ids: dates stated by the text, publication dates, and fetch days
        # of every report and of those with no date
        self._stated: dict[int, set[str]] = {}
        self._published: dict[int, set[str]] = {}
        self._by_arrival: dict[int, set[str]] = {}
        self._undated: dict[int, set[str]] = {}
        # Postings (term -> serial numbers of the reports that have it, packed as 8-byte ints) of
        # content words, places and toll figures, for the candidates that can reach the
        # threshold (see _retrieve). Bytes, not sets or lists of ids: most words of a key are in
        # one or two reports, and bytes are small and are not containers the garbage collector
        # walks (hundreds of thousands of lists or arrays made its full collections cost a
        # third of the time). A report is added once per term, so a serial is there once.
        self._serial: dict[str, int] = {}
        self._next_serial = 0
        # serial -> (report, 0 stated / 1 published / 2 undated, its day in that index, arrival
        # day, word count): the day index's windows as a test on one report (see _screen)
        self._slots: dict[int, tuple[Report, int, int, int, int]] = {}
        # Word postings by day, as the day indexes hold the reports (0: stated date, 1: publication
        # date, 2: undated, by fetch day): a report takes those of its date window only. Postings
        # of the whole key made the screen visit every report of the key for each generic word
        # kept, three to five times the window on the bench (see _word_postings).
        self._by_day: tuple[dict[int, dict[str, bytes]], ...] = ({}, {}, {})
        self._by_place: dict[str, bytes] = {}
        self._by_number: dict[int, bytes] = {}
        # how many indexed reports have a word set of each size (the smallest bounds the cosine)
        # and the reports with fewer than _SMALL words, always screened (see _retrieve)
        self._sizes: Counter[int] = Counter()
        self._small: set[int] = set()
        self._prune = prune and _can_prune(self.config)
        self._always_screen = always_screen
        #: how many reports took their candidates from the postings (_screen): for tests
        self.screened = 0
        self.watermark: datetime | None = None

    def __len__(self) -> int:
        return len(self._events)

    # -- public ----------------------------------------------------------------------------------

    def add(self, article: TaggedArticle) -> list[EventRecord]:
        """Link one report; return the events it opened, updated or merged as new revisions."""
        report = report_of(article, self.config)
        if report is None:
            return []
        old = self._reports.get(report.id)
        if old is not None and old.fingerprint == report.fingerprint:
            return []
        if old is not None:
            self._unindex(old)
        self._index(report)
        if self.watermark is None or report.time > self.watermark:
            self.watermark = report.time
        matches = self._fitting(report, self._matches(report))
        if old is not None:
            home = self._events[self._event_of[report.id]]
            others = {eid: m for eid, m in matches.items() if eid != home.id}
            best = matches.get(home.id, (0.0, ["a later version of the report"]))
            decision = LinkDecision(
                article_id=report.id,
                action="merged" if others else "joined",
                score=best[0],
                reasons=["updated report", *best[1]],
            )
            return self._join(home.id, others, decision, new=False)
        if not matches:
            event = _Event(id="ev-" + stable_id(report.key, report.id))
            self._events[event.id] = event
            self._event_of[report.id] = event.id
            event.members.append(report.id)
            event.links.append(
                LinkDecision(
                    article_id=report.id,
                    action="opened",
                    reasons=["no open event of " + report.key + " scores enough"],
                )
            )
            return [self._publish(event)]
        ranked = sorted(matches.items(), key=lambda kv: (-kv[1][0], kv[0]))
        target = self._survivor([eid for eid, _ in ranked])
        score, reasons = matches[target]
        others = {eid: m for eid, m in matches.items() if eid != target}
        if others:
            reasons = [*reasons, "bridges " + ", ".join(sorted(others))]
        decision = LinkDecision(
            article_id=report.id,
            action="merged" if others else "joined",
            score=score,
            reasons=reasons,
        )
        return self._join(target, others, decision, new=True)

    def prune(self, before: datetime) -> list[EventRecord]:
        """Close the events whose event time (their latest report's date) is before ``before``."""
        closed = []
        for event in list(self._events.values()):
            latest = max(self._reports[a].time for a in event.members)
            if latest < before:
                event.status = "closed"
                closed.append(self._publish(event))
                for aid in event.members:
                    self._unindex(self._reports.pop(aid))
                    del self._event_of[aid]
                del self._events[event.id]
        return closed

    def records(self) -> list[EventRecord]:
        """The current revision of every open event (not bumped), for the offline command."""
        return [self._record(e) for e in self._events.values()]

    def to_json(self) -> dict[str, Any]:
        """The whole state as JSON-ready data (the shell's table value)."""
        return {
            "version": 1,
            "config": {f.name: getattr(self.config, f.name) for f in fields(LinkConfig)},
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "reports": [r.to_json() for r in self._reports.values()],
            "events": [e.to_json() for e in self._events.values()],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], config: LinkConfig | None = None) -> OpenEvents:
        """Rebuild the state :meth:`to_json` gave; ``config`` (when given) replaces the stored
        one, so a changed setting applies to restored state too."""
        if config is None:
            known = {f.name for f in fields(LinkConfig)}
            config = LinkConfig(**{k: v for k, v in d.get("config", {}).items() if k in known})
        self = cls(config)
        self.watermark = datetime.fromisoformat(d["watermark"]) if d.get("watermark") else None
        for r in d["reports"]:
            report = Report.from_json(r)
            self._reports[report.id] = report
            self._index(report)
        for e in d["events"]:
            event = _Event.from_json(e)
            self._events[event.id] = event
            for aid in event.members:
                self._event_of[aid] = event.id
        return self

    # -- internals -------------------------------------------------------------------------------

    def _date_index(self, report: Report) -> dict[int, set[str]]:
        return self._stated if report.dated_by == "event" else self._published

    def _index(self, report: Report) -> None:
        rid = report.id
        self._reports[rid] = report
        arrival = _day(report.arrival)
        serial = self._serial[rid] = self._next_serial
        self._next_serial += 1
        size = len(report.words)
        if report.date is not None:
            day = report.date.toordinal()
            self._date_index(report).setdefault(day, set()).add(rid)
            kind = 0 if report.dated_by == "event" else 1
        else:
            self._undated.setdefault(arrival, set()).add(rid)
            kind, day = 2, arrival
        self._slots[serial] = (report, kind, day, arrival, size)
        self._by_arrival.setdefault(arrival, set()).add(rid)
        _post(self._by_day[kind].setdefault(day, {}), report.words, serial)
        _post(self._by_place, report.place_names, serial)
        _post(self._by_number, report.numbers, serial)
        self._sizes[size] += 1
        if size < _SMALL:
            self._small.add(serial)

    def _unindex(self, report: Report) -> None:
        rid = report.id
        if report.date is not None:
            _discard(self._date_index(report), report.date.toordinal(), rid)
        else:
            _discard(self._undated, _day(report.arrival), rid)
        _discard(self._by_arrival, _day(report.arrival), rid)
        serial = self._serial.pop(rid)
        _, kind, day, _, _ = self._slots.pop(serial)
        self._small.discard(serial)
        words = self._by_day[kind][day]
        _unpost(words, report.words, serial)
        if not words:
            del self._by_day[kind][day]
        _unpost(self._by_place, report.place_names, serial)
        _unpost(self._by_number, report.numbers, serial)
        size = len(report.words)
        self._sizes[size] -= 1
        if not self._sizes[size]:
            del self._sizes[size]

    def _candidates(self, report: Report) -> list[str]:
        """Members that may be close enough in time (:func:`pair_score` checks exactly)."""
        wide = math.ceil(self.config.published_window_days)
        narrow = math.ceil(self.config.window_days)
        found: list[str] = []
        arrival = _day(report.arrival)
        if report.date is not None:
            base = report.date.toordinal()
            # two stated dates must be within window_days; a publication date is looser
            stated = narrow if report.dated_by == "event" else wide
            for d in range(base - stated, base + stated + 1):
                found.extend(self._stated.get(d, ()))
            for d in range(base - wide, base + wide + 1):
                found.extend(self._published.get(d, ()))
            # members with no date are compared by fetch time (instants: one day more)
            for d in range(arrival - wide - 1, arrival + wide + 2):
                found.extend(self._undated.get(d, ()))
        else:
            for d in range(arrival - wide - 1, arrival + wide + 2):
                found.extend(self._by_arrival.get(d, ()))
        return [aid for aid in found if aid != report.id]

    def _window_size(self, report: Report) -> int:
        """How many reports :meth:`_candidates` would return (plus the report itself)."""
        wide = math.ceil(self.config.published_window_days)
        narrow = math.ceil(self.config.window_days)
        arrival = _day(report.arrival)
        spans: list[tuple[dict[int, set[str]], int, int]]
        if report.date is not None:
            base = report.date.toordinal()
            stated = narrow if report.dated_by == "event" else wide
            spans = [
                (self._stated, base, stated),
                (self._published, base, wide),
                (self._undated, arrival, wide + 1),
            ]
        else:
            spans = [(self._by_arrival, arrival, wide + 1)]
        total = 0
        for index, mid, half in spans:
            if len(index) <= 2 * half + 1:
                total += sum(len(ids) for d, ids in index.items() if abs(d - mid) <= half)
            else:
                total += sum(len(index.get(d, ())) for d in range(mid - half, mid + half + 1))
        return total

    def _retrieve(self, report: Report) -> Iterable[str]:
        """The candidates that can score the threshold: those of :meth:`_candidates` that share
        a rare enough term with the report, or the window's reports when that is not fewer.

        Exact (the same links as scoring every candidate): the report's terms are split into
        common ones (the longest postings) and the rest such that a report sharing only common
        terms scores below the threshold at most (:func:`_tail_bound`, worked out from
        :func:`pair_score`); only reports in the postings of the rest are scored. Settings under
        which the bound would not hold (a negative bonus or penalty) scan the window.
        """
        window = 10**9 if self._always_screen else self._window_size(report)
        if not self._prune or window < 16:
            return self._candidates(report)
        # A pair's cosine is bounded by the other report's word count; a few very short reports
        # (a title alone) would make that bound useless for all, so they are screened always
        # and the bound takes the smallest of the others.
        smallest = min((n for n in self._sizes if n >= _SMALL), default=_SMALL)
        words = self._word_postings(report)
        plan = _plan(report, words, self._by_place, self._by_number, smallest, self.config)
        if plan is None or plan.cost + len(self._small) * _SERIAL.size >= (
            _CHEAPER * window * _SERIAL.size
        ):
            return self._candidates(report)
        self.screened += 1
        return self._screen(report, plan)

    def _word_postings(self, report: Report) -> list[tuple[int, str, bytes]]:
        """(length, word, postings) of the report's words that reports of its date window
        have, longest first: the postings of :meth:`_candidates`' days (for a report with no
        date, which is compared with every report by fetch day, of every day)."""
        buckets: list[dict[str, bytes]] = []
        if report.date is None:
            for index in self._by_day:
                buckets.extend(index.values())
        else:
            wide = math.ceil(self.config.published_window_days)
            narrow = math.ceil(self.config.window_days)
            base = report.date.toordinal()
            arrival = _day(report.arrival)
            stated = narrow if report.dated_by == "event" else wide
            for index, mid, half in (
                (self._by_day[0], base, stated),
                (self._by_day[1], base, wide),
                (self._by_day[2], arrival, wide + 1),
            ):
                if len(index) <= 2 * half + 1:
                    buckets.extend(b for d, b in index.items() if abs(d - mid) <= half)
                else:
                    for d in range(mid - half, mid + half + 1):
                        bucket = index.get(d)
                        if bucket is not None:
                            buckets.append(bucket)
        out: list[tuple[int, str, bytes]] = []
        if len(buckets) == 1:
            only = buckets[0]
            for w in report.words:
                ids = only.get(w)
                if ids is not None:
                    out.append((len(ids), w, ids))
        else:
            for w in report.words:
                parts = [ids for b in buckets if (ids := b.get(w)) is not None]
                if parts:
                    joined = parts[0] if len(parts) == 1 else b"".join(parts)
                    out.append((len(joined), w, joined))
        out.sort(reverse=True)
        return out

    def _screen(self, report: Report, plan: _Plan) -> Iterator[str]:
        """The reports in the plan's postings and the window whose bound reaches the threshold.

        The window is :meth:`_candidates`' as a test on one report. A report's bound
        (:func:`_tail_bound`) counts the rare words it shares (its count in the postings) plus
        every word left out, its actual word count, a shared place or figure only when it shares
        one or they were left out, and the pair's date term when both are dated.
        """
        shared: Counter[int] = Counter(_serials(plan.words))
        places = set(_serials(plan.places))
        numbers = set(_serials(plan.numbers))
        wide = math.ceil(self.config.published_window_days)
        narrow = math.ceil(self.config.window_days)
        arrival = _day(report.arrival)
        if report.date is None:
            # every member is compared by its fetch day, as an undated one is below
            kinds, base, stated = (2, 2, 2), 0, 0
        else:
            kinds = (0, 1, 2)
            base = report.date.toordinal()
            stated = narrow if report.dated_by == "event" else wide
        slots = self._slots
        config = self.config
        heads = frozenset(report.headline)
        limit = self.config.threshold - _MARGIN
        size = len(report.words)
        own = self._serial[report.id]  # the report is indexed before it is linked
        top = max(config.same_day_bonus, 0.0)
        for serial in shared.keys() | places | numbers | self._small:
            if serial == own:
                continue
            other, kind, day, fetched, words = slots[serial]
            kind = kinds[kind]
            if kind == 0:
                if abs(day - base) > stated:
                    continue
            elif kind == 1:
                if abs(day - base) > wide:
                    continue
            elif abs(fetched - arrival) > wide + 1:
                continue
            # both dated (kind 2 is an undated report, or any when this one has no date): the
            # date term of the pair, from the day in the slot (two reports days apart earn less
            # than the same-day bonus the postings' bound takes)
            date = _date_term(report, other, abs(day - base), config) if kind != 2 else top
            count = shared.get(serial, 0)
            bound_words = count + plan.words_out
            bound = _tail_bound(
                bound_words,
                plan.names_out + min(count, plan.names_in),
                plan.heads_out + min(count, plan.heads_in),
                plan.place_out or serial in places,
                plan.number_out or serial in numbers,
                size,
                words,
                config,
                date,
                # a name earns the place bonus only when one of the two has places (_share_place)
                bool(report.place_names) != bool(other.place_names),
            )
            if (
                bound >= limit
                and _pair_bound(report, heads, other, bound_words, config, limit) >= limit
            ):
                yield other.id

    def _matches(self, report: Report) -> dict[str, tuple[float, list[str]]]:
        """Best (score, reasons) per event that has a member scoring the threshold."""
        best: dict[str, tuple[float, str]] = {}
        threshold = self.config.threshold
        low = threshold - _MARGIN
        for aid in self._retrieve(report):
            raw = _raw_score(report, self._reports[aid], self.config)
            if raw is None or raw < low:
                continue
            score = round(raw, 4)
            if score < threshold:
                continue
            eid = self._event_of[aid]
            # ties go to the smaller member id, so the reasons do not depend on set order
            if eid not in best or (score, best[eid][1]) > (best[eid][0], aid):
                best[eid] = (score, aid)
        return {
            eid: (score, [f"with {aid}", *explain(report, self._reports[aid], self.config)])
            for eid, (score, aid) in best.items()
        }

    def _fitting(
        self, report: Report, matches: dict[str, tuple[float, list[str]]]
    ) -> dict[str, tuple[float, list[str]]]:
        """The matched events that can be one event with the report, best score first.

        One close pair is not enough to put two reports in one event when the rest of the event
        says otherwise: every dated report of the result must lie within the window of every
        other (a strike on the 26th and one on the 29th stay two events, even when an undated
        report resembles both). Tolls are not compared: a toll rises from the first report to
        the last, often tenfold.
        """
        group = [report]
        out: dict[str, tuple[float, list[str]]] = {}
        for eid in sorted(matches, key=lambda e: (-matches[e][0], e)):
            members = [self._reports[a] for a in self._events[eid].members]
            if _fits(group, members, self.config):
                out[eid] = matches[eid]
                group.extend(members)
        return out

    def _survivor(self, ids: list[str]) -> str:
        return min(ids, key=lambda eid: (-len(self._events[eid].members), eid))

    def _join(
        self,
        target: str,
        others: dict[str, tuple[float, list[str]]],
        decision: LinkDecision,
        new: bool,
    ) -> list[EventRecord]:
        survivor = self._events[target]
        out: list[EventRecord] = []
        if new:
            survivor.members.append(decision.article_id)
            self._event_of[decision.article_id] = survivor.id
        for eid in sorted(others):
            gone = self._events.pop(eid)
            gone.status, gone.merged_into = "merged", survivor.id
            for aid in gone.members:
                self._event_of[aid] = survivor.id
            survivor.members.extend(gone.members)
            survivor.links.extend(gone.links)
            out.append(self._publish(gone))
        survivor.links.append(decision)
        del survivor.links[: -self.config.links]
        return [self._publish(survivor), *out]

    def _publish(self, event: _Event) -> EventRecord:
        event.revision += 1
        return self._record(event)

    def _record(self, event: _Event) -> EventRecord:
        reports = sorted((self._reports[a] for a in event.members), key=lambda r: (r.arrival, r.id))
        return build_record(
            event.id, event.revision, reports, event.links, event.status, event.merged_into
        )


def _lower_median(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def combine_tolls(tolls: Iterable[Toll]) -> Toll:
    """The event's toll from its reports': low = lowest, high = highest, best = lower median."""
    tolls = list(tolls)
    bests = [t.best for t in tolls if t.best is not None]
    lows = [t.low if t.low is not None else t.best for t in tolls if t.best is not None]
    highs = [t.high if t.high is not None else t.best for t in tolls if t.best is not None]
    if not bests:
        return _NO_TOLL
    low = min(x for x in lows if x is not None)
    best = _lower_median(bests)
    high = max(x for x in highs if x is not None)
    # Toll is frozen: events with the same figures share one (fewer objects for the cyclic
    # GC to walk, and model_construct, slow for what it does, runs once per distinct toll)
    tolls_made = _TOLLS
    made = tolls_made.get((low, best, high))
    if made is None:
        if len(tolls_made) > _TOLLS_KEPT:
            tolls_made.clear()  # a bound on the memory of a long-running worker
        # the reports' tolls are validated already: their min, median and max are ints too
        made = tolls_made[(low, best, high)] = Toll.model_construct(low=low, best=best, high=high)
    return made


_TOLLS: Final[dict[tuple[int, int, int], Toll]] = {}
_TOLLS_KEPT: Final = 10_000


def _count(values: Iterable[Any]) -> dict[Any, int]:
    """``Counter(values)`` as a plain dict (same order): Counter's construction was a few per
    cent of an add, in build_record."""
    counts: dict[Any, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


def build_record(
    event_id: str,
    revision: int,
    reports: list[Report],
    links: list[LinkDecision],
    status: Literal["open", "merged", "closed"] = "open",
    merged_into: str | None = None,
) -> EventRecord:
    """The ``event/1`` record of an event with these reports (in arrival order)."""
    n = len(reports)
    votes = _count(c for r in reports for c in r.countries)
    keys = {r.key for r in reports}
    # Countries most reports agree on; the routing key is where the event was filed anyway.
    countries = [c for c in votes if c in keys or 2 * votes[c] >= n]
    kinds = _count(r.kind for r in reports if r.kind)
    kind = min(
        kinds,
        key=lambda k: (-kinds[k], KIND_ORDER.index(k) if k in KIND_ORDER else 9),
        default=None,
    )
    places: dict[str, Mention] = {}
    for r in reports:
        for p in r.places:
            places.setdefault(p.name, p)
    theaters = _count(r.theater for r in reports if r.theater)
    dates = _count(r.date for r in reports if r.dated_by == "event" and r.date)
    dates = dates or _count(r.date for r in reports if r.date)
    date = min(dates, key=lambda d: (-dates[d], d)) if dates else None
    sources: list[str] = []
    for r in reports:
        if r.source not in sources:
            sources.append(r.source)
    signals = {s for r in reports for s in r.signals}
    title = next((r.title for r in reports if r.title), "")
    fetched = [r.arrival for r in reports]
    seen = [r.seen for r in reports]
    # Every part is already a validated model or a plain value: skip pydantic's validation,
    # which took most of the time of an add() (bench/linking.py).
    return EventRecord.model_construct(
        id=event_id,
        revision=max(revision, 1),
        status=status,
        merged_into=merged_into,
        title=title,
        kind=kind,
        reaction=2 * sum(r.reaction for r in reports) > n,
        articles=[r.id for r in reports],
        sources=sources,
        countries=countries,
        places=list(places.values()),
        theater=min(theaters, key=lambda t: (-theaters[t], t)) if theaters else None,
        killed=combine_tolls(r.killed for r in reports),
        wounded=combine_tolls(r.wounded for r in reports),
        signals=[s for s in SIGNAL_TYPES if s in signals],
        score=max((r.score for r in reports), default=0.0),
        date=date,
        # when its reports say it happened (published, else fetched), as the article rules
        # place an article: a replayed old report is placed in its own time
        first_seen=min(seen),
        last_seen=max(seen),
        evidence=[e for r in reports for e in r.evidence][:9],
        links=list(links),
        first_fetched=min(fetched),
    )


class Linker:
    """One :class:`OpenEvents` per routing key, as the event agent's table holds them.

    For the offline command, the scorer and the benchmark; the agent keeps the same per-key
    state in its Faust table instead.
    """

    def __init__(self, config: LinkConfig | None = None) -> None:
        self.config = config or LinkConfig()
        self.keys: dict[str, OpenEvents] = {}

    def add(self, article: TaggedArticle) -> list[EventRecord]:
        """Route ``article`` to its key's open events; [] when it has no routing key."""
        key = routing_key(article)
        if key is None:
            return []
        events = self.keys.get(key)
        if events is None:
            events = self.keys[key] = OpenEvents(self.config)
        return events.add(article)

    def records(self) -> list[EventRecord]:
        """The current record of every open event, key by key."""
        return [r for key in sorted(self.keys) for r in self.keys[key].records()]

    def __len__(self) -> int:
        return sum(len(e) for e in self.keys.values())
