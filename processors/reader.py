"""The per-Doc cue index the sentence rules share: cues grouped by sentence, token lookups.

``processors.nlp`` leaves one list of cue matches ``(label, start, end)`` in the Doc; the rules
(``strikes``, ``casualties``, ``stances``) ask the same questions of it many times per sentence
("is there a NEG cue just before this token?"), so :class:`Reader` groups the cues by sentence
once and caches what is asked repeatedly. Word lists live in ``patterns/lexicon.json``.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from spacy.attrs import SENT_START
from spacy.tokens import Doc

from processors.nlp import PATTERNS, PLACES_KEY, load_gazetteer

ACTOR_KINDS = frozenset({"armed_group", "force"})
#: gazetteer kinds whose name right before "theatre" or "concert" makes it a venue
VENUE_PLACES = frozenset({"city", "region"})
#: cue labels of an armed party: "storm" right after one is an assault ("Militants storm ...")
ARMED_LABELS = frozenset({"MIL", "VIOLENCE"})
CONTEXT_LABELS = frozenset(
    "LABOR SPORTS BUSINESS FICTION ACCIDENT DISASTER DISEASE HISTORY CYBER ANIMAL MISHAP".split()
)

#: what a rule found before it becomes a Signal: (type, sentence, start token, end token, attrs)
Found = tuple[str, int, int, int, dict[str, Any]]


@cache
def lexicon(path: Path = PATTERNS / "lexicon.json") -> dict[str, frozenset[str]]:
    """Word lists of ``lexicon.json`` as lower-case sets."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: frozenset(w.lower() for w in v) for k, v in data.items() if not k.startswith("_")}


@dataclass
class Sentence:
    """One sentence's token span, its cues by label, and its text once a signal needs it."""

    start: int
    end: int
    cues: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    text: str | None = None


class Reader:
    """Per-Doc state: cues grouped by sentence and the helpers the rules share."""

    def __init__(self, doc: Doc, cues: list[tuple[str, int, int]], parsed: bool = False) -> None:
        self.doc = doc
        ends = [s for label, s, _ in cues if label == "TERMINAL"]
        bounds = sentence_bounds(doc, ends, parsed)
        self.sents = [Sentence(s, e) for s, e in bounds]
        starts = [s for s, _ in bounds]
        gazetteer = load_gazetteer()
        self.actor_sents: set[int] = set()
        #: sentences naming a gazetteer place or actor
        self.entity_sents: set[int] = set()
        #: token → (canonical name, kind) of the gazetteer entity it is part of
        self.entity: dict[int, tuple[str, str]] = {}
        for name, start, end in doc.user_data.get(PLACES_KEY, ()):
            kind = gazetteer[name]["kind"]
            k = bisect_right(starts, start) - 1
            self.entity_sents.add(k)
            if kind in ACTOR_KINDS:
                self.actor_sents.add(k)
            for i in range(start, end):
                self.entity[i] = (name, kind)
        entity = self.entity
        sents, last, k = self.sents, len(starts) - 1, 0
        venue_end = -1  # the end of the last fiction cue read as a venue
        venues: set[str] = set()  # venue words read as the event's place so far
        armed_ends: set[int] = set()  # where an armed party's noun ends ("Gunmen", "Rebels")
        for label, start, end in cues:  # the matcher yields them by start: sweep, bisect if not
            if label in CONTEXT_LABELS and start in entity:  # "African Union" is no trade union
                continue
            if label in ARMED_LABELS:
                armed_ends.add(end)
            if (
                label == "DISASTER"
                and (start in armed_ends or start > 0 and doc[start - 1].lower_ in ATTACKER_NOUNS)
                and _storming(doc, start, end)
            ):
                # "Gunmen storm Nairobi shopping mall": the title's verb, not the weather that
                # would make the lead's killing a disaster's deaths
                continue
            if label == "SPORTS" and _crew(doc, start, end):  # "rescue teams": no sport
                continue
            if label == "ANIMAL" and _working_dogs(doc, start, end):
                continue  # "rescuers using cranes and dogs": no animal attack
            if label == "FICTION" and (
                start == venue_end
                or _venue(doc, start, end, entity)
                or _venue_again(doc, start, end, venues)
            ):
                # "gunmen stormed a concert hall": where it happened, not a story; in "a movie
                # theater" the venue noun is a fiction word too
                venue_end = end
                if end - start == 1:
                    venues.add(doc[start].lower_)
                continue
            if start < starts[k]:
                k = bisect_right(starts, start) - 1
            else:
                while k < last and starts[k + 1] <= start:
                    k += 1
            sents[k].cues.setdefault(label, []).append((start, end))
        self.lex = lexicon()
        downed = _shot_down(doc, sents)
        for k, sent in enumerate(sents):
            if "ACCIDENT" in sent.cues and downed:
                _downed_aircraft(doc, sent, self.lex)
            if "ACCIDENT" in sent.cues:
                _vehicle_places(doc, sent)
            if "ACCIDENT" in sent.cues:
                _bomb_blasts(doc, sents, k, self.lex)
        self.n = len(doc)
        self._lower: list[str | None] = [None] * self.n
        self._around: dict[int, frozenset[str]] = {}
        self._harm: dict[int, frozenset[int]] = {}
        self.labels = [frozenset(sent.cues) for sent in self.sents]
        self._historical: dict[int, bool] = {}
        #: the first sentence is a headline: a line of its own without a full stop
        self.headline = len(self.sents) > 1 and _headline(doc, bounds[0][1])
        self._all: frozenset[str] | None = None

    def anywhere(self, label: str) -> bool:
        """A ``label`` cue is somewhere in the text."""
        if self._all is None:
            self._all = frozenset().union(*self.labels)
        return label in self._all

    def has_entity(self, k: int) -> bool:
        """A gazetteer place or actor is named in sentence ``k``."""
        return k in self.entity_sents

    def has(self, k: int, label: str) -> bool:
        """A ``label`` cue is in sentence ``k``."""
        return label in self.sents[k].cues

    def near(self, k: int, labels: Iterable[str]) -> bool:
        """True if a cue of ``labels`` is in sentence ``k`` or a neighbour."""
        around = self._around.get(k)
        if around is None:
            around = frozenset().union(*self.labels[max(0, k - 1) : k + 2])
            self._around[k] = around
        return not around.isdisjoint(labels)

    def before(self, k: int, label: str, pos: int, window: int) -> bool:
        """True if a ``label`` cue ends within ``window`` tokens before token ``pos``."""
        cues = self.sents[k].cues.get(label)
        if not cues:  # the common case, without building a generator
            return False
        lo = max(self.sents[k].start, pos - window)
        return any(lo < end <= pos or (s < pos < end) for s, end in cues)

    def covered(self, k: int, label: str, start: int, end: int) -> bool:
        """True if a ``label`` cue spans tokens ``start..end``."""
        cues = self.sents[k].cues.get(label)
        if not cues:
            return False
        return any(s <= start and end <= e for s, e in cues)

    def after(self, k: int, label: str, pos: int, window: int) -> list[tuple[int, int]]:
        """``label`` cues starting within ``window`` tokens after ``pos``."""
        cues = self.sents[k].cues.get(label)
        if not cues:
            return []
        hi = min(self.sents[k].end, pos + window)
        return [(s, e) for s, e in cues if pos <= s < hi]

    def historical(self, k: int) -> bool:
        """A past war or attack recalled ("9/11", "years ago", "at his trial", "in 2018").

        Not "since ... years ago". A headline that recalls history ("Nation marks 30 years since
        the massacre", "Former general on trial for 1982 killings") makes the whole item a recall,
        except sentences that date themselves to now ("on Tuesday", "overnight").
        """
        got = self._historical.get(k)
        if got is None:
            got = self._recalls(k) or (
                k > 0 and self.headline and self.historical(0) and not self.has(k, "NOW")
            )
            self._historical[k] = got
        return got

    def _recalls(self, k: int) -> bool:
        sent = self.sents[k]
        for start, _end in sent.cues.get("HISTORY", ()):
            lo = max(sent.start, start - 6)
            if any(self.lower(i) == "since" for i in range(lo, start)):
                continue
            if self._attack_recalls(k, start) or self._attack_on_anniversary(k, start):
                continue
            if any(self.lower(i) in self.lex["RECORD_WORDS"] for i in range(lo, start)):
                continue  # 'the deadliest attack in Somalia's history': a record, not a recall
            return True
        # "killed his girlfriend in 2013", "shot down in July 2014": an event dated by its year is
        # history, not news (today's reports say "on Tuesday", not the year)
        for start, _end in sent.cues.get("YEAR", ()):
            before = self.lower(start - 1)
            if before == "in" or (
                before.rstrip(".") in self.lex["MONTHS"] and self.lower(start - 2) == "in"
            ):
                return True
        return False

    def _attack_recalls(self, k: int, start: int) -> bool:
        """'an attack that recalled the bloodiest chapters of the conflict': the attack is today's,
        what it recalls is history. A history word right after 'that'/'which' after a strike cue.
        """
        if self.lower(start - 1) not in ("that", "which"):
            return False
        cues = self.sents[k].cues
        return any(
            e == start - 1 for label in ("STRIKE", "STRIKE_WEAK") for _s, e in cues.get(label, ())
        )

    def _attack_on_anniversary(self, k: int, start: int) -> bool:
        """'Two explosions ripped through crowds ... on the fourth anniversary of the general's
        death', 'Jets bombed a concert celebrating the anniversary of the KIO': an attack told
        before the anniversary in its sentence fell on that day, or on a gathering that marked
        it; it is today's. Not 'Israelis marked the anniversary of the attack in which 1,200
        people were killed' (the attack comes after the word: the one remembered).
        """
        if self.lower(start) != "anniversary":
            return False
        cues = self.sents[k].cues
        told = ("STRIKE", "STRIKE_WEAK", "KILL")
        return any(e <= start for label in told for _s, e in cues.get(label, ()))

    def harm_tokens(self, k: int) -> frozenset[int]:
        """Tokens of sentence ``k`` inside casualty or strike cues (cached)."""
        got = self._harm.get(k)
        if got is None:
            cues = self.sents[k].cues
            got = frozenset(
                i
                for label in ("KILL", "HURT", "DEATH", "STRIKE")
                for s, e in cues.get(label, ())
                for i in range(s, e)
            )
            self._harm[k] = got
        return got

    def lower(self, i: int) -> str:
        """Lower-case text of token ``i`` ("" outside the Doc), each token read once."""
        if not 0 <= i < self.n:
            return ""
        got = self._lower[i]
        if got is None:  # the rules ask about half of the tokens they touch twice or more
            got = self._lower[i] = self.doc[i].lower_
        return got

    def chars(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets (in the Doc's text) of tokens ``start..end``."""
        last = self.doc[end - 1]
        return self.doc[start].idx, last.idx + len(last)


#: 'bus station', 'bus stop': a place named after the vehicle, where a bomb goes off as often as
#: anywhere; only the vehicle itself ('a bus plunged into a ravine') tells a road accident
VEHICLE_PLACES = frozenset({"station", "stop", "stops", "terminal", "depot", "park", "stand"})


#: the attackers named by role, not by an armed group's cue (also casualties.py's: 'killed two
#: of the gunmen' are the attackers' dead, read by their own rule): 'Attackers storm Turkish
#: aerospace company' has the armed party's verb as much as 'Gunmen storm' has
ATTACKER_NOUNS = lexicon(PATTERNS / "events.json")["ATTACKER_NOUNS"]


def _vehicle_places(doc: Doc, sent: Sentence) -> None:
    """Drop the one-word accident cue 'bus' where it names a place ('the Nyanya bus station')."""
    cues = sent.cues
    kept = [
        (s, e)
        for s, e in cues["ACCIDENT"]
        if not (
            e - s == 1
            and doc[s].lower_ == "bus"
            and e < len(doc)
            and doc[e].lower_ in VEHICLE_PLACES
        )
    ]
    if kept:
        cues["ACCIDENT"] = kept
    else:
        del cues["ACCIDENT"]


def _bomb_blasts(doc: Doc, sents: list[Sentence], k: int, lex: dict[str, frozenset[str]]) -> None:
    """Drop sentence ``k``'s accident cues that are a bomb's blast: "Sunday's bomb blast killed",
    "Two explosions tore through the hall ... a third bomb hit a train". A one-word explosion
    cue is no accident when a strike cue of this sentence or a neighbour names a bomb; "a gas
    explosion" (a cue of its own) and a blast with no bomb around stay accidents.
    """
    bombs = lex["BOMB_WORDS"]
    around = sents[max(0, k - 1) : k + 2]
    if not any(
        doc[i].lower_ in bombs
        for sent in around
        for label in ("STRIKE", "STRIKE_WEAK")
        for s, e in sent.cues.get(label, ())
        for i in range(s, e)
    ):
        return
    blasts = lex["BLAST_WORDS"]
    cues = sents[k].cues
    kept = [
        (s, e)
        for s, e in cues["ACCIDENT"]
        if not (e - s == 1 and (doc[s].lower_ in blasts or _munition_crash(doc, sents[k], s, lex)))
    ]
    if kept:
        cues["ACCIDENT"] = kept
    else:
        del cues["ACCIDENT"]


#: 'shot down', 'the downing of flight MH17': an aircraft brought down by an attack
DOWNING = frozenset({"downing", "downed"})


def _shot_down(doc: Doc, sents: list[Sentence]) -> bool:
    """The report tells something shot down ('it had been shot down by a missile')."""
    return any(doc[i].lower_ in DOWNING for i in range(len(doc))) or any(
        e - s >= 2 and doc[e - 1].lower_ == "down" and doc[e - 2].lower_ == "shot"
        for sent in sents
        for label in ("STRIKE", "STRIKE_WEAK")
        for s, e in sent.cues.get(label, ())
    )


def _downed_aircraft(doc: Doc, sent: Sentence, lex: dict[str, frozenset[str]]) -> None:
    """Drop a sentence's one-word crash and 'aboard' cues in a report of an aircraft shot down:
    'All 298 people on board were killed' and 'the crash site' are the attack's, not an air
    accident's (a crash with nothing shot down stays an accident)."""
    crash = lex["CRASH_WORDS"] | {"aboard"}
    cues = sent.cues
    kept = [(s, e) for s, e in cues["ACCIDENT"] if not (e - s == 1 and doc[s].lower_ in crash)]
    if kept:
        cues["ACCIDENT"] = kept
    else:
        del cues["ACCIDENT"]


def _munition_crash(doc: Doc, sent: Sentence, at: int, lex: dict[str, frozenset[str]]) -> bool:
    """'A gas-cylinder bomb fired by FARC rebels crashed through the roof': a crash verb whose
    subject, a few words before with no clause break, is a munition; not 'a bomber crashed'."""
    if doc[at].lower_ not in lex["CRASH_WORDS"]:
        return False
    for i in range(at - 1, max(sent.start, at - 7) - 1, -1):
        low = doc[i].lower_
        if low in (",", ";", "and", "after", "when"):
            return False
        if low in lex["MUNITION_WORDS"]:
            # the subject's head: 'a plane carrying bombs crashed' is the plane's crash
            return (
                i == sent.start
                or not doc[i - 1].lower_.endswith("ing")
                and doc[i - 1].lower_ not in ("with", "of")
            )
    return False


def _storming(doc: Doc, start: int, end: int) -> bool:
    """'Paramilitaries storm Darfur displacement camp': "storm" as the verb of an armed party
    named just before it (the caller knows that), one word, a present-tense verb; not "a storm",
    "the storm" (a determiner before it makes it a noun, and then no armed noun is right before)."""
    return end - start == 1 and doc[start].lower_ in ("storm", "storms")


#: who works with dogs after an attack: 'rescuers using cranes and dogs', 'sniffer dogs'
DOG_HANDLERS = frozenset({"rescuers", "rescuer", "sniffer", "searched", "searching", "police"})


def _working_dogs(doc: Doc, start: int, end: int) -> bool:
    """'rescuers using cranes and dogs searched the rubble', 'search dogs': dogs at work after
    the attack, named a few words after a crew (``CREW_WORDS``) or handler, not a dog attack."""
    if end - start != 1 or doc[start].lower_ not in ("dog", "dogs"):
        return False
    words = lexicon()["CREW_WORDS"] | DOG_HANDLERS
    return any(doc[i].lower_ in words for i in range(max(0, start - 5), start))


def _crew(doc: Doc, start: int, end: int) -> bool:
    """'rescue teams', 'medical team': a crew at work, not a sports side (``CREW_WORDS``)."""
    if end - start != 1 or start == 0 or doc[start].lower_ not in ("team", "teams"):
        return False
    return doc[start - 1].lower_ in lexicon()["CREW_WORDS"]


def _venue(doc: Doc, start: int, end: int, entity: dict[int, tuple[str, str]]) -> bool:
    """A fiction word that names the place of the event, not a story: "concert hall", "movie
    theater" (a venue noun follows); for a venue word ("concert", "theatre"), also a city or
    region just before ("the Mariupol drama theatre", "Manchester concert") or placed in one just
    after ("the theatre in Mariupol"), a place preposition before its phrase ("at a concert",
    "outside the theatre") or "at" after it ("a concert at the arena"). Not "a concert film",
    "the band's new concert", "in the movie".
    """
    lex = lexicon()
    n = len(doc)
    after = doc[end].lower_ if end < n else ""
    if after in lex["VENUE_NOUNS"]:
        return True
    if end - start != 1 or doc[start].lower_ not in lex["VENUE_WORDS"]:
        return False
    if after == "at":
        return True
    if any(entity.get(i, ("", ""))[1] in VENUE_PLACES for i in range(max(0, start - 2), start)):
        return True
    if after in lex["VENUE_PREPS"] or after == "in":
        # 'destroyed the drama theatre in Mariupol': a venue placed in a town is a building
        if entity.get(end + 1, ("", ""))[1] in VENUE_PLACES:
            return True
    i = start - 1
    # one lower-case word of a compound ('the drama theatre', 'an anniversary concert') and a
    # possessive before it ('the city's drama theatre') are still the venue's phrase
    if i > 0 and doc[i].is_lower and doc[i].is_alpha and doc[i].lower_ not in _PHRASE_STOPS:
        i -= 1
    if i > 0 and doc[i].lower_ in ("'s", "’s"):
        i -= 2
    steps = 0
    while i >= 0 and steps < 4 and (doc[i].lower_ in ("the", "a", "an") or doc[i].is_title):
        i, steps = i - 1, steps + 1
    if i >= 2 and doc[i].lower_ == "of" and doc[i - 1].lower_ == "front":
        return True  # 'in front of the theatre'
    return i >= 0 and doc[i].lower_ in lex["VENUE_PREPS"]


#: words that end a venue word's phrase going back: prepositions and determiners are read by
#: _venue itself, and a verb or pronoun in lower case is no compound's first word
_PHRASE_STOPS = frozenset(
    "the a an of in at on to for from by with and or his her its their our my your new latest next "
    "last first".split()
)


def _venue_again(doc: Doc, start: int, end: int, venues: set[str]) -> bool:
    """A venue word named again after it was read as the event's place ('Jets bombed a concert
    at A Nang Pa ... the concert's stage'): the same venue, not a story. Only with a determiner
    or possessive before it, as a text names its venue again."""
    return (
        end - start == 1
        and doc[start].lower_ in venues
        and start > 0
        and doc[start - 1].lower_ in ("the", "a", "an", "its", "this", "that", "'s", "’s")
    )


def _headline(doc: Doc, end: int) -> bool:
    """Tokens ``0..end`` are a headline: a line of their own that does not end in a full stop.

    Feed items are "title\nsummary"; the labelled paragraphs of the dev set end in full stops.
    Only the sentence's last tokens are read (building a Token is the costly part).
    """
    broke = False
    for i in range(end - 1, max(-1, end - 4), -1):
        tok = doc[i]
        if "\n" in tok.text or "\n" in tok.whitespace_:
            broke = True
        elif not tok.is_space:
            return broke and tok.text not in (".", "!", "?")
    return False


def sentence_bounds(
    doc: Doc, ends: Iterable[int] = (), parsed: bool = False
) -> list[tuple[int, int]]:
    """Sentences as ``(start, end)`` token offsets.

    A trained pipeline's sentences are used when it set them. Otherwise a sentence ends at a
    terminal mark (". ! ? …" or a line break: the ``TERMINAL`` cues, token offsets ``ends``) and
    the closing quotes and brackets after it, the rule of spaCy's sentencizer, computed only for
    texts that hold cues.
    """
    n = len(doc)
    if parsed and n > 1 and doc.to_array(SENT_START)[1:].any():  # set by a trained pipeline
        return [(s.start, s.end) for s in doc.sents]
    bounds, start = [], 0
    for t in sorted(ends):
        if t < start:
            continue
        j = t + 1
        while j < n:
            tok = doc[j]  # one Token per position: building it is most of the cost here
            if not (tok.is_punct or tok.is_space):
                break
            j += 1
        if start < j < n:
            bounds.append((start, j))
            start = j
    bounds.append((start, n))
    return bounds
