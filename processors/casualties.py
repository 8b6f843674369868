"""Casualty signals and counts: which casualty words are real, and how many people each names.

A casualty word needs no accident, disaster or disease context (unless an attack is in the same
sentence); its count is read next to it (``_count``: after the word, then before it), and the
text's total sums distinct values (``total``), with cumulative tolls ("the death toll rose to 31")
replacing the counts of their sentence and "including five children" not added (LABELING.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from processors.context import DOMAINS_CASUALTY, DOMAINS_CASUALTY_HARD, named_year, shooting
from processors.quantities import VAGUE, read_number, word_value
from processors.reader import ATTACKER_NOUNS, Found, Reader, lexicon

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
HARM_ADVERBS = _WORDS["HARM_ADVERBS"]
VICTIM_ADJECTIVES = _WORDS["VICTIM_ADJECTIVES"]
NAME_PARTICLES = _WORDS["NAME_PARTICLES"]
ONE_VICTIM_CUES = _WORDS["ONE_VICTIM_CUES"]
BLAST_WORDS = _WORDS["BLAST_WORDS"]
#: what an attack leaves, like its blast: no accident in an attack report
ATTACK_DAMAGE = BLAST_WORDS | _WORDS["AFTERMATH_WORDS"]
#: 'seven of their members', 'two of his bodyguards': a number before 'of' and these counts people
OWN_GROUP = frozenset({"their", "his", "her", "its", "our"})
#: 'most of them children': a share of the people just counted
PART_WORDS = frozenset({"most", "many", "some", "all", "half", "several", "both", "none"})
#: the title and first sentences, where a report tells what happened
LEAD = 3


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
            and not (shooting(r, s, e) and (kills or "DEATH" in sent.cues))
            # "Teenager murdered ... The 17-year-old was shot when ...": the same one victim
            and not (r.lower(s) == "was" and k > 0 and "KILL" in r.labels[k - 1])
        ]
        cues += [(s, e, "DEATH") for s, e in sent.cues.get("DEATH", ())]
        if not cues:
            continue
        violent = k in strike_sents
        # a lead that has told an attack goes on with that attack's dead ('Bomb rips federal
        # building ... By evening, 31 people were confirmed dead'); not before it is told
        attack_lead = k < LEAD and any(j < k for j in strike_sents)
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
            if _not_a_harm_report(r, start, end):
                continue
            if label == "DEATH" and r.before(k, "CITED", start, 4):
                continue  # "lawmakers cited civilian deaths in Yemen's war": a reason given
            if not violent and _domain_near(r, k, DOMAINS_CASUALTY, strike_sents):
                # a sports word next to a shooting or killing does not make it sport
                shot = label == "KILL" or shooting(r, start, end)
                if not (shot and not _domain_near(r, k, DOMAINS_CASUALTY_HARD, strike_sents)):
                    continue
            if label == "DEATH" and not (
                violent
                or k - 1 in strike_sents
                or attack_lead
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


def _domain_near(r: Reader, k: int, domains: tuple[str, ...], strike_sents: set[int]) -> bool:
    """A domain cue in sentence ``k`` or a neighbour, as ``Reader.near``, except an explosion
    word in a sentence that tells a strike or in a report whose lead (the first ``LEAD``
    sentences) tells one: that is the strike's blast ("Russia fired cruise missiles at cities
    ... Explosions were also reported in Lviv"), no accident."""
    if not r.near(k, domains):
        return False
    attack_report = any(j < LEAD for j in strike_sents)
    for j in range(max(0, k - 1), min(len(r.sents), k + 2)):
        cues = r.sents[j].cues
        for label in domains:
            got = cues.get(label)
            if not got:
                continue
            if (
                label == "ACCIDENT"
                and (attack_report or j in strike_sents)
                and all(e - s == 1 and r.lower(s) in ATTACK_DAMAGE for s, e in got)
            ):
                continue
            return True
    return False


def _not_a_harm_report(r: Reader, start: int, end: int) -> bool:
    """ "the dead gunman's iPhone" (the dead man owns the news), "war is killing Israel" (a
    country as the victim is a metaphor; "killing Israelis" is not)."""
    if r.lower(start) == "dead" and end - start == 1 and r.lower(end + 1) in ("'s", "’s"):
        return True
    name, kind = r.entity.get(end, ("", ""))
    return kind == "country" and r.doc[end].text == name and r.lower(end + 1) not in ("'s", "’s")


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
    if r.lower(end - 1) in ONE_VICTIM_CUES and word_value(r.lower(start - 1)) is None:
        attrs["count"], result.count = 1, 1  # "claims one life", "who lost both legs"
        return attrs, result
    if (
        end - start == 1
        and r.lower(start) in SINGULAR_NOUNS
        and r.lower(start - 1) in ("only", "sole", "single")
    ):
        # 'The only death reported was that of a Palestinian man': one, and all there were
        attrs["count"], result.count = 1, 1
        return attrs, result
    if end - start == 2 and r.lower(start) in DETERMINERS and r.lower(end - 1) in SINGULAR_NOUNS:
        attrs["count"], result.count, result.weak = 1, 1, True  # "days before his murder"
        return attrs, result
    # 1. after the word: "killed at least 16 people", "the killing of nine peacekeepers"
    j = end
    while j < min(sent.end, end + 6):
        low = r.lower(j)
        number = _number(r, j, sent.end, units) or _part_of_the(r, j, sent.end, units)
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
    if _victim_after(r, end, sent.end, person):
        attrs["count"], result.count = 1, 1  # "Police kill suspect", "murder of child"
        return attrs, result
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
    i = _before_inclusion(r, k, start)
    verb = r.lower(start - 1) if r.lower(start - 1) not in HARM_ADVERBS else r.lower(start - 2)
    while i >= max(sent.start, min(i, start - 1) - 8):
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
        (verb in PASSIVE_SINGULAR and not _plural_subject(r, k, start))
        or r.lower(start) == "was"
        or (r.lower(start - 1) in person and r.lower(start - 2) in ("the", "a", "an"))
    ):  # "a woman was killed", "the boy died of his wounds"
        attrs["count"], result.count = 1, 1
        return attrs, result
    if end - start == 1 and r.lower(start) in SINGULAR_NOUNS and r.lower(start - 1) in DETERMINERS:
        attrs["count"], result.count, result.weak = 1, 1, True
        return attrs, result
    if _victim_before(r, k, start, person):
        attrs["count"], result.count = 1, 1  # "Cambodian soldier killed", "Woman found murdered"
        return attrs, result
    attrs["approximate"], result.approximate = True, True
    return attrs, result


def _before_inclusion(r: Reader, k: int, start: int) -> int:
    """Where to read a subject's number back from: before a comma-closed 'including' phrase.

    'seven of their members, including General X and his deputy Y, were killed': the names
    between the commas are part of the seven (up to 20 tokens), read from 'members'.
    """
    j = start - 1
    lo = r.sents[k].start
    while j >= lo and r.lower(j) in AUX:
        j -= 1
    if j < lo or r.lower(j) != ",":
        return start - 1
    for i in range(j - 1, max(lo, j - 21), -1):
        low = r.lower(i)
        if low in (",", ";"):
            return start - 1
        if low in ("including", "among") and r.lower(i - 1) == ",":
            return i - 2
    return start - 1


def _plural_subject(r: Reader, k: int, start: int) -> bool:
    """'civilians had been killed': a plural noun before the auxiliaries, no single victim.

    A lower-case word ending in 's' (not 'ss': 'the boss'); names stay singular.
    """
    i = start - 1
    while i >= r.sents[k].start and r.lower(i) in AUX:
        i -= 1
    if i < r.sents[k].start:
        return False
    tok = r.doc[i]
    low = tok.lower_
    return tok.is_alpha and tok.is_lower and low.endswith("s") and not low.endswith("ss")


def _victim_after(r: Reader, i: int, limit: int, person: frozenset[str]) -> bool:
    """One victim right after the harm word, headline style without an article: "killed senior
    Hamas leader Mohammed Sinwar", "Police kill suspect", "murder of child", "kills al-Shabaab
    leader". Not "killed soldiers" (plural) nor "killed the leader's guards"."""
    j = i
    while j < min(limit, i + 6):
        low = r.lower(j)
        if low in person:
            return r.lower(j + 1) not in ("'s", "’s", "-", "and")
        named = r.doc[j].is_title or low in NAME_PARTICLES
        if not (low in VICTIM_ADJECTIVES or (named and r.entity.get(j, ("", ""))[1] != "country")):
            return False
        j += 1
    return False


def _victim_before(r: Reader, k: int, start: int, person: frozenset[str]) -> bool:
    """One victim as the headline's subject: "Cambodian soldier killed in clash", "Woman found
    murdered", "Top Maoist commander Tulsi Bhuinya killed". Not "two ... soldier" nor plurals."""
    lo = r.sents[k].start
    i = start - 1
    if r.lower(i) == "found":
        i -= 1
    names = 0
    while i >= lo and names < 4 and r.doc[i].is_title and r.lower(i) not in person:
        i, names = i - 1, names + 1  # the victim's name after their title
    if i < lo or r.lower(i) not in person:
        return False
    before = i - 1
    if names == 0 and i == start - 1:
        return word_value(r.lower(before)) is None  # "teenager murdered", not "two ... soldier"
    return before < lo or r.lower(before) in ("a", "an", "the", "one") or r.doc[before].is_title


def _part_of_the(r: Reader, i: int, limit: int, units: frozenset[str]) -> tuple[int, int] | None:
    """'killed 106 of the civilians sheltering in the base': after the casualty word, the number
    of a group's people it killed; only there ('Ten of the dead were children' counts a part)."""
    low = r.lower(i)
    if word_value(low) is None:
        return None
    got = read_number([r.doc[j].text for j in range(i, min(limit, i + 4))], 0)
    if got is None or r.lower(i - 1) == "-":
        return None
    value, used = got
    if r.lower(i + used) != "of" or r.lower(i + used + 1) != "the":
        return None
    noun = i + used + 2
    if noun >= limit or not (r.doc[noun].is_alpha or r.doc[noun].like_num):
        return None
    if r.lower(noun) in units or r.lower(noun) in ATTACKER_NOUNS:
        return None
    return value, i + used


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
    if nxt == "of" and r.lower(i + used + 1) in OWN_GROUP:
        return value, i + used  # 'seven of their members': a part of a group, people
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
    if r.lower(nxt) == "the" and (number := _number(r, nxt + 1, limit, units)) is not None:
        return number[0]  # "killed 25 people and the two bombers": another group of the dead
    if r.lower(nxt) in ("a", "an", "their", "his", "her", "its", "the"):
        noun = r.lower(nxt + 1)
        if noun in person or (
            r.doc[nxt + 1].is_alpha and not noun.endswith("s") and r.lower(nxt + 2) in PHRASE_STOPS
        ):
            return 1  # "and his driver"
    return 0


def _one_person(r: Reader, seg: list[int]) -> bool:
    """The item's noun, the last word before any 'of' phrase, is a singular person noun."""
    of = next((n for n, x in enumerate(seg) if r.lower(x) == "of"), len(seg))
    return of >= 2 and r.lower(seg[of - 1]) in r.lex["PERSON_ONE"]


#: how far back a listed subject may start: 'Six policemen and two civilians, one of them the
#: driver of a van carrying the match officials, were killed' holds an apposition of 13 tokens
#: (facts9; it was 16, which cut the list after 'two civilians')
SUBJECT_LIST_REACH = 24


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
    while i >= max(lo, end - SUBJECT_LIST_REACH):
        tok = r.doc[i]
        # 'a U.S. Army sergeant': an abbreviation with dots is a word of the item
        word = tok.is_alpha or tok.text.replace(".", "").isalpha()
        if not (word or tok.like_num or tok.lower_ in (",", "-")) or tok.lower_ in AUX:
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
    kept = []
    inside = False  # within an "including ..." phrase, which runs to its closing comma
    for seg in segments:
        if r.lower(seg[0]) in ("including", "among") or _part_of_them(r, seg):
            inside = True
        elif inside and r.lower(seg[0] - 1) == "and" and r.lower(seg[0] - 2) != ",":
            pass  # "80 people, including 30 children and 20 women,": 20 women are of the 80
        else:
            inside = False
            kept.append(seg)
    included = len(kept) < len(segments)
    if len(kept) < 2 and not (kept and included):
        return None  # one plain subject: the simple reader below handles it
    segments = kept
    # the first item may follow other words: "Officials said two soldiers"; it starts where a
    # victims' phrase does ("said in a press conference that three women": at "three", not at
    # "a"), and clauses before it are no items ("According to the Pentagon, 13 US troops")
    while segments:
        seg = segments[0]
        fits = [
            x
            for x in seg
            if (word_value(r.doc[x].text) is not None or r.lower(x) in ("a", "an"))
            and seg[-1] - x < 5
            and not any(r.lower(y) in PREPOSITIONS for y in range(x, seg[-1] + 1))
        ]
        if fits:
            segments[0] = seg[seg.index(fits[0]) :]
            break
        segments = segments[1:]
    if len(segments) < 2 and not (segments and included):
        return None
    values: list[int] = []
    for seg in segments:
        while len(seg) > 1 and r.lower(seg[0]) in TOLL_SKIP:
            seg = seg[1:]  # "13 US service members and at least 90 Afghans"
        head = r.lower(seg[0])
        compound = read_number([r.doc[x].text for x in seg[:3]], 0)  # 'Twenty-nine'
        if r.lower(seg[0] + 1) in ("-", "–") and (compound is None or compound[1] < 3):
            return None  # "the eight-month civil war, 80 people were killed": an adjective
        if head in ("a", "an") and r.lower(seg[0] + 1) != "dozen":  # 'a dozen people': 12
            value = 1
        elif values and head in DETERMINERS and _one_person(r, seg):
            # 'five aid workers and their Palestinian driver', 'Ten policemen and the civilian
            # driver of their vehicle': a further item naming one person is one more
            value = 1
        else:
            got = read_number([r.doc[x].text for x in seg], 0)
            if got is None:
                if values and _bare_plural(r, seg):
                    # '120 Marines and sailors', '29 people and unborn twins': more nouns for
                    # the counted group, or people without a number, which add nothing
                    values.append(0)
                    continue
                return None
            value = got[0]
        of = next((n for n, x in enumerate(seg) if r.lower(x) == "of"), None)
        if of is not None and of >= 2 and seg is segments[-1]:
            # 'two soldiers of the special forces were killed': the 'of' phrase says whose
            # soldiers; 'two of the soldiers' (a part of a group) stays unread, and so does an
            # item inside the list ('The dead were 16 civilians and three members of the
            # special forces, and 33 people were wounded': the wounded's clause is no list)
            seg = seg[:of]
        if len(seg) < 2 or len(seg) > 5 or r.lower(seg[-1]) in units:
            return None  # noun phrases of victims are short: "two Jordanians", "an Egyptian"
        # a preposition ends a victims' phrase, unless it is part of a hyphenated noun ('a
        # civilian passer-by', 'his mother-in-law')
        if any(r.lower(x) in PREPOSITIONS and r.lower(x - 1) not in ("-", "–") for x in seg):
            return None
        values.append(value)
    return _without_apposition(r, segments, values, r.lower(end - 1) == ",")


def _part_of_them(r: Reader, seg: list[int]) -> bool:
    """'most of them women', '11 of them children': an apposition that says who the item
    before it were, a part of its count and no further item ('29 people, 11 of them children,
    were killed' = 29, as 'including 11 children')."""
    if len(seg) < 3 or r.lower(seg[1]) != "of" or r.lower(seg[2]) not in ("them", "whom"):
        return False
    head = r.lower(seg[0])
    return head in PART_WORDS or word_value(head) is not None


def _bare_plural(r: Reader, seg: list[int]) -> bool:
    """An item of one or two words right after 'and', ending in a plural noun ('sailors')."""
    if len(seg) > 2 or r.lower(seg[0] - 1) != "and":
        return False
    last = r.lower(seg[-1])  # no tagger in the pipeline: a plural by its ending
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
    return plural and all(r.doc[x].is_alpha for x in seg)


def _without_apposition(r: Reader, items: list[list[int]], values: list[int], closed: bool) -> int:
    """The list's total, less a comma-closed apposition that restates its last item.

    '58 foreign tourists and four Egyptians, three police officers and a tour guide, were killed'
    = 62: after a list closed by 'and', the comma-enclosed items that add up to that last item
    name its people again. Not 'two soldiers and four civilians, two policemen and a guide, were
    killed' (3 is not 4: more groups, 9).
    """
    if closed:
        for i in range(1, len(items) - 1):
            joined = r.lower(items[i][0] - 1) == "and" and r.lower(items[i][0] - 2) != ","
            if joined and r.lower(items[i + 1][0] - 1) == "," and sum(values[i + 1 :]) == values[i]:
                return sum(values[: i + 1])
    return sum(values)


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


#: tokens from a toll phrase to its link word ('the death toll ... rose to 31'); a longer
#: reach only within one clause: 'The death toll from the attack on the DusitD2 hotel and office
#: complex in Nairobi's Westlands district has risen to 21' names the attack at length
TOLL_REACH = 16
#: prepositions that open a place's apposition after a name (', near El Fasher in North Darfur,')
PLACE_APPOSITION = frozenset({"near", "outside", "north", "south", "east", "west"})
TOLL_REACH_FAR = 28


def _apply_tolls(r: Reader, counts: list[Count]) -> None:
    """'bringing the number killed to 39', 'the death toll rose to 31': a cumulative toll.

    The toll replaces the other killed counts of its sentence (they are part of it).
    """
    for k, sent in enumerate(r.sents):
        for start, end in sent.cues.get("TOLL", ()):
            # 'the number of victims killed has increased to 35' counts the dead; 'the number of
            # rockets fired rose to 40' does not: 'the number of' needs a harm word first
            named = r.lower(start + 1) != "number"
            # 'in Aitou, a village in the hills of the Zgharta district, has risen to 23': an
            # apposition's commas do not end the toll's clause
            inner = _apposition_commas(r, end, min(sent.end, end + TOLL_REACH_FAR))
            for j in range(end, min(sent.end, end + TOLL_REACH_FAR)):
                if r.lower(j) in (",", ";", ":") and j >= end + TOLL_REACH and j not in inner:
                    break  # past the usual reach, only within the toll's own clause
                if r.lower(j) not in TOLL_LINKS:
                    continue
                if j >= end + TOLL_REACH and any(
                    r.lower(x) in (",", ";", ":") and x not in inner for x in range(end, j)
                ):
                    break
                n = j + 1
                while r.lower(n) in TOLL_SKIP:
                    n += 1
                got = _number(r, n, sent.end, r.lex["UNIT"])
                if got is None:
                    continue
                if not named and not any(
                    end <= s < n
                    for label in ("KILL", "DEATH")
                    for s, _e in sent.cues.get(label, ())
                ):
                    break
                for c in counts:
                    if c.sent == k and c.status == "killed":
                        c.subset = True
                counts.append(Count("killed", k, n, got[0]))
                break
            else:
                continue
            break


def _apposition_commas(r: Reader, lo: int, hi: int) -> set[int]:
    """The commas around an apposition after a name: ', a village in the hills of X,'.

    A comma right after a name (a capitalised word), then 'a'/'an'/'the' and words with no other
    punctuation up to the closing comma; both commas are returned. A place's apposition too:
    'in last week's assault on Zamzam camp, near El Fasher in North Darfur, has risen to 400'
    (a preposition of place and a name open it), and 'in Amalfi, in the north-western department
    of Antioquia, has risen to 13' (a name, then 'in the').
    """
    out: set[int] = set()
    i = lo
    while i < hi:
        name = r.doc[i - 1].is_title or i - 1 in r.entity
        # a place's apposition names its place right after the preposition; the noun before
        # it may be common ('Zamzam camp, near El Fasher,')
        place = r.lower(i + 1) in PLACE_APPOSITION and i + 2 < r.n and r.doc[i + 2].is_title
        # 'in Amalfi, in the north-western department of Antioquia,': a name's region (facts10)
        place = place or (name and r.lower(i + 1) == "in" and r.lower(i + 2) == "the")
        if r.lower(i) == "," and ((name and r.lower(i + 1) in ("a", "an", "the")) or place):
            j = i + 2
            while j < hi and (r.doc[j].is_alpha or r.lower(j) in ("-", "'s", "’s")):
                j += 1
            if j < hi and r.lower(j) == ",":
                out.update((i, j))
                i = j + 1
                continue
        i += 1
    return out


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


def total(counts: list[Count], status: str, headline: bool = False) -> int | None:
    """Sum of distinct stated counts; a lone restated death ('his death') counts one.

    Under a headline the summary restates the headline's toll ("At least 47 injured" over "more
    than 45 people were wounded", 12 over "at least 14"): the larger of the two is kept, plus the
    summary's further groups ("two attackers were also killed").
    """
    if headline:
        title = [c for c in counts if c.sent == 0]
        said = _distinct_sum(title, status)
        body = [c for c in counts if c.sent > 0 and c.status == status and c.count]
        if said is not None and body:
            rest = _distinct_sum([c for c in counts if c.sent > 0 and not c.extra], status) or 0
            extra = sum(c.count or 0 for c in body if c.extra and not c.subset)
            return max(said, rest) + extra
    return _distinct_sum(counts, status)


def _distinct_sum(counts: list[Count], status: str) -> int | None:
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
