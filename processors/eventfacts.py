"""The article's main event told from its background: which casualty counts and places are its own.

A news report tells one event (the strike, the bombing, the ceasefire) and usually more: the attack
it answers, earlier attacks in the same place, a war's total dead, another attack elsewhere. The
signal rules (``strikes``, ``casualties``) find every strike and every count; this module gives each
strike and casualty cue a relation to the report's main event and keeps the main one's facts:

- ``cumulative``: a total over a war or period ("killed since the war began", "so far this year");
- ``earlier`` / ``other``: a sentence dated before the event ("last month", "in 2015", "a week
  ago") or telling another event ("in a separate attack"); a strike right after "after",
  "following" ("came after repeated attacks");
- ``reacted_to``: the event answered ("in response to a drone attack that killed three troops");
  a casualty right after such a strike ("an attack that killed ...") belongs to it;
- ``main``: the rest.

Action places are the gazetteer places a main cue governs through a preposition of place ("strikes
on X", "killed in Y", "in the northern city of Z"): a place named with no such preposition is an
actor or a nationality ("the US carried out", "Iranian-backed", "three American troops", "flew from
the US", a dateline). The main event's killed/wounded: per sentence the distinct stated counts add
up (LABELING.md); across sentences the figure of the latest update ("the toll rose to 10") wins,
else the largest of the title and lead (restatements, subsets and rising tolls are the common
cases; later figures of short reports are mostly background), unless a later sentence names the
event back with a larger one; a range keeps both ends. Word lists are data:
``patterns/events.json``.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from processors.casualties import Count
from processors.nlp import PATTERNS, PLACES_KEY, load_gazetteer
from processors.quantities import read_number, word_value
from processors.reader import Found, Reader

PLACE_KINDS = frozenset({"country", "city", "region", "waterway"})
PARTY_KINDS = frozenset({"country", "armed_group", "force", "city"})
EVENT_TYPES = ("strike", "casualties")
#: kinds of a report about what someone says of an attack: its toll is the attack's
STATEMENT_KINDS = ("retaliation_pledge", "threat")
KIND_ORDER = ("strike", "casualties", "deescalation", "retaliation_pledge", "threat")
RANGE_LINKS = frozenset({"and", "to", "or", "-", "–"})
#: the title and the first body sentences: where a report tells its main event
LEAD = 3
#: how many main sentences are searched for the event's date
TIME_SENTENCES = 6
#: the title and lead's figure wins over a larger one told later, unless that one's sentence
#: names the event back ('were killed in the chemical attack'): later figures of short reports
#: are mostly another day's, another place's or a period's (facts10)
LEAD_FIRST = True
#: how far after a figure 'in the attack' may stand to name the event back
NAMED_BACK_REACH = 6
#: how many sentences after the toll's last statement an attackers-only count is still the
#: event's (see _attackers_after)
ATTACKER_REACH = 3
#: how far after a figure noun ('a figure the UN said it could not confirm') its check may come
UNCONFIRMED_REACH = 8
#: nouns that name a figure besides FIGURE_WORDS when a report doubts it ('the number', 'claims')
FIGURE_NAMES = frozenset({"number", "numbers", "claim", "claims"})


@cache
def words(path: Path = PATTERNS / "events.json") -> dict[str, tuple[tuple[str, ...], ...]]:
    """The lists of ``events.json`` as token tuples ("cease-fire" → cease, -, fire)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for key, values in data.items():
        if key.startswith("_"):
            continue
        phrases = []
        for value in values:
            tokens: list[str] = []
            for part in value.lower().split():
                pieces = part.split("-")
                for n, piece in enumerate(pieces):
                    if n:
                        tokens.append("-")
                    if piece:
                        tokens.append(piece)
            phrases.append(tuple(tokens))
        out[key] = tuple(phrases)
    return out


def _singles(key: str) -> frozenset[str]:
    return frozenset(p[0] for p in words()[key] if len(p) == 1)


ACTION_PREPS = _singles("ACTION_PREPS")
PLACE_SKIP = _singles("PLACE_SKIP")
PLACE_NOUNS = _singles("PLACE_NOUNS")
REACT = _singles("REACT")
REACT_LINKS = _singles("REACT_LINKS")
BEFORE_EVENT = _singles("BEFORE_EVENT")
THAT = _singles("THAT")
CUMULATIVE_BLOCK = _singles("CUMULATIVE_BLOCK")
#: talks and their meetings: a place they are held in or named by is their venue (not the
#: fiction-venue words of lexicon.json's VENUE_NOUNS, which processors/reader.py reads)
TALKS_NOUNS = frozenset(
    {"talks", "negotiations", "summit", "meeting", "meetings", "conference", "meet", "met"}
)
#: superlatives that name a record however far back in its clause (not 'first', 'most': those
#: begin many a total's clause, 'the first 300 killed since')
RECORD_SUPERLATIVES = frozenset({"deadliest", "worst", "bloodiest", "heaviest"})
#: how far back in its clause a record's superlative reaches a period phrase
RECORD_REACH = 14
UPDATE = _singles("UPDATE")
BLOCK_PREPS = _singles("BLOCK_PREPS")
PEOPLE_NOUNS = _singles("PEOPLE_NOUNS")
HEDGE = _singles("HEDGE")
MEDIATION = _singles("MEDIATION")
CONTINUES = words()["CONTINUES"]
SOURCE_VERBS = _singles("SOURCE_VERBS")
SPEAKER_VERBS = _singles("SPEAKER_VERBS")
REACT_VERBS = _singles("REACT_VERBS")
LAUNCH_VERBS = _singles("LAUNCH_VERBS")
SEAT_NOUNS = _singles("SEAT_NOUNS")
PREVIOUS_WORDS = _singles("PREVIOUS_WORDS")
#: prepositions of a place phrase between a strike and the verb it is the subject of
SUBJECT_PREPS = frozenset({"in", "at", "on", "near", "outside", "inside"})
FIGURE_WORDS = _singles("FIGURE_WORDS")
#: tokens that end a clause when a rule scans back from a figure or a cue
CLAUSE_BREAKS = frozenset({",", ";", "—", "–"})
ATTACKER_NOUNS = _singles("ATTACKER_NOUNS")
ATTACKER_ONE = _singles("ATTACKER_ONE")
#: verbs of a revision: the figure they take with 'of' is the one replaced
REVISING = frozenset({"revising", "revised", "revise", "revises", "correcting", "corrected"})
#: the auxiliary or adverb right before a passive killing of a share of the attackers
PASSIVE_BEFORE = frozenset({"were", "been", "also", "later", "reportedly"})
#: adverbs between "was" and a passive killing ('was also killed', 'was later shot dead')
PASSIVE_ADVERBS = frozenset({"also", "later", "reportedly", "then", "eventually"})
MONTH_NAMES = _singles("MONTHS")
#: 'two weeks after', 'days after': the time between an earlier strike and this one
SPAN_UNITS = frozenset(
    {"hours", "days", "weeks", "months", "years", "day", "week", "month", "year"}
)
SPAN_PLURALS = frozenset({"days", "weeks", "months", "years"})
#: 'a figure that could not be confirmed': verbs of checking a count
CHECK_VERBS = frozenset({"confirmed", "verified", "corroborated", "confirm", "verify"})
#: words that end a verb's object on the way to a strike ('answered questions about the attack')
OBJECT_ENDS = frozenset(
    {"about", "over", "to", "for", "of", "on", "in", "at", "with", "from", "by", "after", "into"}
)


@dataclass
class Place:
    """A gazetteer place named in the text: canonical name, kind, country, tokens, own text."""

    name: str
    kind: str
    country: str | None
    start: int
    end: int
    text: str
    #: action_role's answer, once asked (None: not yet)
    acting: bool | None = None


@dataclass
class TollRange:
    """A count with both ends: ``low``/``best``/``high`` (all None when nothing is stated)."""

    low: int | None = None
    best: int | None = None
    high: int | None = None


@dataclass
class EventDraft:
    """What the text says of its main event, before the tagger adds the publication date."""

    kind: str | None = None
    reaction: bool = False
    countries: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    killed: TollRange = field(default_factory=TollRange)
    wounded: TollRange = field(default_factory=TollRange)
    #: time expressions of the first main sentence that has any ("on Sunday", "June 5")
    times: list[str] = field(default_factory=list)


def sentence_relation(r: Reader, k: int, published_year: int | None = None) -> str:
    """The relation every cue of sentence ``k`` has unless a cue-level reading says otherwise.

    Precedence: a total ('since the war began') over an earlier date ('last month', an older
    year) over another event ('in a separate attack'). The phrases come as cues from the pipeline's
    matcher (``processors.nlp.event_cues``).
    """
    sent = r.sents[k]
    cues = sent.cues
    if k > 0 and _continues(r, sent.start):
        return sentence_relation(r, k - 1, published_year)
    for start, _end in cues.get("EV_CUMULATIVE", ()):
        if any(r.lower(j) in CUMULATIVE_BLOCK for j in range(max(sent.start, start - 8), start)):
            continue  # 'the deadliest attack since 2017': a record, not a total
        if _record_in_clause(r, sent.start, start):
            continue
        return "cumulative"
    if _days_of_violence(r, k):
        return "cumulative"
    for _start, end in cues.get("TOLL", ()):
        if r.lower(end) == "in" and end + 1 in r.entity and not _attack_named(r, k, end + 1):
            return "cumulative"  # 'the death toll in Gaza has climbed to 197': a place's total
    for start, end in cues.get("EV_EARLIER", ()):
        if _record_since(r, k, start):
            continue
        if not _previous_figure(r, k, start) and not _revised_toll_of(r, k, start, end):
            return "earlier"
    if k >= LEAD and _month_opening(r, sent.start):
        return "earlier"
    if published_year is not None:
        for start, _end in cues.get("EV_YEAR", ()):
            if int(r.lower(start)) < published_year and not _record_year(r, k, start):
                return "earlier"  # 'on October 2, 2015' in a 2021 report
    if "EV_OTHER" in cues:
        return "other"
    if "EV_LATER" in cues and "TOLL" not in cues:
        # 'three weeks later, killing an officer': a later event, unless the sentence updates
        # this one's toll ('died weeks later, taking the toll to 51')
        span = range(sent.start, sent.end)
        if not any(r.lower(i) in UPDATE and r.lower(i) != "later" for i in span):
            return "other"
    for label in ("STRIKE", "STRIKE_WEAK"):
        for start, _end in cues.get(label, ()):
            # 'another drone strike', 'a separate attack': not this event
            if any(
                r.lower(j) in ("another", "separate")
                for j in range(max(sent.start, start - 3), start)
            ):
                return "other"
    return "main"


def _days_of_violence(r: Reader, k: int) -> bool:
    """'the two days of bombings have now killed more than 50', 'five days of clashes killed 43':
    dead counted over days of attacks or fighting are a total of several events
    (EVENTS-LABELING.md), not the toll of the one the report tells."""
    sent = r.sents[k]
    heads = {
        s
        for label in ("STRIKE", "STRIKE_WEAK", "VIOLENCE")
        for s, _e in sent.cues.get(label, ())
    }
    return any(
        r.lower(i) in SPAN_PLURALS
        and r.lower(i + 1) == "of"
        and any(j in heads for j in range(i + 2, min(i + 5, sent.end)))
        for i in range(sent.start, sent.end - 2)
    )


def _record_in_clause(r: Reader, lo: int, start: int) -> bool:
    """'the deadliest single attack on the army in the region this year': a superlative further
    back than the usual eight tokens still makes the period a record's, not a total's, as long as
    no clause break stands between them (a total's own clause may follow a record's)."""
    lo = max(lo, start - RECORD_REACH)
    return _back_in_clause(r, start, lo, RECORD_SUPERLATIVES, CLAUSE_BREAKS | {":"})


def _record_since(r: Reader, k: int, start: int) -> bool:
    """'one of the deadliest attacks on the city since the RSF encircled it more than a year
    ago': the time dates what a record is counted from, inside the record's 'since' clause, not
    the sentence's event (whose day, 'on Friday', the sentence tells too)."""
    lo = r.sents[k].start
    for s, _e in r.sents[k].cues.get("EV_CUMULATIVE", ()):
        if (
            lo <= s < start
            and not any(r.lower(j) in CLAUSE_BREAKS for j in range(s, start))
            and _record_in_clause(r, lo, s)
        ):
            return True
    return False


def _record_year(r: Reader, k: int, start: int) -> bool:
    """'making it the deadliest attack on Britons since the London transport bombings of July
    2005': the year dates the older event a record is set against, which the sentence tells no
    casualties of, not the sentence. With a killing after it ('since the truck bombing of
    October 2017 killed 587') the older event has its dead there, and the sentence stays earlier
    (the dead would be counted for this event otherwise)."""
    if not _record_in_clause(r, r.sents[k].start, start):
        return False
    cues = r.sents[k].cues
    return not any(s > start for label in ("KILL", "DEATH") for s, _e in cues.get(label, ()))


def _back_in_clause(
    r: Reader, start: int, lo: int, words: frozenset[str], breaks: frozenset[str]
) -> bool:
    """One of ``words`` stands between ``lo`` and ``start`` with no ``breaks`` token after it."""
    for i in range(start - 1, lo - 1, -1):
        low = r.lower(i)
        if low in breaks:
            return False
        if low in words:
            return True
    return False


def _month_opening(r: Reader, start: int) -> bool:
    """'In November, a suicide bombing at Quetta's railway station killed 26': below the lead, a
    sentence that opens with a bare month (no day) goes back to an earlier event; reports date
    their own event by its day ('on Tuesday', 'on 11 March'). 'In late November' too.
    """
    i = start
    if r.lower(i) != "in":
        return False
    i += 1
    if r.lower(i) in ("early", "late", "mid", "mid-"):
        i += 1
    if r.lower(i) == "-":
        i += 1
    if r.lower(i) not in MONTH_NAMES or i + 1 >= r.n:
        return False
    return r.lower(i + 1) == "," or r.doc[i + 1].like_num


def _continues(r: Reader, start: int) -> bool:
    """The sentence opens with 'Then,' or 'At the time': it goes on in the time before it."""
    first = r.lower(start)
    for phrase in CONTINUES:
        if phrase[0] == first and all(
            r.lower(start + n) == word for n, word in enumerate(phrase[1:], 1)
        ):
            return True
    return False


def _previous_figure(r: Reader, k: int, start: int) -> bool:
    """'rose to 68, up from 58 a day earlier': the earlier time dates the old figure, not the event.

    The time phrase right after 'from' and a number (up to three number tokens).
    """
    i = start - 1
    lo = max(r.sents[k].start, start - 4)
    while i >= lo and word_value(r.lower(i)) is not None:
        i -= 1
    if i < start - 1 and r.lower(i) == "from":
        return True
    return _figure_given_then(r, k, start)


def _figure_given_then(r: Reader, k: int, start: int) -> bool:
    """'revising down a figure of 70 that local officials had given a day earlier': the time
    phrase closes a clause about an old figure ('a figure of 70', 'the toll of 21'), so it dates
    that figure, not the event. A figure noun, 'of' and a number in the same clause, at most
    twelve tokens before the time."""
    lo = max(r.sents[k].start, start - 12)
    for i in range(start - 1, lo - 1, -1):
        if r.lower(i) in (",", ";", "—", "–", ":"):
            return False
        if (
            r.lower(i) in FIGURE_WORDS
            and r.lower(i + 1) == "of"
            and word_value(r.lower(i + 2)) is not None
        ):
            return True
    return False


def _revised_toll_of(r: Reader, k: int, start: int, end: int) -> bool:
    """'revised the death toll from last week's attacks ... to 172': the time names the attack
    whose toll the report updates now; it does not date the sentence.

    A possessive time phrase right after a toll phrase and 'from'/'of'/'in', and an update word in
    the sentence ('Last week's bombing killed 40' and 'the toll from last week's bombing stood at
    40' stay earlier).
    """
    if r.lower(end) not in ("'s", "’s"):
        return False
    sent = r.sents[k]
    tolls = sent.cues.get("TOLL", ())
    if not any(e == start - 1 and r.lower(e) in ("from", "of", "in") for _s, e in tolls):
        return False
    return any(r.lower(i) in UPDATE for i in range(sent.start, sent.end))


def _attack_named(r: Reader, k: int, place: int) -> bool:
    """'the death toll in Kabul school bombing': the place names an attack, the toll is its own.

    A strike cue within three tokens after the place's name (not 'the toll in Gaza has ...').
    """
    j = place
    while j in r.entity:
        j += 1
    cues = r.sents[k].cues
    return any(
        j <= s < j + 3 for label in ("STRIKE", "STRIKE_WEAK") for s, _e in cues.get(label, ())
    )


def _reacted(r: Reader, k: int, start: int) -> bool:
    """'in response to a drone attack', 'retaliation for the bombing': the answered event."""
    lo = max(r.sents[k].start, start - 16)
    for i in range(start - 1, lo - 1, -1):
        low = r.lower(i)
        if low in (",", ";", "—", "–", ":"):
            return False  # 'In response, Israel struck Gaza': the answer, not what it answers
        if low in REACT and r.lower(i + 1) in REACT_LINKS:
            return True
        if low in ("avenge", "avenging"):
            return True
        if low in REACT_VERBS and start - i <= 4:
            # 'the operation answered Monday's shelling': the strike is the verb's object
            return not any(r.lower(j) in OBJECT_ENDS for j in range(i + 1, start))
    return False


def _since_when(r: Reader, k: int, start: int) -> bool:
    """'the deadliest attack on the capital since 31 July, when a strike killed 31': the clause
    that 'since' and its time open with ', when' tells the earlier event the record is set
    against, its strike and its dead."""
    lo = r.sents[k].start
    for i in range(start - 1, lo, -1):
        low = r.lower(i)
        if low in (";", "—", "–"):
            return False
        if low == "when" and r.lower(i - 1) == ",":
            return any(r.lower(j) == "since" for j in range(max(lo, i - 8), i - 1))
    return False


def _before_event(r: Reader, k: int, start: int) -> bool:
    """'came after repeated attacks', 'following the bombing': an event before this one.

    Not when the sentence told casualties first: '149 are dead after a suicide bomber detonated
    a truck' gives the cause of this event's dead.
    """
    # the strike's name may stand between ('ten days after the La Belle disco bombing')
    lo = max(r.sents[k].start, start - 6)
    hits = [i for i in range(lo, start) if r.lower(i) in BEFORE_EVENT]
    if not hits or any(r.lower(i) in ("killed", "were", "was") for i in range(lo, start)):
        return False
    # a clause break between 'after' and the strike ends its reach; one before it does not
    # ('the third attack in 18 months, after the Paris attacks that killed 130')
    if any(r.lower(i) in (",", ";") for i in range(hits[-1], start)):
        return False
    if r.lower(hits[-1] - 1) in SPAN_UNITS:
        # 'killing nineteen people, two weeks after a bombing at the same spot killed 75': a
        # span of time before 'after' dates the strike back from this one, told first or not
        return True
    harm = r.harm_tokens(k)
    return not any(i in harm for i in range(r.sents[k].start, hits[0]))


def cue_relations(
    r: Reader, found: list[Found], published_year: int | None = None
) -> tuple[dict[tuple[int, int], str], dict[int, str]]:
    """Relation of each strike and casualty cue (keyed by its tokens) and of each sentence."""
    sentence: dict[int, str] = {}
    relations: dict[tuple[int, int], str] = {}
    strikes: dict[int, list[tuple[int, int, str]]] = {}
    #: every strike so far by its head word: 'killed in the attacks' points back at one
    heads: dict[str, str] = {}
    last: tuple[int, int, str] | None = None  # the last casualty cue: sentence, end, relation
    for kind, k, start, end, _attrs in sorted(found, key=lambda f: f[2]):
        if kind not in EVENT_TYPES:
            continue
        if k not in sentence:
            sentence[k] = sentence_relation(r, k, published_year)
        rel = sentence[k]
        if rel == "earlier" and _before_dated_strike(r, k, end, found):
            rel = "main"
        if _reacted(r, k, start):
            rel = "reacted_to"
        elif rel == "main" and _since_when(r, k, start):
            rel = "earlier"
        elif kind == "strike" and rel == "main" and _before_event(r, k, start):
            rel = "earlier"
        elif kind == "casualties" and rel == "main":
            rel = _inherited(r, k, start, end, strikes.get(k, []))
            if rel == "main" and last is not None and _coordinated(r, k, last, start):
                rel = last[2]  # 'which killed two people and wounded about 230': one clause
            if rel == "main":
                rel = _pointed_back(r, k, end, heads)
            if rel == "main" and _after_subject(r, k, start, strikes.get(k, [])):
                rel = "earlier"
        if kind == "strike":
            strikes.setdefault(k, []).append((start, end, rel))
            heads[r.lower(end - 1)] = rel
        else:
            last = (k, end, rel)
        relations[(start, end)] = rel
    for k in _follow_up(r, found, relations, sentence):
        # the report's own attack, told by the day it happened: its cues are the main event's
        sentence[k] = "main"
        for kind, j, start, end, _attrs in found:
            if j == k and kind in EVENT_TYPES and relations.get((start, end)) == "earlier":
                relations[(start, end)] = "main"
    return relations, sentence


def _follow_up(
    r: Reader, found: list[Found], relations: dict[tuple[int, int], str], sentence: dict[int, str]
) -> list[int]:
    """'150 died in last week's bombing', 'The number of people killed in last week's assault on
    Zamzam camp has risen to more than 400': a follow-up names its attack by the time it
    happened, a possessive of an earlier time, which would make it an earlier event; when the
    lead (below a headline) tells no attack of its own, that attack is the report's, so its
    sentences in the title and lead are the main event's. A lead with a strike of its own ('Jets
    struck Gaza on Monday, a week after last week's bombing killed 40') keeps the earlier one.
    """
    lead = range(min(LEAD, len(r.sents)))
    if any(
        kind == "strike"
        and k in lead
        and not (k == 0 and r.headline)
        and relations.get((start, end)) in ("main", "earlier")
        and not _named_by_its_time(r, k, start)
        for kind, k, start, end, _attrs in found
    ):
        # 'Suicide bombers struck a funeral ..., days after last week's truck bombing': the
        # lead's own strike, whatever its sentence's relation
        return []
    return [
        k
        for k in lead
        if sentence.get(k) == "earlier"
        and any(r.lower(e) in ("'s", "’s") for _s, e in r.sents[k].cues.get("EV_EARLIER", ()))
    ]


def _named_by_its_time(r: Reader, k: int, start: int) -> bool:
    """The strike word at ``start`` follows a possessive earlier time within four tokens: 'last
    week's truck bombing', 'last week's paramilitary assault'."""
    return any(
        r.lower(e) in ("'s", "’s") and e < start <= e + 4
        for _s, e in r.sents[k].cues.get("EV_EARLIER", ())
    )


def _after_subject(r: Reader, k: int, start: int, strikes: list[tuple[int, int, str]]) -> bool:
    """'Jets struck the port on Saturday, a day after a Houthi drone killed a man in Tel Aviv':
    the killing verb follows 'after' and its subject, a noun phrase that is no strike cue of its
    own, while this sentence's strike was told before 'after': the dead are the earlier event's.
    Not '20 people were killed after gunmen attacked' (no strike told before 'after') nor 'struck
    the port after midnight, killing three' (a clause break before the killing)."""
    lo = max(r.sents[k].start, start - 6)
    hits = [i for i in range(lo, start) if r.lower(i) in BEFORE_EVENT]
    if not hits or not any(s_end <= hits[-1] and rel == "main" for _s, s_end, rel in strikes):
        return False
    between = range(hits[-1] + 1, start)
    return len(between) > 0 and all(
        r.doc[i].is_alpha
        and r.lower(i) not in ("killed", "were", "was", "and", "that", "which")
        or r.lower(i) in ("-", "'s", "’s")
        for i in between
    )


def _before_dated_strike(r: Reader, k: int, end: int, found: list[Found]) -> bool:
    """The earlier-time phrase of sentence ``k`` dates another strike told after this cue and a
    comma: 'American warplanes bombed targets in Tripoli on Tuesday, in what Reagan called a
    reply to terrorism, including the bombing of a discotheque ten days earlier'. Not 'a car
    bomb that hit the market ten days earlier' (no clause break: one strike)."""
    sent = r.sents[k]
    if sent.start < end and _continues(r, sent.start):
        return False
    phrases = [s for s, _e in sent.cues.get("EV_EARLIER", ())]
    if not phrases or min(phrases) <= end:
        return False
    at = min(phrases)
    for kind, k2, s2, _e2, _attrs in found:
        if kind == "strike" and k2 == k and end < s2 < at:
            if any(r.lower(i) in (",", ";") for i in range(end, s2)):
                return True
    return False


def _lead_relations(relations: dict[tuple[int, int], str], found: list[Found]) -> list[str]:
    """The relations of the title's and lead's cues: a report frames its event as an answer
    there ('strikes in response to the drone attack'); a motive claimed further down ('a
    spokesman said the attack was revenge for the army's offensive') does not make the
    massacre a reaction."""
    return [relations[(f[2], f[3])] for f in found if f[1] < LEAD and (f[2], f[3]) in relations]


def _coordinated(r: Reader, k: int, last: tuple[int, int, str], start: int) -> bool:
    """The casualty cue at ``start`` is joined by 'and' to the one before, in one clause
    ('which killed two people and wounded about 230'), so it tells the same event's harm."""
    k0, end0, rel0 = last
    if k0 != k or rel0 == "main" or start - end0 > 6:
        return False
    between = [r.lower(i) for i in range(end0, start)]
    return "and" in between and not any(w in (",", ";", "while", "but") for w in between)


def _relation_of(r: Reader, k: int, known: dict[int, str], published_year: int | None) -> str:
    """``sentence_relation``, each sentence read once."""
    got = known.get(k)
    if got is None:
        got = known[k] = sentence_relation(r, k, published_year)
    return got


def _pointed_back(r: Reader, k: int, end: int, heads: dict[str, str]) -> str:
    """'... were killed in the attacks': the dead of the last strike told with that word."""
    j = end
    while j < min(r.sents[k].end, end + 3) and r.lower(j) != "in":
        j += 1
    if r.lower(j) != "in" or r.lower(j + 1) not in ("the", "that", "those", "these"):
        return "main"
    return heads.get(r.lower(j + 2), "main")


def _inherited(r: Reader, k: int, start: int, end: int, strikes: list[tuple[int, int, str]]) -> str:
    """A casualty takes the relation of the strike it describes.

    'a drone attack that killed three' (the strike just before, a relative word between) and
    'killed in that attack' (a demonstrative strike just after) are that strike's dead.
    """
    if strikes:
        s_start, s_end, rel = strikes[-1]
        between = [r.lower(i) for i in range(s_end, start)]
        if (
            rel != "main"
            and len(between) <= 8
            and any(w in ("that", "which") for w in between)
            # a comma that opens the relative clause ('the bombing in Berlin, which killed')
            # does not end it
            and not any(
                w in (",", ";") and between[n + 1 : n + 2] != ["which"]
                for n, w in enumerate(between)
            )
        ):
            return rel
        if rel != "main" and _strike_subject(between):
            return rel  # 'after a truck bomb in the city killed 350': the strike did the killing
    for j in range(end, min(r.sents[k].end, end + 3)):
        if r.lower(j) in THAT and r.lower(j - 1) == "in":
            return "earlier"
    return "main"


def _strike_subject(between: list[str]) -> bool:
    """The strike is the killing verb's subject: nothing or one place phrase between them.

    'a truck bomb killed 350', 'a truck bomb in the city killed 350'; not 'a truck bomb in the
    city; police said 23 were killed' nor 'after the bombing, gunmen killed 23'.
    """
    if not between:
        return True
    return (
        between[0] in SUBJECT_PREPS
        and len(between) <= 5
        and not any(w in (",", ";", "and", "but", "as", "when", "while") for w in between)
    )


@cache
def _facts(name: str) -> tuple[str, str | None]:
    """Kind and country of a gazetteer name, looked up once per name."""
    record = load_gazetteer()[name]
    kind = record["kind"]
    return kind, record["country"] or (name if kind == "country" else None)


def _places(r: Reader) -> list[Place]:
    """The gazetteer's matches; their text is read only for those the event keeps (it is slow)."""
    out = []
    for name, start, end in r.doc.user_data.get(PLACES_KEY, ()):
        kind, country = _facts(name)
        out.append(Place(name, kind, country, start, end, ""))
    return out


def _text(r: Reader, start: int, end: int) -> str:
    """The text of tokens ``start..end`` (a few tokens: a Span is cheap)."""
    return r.doc[start:end].text


def _demonym(r: Reader, place: Place) -> bool:
    """'Iranian', 'Afghans': a people's name, not the place's ('US' and 'Gaza Strip' are places)."""
    if place.kind != "country" or place.end - place.start != 1:
        return False
    low = r.lower(place.start)
    return (
        low != place.name.lower()
        and low.endswith(("ian", "ians", "ese", "ish", "i", "is", "an", "ans"))
        and not r.doc[place.start].is_upper
    )


def _names_people(r: Reader, place: Place) -> bool:
    """'US troops', 'three American soldiers', 'Iran's foreign ministry': its people or state."""
    after = r.lower(place.end)
    if after in ("-", "–"):
        return True  # 'Iran-backed', 'Saudi-led'
    if after in ("'s", "’s", "'", "’"):
        # 'Azerbaijan's second-largest city of Ganja' is a place, 'Tehran's elite' an actor;
        # 'the worst attack in Spain's (modern) history': the record is where it happened
        return not any(
            r.lower(j) in PLACE_NOUNS or r.lower(j) == "history"
            for j in range(place.end + 1, place.end + 5)
        )
    if after in PEOPLE_NOUNS or (r.doc[place.start - 1].like_num if place.start else False):
        return True
    if place.kind == "country" and _strike_word(r, place.end):
        return True  # 'killed in U.S. raids', 'Israeli air strikes': the attacker's name
    if after in ("and", ",", "or") and _list_names_people(r, place.end):
        return True  # 'hit U.S. and French forces in Beirut': the list's noun is its people
    return _demonym(r, place) and not (
        after in PLACE_NOUNS or r.lower(place.end + 1) in PLACE_NOUNS
    )


def _strike_word(r: Reader, i: int) -> bool:
    """A strike cue starts at token ``i`` ('raids', 'air strikes')."""
    k = _sentence_of([s.start for s in r.sents], i)
    if not 0 <= k < len(r.sents) or i >= r.sents[k].end:
        return False
    cues = r.sents[k].cues
    return any(s == i for label in ("STRIKE", "STRIKE_WEAK") for s, _e in cues.get(label, ()))


def _list_names_people(r: Reader, i: int) -> bool:
    """The places listed from token ``i`` on ('and French', ', British and Irish') end in a
    people noun ('forces', 'troops')."""
    while r.lower(i) in ("and", ",", "or") and i + 1 in r.entity:
        i += 1
        while i in r.entity:
            i += 1
    return r.lower(i) in PEOPLE_NOUNS


def action_role(r: Reader, place: Place, lo: int) -> bool:
    """``_action_role``, read once per place."""
    if place.acting is None:
        place.acting = _action_role(r, place, lo)
    return place.acting


def _action_role(r: Reader, place: Place, lo: int) -> bool:
    """The place is where something happened: governed by a preposition of place.

    'strikes on Iranian-linked forces in Iraq and Syria' → Iraq, Syria; 'in a remote area of
    Niger', 'on Azerbaijan's second-largest city' → yes; 'the US carried out', 'Iran-backed',
    'Tehran's elite', 'flew from the US', 'three American troops', 'in Kyiv as Russia' → no.
    ``lo``: the sentence's first token.
    """
    if _names_people(r, place) or _border_of(r, place):
        return False
    i = place.start - 1
    free = 0
    of_noun = False  # passed 'the port of': names before that noun only describe it
    while i >= lo and free <= 2:
        low = r.lower(i)
        if low in ("and", ",", "or") and i - 1 in r.entity:  # 'in Iraq, Syria and Jordan'
            i -= 1
            while i >= lo and i in r.entity:
                i -= 1
            continue
        if low in PLACE_SKIP:  # 'in the northern city'
            i -= 1
            continue
        if low == "of":  # 'the city of', 'a remote area of' continue; 'the president of' ends
            if not any(r.lower(j) in PLACE_NOUNS for j in range(max(lo, i - 3), i)):
                return False
            of_noun = True
            i -= 1
            continue
        if low in ACTION_PREPS:
            # 'Russia's top diplomat in Brussels': where the office sits
            return not _launch_site(r, i, lo) and not (
                low == "in" and r.lower(i - 1) in SEAT_NOUNS
            )
        if of_noun and i in r.entity and low not in BLOCK_PREPS:
            # 'struck the Red Sea port of Hodeidah', 'the Houthi-held port of Hodeidah': a name
            # before the place noun describes the port; the place is Hodeidah
            name = r.entity[i]
            while i >= lo and r.entity.get(i) == name:
                i -= 1
            continue
        if low in BLOCK_PREPS or i in r.entity:
            return False
        if of_noun and i > lo and _strike_word(r, i) and r.doc[i].is_lower:
            # 'three Russian missiles struck the centre of Chernihiv': the place a strike verb
            # hits as its object is where it happened, as 'on' or 'in' would say
            return True
        tok = r.doc[i]
        if low == "-" and of_noun:  # 'Houthi-held': one word
            i -= 1
            continue
        if not (tok.is_alpha or low in ("'s", "’s", "-")):
            return False  # a clause ends: the place is not governed by what came before
        free += 1  # an adjective or a name on the way: 'in a remote area', 'in Yagha province'
        i -= 1
    return False


def _border_of(r: Reader, place: Place) -> bool:
    """'near Afghan border', 'close to the Pakistan frontier': a border has two sides, so the
    country that names it does not say on which the event happened; the report's other places
    do. Not 'the Afghan border town of Torkham', where a place noun follows: the town is named.
    """
    if place.kind != "country":
        return False
    j = place.end
    # 'near Niger and Burkina Faso borders': each country of the pair names a border (facts10)
    while j < place.end + 6 and (r.lower(j) in ("and", "or", ",") or j in r.entity):
        j += 1
    if r.lower(j) not in ("border", "frontier", "borders", "frontiers"):
        return False
    return r.lower(j + 1) not in PLACE_NOUNS


def _launch_site(r: Reader, prep: int, lo: int) -> bool:
    """'flying from bases in Italy': the place of a 'from' phrase is where the force came from.

    'from' one to three words before the preposition, none of them a place preposition or a
    comma ('rockets fired from ships hit homes in Ashkelon': the homes are the target), after a
    verb of departure ('pulled bodies from the rubble in Gaza' keeps Gaza).
    """
    for i in range(prep - 1, max(lo, prep - 4) - 1, -1):
        low = r.lower(i)
        if low == "from":
            # after a verb of departure: 'pulled bodies from the rubble in Gaza' keeps Gaza
            before = {r.lower(j) for j in range(max(lo, i - 2), i)}
            return i < prep - 1 and not before.isdisjoint(LAUNCH_VERBS)
        if low in ACTION_PREPS or not r.doc[i].is_alpha:
            return False
    return False


def _sentence_of(starts: list[int], token: int) -> int:
    return bisect_right(starts, token) - 1


def attribute(
    r: Reader, found: list[Found], counts: list[Count], published_year: int | None = None
) -> EventDraft:
    """Mark each strike and casualty signal's relation (attrs) and return the main event.

    ``published_year``: a sentence naming an older year tells an earlier event.
    """
    relations, sentence = cue_relations(r, found, published_year)
    starts = [s.start for s in r.sents]
    draft = EventDraft()
    # casualty attrs and the counts of the main event
    cue_rel: dict[int, str] = {s: rel for (s, _e), rel in relations.items()}
    places = _places(r)
    place_by_sent: dict[int, list[Place]] = {}
    for p in places:
        place_by_sent.setdefault(_sentence_of(starts, p.start), []).append(p)
    time_cache: dict[int, list[tuple[int, int]]] = {}
    for kind, k, start, end, attrs in found:
        if kind not in EVENT_TYPES:
            continue
        rel = relations.get((start, end), "main")
        if kind == "casualties":
            attrs["event"] = rel
            lo = r.sents[k].start
            named = [
                p
                for p in place_by_sent.get(k, [])
                if p.kind in PLACE_KINDS and action_role(r, p, lo)
            ]
            if named:
                attrs["place"] = named[0].name
            times = time_cache.get(k)
            if times is None:
                times = time_cache[k] = _times(r, k)
            if times:
                a, b = times[0]
                attrs["time"] = _text(r, a, b)
    main_counts: list[tuple[Count, str]] = []
    for c in counts:
        if c.count is None:
            continue
        rel = (
            cue_rel.get(c.cue, "main")
            if c.cue >= 0
            else _relation_of(r, c.sent, sentence, published_year)
        )
        main_counts.append((c, rel))
    # kind: what the title and lead tell first, else the first event-type signal of the main
    # event, else the first statement
    main_found = [
        f for f in found if f[0] not in EVENT_TYPES or relations.get((f[2], f[3])) == "main"
    ]
    main_found.sort(key=lambda f: f[2])
    in_lead = [f for f in main_found if f[1] < LEAD]
    if in_lead:
        draft.kind = in_lead[0][0]
    else:
        for kind in KIND_ORDER:
            if any(f[0] == kind for f in main_found):
                draft.kind = kind
                break
    draft.reaction = (
        draft.kind == "deescalation"
        or any(rel == "reacted_to" for rel in _lead_relations(relations, found))
        or _reaction_words(r, [f[1] for f in main_found if f[0] in EVENT_TYPES][:2])
    )
    # action places: governed by a place preposition in a sentence with a main cue
    main_sents = sorted({f[1] for f in main_found if f[0] in EVENT_TYPES})
    if draft.kind not in EVENT_TYPES:
        main_sents = sorted({f[1] for f in main_found})
    # the title and lead tell the main event even where they hold no cue ('missiles have fallen
    # across Ukraine'), unless they are dated before it
    lead = [
        k
        for k in range(min(LEAD, len(r.sents)))
        if _relation_of(r, k, sentence, published_year) == "main"
    ]
    if draft.kind in EVENT_TYPES:
        main_sents = sorted(set(main_sents) | set(lead))
    chosen: list[Place] = []
    for k in main_sents:
        for p in place_by_sent.get(k, []):
            if p.kind not in PLACE_KINDS and draft.kind in EVENT_TYPES:
                continue
            governing = _governing(relations, p.start, k, found)
            if governing != "main":
                continue
            if draft.kind in EVENT_TYPES and not action_role(r, p, r.sents[k].start):
                continue
            if draft.kind not in EVENT_TYPES and not _party(r, p, r.sents[k].start):
                continue
            chosen.append(p)
    if not chosen and draft.kind not in EVENT_TYPES:
        # a statement without a named party: where the text's lead places it
        main_sents = sorted(set(main_sents) | set(lead))
        for k in main_sents:
            lo = r.sents[k].start
            chosen += [
                p
                for p in place_by_sent.get(k, [])
                if p.kind in PLACE_KINDS and action_role(r, p, lo)
            ]
    if not chosen:
        chosen = _fallback(r, main_sents, place_by_sent)
    if chosen:
        # the first sentence that places the main event says where it happened; a later place in
        # another country is background ('a spate of bombings that have left 30 dead in Kabul')
        first = _sentence_of(starts, chosen[0].start)
        where = {p.country for p in chosen if _sentence_of(starts, p.start) == first}
        chosen = [p for p in chosen if p.country in where]
    seen: set[str] = set()
    for p in chosen:
        if p.country and p.country not in seen:
            seen.add(p.country)
            draft.countries.append(p.country)
    named_places: set[str] = set()
    for p in chosen:
        if p.kind != "country" and p.name not in named_places:
            named_places.add(p.name)
            p.text = "".join(r.doc[i].text_with_ws for i in range(p.start, p.end)).rstrip()
            draft.places.append(p)
    # the first main sentence near the top that has a time dates the event ('on Sunday' and the
    # published date); further down, times mostly belong to the story's background
    for k in main_sents[:TIME_SENTENCES]:
        spans = time_cache.get(k)
        if spans is None:
            spans = _times(r, k)
        if spans and draft.kind in STATEMENT_KINDS:
            # a vow's or threat's report tells the attack it answers (EVENTS-LABELING.md): 'the
            # Houthis promised on Friday to answer deadly US air strikes' dates the promise,
            # so only the attack's own day ('Thursday's strikes') dates the event
            spans = [span for span in spans if _names_attack_day(r, k, span[1])]
        if spans:
            spans = sorted(
                spans,
                key=lambda span: not (
                    _names_attack_day(r, k, span[1]) or _in_attack_clause(r, k, span[0])
                ),
            )
            draft.times.extend(_text(r, a, _with_year(r, b)) for a, b in spans)
            break
    # a truce has no dead of its own: theirs are the war's. A vow or a threat is no physical
    # event: its report tells the attack it answers ('vows punishment as Garissa toll reaches
    # 148'), whose toll is the report's (EVENTS-LABELING.md), also when told as the vow's cause
    # ('vows revenge for the attack that killed 25')
    own = ("main",) if draft.kind in EVENT_TYPES else ("main", "reacted_to")
    if draft.kind in EVENT_TYPES or draft.kind in STATEMENT_KINDS:
        # counts placed only in other countries ('44 dead in Istanbul' in a Baghdad story) are
        # another event's, once the main event's countries are known
        elsewhere = _elsewhere(r, place_by_sent, set(draft.countries))
        kept = [c for c, rel in main_counts if rel in own and c.sent not in elsewhere]
        cities = _cities(r, place_by_sent, {c.sent for c in kept})
        draft.killed = _toll(r, [c for c in kept if c.status == "killed"], cities)
        draft.wounded = _toll(r, [c for c in kept if c.status == "wounded"], cities)
    return draft


def _elsewhere(r: Reader, place_by_sent: dict[int, list[Place]], countries: set[str]) -> set[int]:
    """Sentences whose action places all lie outside ``countries`` (none if it is empty)."""
    if not countries:
        return set()
    out = set()
    for k, places in place_by_sent.items():
        lo = r.sents[k].start
        acting = {p.country for p in places if p.country and action_role(r, p, lo)}
        if acting and not acting & countries and not _toll_there(r, k):
            out.add(k)
    return out


def _toll_there(r: Reader, k: int) -> bool:
    """'In Dar es Salaam, police said the toll there stood at 10': the story's attack counted in a
    second place (bombings in two countries), not another event."""
    return any(r.lower(e) == "there" for _s, e in r.sents[k].cues.get("TOLL", ()))


def _party(r: Reader, place: Place, lo: int) -> bool:
    """A party to a statement event (truce, talks): 'between Israel and Hamas', 'Israel agreed'.

    Not a mediator ('brokered by Egypt', 'Egypt-brokered', 'mediator Egypt'), a time zone ('UK
    time') or a people or state named with its officials ('US President Joe Biden').
    """
    if place.kind not in PARTY_KINDS or _names_people(r, place):
        return False
    if r.lower(place.end) in ("time", "mediators", "mediator"):
        return False
    if _talks_venue(r, place, lo):
        return False
    return not any(r.lower(i) in MEDIATION for i in range(max(lo, place.start - 2), place.start))


def _talks_venue(r: Reader, place: Place, lo: int) -> bool:
    """Where talks are held hosts them, it is no party: 'after Doha talks', 'talks in Doha',
    'meet again in Istanbul' (facts10: the host is mostly the mediator as well)."""
    if r.lower(place.end) in TALKS_NOUNS:
        return True
    return (
        place.start - 2 >= lo
        and r.lower(place.start - 1) == "in"
        and r.lower(place.start - 2) in TALKS_NOUNS
    )


def _fallback(r: Reader, sents: list[int], place_by_sent: dict[int, list[Place]]) -> list[Place]:
    """No place governed by a preposition: the country named most in the main sentences.

    Only names that may be the place count: not 'Iran-backed', 'Tehran's elite', 'American
    troops' or 'from the US'.
    """
    votes: dict[str, int] = {}
    first: dict[str, Place] = {}
    for k in sents:
        lo = r.sents[k].start
        for p in place_by_sent.get(k, []):
            if not p.country or p.kind not in PLACE_KINDS or not _may_be_place(r, p, lo):
                continue
            votes[p.country] = votes.get(p.country, 0) + 1
            first.setdefault(p.country, p)
    if not votes:
        return []
    best = max(votes.values())
    return [first[c] for c in first if votes[c] == best][:1]


def _may_be_place(r: Reader, place: Place, lo: int) -> bool:
    if _names_people(r, place) or r.lower(place.end) in SPEAKER_VERBS:
        return False  # 'in what Tehran called its revenge': the government speaks
    if _border_of(r, place):
        return False  # 'near Niger and Burkina Faso borders': either side (facts10)
    if place.kind == "country" and r.lower(place.end) in LAUNCH_VERBS:
        return False  # 'the missiles Iran launched the night before': the attacker
    i = place.start - 1
    while i > lo and r.lower(i) in ("and", "or", ",") and i - 1 in r.entity:
        # 'those of Niger and Burkina Faso': the preposition governs the whole list (facts10)
        i -= 1
        while i > lo and i in r.entity:
            i -= 1
    return i < lo or r.lower(i) not in BLOCK_PREPS


def _governing(
    relations: dict[tuple[int, int], str], token: int, k: int, found: list[Found]
) -> str:
    """Relation of the event cue nearest before ``token`` in sentence ``k`` (else after it)."""
    before = [(f[2], f[3]) for f in found if f[1] == k and f[0] in EVENT_TYPES and f[2] < token]
    if before:
        return relations.get(max(before), "main")
    after = [(f[2], f[3]) for f in found if f[1] == k and f[0] in EVENT_TYPES]
    if after:
        return relations.get(min(after), "main")
    return "main"


def _reaction_words(r: Reader, sents: list[int]) -> bool:
    return any("EV_REACTION" in r.sents[k].cues for k in sents)


def _cities(
    r: Reader, place_by_sent: dict[int, list[Place]], sents: set[int]
) -> dict[int, frozenset[str]]:
    """The cities each of ``sents`` places its figure in ('In Dar es Salaam, ... the toll')."""
    out = {}
    for k in sents:
        lo = r.sents[k].start
        named = frozenset(
            p.name for p in place_by_sent.get(k, []) if p.kind == "city" and action_role(r, p, lo)
        )
        if named:
            out[k] = named
    return out


def _other_cities(
    totals: list[tuple[int, int, bool]], best_sent: int, cities: dict[int, frozenset[str]]
) -> int:
    """Tolls of other cities of the same event, added to the main figure ('182 people had now died
    in Nairobi ... In Dar es Salaam, police said the toll there stood at 10' = 192): the largest
    figure of each sentence group placed only in cities the main figure's sentence does not name.
    Nothing when the main figure's sentence names no city."""
    seen = cities.get(best_sent)
    if not seen:
        return 0
    groups: dict[frozenset[str], int] = {}
    best = next(value for k, value, _update in totals if k == best_sent)
    for k, value, _update in totals:
        where = cities.get(k)
        if k < LEAD and value == best:
            # the title and lead restate the toll with another place name ('India names 26
            # dead in Pahalgam' over 'the toll in Jammu and Kashmir ... at 26'): no second city
            continue
        if where and where.isdisjoint(seen):
            groups[where] = max(groups.get(where, 0), value)
    added, taken = 0, set(seen)
    for where, value in groups.items():
        if where.isdisjoint(taken):
            added += value
            taken |= where
    return added


def _toll(
    r: Reader, counts: list[Count], cities: dict[int, frozenset[str]] | None = None
) -> TollRange:
    """One figure for the main event from its counts (see the module docstring).

    Per sentence the distinct counts add up. Across sentences: the latest update ('the toll
    rose to 10') if any; else the largest figure of the title and lead, where a report states its
    event's toll (later figures are more often background), or a larger later one whose sentence
    names the event back ('killed in the attack'); else the largest figure stated.
    Projections and claims ('could be up to 60') count only when nothing plain is stated.
    """
    if not counts:
        return TollRange()
    exact = [c for c in counts if not c.weak]
    if not exact:
        return TollRange(1, 1, 1)
    # a party's count of those it says it killed itself is its claim, which the report does not
    # adopt (EVENTS-LABELING.md): it never counts
    exact = [c for c in exact if not _own_claim(r, c)]
    if not exact:
        return TollRange()
    # a figure the report says it could not confirm counts only without any other
    confirmed = [c for c in exact if not _unconfirmed(r, c)]
    exact = confirmed or exact
    plain = [c for c in exact if not _hedged(r, c)]
    exact = plain or exact
    current = [c for c in exact if not _superseded(r, c)]
    exact = current or exact
    by_sent: dict[int, list[Count]] = {}
    for c in exact:
        by_sent.setdefault(c.sent, []).append(c)
    totals: list[tuple[int, int, bool]] = []  # sentence, total, update
    for k, group in sorted(by_sent.items()):
        kept = _first_source([c for c in group if not c.subset] or group, r)
        values: list[int] = []
        for c in kept:
            if c.count is not None and (c.count not in values or c.extra):
                values.append(c.count)
        update = any(_updated(r, c) for c in group)
        if totals and any(_also(r, c) for c in kept):
            # '... also killed at least 60 Afghans': another group of the same event's dead
            k0, before, up0 = totals.pop()
            totals.append((k, before + sum(values), up0 or update))
            continue
        totals.append((k, sum(values), update))
    updates = [t for t in totals if t[2]]
    lead = [t for t in totals if t[0] < LEAD]
    if updates:
        chosen = updates[-1]
    elif lead and LEAD_FIRST:
        chosen = max(lead, key=lambda t: t[1])
        named = {c.sent for c in exact if c.sent >= LEAD and _names_event_back(r, c)}
        later = [t for t in totals if t[0] in named and t[1] > chosen[1]]
        if later:
            # the lead's figure was a part ('19 members of his family'); the later sentence
            # tells the whole toll of the event it names back ('80 ... killed in the attack')
            chosen = max(later, key=lambda t: t[1])
    else:
        chosen = max(totals, key=lambda t: t[1])
    best = chosen[1] + (_other_cities(totals, chosen[0], cities) if cities else 0)
    # the figure restated in the next sentences ('kills 32' in the title, 'At least 32 people
    # were killed' in the lead): the attackers are counted after its last statement
    told = chosen[0]
    for k, value, _update in totals:
        if told < k <= told + ATTACKER_REACH and value == chosen[1]:
            told = k
    if exact[0].status == "killed":  # the attackers' deaths: no wounded of theirs are read
        best += _attackers_after(r, chosen[0], told, by_sent)
    low = high = best
    if len(exact) == 1 or len(totals) == 1:
        c = exact[-1]
        other = _range_end(r, c)
        if other is not None and c.count is not None:
            low, high = min(c.count, other), max(c.count, other)
            best = low
    return TollRange(low, best, high)


def _names_event_back(r: Reader, c: Count) -> bool:
    """The count's dead are told as the report's own event's: 'were killed in the chemical
    attack', 'by the bombing'. Another event's come with its day, place or period instead
    ('killing 30 on Sept. 30', 'killed in Idlib this month', 'in a gunfight')."""
    sent = r.sents[c.sent]
    strikes = [s for label in ("STRIKE", "STRIKE_WEAK") for s, _e in sent.cues.get(label, ())]
    for j in range(c.pos + 1, min(sent.end - 1, c.pos + NAMED_BACK_REACH)):
        if r.lower(j) in ("in", "by") and r.lower(j + 1) == "the":
            return any(j + 2 <= s <= j + 3 for s in strikes)
    return False


def _attackers_after(r: Reader, k: int, told: int, by_sent: dict[int, list[Count]]) -> int:
    """'... revised the number of hostages killed to 26. All 33 attackers were killed when troops
    stormed the train': a sentence shortly after the chosen toll (sentence ``k``, restated up to
    sentence ``told``) that counts only the attackers, a group the toll did not hold
    (EVENTS-LABELING.md: distinct groups add up). Long reports tell the attackers' end a few
    sentences after the toll, past the siege ('Security forces ended the siege after several
    hours. Three attackers were shot dead'), so the first such sentence within
    ``ATTACKER_REACH`` sentences of the toll's last statement counts; further down an attackers'
    count is more often another attack told as background. A lead may tell the attackers' end
    before the toll ('declared an end to the siege, saying ... five of them had been shot dead.
    ... 61 civilians had been killed'): a share of them told there counts too. With no count of
    them, one attacker killed ('The gunman ... was killed by police', 'killing 27 people before
    he was shot dead') is one more, from the toll's own sentence on.

    Not when the toll's sentence counts attackers itself ('21 hostages, four soldiers and 33
    militants dead': they are in it already); 'Gunmen stormed a hotel' names them uncounted.
    """
    for j in range(k, told + 1):
        sent = r.sents[j]
        if any(
            r.lower(i) in ATTACKER_NOUNS
            and any(word_value(r.lower(x)) is not None for x in range(max(sent.start, i - 2), i))
            for i in range(sent.start, sent.end)
        ):
            return 0
    end = min(len(r.sents), told + 1 + ATTACKER_REACH)
    for j in range(told + 1, end):
        counted = _attackers_counted(r, j, by_sent.get(j, []))
        if counted:
            return counted
    for j in range(min(k, LEAD)):
        counted = _attackers_share(r, j)
        if counted:
            return counted
    if any(_one_attacker_dead(r, j) for j in range(k, end)):
        return 1
    return 0


def _attackers_counted(r: Reader, j: int, group: list[Count]) -> int:
    """The attackers' dead in sentence ``j`` when it counts no one else and they are the subject
    of the killing: 'All 33 attackers were killed', or a share of them ('Four of the attackers
    were also killed', 'killed two of the gunmen': ``_attackers_share``)."""
    share = _attackers_share(r, j)
    if share:
        return share
    kept = [c for c in group if not c.subset]
    values = [c.count for c in kept if c.count is not None]
    # the attackers as the subject of their death ('Three attackers were shot dead'); as the
    # object of a killing ('jets pounded hideouts, killing 57 militants') they are the dead of
    # another strike
    if values and all(r.lower(c.pos + 1) in ATTACKER_NOUNS and c.cue > c.pos for c in kept):
        return sum(values)
    return 0


def _attackers_share(r: Reader, j: int) -> int:
    """A number of the attackers killed, told as a share of them, which the count readers leave
    alone (they read 'four of the 20' as no count of people): 'Four of the attackers were also
    killed', 'five of them had been shot dead' (after 'the attackers' in the sentence) as the
    subject of a passive killing, or 'troops ... killed two of the gunmen' as its object. 'Of the'
    makes them this attack's attackers: a bare 'killing 57 militants' stays another strike's.
    """
    sent = r.sents[j]
    kills = sent.cues.get("KILL")
    if not kills:
        return 0
    for i in range(sent.start, sent.end - 3):
        value = word_value(r.lower(i))
        if value is None or r.lower(i + 1) != "of":
            continue
        group = r.lower(i + 2)
        if group in ("the", "their"):
            if r.lower(i + 3) not in ATTACKER_NOUNS:
                continue
            after = i + 4
        elif group == "them":
            if not any(r.lower(x) in ATTACKER_NOUNS for x in range(sent.start, i)):
                continue
            after = i + 3
        else:
            continue
        for s, e in kills:
            if e == i or (after <= s <= after + 4 and r.lower(s - 1) in PASSIVE_BEFORE):
                return value
    return 0


def _one_attacker_dead(r: Reader, j: int) -> bool:
    """One attacker as the subject of a passive killing in sentence ``j``: 'The gunman, a
    23-year-old student, was killed by police', 'the attacker was wearing a belt of explosives
    and was also killed', 'A gunman opened fire ..., killing 27 people before he was shot dead'.
    The noun with 'the' (this attack's one attacker), or 'he' after the noun with 'a' or 'the'
    in the sentence. Not 'the gunman killed 27 people' (he is the killer) nor 'the gunman's
    brother was killed' (a possessive names someone else)."""
    sent = r.sents[j]
    lo = sent.start
    for s, _e in sent.cues.get("KILL", ()):
        p = s - 1
        while p > lo and r.lower(p) in PASSIVE_ADVERBS:
            p -= 1
        if r.lower(p) != "was":
            continue
        before = r.lower(p - 1)
        if before == "he":
            if any(
                r.lower(t) in ATTACKER_ONE and r.lower(t - 1) in ("a", "the")
                for t in range(lo + 1, p - 1)
            ):
                return True
            continue
        if before == ",":  # an apposition between commas: 'The gunman, a 23-year-old, was'
            q = p - 2
            while q > max(lo, p - 16) and r.lower(q) not in CLAUSE_BREAKS:
                q -= 1
            if r.lower(q) == "," and _the_attacker(r, q - 1):
                return True
            continue
        if before == "and":  # 'the attacker was wearing a belt of explosives and was also killed'
            for t in range(p - 2, max(lo, p - 16), -1):
                if r.lower(t) in CLAUSE_BREAKS:
                    break
                if _the_attacker(r, t) and r.lower(t + 1) == "was":
                    return True
            continue
        if _the_attacker(r, p - 1):
            return True
    return False


def _the_attacker(r: Reader, i: int) -> bool:
    """Token ``i`` is 'the gunman', 'the attacker' (``ATTACKER_ONE`` after 'the')."""
    return r.lower(i) in ATTACKER_ONE and r.lower(i - 1) == "the"


def _superseded(r: Reader, c: Count) -> bool:
    """'far above the ministry's earlier count of 82 dead': a figure the text names as an old one.

    A figure noun ('count', 'toll', 'estimate') right after a word of the past ('earlier',
    'initial') within six tokens before the number, in its clause. Also the figure a revision
    replaces: 'revising down a toll of 68 given on Sunday' (a revising verb, then the figure noun,
    'of' and the number: 'revised the toll to 70' names the new one).
    """
    lo = max(r.sents[c.sent].start, c.pos - 6)
    for i in range(c.pos - 1, lo - 1, -1):
        low = r.lower(i)
        if low in CLAUSE_BREAKS:
            return False
        if low in FIGURE_WORDS and any(
            r.lower(j) in PREVIOUS_WORDS for j in range(max(lo, i - 3), i)
        ):
            return True
        if (
            low in FIGURE_WORDS
            and i + 2 == c.pos
            and r.lower(i + 1) == "of"
            and any(r.lower(j) in REVISING for j in range(max(lo, i - 4), i))
        ):
            return True
    return False


def _first_source(counts: list[Count], r: Reader) -> list[Count]:
    """Drop a sentence's figures that another source gives for the same dead.

    'Officially, 132 people were killed, but security sources say at least 160 were killed':
    after 'but' and a reporting verb, a later figure is an alternative, not another group. When
    the first figure is named as an earlier one ('A UN official had earlier spoken of 27 bodies,
    but the government said 19 hostages had been killed'), the figures after 'but' replace it.
    """
    if len(counts) < 2:
        return counts
    ordered = sorted(counts, key=lambda c: c.pos)
    out = [ordered[0]]
    replaced = False
    for c in ordered[1:]:
        between = {r.lower(i) for i in range(out[-1].pos + 1, c.pos)}
        if not replaced and "but" in between and not between.isdisjoint(SOURCE_VERBS):
            if _told_earlier(r, out[-1]):
                out, replaced = [c], True
            continue
        out.append(c)
    return out


def _told_earlier(r: Reader, c: Count) -> bool:
    """A word of the past before the count's number in its clause ('had earlier spoken of 27')."""
    lo = max(r.sents[c.sent].start, c.pos - 8)
    return _back_in_clause(r, c.pos, lo, PREVIOUS_WORDS, CLAUSE_BREAKS | {"but"})


def _updated(r: Reader, c: Count) -> bool:
    """'the toll rose to 10', 'has now reached 35': an update word shortly before the number.

    A toll phrase's figure also reads the words just before the phrase: 'revised the toll from
    the Easter Sunday bombings down to 253', 'cuts Easter death toll to 253'.
    """
    start = r.sents[c.sent].start
    lo = max(start, c.pos - 8)
    if c.cue < 0:
        for s, _e in r.sents[c.sent].cues.get("TOLL", ()):
            if s < c.pos:
                lo = min(lo, max(start, s - 3))
    return any(r.lower(i) in UPDATE for i in range(lo, c.pos))


def _also(r: Reader, c: Count) -> bool:
    """'also killed', 'were also wounded': the count adds a group to one told before."""
    if c.cue < 0:
        return False
    lo = max(r.sents[c.sent].start, c.cue - 4)
    return any(r.lower(i) == "also" for i in range(lo, c.cue))


def _hedged(r: Reader, c: Count) -> bool:
    """A hedge word shortly before the count's number, in its clause: 'could be up to 60'. Also
    another source's figure set against the report's: 'The Red Crescent gave a higher estimate of
    about 500 dead' (after 'the number of people killed had passed 400'), which the report does
    not adopt (EVENTS-LABELING.md)."""
    lo = max(r.sents[c.sent].start, c.pos - 10)
    for i in range(c.pos - 1, lo - 1, -1):
        low = r.lower(i)
        if low in CLAUSE_BREAKS:
            break
        if low in HEDGE:
            return True
        if low in FIGURE_WORDS and r.lower(i - 1) in ("higher", "larger"):
            return True
        if low in ("putting", "put", "puts") and r.lower(i - 1) in ("some", "others"):
            return True  # 'with some putting it at 500 or more': an unnamed source's claim
    # 'A civil defence official put the number higher, saying some 50 people had died': the
    # source set against the report's figure is named before its figure's clause
    sent = r.sents[c.sent]
    return any(
        r.lower(i) in ("higher", "lower")
        and r.lower(i - 1) in FIGURE_WORDS | FIGURE_NAMES
        and any(r.lower(j) in ("put", "puts", "putting", "placed") for j in range(i - 4, i - 1))
        for i in range(sent.start + 3, c.pos)
    )


def _own_claim(r: Reader, c: Count) -> bool:
    """'JNIM said it had killed about 300 members of the army', 'the group claimed to have killed
    30 soldiers': the speaker counts its own kills, a claim of the attacker.

    Right before the killing word: a speaker verb and 'it'/'they' (with 'had'/'has'/'have'), or
    'claimed'/'claims' and 'to have'. Not 'police said they had found 30 bodies' (no killing
    word) nor 'officials said 30 had been killed' (no pronoun: the dead are not the speaker's).
    """
    if c.cue < 0 or r.lower(c.cue) not in ("killed", "kill", "killing"):
        return False
    i = c.cue - 1
    if r.lower(i) == "have" and r.lower(i - 1) == "to":
        return r.lower(i - 2) in ("claimed", "claims", "claim")
    if r.lower(i) in ("had", "has", "have"):
        i -= 1
    if r.lower(i) in ("it", "they") and r.lower(i - 1) in SPEAKER_VERBS:
        return True
    return _fighters_claim(r, c)


def _fighters_claim(r: Reader, c: Count) -> bool:
    """'Islamic State said on Monday its fighters had seized Palma and killed 55 people': the
    speaker's own men ('its fighters', 'their members') are the active subject of the killing.

    In the killing's clause, at most twelve tokens back: a speaker verb (a time may follow it),
    then 'its'/'their' and a noun, 'had'/'have' and the verbs, the dead after the killing verb
    (its object), with no passive 'were', 'was' or
    'been' (not 'the group said its members were killed').
    """
    if c.pos <= c.cue:
        return False  # '55 people killed': the dead before the verb are no object of the men's
    lo = max(r.sents[c.sent].start, c.cue - 12)
    for i in range(c.cue - 1, lo, -1):
        low = r.lower(i)
        if low in (",", ";", "—", "–", ":", "were", "was", "been", "be"):
            return False
        if low in ("its", "their") and r.lower(i + 2) in ("had", "have", "has"):
            return any(r.lower(j) in SPEAKER_VERBS for j in range(max(lo, i - 5), i))
    return False


def _unconfirmed(r: Reader, c: Count) -> bool:
    """'as many as 600 people died, a figure that could not be confirmed', '..., which could not
    be independently verified': the report names the count as one it could not check.

    After the number in its sentence: 'not' and a verb of checking within three words, with a
    figure noun or 'which' between the number and 'not' ('600 died, but their names could not
    be confirmed' is about the names, not the count). The check may follow the figure noun by a
    speaker ('a figure the UN said it could not confirm'), come after 'but' when the figure is
    its subject ('put the number of dead at 80, but the figure could not be independently
    confirmed'), or open the next sentence ('A monitor said the toll was higher, at more than
    120. The figure could not be independently confirmed.': _next_unconfirmed).
    """
    if c.pos < 0:
        return False
    sent = r.sents[c.sent]
    end = min(sent.end, c.pos + 16)
    named = -1
    i = c.pos + 1
    while i < end:
        low = r.lower(i)
        if low == ";":
            return False
        if low == "but":
            if not _figure_subject(r, i + 1):
                return False
            end = min(sent.end, i + 1 + UNCONFIRMED_REACH)
        if named < 0 and (low in FIGURE_WORDS or low in FIGURE_NAMES or low == "which"):
            named = i
            end = max(end, min(sent.end, i + UNCONFIRMED_REACH))
        if low in ("not", "n't") and named >= 0:
            return any(r.lower(j) in CHECK_VERBS for j in range(i + 1, min(sent.end, i + 4)))
        i += 1
    return _next_unconfirmed(r, c.sent + 1)


def _figure_subject(r: Reader, i: int) -> bool:
    """'the figure', 'this number', 'the claim' at token ``i``: a figure noun as a clause's
    subject."""
    return r.lower(i) in ("the", "this", "that", "these", "those") and (
        r.lower(i + 1) in FIGURE_WORDS or r.lower(i + 1) in FIGURE_NAMES
    )


def _next_unconfirmed(r: Reader, k: int) -> bool:
    """Sentence ``k`` opens with a figure noun as its subject and says it could not be checked:
    'The figure could not be independently confirmed.' (about the sentence before's counts)."""
    if k >= len(r.sents):
        return False
    start = r.sents[k].start
    if not _figure_subject(r, start):
        return False
    for i in range(start + 2, min(r.sents[k].end, start + 2 + UNCONFIRMED_REACH)):
        if r.lower(i) in ("not", "n't"):
            return any(r.lower(j) in CHECK_VERBS for j in range(i + 1, min(r.sents[k].end, i + 4)))
    return False


def _range_end(r: Reader, c: Count) -> int | None:
    """The other end of a range around the count's number: 'between 8 and 10', 'six or five'."""
    i = c.pos
    value = c.count
    if value is None:
        return None
    # 'Between 300 and 600 people were killed': the count read before its verb is the lower
    # bound and its position the upper one's
    at = read_number([r.doc[x].text for x in range(i, min(r.n, i + 4))], 0)
    if at is not None and at[0] > value and r.lower(i - 1) in RANGE_LINKS:
        return at[0]
    # after: the number's words, then a link and another number; a compound number word's
    # hyphen ('Twenty-nine') is part of the number, not a range ('twenty to nine')
    j = i
    while j < min(r.n, i + 4) and word_value(r.lower(j)) is not None:
        j += 1
    if at is not None:
        j = max(j, i + at[1])
    if r.lower(j) in RANGE_LINKS and word_value(r.lower(j + 1)) is not None:
        got = read_number([r.doc[x].text for x in range(j + 1, min(r.n, j + 4))], 0)
        if got is not None and got[0] != value:
            return got[0]
    if r.lower(i - 1) in RANGE_LINKS and word_value(r.lower(i - 2)) is not None:
        got = read_number([r.doc[i - 2].text], 0)
        if got is not None and got[0] != value:
            return got[0]
    return None


def _times(r: Reader, k: int) -> list[tuple[int, int]]:
    """Time expressions of sentence ``k`` as token spans: weekdays, 'yesterday', month-day dates.

    From the ``EV_DAY`` and ``EV_MONTH`` cues; a month needs a day number beside it ('June 5',
    'Oct. 17', '5 June').
    """
    cues = r.sents[k].cues
    out = list(cues.get("EV_DAY", ()))
    for start, end in cues.get("EV_MONTH", ()):
        if _day(r.lower(end)):
            out.append((start, end + 1))
        elif start > r.sents[k].start and _day(r.lower(start - 1)):
            out.append((start - 1, end))
    out.sort()
    return out


def _names_attack_day(r: Reader, k: int, end: int) -> bool:
    """The time is an attack's own day: "Monday's attack", "Thursday's train bombings"; it dates
    the event before a reporting day ('has risen to 57, police said on Thursday, making Monday's
    attack the deadliest')."""
    if r.lower(end) not in ("'s", "’s"):
        return False
    cues = r.sents[k].cues
    return any(
        end < s <= end + 3 for label in ("STRIKE", "STRIKE_WEAK") for s, _e in cues.get(label, ())
    )


def _in_attack_clause(r: Reader, k: int, start: int) -> bool:
    """The time closes a 'when' clause of the attack: 'bringing the number of people killed when
    a Russian drone hit the block early on Saturday to 12' dates the strike by Saturday, not by
    the day the toll rose ('pulled a body from the rubble on Monday').

    A strike cue at most eight tokens before the time with no comma between, and 'when' at most
    four tokens before that cue.
    """
    lo = max(r.sents[k].start, start - 8)
    if any(r.lower(i) in (",", ";", "—", "–") for i in range(lo, start)):
        lo = max(i for i in range(lo, start) if r.lower(i) in (",", ";", "—", "–")) + 1
    cues = r.sents[k].cues
    for label in ("STRIKE", "STRIKE_WEAK"):
        for s, e in cues.get(label, ()):
            if lo <= s and e <= start and any(
                r.lower(j) == "when" for j in range(max(r.sents[k].start, s - 4), s)
            ):
                return True
    return False


def _with_year(r: Reader, end: int) -> int:
    """The end of a date past its year ('15 April 1986', 'April 15, 1986'): a stated year dates
    the event also without a publication date (a look back, an undated page)."""
    i = end + 1 if r.lower(end) == "," else end
    low = r.lower(i)
    if len(low) == 4 and low.isdigit() and 1900 <= int(low) <= 2100:
        return i + 1
    return end


def _day(low: str) -> bool:
    if not low[:1].isdigit():
        return False
    digits = low.rstrip("stndrh")
    return digits.isdigit() and 1 <= int(digits) <= 31


def _month_forms() -> dict[str, int]:
    forms: dict[str, int] = {"sept": 9}
    for n, phrase in enumerate(words()["MONTHS"], 1):
        name = phrase[0]
        for end in range(3, len(name) + 1):
            forms[name[:end]] = n
    return forms


#: 'oct', 'octo', 'october', 'sept' → month number, every form of three letters or more
MONTH_FORMS = _month_forms()
WEEKDAYS = tuple(p[0] for p in words()["WEEKDAYS"])


def month_number(low: str) -> int:
    """1-12 for a month's name or abbreviation ('oct', 'sept', 'june'), else 0."""
    return MONTH_FORMS.get(low, 0)


def summary_attrs(draft: EventDraft) -> dict[str, Any]:
    """The draft as plain data (for logs and tests)."""
    return {
        "kind": draft.kind,
        "reaction": draft.reaction,
        "countries": list(draft.countries),
        "places": [p.name for p in draft.places],
        "killed": [draft.killed.low, draft.killed.best, draft.killed.high],
        "wounded": [draft.wounded.low, draft.wounded.best, draft.wounded.high],
    }
