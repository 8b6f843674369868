"""Statements rather than events: retaliation pledges, threats and de-escalation.

A pledge is explicit response wording in the future; a threat is threat wording plus force with
no pledge in the sentence; de-escalation is ceasefire/restraint wording or "end" + "violence".
"""

from __future__ import annotations

from processors.context import DOMAINS_PLEDGE, DOMAINS_THREAT, force_context
from processors.reader import Found, Reader, lexicon

PLEDGE_LABELS = frozenset({"PLEDGE", "RESP", "PRICE", "TOLERATE"})
DEESC_LABELS = frozenset({"DEESC", "END", "DESIRE"})
MODALS = lexicon()["MODALS"]
RESP_NOUNS = lexicon()["RESP_NOUNS"]


def pledges(r: Reader, found: list[Found]) -> set[int]:
    """Append retaliation pledges to ``found``; return their sentences (no threat there)."""
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
        if hits and not force_context(r, k):
            # "will respond to the budget crisis": generic response words need force around them
            hits = [(s, e) for s, e in hits if not _generic_response(r, s, e)]
        for start, end in sorted(set(hits)):
            found.append(("retaliation_pledge", k, start, end, {}))
            sents.add(k)
    return sents


def _generic_response(r: Reader, start: int, end: int) -> bool:
    return any(r.lower(i).startswith("respon") for i in range(start, end))


def _harsh_after(r: Reader, k: int, start: int) -> bool:
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


def threats(r: Reader, found: list[Found], pledge_sents: set[int]) -> None:
    """Append threats to ``found``, outside the sentences that already hold a pledge."""
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


def deescalation(r: Reader, found: list[Found]) -> None:
    """Append de-escalation statements to ``found`` (overlapping matches merged)."""
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
