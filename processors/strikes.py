"""Strike signals: strong strike cues unless blocked, weak ones only with military context."""

from __future__ import annotations

from processors.context import DOMAINS_WEAK_STRIKE, blocked, infinitive
from processors.reader import Found, Reader


def strikes(r: Reader, found: list[Found]) -> set[int]:
    """Append strike signals to ``found``; return the sentences that hold one."""
    strong: list[tuple[int, int, int]] = []
    for k, sent in enumerate(r.sents):
        for start, end in sent.cues.get("STRIKE", ()):
            if blocked(r, k, start, end) or r.near(k, ("FICTION",)):
                continue
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
