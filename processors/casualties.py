"""Casualty signals and counts: which casualty words are real, and how many people each names.

A casualty word needs no accident, disaster or disease context (unless an attack is in the same
sentence); its count is read next to it (``_count``: after the word, then before it), and the
text's total sums distinct values (``total``), with cumulative tolls ("the death toll rose to 31")
replacing the counts of their sentence and "including five children" not added (LABELING.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from processors.context import DOMAINS_CASUALTY, DOMAINS_CASUALTY_HARD, named_year
from processors.quantities import VAGUE, read_number, word_value
from processors.reader import Found, Reader, lexicon

HARM_LABELS = frozenset({"KILL", "HURT", "DEATH"})
_WORDS = lexicon()
TOLL_SKIP = _WORDS["TOLL_SKIP"]
PHRASE_STOPS = _WORDS["PHRASE_STOPS"]
PREPOSITIONS = _WORDS["PREPOSITIONS"]
FURTHER = _WORDS["FURTHER"]
AUX = _WORDS["AUX"]
ADJECTIVES = _WORDS["ADJECTIVES"]
SINGULAR_NOUNS = _WORDS["SINGULAR_NOUNS"]
DETERMINERS = _WORDS["DETERMINERS"]
PASSIVE_SINGULAR = _WORDS["PASSIVE_SINGULAR"]
MODAL_BEFORE_HARM = _WORDS["MODAL_BEFORE_HARM"]
CLAUSE_STOPS = _WORDS["CLAUSE_STOPS"]
WHO_STOPS = _WORDS["WHO_STOPS"]
TOLL_LINKS = _WORDS["TOLL_LINKS"]
CIVILIAN_WORDS = _WORDS["CIVILIAN_WORDS"]
DATE_BEFORE = _WORDS["DATE_BEFORE"]


@dataclass
class Count:
    """One casualty word's reading: its status, where its number is, and how to add it up."""

    status: str
    sent: int
    pos: int
    count: int | None
    approximate: bool = False
    weak: bool = False
    subset: bool = False
    extra: bool = False  # "another 47 people": a further group, added even if the value repeats
    #: first token of the casualty word read (its signal's start); -1 for a toll phrase's figure
    cue: int = -1


def casualties(r: Reader, found: list[Found], strike_sents: set[int]) -> list[Count]:
    """Append the casualty signals to ``found``; return every count read, for the totals."""
    counts: list[Count] = []
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
                named_year(r, s)
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
    r: Reader, k: int, start: int, end: int, status: str, label: str
) -> tuple[dict[str, Any], Count]:
    """Read the number of people a casualty word at ``start..end`` refers to."""
    sent = r.sents[k]
    skip, units, person = r.lex["SKIP"], r.lex["UNIT"], r.lex["PERSON_ONE"]
    attrs: dict[str, Any] = {"status": status, "count": None}
    result = Count(status, k, start, None, cue=start)
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


def _number(r: Reader, i: int, limit: int, units: frozenset[str]) -> tuple[int, int] | None:
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
    r: Reader,
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


def _subject_list(r: Reader, k: int, cue: int, units: frozenset[str]) -> int | None:
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


def _is_date(r: Reader, i: int) -> bool:
    return r.lower(i - 1).rstrip(".") in DATE_BEFORE


def _person_follows(r: Reader, i: int, limit: int, person: frozenset[str]) -> int | None:
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


def _named_person(r: Reader, i: int, limit: int, person: frozenset[str]) -> bool:
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


def _who(r: Reader, i: int, limit: int, attrs: dict[str, Any]) -> None:
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
        if tok.lower_ in CIVILIAN_WORDS:
            attrs["civilians"] = True
    if words:
        attrs["who"] = " ".join(words)


def _apply_tolls(r: Reader, counts: list[Count]) -> None:
    """'bringing the number killed to 39', 'the death toll rose to 31': a cumulative toll.

    The toll replaces the other killed counts of its sentence (they are part of it).
    """
    for k, sent in enumerate(r.sents):
        for _start, end in sent.cues.get("TOLL", ()):
            for j in range(end, min(sent.end, end + 16)):
                if r.lower(j) not in TOLL_LINKS:
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
                counts.append(Count("killed", k, n, got[0]))
                break
            else:
                continue
            break


def _mark_subsets(r: Reader, counts: list[Count]) -> None:
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


def total(counts: list[Count], status: str) -> int | None:
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
