"""From a tagged spaCy ``Doc`` to escalation signals: pure reasoning over the cue matches.

The pipeline (``processors.nlp``) leaves one list of cue matches ``(label, start, end)`` in the
Doc. This module decides, sentence by sentence, which cues are real signals, following the labelling
rules (``../shared/eval/LABELING.md``):

- a strong strike cue ("air strikes", "mortar attack", "shot dead") is a strike unless negated,
  hypothetical ("threatened to ..."), historical ("9/11") or inside a non-force idiom;
- a weak one ("attack", "struck", "raid") also needs military context in its sentence (troops,
  militants, an armed group from the gazetteer) or a strike elsewhere in the text it can refer back
  to, and no labour, sports, fiction or business context around it;
- casualty words need no accident, disaster or disease context (unless an attack is in the same
  sentence); their counts are read next to them (``_count``) and summed over distinct values;
- a pledge is explicit response wording in the future; a threat is threat wording plus force with
  no pledge in the sentence; de-escalation is ceasefire/restraint wording or "end" + "violence".

Nothing here touches Kafka or models on disk: give it a Doc, get :class:`Extraction` back.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from spacy.attrs import SENT_START
from spacy.tokens import Doc

from escmon.models import Signal, Summary
from processors.nlp import CUES_KEY, PATTERNS, PLACES_KEY, SpaceMap, load_gazetteer
from processors.quantities import VAGUE, read_number, word_value

ACTOR_KINDS = frozenset({"armed_group", "force"})
PRIMARY = frozenset(
    "STRIKE STRIKE_WEAK KILL HURT DEATH PLEDGE RESP PRICE THREAT THREAT_PHRASE DEESC END".split()
)
DOMAINS_WEAK_STRIKE = ("LABOR", "SPORTS", "FICTION", "BUSINESS", "DISASTER", "CYBER", "ANIMAL")
DOMAINS_CASUALTY = ("ACCIDENT", "DISASTER", "DISEASE", "FICTION", "SPORTS", "ANIMAL")
DOMAINS_CASUALTY_HARD = ("ACCIDENT", "DISASTER", "DISEASE", "FICTION", "ANIMAL")
DOMAINS_THREAT = ("DISASTER", "BUSINESS", "FICTION")
DOMAINS_PLEDGE = ("SPORTS", "BUSINESS", "FICTION")
# Nouns naming one event: "the killing", "Soleimani's death" count one victim only when the text
# gives no other number (they usually restate a death told elsewhere).
TOLL_SKIP = frozenset("at least more than about nearly over some around almost at".split())
FORCE_CONTEXT = ("MIL", "STRIKE", "STRIKE_WEAK", "KILL", "HURT", "VIOLENCE", "FORCE", "THREAT")
PHRASE_STOPS = frozenset(
    ", . ; : and in on at who near was were from outside with as during after before by inside "
    "while when – — ' ’ \" ”".split()
)
PREPOSITIONS = frozenset("over in on at from near across during after before by into".split())
HARM_LABELS = frozenset({"KILL", "HURT", "DEATH"})
PLEDGE_LABELS = frozenset({"PLEDGE", "RESP", "PRICE", "TOLERATE"})
DEESC_LABELS = frozenset({"DEESC", "END", "DESIRE"})
FURTHER = frozenset({"another", "further", "separate", "separately"})
CONTEXT_LABELS = frozenset(
    "LABOR SPORTS BUSINESS FICTION ACCIDENT DISASTER DISEASE HISTORY CYBER ANIMAL".split()
)
MODALS = frozenset({"will", "would", "'ll", "shall"})
AUX = frozenset("were was have has had been are is be reportedly also all".split())
ADJECTIVES = frozenset({"deadly", "deadliest", "fatal"})
SINGULAR_NOUNS = frozenset({"death", "killing", "assassination", "slaying", "murder"})
DETERMINERS = frozenset({"the", "his", "her", "'s", "’s", "their", "its"})
PASSIVE_SINGULAR = frozenset({"was", "is", "been"})
VERBAL_PREFIX = frozenset({"to"})
MODAL_BEFORE_HARM = frozenset({"would", "could", "might", "will", "may", "to", "'ll", "can"})
CLAUSE_STOPS = frozenset({",", ";", ":", "(", ")", "—", "–", "while", "but", "and", "after"})
RESP_NOUNS = frozenset({"response", "retaliation", "revenge", "punishment", "vengeance"})
WHO_STOPS = frozenset(
    "in and on at by when as after were was have had has been are is including during".split()
)
STRIKE_VERBS = frozenset(
    {"attack", "strike", "bomb", "hit", "raid", "assault", "shell", "fire", "target", "destroy"}
)


@cache
def lexicon(path: Path = PATTERNS / "lexicon.json") -> dict[str, frozenset[str]]:
    """Word lists of ``lexicon.json`` as lower-case sets."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: frozenset(w.lower() for w in v) for k, v in data.items() if not k.startswith("_")}


@dataclass
class Extraction:
    """What one text holds: evidence signals and their summary."""

    signals: list[Signal] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)


EMPTY = Extraction()


@dataclass
class _Sentence:
    start: int
    end: int
    cues: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    text: str | None = None


@dataclass
class _Count:
    status: str
    sent: int
    pos: int
    count: int | None
    approximate: bool = False
    weak: bool = False
    subset: bool = False
    extra: bool = False  # "another 47 people": a further group, added even if the value repeats


class _Reader:
    """Per-Doc state: cues grouped by sentence and the helpers the rules share."""

    def __init__(self, doc: Doc, cues: list[tuple[str, int, int]], parsed: bool = False) -> None:
        self.doc = doc
        ends = [s for label, s, _ in cues if label == "TERMINAL"]
        bounds = sentence_bounds(doc, ends, parsed)
        self.sents = [_Sentence(s, e) for s, e in bounds]
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
        for label, start, end in cues:  # the matcher yields them by start: sweep, bisect if not
            if label in CONTEXT_LABELS and start in entity:  # "African Union" is no trade union
                continue
            if start < starts[k]:
                k = bisect_right(starts, start) - 1
            else:
                while k < last and starts[k + 1] <= start:
                    k += 1
            sents[k].cues.setdefault(label, []).append((start, end))
        self.lex = lexicon()
        self.n = len(doc)
        self._lower: list[str | None] = [None] * self.n
        self._around: dict[int, frozenset[str]] = {}
        self._harm: dict[int, frozenset[int]] = {}
        self.labels = [frozenset(sent.cues) for sent in self.sents]

    def has_entity(self, k: int) -> bool:
        """A gazetteer place or actor is named in sentence ``k``."""
        return k in self.entity_sents

    def has(self, k: int, label: str) -> bool:
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
        """A past war or attack recalled ("9/11", "years ago"), not "since ... years ago"."""
        for start, _end in self.sents[k].cues.get("HISTORY", ()):
            lo = max(self.sents[k].start, start - 6)
            if not any(self.lower(i) == "since" for i in range(lo, start)):
                return True
        return False

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


def _may_signal(labels: set[str], doc: Doc) -> bool:
    """Cheap test on the cue labels alone: could any rule fire? Most calm texts stop here."""
    return bool(
        labels & {"STRIKE", "KILL", "HURT", "PLEDGE", "THREAT_PHRASE", "DEESC", "TOLERATE"}
        or ("STRIKE_WEAK" in labels and ("MIL" in labels or PLACES_KEY in doc.user_data))
        or ("DEATH" in labels and labels & {"MIL", "VIOLENCE"})
        or ("FUTURE" in labels and labels & {"RESP", "PRICE"})
        or ("THREAT" in labels and "FORCE" in labels)
        or ("FORCE_VERB" in labels and "FUTURE" in labels)
        or ("END" in labels and "CONFLICT" in labels)
        or ("DESIRE" in labels and "CONFLICT" in labels)
    )


def extract(
    doc: Doc, source: str | None = None, spaces: SpaceMap | None = None, parsed: bool = False
) -> Extraction:
    """Return the signals and summary of ``doc`` (a Doc built by ``processors.nlp``).

    ``source`` and ``spaces`` give the original text when the Doc was built from a squeezed one
    (``processors.nlp.squeeze_spaces``); evidence offsets and sentences then refer to ``source``.
    ``parsed``: the pipeline sets sentence boundaries (a trained parser); use them.
    """
    cues = doc.user_data.get(CUES_KEY) or []
    if not _may_signal({label for label, _, _ in cues}, doc):
        return EMPTY
    r = _Reader(doc, cues, parsed)
    found: list[tuple[str, int, int, int, dict[str, Any]]] = []  # type, sent, start, end, attrs
    strike_sents = _strikes(r, found)
    counts = _casualties(r, found, strike_sents)
    pledge_sents = _pledges(r, found)
    _threats(r, found, pledge_sents)
    _deescalation(r, found)
    found.sort(key=lambda f: (f[2], f[0]))
    text = source if source is not None else doc.text
    to_source = spaces.to_source if spaces is not None else _same
    signals = [_signal(doc, r, text, to_source, *f) for f in found]
    types = {f[0] for f in found}
    return Extraction(
        signals=signals,
        summary=Summary(
            strike="strike" in types,
            casualties="casualties" in types,
            killed=_total(counts, "killed"),
            wounded=_total(counts, "wounded"),
            retaliation_pledge="retaliation_pledge" in types,
            threat="threat" in types,
            deescalation="deescalation" in types,
        ),
    )


def _same(pos: int) -> int:
    return pos


def _signal(
    doc: Doc,
    r: _Reader,
    text: str,
    to_source: Callable[[int], int],
    kind: str,
    k: int,
    start: int,
    end: int,
    attrs: dict[str, Any],
) -> Signal:
    sent = r.sents[k]
    a, b = r.chars(start, end)
    char_start, char_end = to_source(a), to_source(b)
    if sent.text is None:
        a, b = r.chars(sent.start, sent.end)
        sent.text = text[to_source(a) : to_source(b)].strip()
    sentence = sent.text
    return Signal(
        type=kind,
        text=text[char_start:char_end],
        start=char_start,
        end=char_end,
        sentence=sentence,
        attrs=attrs,
    )


def _named_year(r: _Reader, start: int) -> bool:
    """'the 2015 attacks', 'the 1995 Oklahoma City bombing': an attack named by its year."""
    for i in range(max(0, start - 3), start):
        text = r.lower(i)
        if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100:
            return r.lower(i - 1) in ("the", "of")  # not a dateline ("Sept. 7, 2004 - ...")
    return False


def _blocked(r: _Reader, k: int, start: int, end: int) -> bool:
    """Negated, hypothetical, historical, or part of a non-force idiom."""
    return (
        r.covered(k, "NONFORCE", start, end)
        or r.historical(k)
        or _named_year(r, start)
        or r.before(k, "NEG", start, 3)
        or r.before(k, "HYPO", start, 4)
    )


def _strikes(r: _Reader, found: list) -> set[int]:
    strong: list[tuple[int, int, int]] = []
    for k, sent in enumerate(r.sents):
        for start, end in sent.cues.get("STRIKE", ()):
            if _blocked(r, k, start, end) or r.near(k, ("FICTION",)):
                continue
            if strong and strong[-1][0] == k and strong[-1][2] > start:  # overlapping phrases
                continue
            strong.append((k, start, end))
    weak: list[tuple[int, int, int]] = []
    for k, sent in enumerate(r.sents):
        for start, end in sent.cues.get("STRIKE_WEAK", ()):
            if r.covered(k, "STRIKE", start, end) or _blocked(r, k, start, end):
                continue
            if _infinitive(r, start):
                continue
            if r.near(k, DOMAINS_WEAK_STRIKE) or r.has(k, "EXERCISE"):
                continue
            raid = r.lower(start).startswith("raid")
            military = (
                r.has(k, "MIL")
                # a raid by police on a named group is an arrest unless someone is hurt
                or (k in r.actor_sents and not raid)
                or (
                    (r.has(k, "KILL") or r.has(k, "HURT") or r.has(k, "DEATH"))
                    and not r.near(k, ("ACCIDENT", "DISASTER", "DISEASE"))
                )
                or r.entity.get(start - 1, ("", ""))[1] == "country"  # "Israeli strikes"
                # "... for the attack": a definite reference to one attack, with a named party
                or (
                    r.covered(k, "DEFINITE", start, end)
                    and r.has_entity(k)
                    and (r.has(k, "VIOLENCE") or r.has(k, "PLEDGE") or r.has(k, "RESP"))
                )
            )
            if military or strong:
                weak.append((k, start, end))
    sents = set()
    for k, start, end in sorted(strong + weak, key=lambda t: t[1]):
        found.append(("strike", k, start, end, {}))
        sents.add(k)
    return sents


def _infinitive(r: _Reader, start: int) -> bool:
    """ "to attack" is intent, not an event, unless an attempt was launched ("attempting to")."""
    if r.lower(start - 1) not in VERBAL_PREFIX or r.lower(start) not in STRIKE_VERBS:
        return False
    return not r.lower(start - 2).startswith(("attempt", "tried", "trying"))


def _casualties(r: _Reader, found: list, strike_sents: set[int]) -> list[_Count]:
    counts: list[_Count] = []
    seen: set[int] = set()
    for k, sent in enumerate(r.sents):
        if r.labels[k].isdisjoint(HARM_LABELS):
            continue
        cues = [(s, e, "KILL") for s, e in sent.cues.get("KILL", ())]
        kills = sent.cues.get("KILL", ())
        cues += [  # "was shot dead" is a killing, not "was shot"
            (s, e, "HURT")
            for s, e in sent.cues.get("HURT", ())
            if not any(ks < e and s < ke for ks, ke in kills)
            # "died ... after he was shot": being shot is a wound only when nobody died of it
            and not (r.lower(e - 1) == "shot" and (kills or "DEATH" in sent.cues))
        ]
        cues += [(s, e, "DEATH") for s, e in sent.cues.get("DEATH", ())]
        if not cues:
            continue
        violent = k in strike_sents
        for start, end, label in sorted(cues):
            if start in seen or r.covered(k, "NONFORCE", start, end) or r.historical(k):
                continue
            if k not in strike_sents and any(
                _named_year(r, s)
                for lab in ("STRIKE", "STRIKE_WEAK")
                for s, _ in sent.cues.get(lab, ())
            ):
                continue  # "the 2015 attacks that killed 130": the toll of a named past attack
            if r.before(k, "NEG", start, 3) or r.lower(start - 1) in MODAL_BEFORE_HARM:
                continue
            if r.before(k, "NOBODY", start, 8):  # "none of the 180 passengers was hurt"
                continue
            if not violent and r.near(k, DOMAINS_CASUALTY):
                # a sports word next to a shooting or killing does not make it sport
                shooting = label == "KILL" or r.lower(end - 1) == "shot"
                if not (shooting and not r.near(k, DOMAINS_CASUALTY_HARD)):
                    continue
            if label == "DEATH" and not (
                violent
                or k - 1 in strike_sents
                or r.has(k, "KILL")
                or r.has(k, "MIL")
                or r.has(k, "VIOLENCE")
                or k in r.actor_sents
            ):
                continue
            seen.update(range(start, end))
            status = "wounded" if label == "HURT" else "killed"
            attrs, count = _count(r, k, start, end, status, label)
            count.extra = any(
                r.lower(i) in FURTHER for i in range(max(sent.start, start - 5), start)
            )
            counts.append(count)
            found.append(("casualties", k, start, end, attrs))
    _apply_tolls(r, counts)
    _mark_subsets(r, counts)
    return counts


def _count(
    r: _Reader, k: int, start: int, end: int, status: str, label: str
) -> tuple[dict[str, Any], _Count]:
    """Read the number of people a casualty word at ``start..end`` refers to."""
    sent = r.sents[k]
    skip, units, person = r.lex["SKIP"], r.lex["UNIT"], r.lex["PERSON_ONE"]
    attrs: dict[str, Any] = {"status": status, "count": None}
    result = _Count(status, k, start, None)
    if r.lower(start) in ADJECTIVES:  # "a deadly attack" says people died, not how many
        attrs["approximate"], result.approximate = True, True
        return attrs, result
    # 1. after the word: "killed at least 16 people", "the killing of nine peacekeepers"
    j = end
    while j < min(sent.end, end + 6):
        low = r.lower(j)
        number = _number(r, j, sent.end, units)
        if number is not None:
            value = number[0] + _enumerated(r, number[1], sent.end, units, person, numeric=True)
            attrs["count"], result.count, result.pos = value, value, j
            _who(r, number[1], sent.end, attrs)
            return attrs, result
        after = _person_follows(r, j + 1, sent.end, person) if low in ("a", "an", "one") else None
        if after is not None:
            value = 1 + _enumerated(r, after, sent.end, units, person)
            attrs["count"], result.count, result.pos = value, value, j
            _who(r, j + 1, sent.end, attrs)
            return attrs, result
        if low in VAGUE and low not in ("many", "some"):
            attrs["approximate"], result.approximate = True, True
            return attrs, result
        if low not in skip:
            break
        j += 1
    if r.lower(end) in person and r.lower(start - 1) in DETERMINERS:
        # "the slain journalist": one victim, usually told again elsewhere
        attrs["count"], result.count, result.weak = 1, 1, True
        return attrs, result
    if r.lower(end) == "of" and _named_person(r, end + 1, sent.end, person):
        attrs["count"], result.count = 1, 1
        return attrs, result
    # 2. before it: "16 people were killed", "many martyrs were killed", "a woman was killed"
    harm = {
        x
        for label in ("KILL", "HURT", "DEATH")
        for s, e in sent.cues.get(label, ())
        if e <= start
        for x in range(s, e)
    }
    listed = _subject_list(r, k, start, units)
    if listed is not None:
        attrs["count"], result.count, result.pos = listed, listed, start - 1
        return attrs, result
    i = start - 1
    verb = (
        r.lower(start - 1)
        if r.lower(start - 1) not in ("reportedly", "also")
        else r.lower(start - 2)
    )
    while i >= max(sent.start, start - 9):
        low = r.lower(i)
        if low in CLAUSE_STOPS or i in harm:
            break
        number = _number(r, i, start, units)
        if number is not None and not _is_date(r, i):
            if r.lower(i - 1) in ("and", "to", "or") and (lower := _number(r, i - 2, i, units)):
                number = (min(lower[0], number[0]), number[1])  # "between five and seven": 5
            attrs["count"], result.count, result.pos = number[0], number[0], i
            _who(r, number[1], start, attrs)
            return attrs, result
        if low in VAGUE:
            attrs["approximate"], result.approximate = True, True
            return attrs, result
        i -= 1
    among = r.lower(start - 1) == "those" and r.lower(start - 2) == "among"
    if among and r.lower(start - 3) in ("was", "is"):  # "a commander was among those killed"
        attrs["count"], result.count = 1, 1
        return attrs, result
    if (
        verb in PASSIVE_SINGULAR
        or r.lower(start) == "was"
        or (r.lower(start - 1) in person and r.lower(start - 2) in ("the", "a", "an"))
    ):  # "a woman was killed", "the boy died of his wounds"
        attrs["count"], result.count = 1, 1
        return attrs, result
    if end - start == 1 and r.lower(start) in SINGULAR_NOUNS and r.lower(start - 1) in DETERMINERS:
        attrs["count"], result.count, result.weak = 1, 1, True
        return attrs, result
    attrs["approximate"], result.approximate = True, True
    return attrs, result


def _number(r: _Reader, i: int, limit: int, units: frozenset[str]) -> tuple[int, int] | None:
    """A count of people at token ``i``: a number not followed by a unit, age or "of"."""
    low = r.lower(i)
    if word_value(low) is None and not (low in ("a", "one") and r.lower(i + 1) == "dozen"):
        return None  # the common case, decided without building the word list
    words = [r.doc[j].text for j in range(i, min(limit, i + 4))]
    got = read_number(words, 0)
    if got is None or r.lower(i - 1) == "-":
        return None
    value, used = got
    nxt = r.lower(i + used)
    if nxt in units or nxt in ("-", "of", "/", "%") or (nxt == "," and value > 999):
        return None
    return value, i + used


def _enumerated(
    r: _Reader,
    i: int,
    limit: int,
    units: frozenset[str],
    person: frozenset[str],
    numeric: bool = False,
) -> int:
    """People listed after a count: 'three children and their uncle' adds 1 (LABELING.md).

    Reads up to the next 'and'/',' of the victims' phrase; 'and N others' adds N, 'and a/their X'
    with a singular person noun adds 1. Plural nouns without a number add nothing.
    """
    if numeric and r.lower(i) in ("and", "to", "or") and word_value(r.lower(i + 1)) is not None:
        return 0  # "between 8 and 10": a range (lower bound), not a list of victims
    j = i
    while j < min(limit, i + 7) and r.doc[j].is_alpha and r.lower(j) not in ("and", "including"):
        j += 1
    if r.lower(j) != "and":
        return 0
    nxt = j + 1
    number = _number(r, nxt, limit, units)
    if number is not None:
        return number[0]
    got = read_number([r.doc[x].text for x in range(nxt, min(limit, nxt + 3))], 0)
    if (
        got is not None
        and r.lower(nxt + got[1]) == "of"
        and r.lower(nxt + got[1] + 1) in ("his", "her", "their", "its", "the")
    ):  # "and two of his bodyguards"
        return got[0]
    if r.lower(nxt) in ("a", "an", "their", "his", "her", "its", "the"):
        noun = r.lower(nxt + 1)
        if noun in person or (
            r.doc[nxt + 1].is_alpha and not noun.endswith("s") and r.lower(nxt + 2) in PHRASE_STOPS
        ):
            return 1  # "and his driver"
    return 0


def _subject_list(r: _Reader, k: int, cue: int, units: frozenset[str]) -> int | None:
    """'Two Israeli soldiers and a Palestinian militant were killed' = 3: a listed subject.

    Only used when the subject before the (passive) casualty word is a list of two or more items,
    each starting with a number or 'a'/'an'; anything else returns None.
    """
    lo = r.sents[k].start
    j = cue - 1
    while j >= lo and r.lower(j) in AUX:
        j -= 1
    end = j + 1
    i = j
    while i >= max(lo, end - 16):
        tok = r.doc[i]
        if not (tok.is_alpha or tok.like_num or tok.lower_ in (",", "-")) or tok.lower_ in AUX:
            break
        if i in r.harm_tokens(k):
            break
        i -= 1
    segments: list[list[int]] = [[]]
    for x in range(i + 1, end):
        if r.lower(x) in (",", "and"):
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(x)
    segments = [seg for seg in segments if seg]
    kept = [seg for seg in segments if r.lower(seg[0]) not in ("including", "among")]
    if len(kept) < 2 and not (kept and len(kept) < len(segments)):
        return None  # one plain subject: the simple reader below handles it
    segments = kept
    total = 0
    for n, seg in enumerate(segments):
        if n == 0:  # the first item may follow other words: "Officials said two soldiers"
            firsts = [
                x for x in seg if word_value(r.doc[x].text) is not None or r.lower(x) in ("a", "an")
            ]
            if not firsts:
                return None
            seg = seg[seg.index(firsts[0]) :]
        head = r.lower(seg[0])
        if head in ("a", "an"):
            value = 1
        else:
            got = read_number([r.doc[x].text for x in seg], 0)
            if got is None:
                return None
            value = got[0]
        if len(seg) < 2 or len(seg) > 5 or r.lower(seg[-1]) in units:
            return None  # noun phrases of victims are short: "two Jordanians", "an Egyptian"
        if any(r.lower(x) in PREPOSITIONS for x in seg):
            return None
        total += value
    return total


def _is_date(r: _Reader, i: int) -> bool:
    return r.lower(i - 1).rstrip(".") in {
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "in", "since",
    }  # fmt: skip


def _person_follows(r: _Reader, i: int, limit: int, person: frozenset[str]) -> int | None:
    """One victim after 'a'/'an': 'a senior military commander', 'a 17-year-old Palestinian',
    'a local councillor'. Return the token after the victim's phrase, or None.

    The object of a killing verb is a person unless the phrase names a counted thing (UNIT).
    """
    units = r.lex["UNIT"]
    j = i
    while j < min(limit, i + 7):
        low = r.lower(j)
        tok = r.doc[j]
        if low in person or (
            r.entity.get(j, ("", ""))[1] == "country" and not low.endswith("s") and tok.is_title
        ):
            return j + 1
        if low in PHRASE_STOPS or not (tok.is_alpha or low == "-" or tok.like_num):
            break
        j += 1
    if j > i and r.lower(j - 1) not in units and not r.lower(j - 1).endswith("s"):
        return j
    return None


def _named_person(r: _Reader, i: int, limit: int, person: frozenset[str]) -> bool:
    """'of Hamas deputy leader Saleh al-Arouri', 'of Qassem Soleimani': one named person."""
    j = i + 1 if r.lower(i) == "the" else i
    if j >= limit:
        return False
    tok = r.doc[j]
    if r.entity.get(j, ("", ""))[1] == "country" or not tok.is_title:
        return False
    return any(
        r.lower(x) in person or (r.doc[x].is_title and x not in r.entity)
        for x in range(j, min(limit, j + 5))
    )


def _who(r: _Reader, i: int, limit: int, attrs: dict[str, Any]) -> None:
    """Victims after the number: 'three American troops' → who 'American troops', nationality."""
    words = []
    for j in range(i, min(limit, i + 4)):
        tok = r.doc[j]
        if not tok.is_alpha or tok.lower_ in WHO_STOPS:
            break
        words.append(tok.text)
        name, kind = r.entity.get(j, ("", ""))
        if kind == "country":
            attrs["nationality"] = name
        if tok.lower_ in ("civilians", "civilian", "children", "women"):
            attrs["civilians"] = True
    if words:
        attrs["who"] = " ".join(words)


def _apply_tolls(r: _Reader, counts: list[_Count]) -> None:
    """'bringing the number killed to 39', 'the death toll rose to 31': a cumulative toll.

    The toll replaces the other killed counts of its sentence (they are part of it).
    """
    for k, sent in enumerate(r.sents):
        for _start, end in sent.cues.get("TOLL", ()):
            for j in range(end, min(sent.end, end + 16)):
                if r.lower(j) not in ("to", "at", "reached", "hit", "of", "stood", "stands"):
                    continue
                n = j + 1
                while r.lower(n) in TOLL_SKIP:
                    n += 1
                got = _number(r, n, sent.end, r.lex["UNIT"])
                if got is None:
                    continue
                for c in counts:
                    if c.sent == k and c.status == "killed":
                        c.subset = True
                counts.append(_Count("killed", k, n, got[0]))
                break
            else:
                continue
            break


def _mark_subsets(r: _Reader, counts: list[_Count]) -> None:
    """'eight people including five children': a count after 'including' is not added."""
    for c in counts:
        if c.count is None or c.subset:
            continue
        subsets = r.sents[c.sent].cues.get("SUBSET", ())
        for other in counts:
            if (
                other is c
                or other.sent != c.sent
                or other.count is None
                or other.status != c.status
            ):
                continue
            if other.pos < c.pos and any(other.pos < s <= c.pos for s, _ in subsets):
                c.subset = True


def _total(counts: list[_Count], status: str) -> int | None:
    """Sum of distinct stated counts; a lone restated death ('his death') counts one."""
    exact = {c.count for c in counts if c.status == status and c.count and not c.weak}
    exact_kept = {
        c.count for c in counts if c.status == status and c.count and not c.weak and not c.subset
    }
    if exact:
        extra = sum(
            c.count for c in counts if c.status == status and c.count and c.extra and not c.subset
        )
        repeated = sum(  # the extra groups' values already in the distinct set
            c.count
            for c in counts
            if c.status == status
            and c.count
            and c.extra
            and not c.subset
            and sum(1 for o in counts if o.count == c.count and o.status == status) == 1
        )
        return (sum(exact_kept) + extra - repeated) if exact_kept else max(exact)
    if any(c.status == status and c.weak for c in counts):
        return 1
    return None


def _pledges(r: _Reader, found: list) -> set[int]:
    sents: set[int] = set()
    for k, sent in enumerate(r.sents):
        if r.labels[k].isdisjoint(PLEDGE_LABELS):
            continue
        if r.near(k, DOMAINS_PLEDGE) and not r.has(k, "MIL"):
            continue
        hits: list[tuple[int, int]] = []
        for start, end in sent.cues.get("PLEDGE", ()):
            if r.before(k, "NEG", start, 2) or r.before(k, "RESP_BLOCK", start, 3):
                continue
            if r.after(k, "RESP_BLOCK", end, 2):
                continue
            hits.append((start, end))
        for start, end in sent.cues.get("RESP", ()):
            if any(s <= start < e for s, e in hits) or r.covered(k, "PLEDGE", start, end):
                continue
            if r.covered(k, "RESP_BLOCK", start, end) or r.before(k, "RESP_BLOCK", start, 3):
                continue
            if any(s <= start < e for s, e in sent.cues.get("NONFORCE", ())):
                continue  # "strike back at critics"
            if r.before(k, "NEG", start, 2) or r.after(k, "RESP_BLOCK", end, 2):
                continue
            if r.before(k, "FUTURE", start, 8) or _harsh_after(r, k, start):
                hits.append((start, end))
        for start, end in sent.cues.get("TOLERATE", ()):
            # "would not tolerate NATO air strikes": a vow to answer force
            force = [
                (s, e)
                for label in ("STRIKE", "STRIKE_WEAK", "FORCE")
                for s, e in r.after(k, label, end, 5)
            ]
            if force:
                hits.append((start, end))
        for start, end in sent.cues.get("PRICE", ()):
            if any(
                r.lower(j) in ("pay", "paid", "exact") for j in range(start - 4, start)
            ) and r.before(k, "FUTURE", start, 8):
                hits.append((start, end))
        if hits and not _force_context(r, k):
            # "will respond to the budget crisis": generic response words need force around them
            hits = [(s, e) for s, e in hits if not _generic_response(r, s, e)]
        for start, end in sorted(set(hits)):
            found.append(("retaliation_pledge", k, start, end, {}))
            sents.add(k)
    return sents


def _force_context(r: _Reader, k: int) -> bool:
    """The sentence speaks of force or harm (military, attacks, killing, violence, threats)."""
    return k in r.actor_sents or any(r.has(k, label) for label in FORCE_CONTEXT)


def _generic_response(r: _Reader, start: int, end: int) -> bool:
    return any(r.lower(i).startswith("respon") for i in range(start, end))


def _harsh_after(r: _Reader, k: int, start: int) -> bool:
    """ "Iran's response to ... will be 'harsh'": a response noun, then will/would be + harsh."""
    if r.lower(start) not in RESP_NOUNS:
        return False
    harsh = r.lex["HARSH"]
    end = r.sents[k].end
    for j in range(start + 1, end - 1):
        if r.lower(j) in ("will", "would") and r.lower(j + 1) == "be":
            n = j + 2
            while n < end and r.doc[n].is_punct:
                n += 1
            if r.lower(n) in harsh:
                return True
    return False


def _threats(r: _Reader, found: list, pledge_sents: set[int]) -> None:
    for k, sent in enumerate(r.sents):
        labels = r.labels[k]
        if k in pledge_sents or not (
            "THREAT" in labels or "THREAT_PHRASE" in labels or "FUTURE" in labels
        ):
            continue
        if r.near(k, DOMAINS_THREAT):
            continue
        hits: list[tuple[int, int]] = []
        for start, end in sent.cues.get("THREAT_PHRASE", ()):
            if not r.before(k, "NEG", start, 2) and not r.covered(k, "NONFORCE", start, end):
                hits.append((start, end))
        for start, end in sent.cues.get("FORCE_VERB", ()):
            # "would keep attacking convoys", "will strike": force announced with a modal
            if r.near(k, ("SPORTS",)) or r.covered(k, "NONFORCE", start, end):
                continue
            if r.lower(start).startswith("strik") and r.near(k, ("LABOR",)):
                continue
            j = start - 1
            while j > sent.start and (r.covered(k, "KEEP", j, j + 1) or r.lower(j) == "to"):
                j -= 1
            if r.lower(j) in MODALS and not r.before(k, "NEG", j, 2):
                hits.append((j, end))
        for start, end in sent.cues.get("THREAT", ()):
            if r.before(k, "NEG", start, 2):
                continue
            force = [
                (s, e)
                for s, e in r.after(k, "FORCE", end, 15)
                if not r.covered(k, "NONFORCE", s, e)
                and not (r.lower(s).startswith("strike") and r.near(k, ("LABOR",)))
                # "warned that Russia could launch an offensive": a forecast, not a threat
                and not r.before(k, "SPECULATIVE", s, 4)
            ]
            if force:
                hits.append((start, force[0][1]))
        for start, end in sorted(set(hits)):
            found.append(("threat", k, start, end, {}))


def _deescalation(r: _Reader, found: list) -> None:
    for k, sent in enumerate(r.sents):
        if r.labels[k].isdisjoint(DEESC_LABELS):
            continue
        hits: list[tuple[int, int]] = []
        for start, end in sent.cues.get("DEESC", ()):
            if r.covered(k, "DEESC_BLOCK", start, end) or any(
                s <= start < e for s, e in sent.cues.get("DEESC_BLOCK", ())
            ):
                continue
            if r.lower(start) == "want":
                if r.before(k, "NEG", start, 4):
                    hits.append((start, end))
                continue
            if not r.before(k, "NEG", start, 2):
                hits.append((start, end))
        for start, end in sent.cues.get("END", ()):
            if r.before(k, "NEG", start, 2):
                continue
            conflict = [
                (s, e)
                for s, e in r.after(k, "CONFLICT", end, 7)
                if not r.covered(k, "NONFORCE", s, e)
            ]
            if conflict:
                hits.append((start, conflict[0][1]))
        for start, end in sent.cues.get("DESIRE", ()):
            if not r.before(k, "NEG", start, 3):
                continue
            conflict = r.after(k, "CONFLICT", end, 7)
            if conflict:
                hits.append((start, conflict[0][1]))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(set(hits)):
            if merged and start < merged[-1][1]:
                continue
            merged.append((start, end))
        for start, end in merged:
            found.append(("deescalation", k, start, end, {}))
