"""Context filters: when a cue is not a real event (negated, hypothetical, historical, idiom).

The domain label tuples say which context cues around a sentence veto a rule: a weak strike cue
near sports or business words, a death near accident or disease words (LABELING.md).
"""

from __future__ import annotations

from processors.reader import Reader, lexicon

DOMAINS_WEAK_STRIKE = ("LABOR", "SPORTS", "FICTION", "BUSINESS", "DISASTER", "CYBER", "ANIMAL")
DOMAINS_CASUALTY = ("ACCIDENT", "DISASTER", "DISEASE", "FICTION", "SPORTS", "ANIMAL")
DOMAINS_CASUALTY_HARD = ("ACCIDENT", "DISASTER", "DISEASE", "FICTION", "ANIMAL")
DOMAINS_THREAT = ("DISASTER", "BUSINESS", "FICTION")
DOMAINS_PLEDGE = ("SPORTS", "BUSINESS", "FICTION")
FORCE_CONTEXT = ("MIL", "STRIKE", "STRIKE_WEAK", "KILL", "HURT", "VIOLENCE", "FORCE", "THREAT")
VERBAL_PREFIX = lexicon()["VERBAL_PREFIX"]
STRIKE_VERBS = lexicon()["STRIKE_VERBS"]


def named_year(r: Reader, start: int) -> bool:
    """'the 2015 attacks', 'the 1995 Oklahoma City bombing': an attack named by its year."""
    for i in range(max(0, start - 3), start):
        text = r.lower(i)
        if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100:
            return r.lower(i - 1) in ("the", "of")  # not a dateline ("Sept. 7, 2004 - ...")
    return False


def blocked(r: Reader, k: int, start: int, end: int) -> bool:
    """Negated, hypothetical, historical, or part of a non-force idiom."""
    return (
        r.covered(k, "NONFORCE", start, end)
        or r.historical(k)
        or named_year(r, start)
        or r.before(k, "NEG", start, 3)
        or r.before(k, "HYPO", start, 4)
    )


def infinitive(r: Reader, start: int) -> bool:
    """ "to attack" is intent, not an event, unless an attempt was launched ("attempting to")."""
    if r.lower(start - 1) not in VERBAL_PREFIX or r.lower(start) not in STRIKE_VERBS:
        return False
    return not r.lower(start - 2).startswith(("attempt", "tried", "trying"))


def force_context(r: Reader, k: int) -> bool:
    """The sentence speaks of force or harm (military, attacks, killing, violence, threats)."""
    return k in r.actor_sents or any(r.has(k, label) for label in FORCE_CONTEXT)
