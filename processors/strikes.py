"""Strike signals: strong strike cues unless blocked, weak ones only with military context."""

from __future__ import annotations

from processors.context import DOMAINS_WEAK_STRIKE, blocked, domain_near, infinitive
from processors.reader import Found, Reader, lexicon

#: gazetteer kinds whose name right before an attack word names that attack ("the Pahalgam
#: attack"), and those that can be the subject of "shells" as a verb ("RSF shells camp")
PLACE_KINDS = frozenset({"country", "city", "region"})
ACTORS = frozenset({"armed_group", "force", "country"})
ATTACK_NOUNS = lexicon()["ATTACK_NOUNS"]


def strikes(r: Reader, found: list[Found]) -> set[int]:
    """Append strike signals to ``found``; return the sentences that hold one."""
    strong: list[tuple[int, int, int]] = []
    for k, sent in enumerate(r.sents):
        for start, end in sent.cues.get("STRIKE", ()):
            if blocked(r, k, start, end) or r.near(k, ("FICTION",)) or r.has(k, "INTO_SEA"):
                continue  # "fires a barrage of shells into the sea": a drill, not an attack
            if strong and strong[-1][0] == k and strong[-1][2] > start:  # overlapping phrases
                continue
            strong.append((k, start, end))
    weak: list[tuple[int, int, int]] = []
    for k, sent in enumerate(r.sents):
        for start, end in sent.cues.get("STRIKE_WEAK", ()):
            if r.covered(k, "STRIKE", start, end) or blocked(r, k, start, end):
                continue
            if infinitive(r, start):
                continue
            if domain_near(r, k, DOMAINS_WEAK_STRIKE, start, end) or r.has(k, "EXERCISE"):
                continue
            word = r.lower(start)
            if word in ("fired", "firing") and r.anywhere("WARNING_SHOTS"):
                continue  # "soldiers fired shots near the diplomats", told as warning shots
            if word == "shells" and r.entity.get(start - 1, ("", ""))[1] not in ACTORS:
                continue  # the verb ("RSF shells camp"), not the noun ("stored shells")
            raid = word.startswith("raid")
            if raid and r.has(k, "ARREST") and r.labels[k].isdisjoint(("KILL", "HURT", "DEATH")):
                continue  # "launched raids and arrested five suspects": arrests, not force
            before = r.entity.get(start - 1, ("", ""))[1]
            military = (
                r.has(k, "MIL")
                # a raid by police on a named group is an arrest unless someone is hurt
                or (k in r.actor_sents and not raid)
                or (
                    (r.has(k, "KILL") or r.has(k, "HURT") or r.has(k, "DEATH"))
                    and not r.near(k, ("ACCIDENT", "DISASTER", "DISEASE"))
                )
                or before == "country"  # "Israeli strikes"
                # "the Pahalgam attack", "Russia's assault on Kyiv"; not "trucks in Gaza raided"
                or (before in PLACE_KINDS and word in ATTACK_NOUNS)
                or (
                    word in ATTACK_NOUNS
                    and r.lower(start - 1) in ("'s", "’s")
                    and r.entity.get(start - 2, ("", ""))[1] == "country"
                )
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
