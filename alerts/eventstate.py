"""What a group's rule state remembers of events, and how a revision or a merge changes it.

An event arrives many times: every report that joins it bumps its revision. The state keeps one
entry per event id, the newest revision's, so every window sees the event once with its latest
figures. A merged event leaves a tombstone (``gone``) instead of its figures: a late copy of an
older revision is then recognised and ignored, and what rules remembered about it (that an
``any`` rule already fired, which side of a sequence it stood on, which spike slot counted it)
passes to the event it was merged into, so the survivor does not alert a second time for the
same reports.
"""

from __future__ import annotations

from typing import Any

from alerts.rules import Rule, RuleSet
from escmon.models import EventRecord

Entry = dict[str, Any]

EVIDENCE_PER_EVENT = 3
SENTENCE_CHARS = 280
# Enough to recognise an event that swallowed another, small enough for a changelog write.
ARTICLES_PER_EVENT = 100


def _ts(event: EventRecord, name: str) -> float:
    value = getattr(event, name)
    return float(value.timestamp())


def entry(event: EventRecord) -> Entry:
    """The features of ``event`` the rules need, as JSON.

    ``t`` (its newest report) places the event in windows, so an event still being reported stays
    current; ``t0`` (its first report) is when it happened, for spike slots and sequences.
    """
    evidence: list[list[str | None]] = []
    for ev in event.evidence:
        sentence = " ".join(ev.sentence.split())[:SENTENCE_CHARS]
        if sentence and all(sentence != e[1] for e in evidence):
            evidence.append([ev.type, sentence, ev.article_id, ev.source, ev.url])
        if len(evidence) == EVIDENCE_PER_EVENT:
            break
    return {
        "t": _ts(event, "last_seen"),
        "t0": _ts(event, "first_seen"),
        "rev": event.revision,
        "title": event.title,
        "src": sorted(set(event.sources)),
        "arts": list(dict.fromkeys(event.articles))[:ARTICLES_PER_EVENT],
        "score": event.score,
        "killed": event.killed.best or 0,
        "sig": sorted(set(event.signals)),
        "fetched": _ts(event, "first_fetched") if event.first_fetched else None,
        "ev": evidence,
    }


def live(evs: dict[str, Entry]) -> list[tuple[str, Entry]]:
    """The events that count (not merged away)."""
    return [(k, e) for k, e in evs.items() if not e.get("gone")]


def absorbed_by(evs: dict[str, Entry], eid: str, new: Entry) -> list[str]:
    """Other events whose every report is now a report of ``eid``: merged into it.

    The linker says so with a ``merged`` record too, but that record may reach this group after
    the survivor's revision (they are keyed by different event ids); recognising it here keeps
    the window from counting the same reports twice in between.
    """
    mine = set(new["arts"])
    return sorted(
        k
        for k, e in evs.items()
        # The first report's test is cheap and rules out nearly every other event.
        if e.get("arts") and e["arts"][0] in mine and k != eid and not e.get("gone")
        and len(e["arts"]) < ARTICLES_PER_EVENT and mine.issuperset(e["arts"])
    )


def absorbing(evs: dict[str, Entry], eid: str, new: Entry) -> str | None:
    """Another event already holding every report of ``eid``: it was merged into that one, and
    this revision is older news than the merge (it arrived late, on another partition)."""
    arts = new["arts"]
    if not arts or len(arts) >= ARTICLES_PER_EVENT:
        return None
    for k, e in evs.items():
        if k != eid and not e.get("gone") and arts[0] in e.get("arts", ()):
            if set(e["arts"]).issuperset(arts):
                return k
    return None


def withdraw(
    ruleset: RuleSet, st: dict[str, Any], eid: str, into: str | None, rev: int, t: float
) -> None:
    """Replace event ``eid``'s figures by a tombstone; hand what rules remember to ``into``."""
    old = st["evs"].get(eid)
    when = old["t"] if old else t
    st["evs"][eid] = {"t": when, "rev": max(rev, old["rev"] if old else 0), "gone": True}
    for rule in ruleset.rules:
        rs = st["rules"].get(rule.name)
        if rs and rule.on_events:
            _hand_over(rule, rs, eid, into)


def _hand_over(rule: Rule, rs: dict[str, Any], eid: str, into: str | None) -> None:
    if into == eid:
        # Leaving a group, not merged: keep "already fired", drop holds, slots and marks.
        rs["held"] = {k: v for k, v in (rs.get("held") or {}).items() if k != eid}
        for side in ("firsts", "thens"):
            if rs.get(side):
                rs[side] = [m for m in rs[side] if m[1] != eid]
        if rs.get("evcounts"):
            rs["evcounts"] = {k: [i for i in ids if i != eid] for k, ids in rs["evcounts"].items()}
        return
    if rs.get("held") and eid in rs["held"]:
        # The survivor's own revision starts (or has started) its hold.
        rs["held"] = {k: v for k, v in rs["held"].items() if k != eid}
    fired = rs.get("fired")
    if fired and eid in fired:
        fired = dict(fired)
        mine = fired.pop(eid)
        theirs = fired.get(into) if into else None
        if into and (theirs is None or rule.rank(mine[1]) > rule.rank(theirs[1])):
            fired[into] = mine
        rs["fired"] = fired
    # A sequence side or spike slot the merged event held passes to the survivor, unless the
    # survivor holds one already (then the merged event's is simply dropped).
    for side in ("firsts", "thens"):
        marks = rs.get(side)
        if not marks or all(m[1] != eid for m in marks):
            continue
        if into is None or any(m[1] == into for m in marks):
            rs[side] = [m for m in marks if m[1] != eid]
        else:
            rs[side] = [[m[0], into] if m[1] == eid else m for m in marks]
    slots = rs.get("evcounts")
    if slots:
        drop = into is None or any(into in ids for ids in slots.values())
        rs["evcounts"] = {
            slot: [i for i in ids if i != eid] if drop else [into if i == eid else i for i in ids]
            for slot, ids in slots.items()
        }


def count_in_slot(rs: dict[str, Any], eid: str, slot: int, matches: bool) -> None:
    """Spike over events: an event counts once, in the slot of its first report, while it
    matches ``where`` (a revision that stops matching takes it out again)."""
    slots: dict[str, list[str]] = rs.get("evcounts") or {}
    already = any(eid in ids for ids in slots.values())
    if matches and not already:
        slots = {**slots, str(slot): [*slots.get(str(slot), []), eid]}
    elif not matches and already:
        slots = {k: [i for i in ids if i != eid] for k, ids in slots.items()}
    rs["evcounts"] = slots


def prune(ruleset: RuleSet, st: dict[str, Any], clock: float) -> None:
    """Drop events behind the rules' look-back, keep at most ``max_events`` (newest first), and
    forget per-event marks of events the state no longer holds."""
    evs = {k: e for k, e in st["evs"].items() if e["t"] > clock - ruleset.retention}
    if len(evs) > ruleset.max_events:
        newest = sorted(evs.items(), key=lambda kv: (kv[1]["t"], kv[0]))[-ruleset.max_events :]
        evs = dict(newest)
    st["evs"] = evs
    for rule in ruleset.rules:
        rs = st["rules"].get(rule.name)
        if not rs or not rule.on_events or len(rs.get("fired") or ()) <= ruleset.max_events:
            continue
        # "Already fired" outlives the window (a toll update hours later must not re-fire at the
        # same severity) but not the bound on the state.
        fired = sorted(rs["fired"].items(), key=lambda kv: (kv[1][0], kv[0]))
        rs["fired"] = dict(fired[-ruleset.max_events :])
