"""Context filters: when a cue is not a real event (negated, hypothetical, historical, idiom).

The domain label tuples say which context cues around a sentence veto a rule: a weak strike cue
near sports or business words, a death near accident or disease words (LABELING.md).
"""

from __future__ import annotations

from processors.reader import Reader, lexicon

DOMAINS_WEAK_STRIKE = (
    "LABOR", "SPORTS", "FICTION", "BUSINESS", "DISASTER", "CYBER", "ANIMAL", "MISHAP"
)  # fmt: skip
DOMAINS_CASUALTY = ("ACCIDENT", "DISASTER", "DISEASE", "FICTION", "SPORTS", "ANIMAL", "MISHAP")
DOMAINS_CASUALTY_HARD = ("ACCIDENT", "DISASTER", "DISEASE", "FICTION", "ANIMAL", "MISHAP")
DOMAINS_THREAT = ("DISASTER", "BUSINESS", "FICTION")
DOMAINS_PLEDGE = ("SPORTS", "BUSINESS", "FICTION")
FORCE_CONTEXT = ("MIL", "STRIKE", "STRIKE_WEAK", "KILL", "HURT", "VIOLENCE", "FORCE", "THREAT")
VERBAL_PREFIX = lexicon()["VERBAL_PREFIX"]
STRIKE_VERBS = lexicon()["STRIKE_VERBS"]
SCOPE_STOPS = lexicon()["SCOPE_STOPS"]


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
        or hypothetical_clause(r, k, start)
        # "shot and killed when the actor fired a prop gun": an accident, not an attack
        or r.near(k, ("MISHAP",))
    )


def hypothetical_clause(r: Reader, k: int, start: int) -> bool:
    """A capability, chance or debate scopes over the force word after it in its clause.

    Matches "Ukraine can strike deep inside Russia", "the chance of an Israeli military strike
    has gone up", "troops are on alert for attacks", "debating whether they can ... carry out a
    limited strike". Not "strikes that could not be confirmed" (the scope word comes after) nor
    a scope word in an earlier clause ("..., said air strikes hit the town").
    """
    cues = r.sents[k].cues.get("HYPO_CLAUSE")
    if not cues:
        return False
    ends = [e for _s, e in cues if e <= start]
    if not ends:  # the common case: no scope word before the force word
        return False
    i = start - 1
    last = max(ends)
    while i >= last:  # only the words between the nearest scope word and the force word
        if r.lower(i) in SCOPE_STOPS:
            return False
        i -= 1
    return True


def domain_near(r: Reader, k: int, domains: tuple[str, ...], start: int, end: int) -> bool:
    """A domain cue around sentence ``k`` other than the word at ``start..end`` itself.

    "Rebels storm town": "storm" is a weather word too, but it cannot be its own context.
    """
    if not r.near(k, domains):
        return False
    for j in range(max(0, k - 1), min(len(r.sents), k + 2)):
        for label in domains:
            if any((s, e) != (start, end) for s, e in r.sents[j].cues.get(label, ())):
                return True
    return False


def shooting(r: Reader, start: int, end: int) -> bool:
    """The cue names a shooting: "was shot", "shot and wounded", "shot by soldiers"."""
    return any(r.lower(i) == "shot" for i in range(start, end))


def infinitive(r: Reader, start: int) -> bool:
    """ "to attack" is intent, not an event, unless an attempt was launched ("attempting to")."""
    if r.lower(start - 1) not in VERBAL_PREFIX or r.lower(start) not in STRIKE_VERBS:
        return False
    return not r.lower(start - 2).startswith(("attempt", "tried", "trying"))


def force_context(r: Reader, k: int) -> bool:
    """The sentence speaks of force or harm (military, attacks, killing, violence, threats)."""
    return k in r.actor_sents or any(r.has(k, label) for label in FORCE_CONTEXT)
