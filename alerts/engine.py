"""Rule evaluation: pure functions over tagged articles and one JSON-able state per group key.

``step`` adds an article to a group, ``tick`` lets time pass (pending periods, windows sliding
out, resolves); both take ``now`` and return a :class:`Result` (new state, alerts fired, what was
suppressed and why). Nothing here touches Kafka or the clock, so the same code runs in the Faust
agent (state in a changelog-backed table) and in ``escmon rules test`` (state in a dict).

Time is event time: a group's clock is the newest event time it has seen, moved on by ticks to
``now``. Articles older than the longest look-back of the rules behind that clock are too late
and ignored. A state remembers the articles of its window (bounded by ``max_articles``), so an
article delivered twice (at-least-once) is recognised by its id and never counted twice. Alert
ids are derived from rule, group, the event time the episode started and severity, so the same
input gives the same ids in replay and live, and a recomputed alert is recognisably the same.

Rules with ``source: events`` read event records through ``step_event`` instead: the state keeps
the newest revision of each event (see :mod:`alerts.eventstate`), so a window counts an event
once with its latest figures, and an ``any`` rule fires once per event and again only when the
event's severity rises.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alerts import eventstate
from alerts.rules import Condition, GroupBy, Rule, RuleSet
from escmon.models import SIGNAL_TYPES, Alert, EventRecord, Evidence, TaggedArticle, stable_id

State = dict[str, Any]

STATE_VERSION = 2
EVIDENCE_PRIORITY = ("casualties", "strike", "retaliation_pledge", "threat", "deescalation")
EVIDENCE_PER_ARTICLE = 3
EVIDENCE_PER_ALERT = 3
SENTENCE_CHARS = 280
MAX_ACTORS = 4
MAX_SEQUENCE_MARKS = 50
MAX_ALERT_ARTICLES = 50
EVERYTHING = Condition()
KEY_PREFIX: dict[GroupBy, str] = {
    "global": "global",
    "theater": "theater",
    "country": "country",
    "actor_pair": "actors",
}


@dataclass
class Result:
    """What a step or tick did."""

    state: State
    fired: list[Alert] = field(default_factory=list)
    # (rule, reason) for alerts held back: "cooldown" or "inhibited"
    suppressed: list[tuple[str, str]] = field(default_factory=list)
    duplicate: bool = False
    late: bool = False


def keys_for(group_by: GroupBy, article: TaggedArticle | EventRecord) -> list[str]:
    """The group keys of ``article`` (or an event) for one ``group_by``.

    An event's countries are its action countries; events name no actors.

    >>> from escmon.models import Mention
    >>> a = TaggedArticle(id="x", theater="Middle East", actors=[
    ...     Mention(text="US", name="United States", kind="country"),
    ...     Mention(text="IRGC", name="Revolutionary Guards", kind="force")])
    >>> keys_for("actor_pair", a), keys_for("theater", a)
    (['actors:Revolutionary Guards|United States'], ['theater:Middle East'])
    """
    if group_by == "global":
        return ["global"]
    if group_by == "theater":
        return [f"theater:{article.theater}"] if article.theater else []
    if isinstance(article, EventRecord):
        if group_by == "country":
            return sorted({f"country:{c}" for c in article.countries if c})
        return []
    if group_by == "country":
        return sorted({f"country:{m.country}" for m in article.places if m.country})
    # actor_pair: the first few distinct actors named, every unordered pair of them.
    names = list(dict.fromkeys(m.name for m in article.actors))[:MAX_ACTORS]
    return sorted({"actors:" + "|".join(sorted(p)) for p in itertools.combinations(names, 2)})


def group_keys(ruleset: RuleSet, article: TaggedArticle | EventRecord) -> list[str]:
    """Every group key ``article`` (or an event) belongs to under ``group_by`` of the rules that
    read its kind of record (none when no rule reads it)."""
    on_events = isinstance(article, EventRecord)
    keys: set[str] = set()
    for by in {r.group_by for r in ruleset.rules if r.on_events == on_events}:
        keys.update(keys_for(by, article))
    return sorted(keys)


def event_routes(ruleset: RuleSet, event: EventRecord, before: list[str] | None) -> list[str]:
    """The groups a revision of ``event`` goes to: its groups now, and the groups an earlier
    revision went to (``before``), which must hear that it left them."""
    return sorted(set(group_keys(ruleset, event)) | set(before or []))


def applies(rule: Rule, key: str) -> bool:
    """True when ``key`` is a group of ``rule``'s kind."""
    prefix = KEY_PREFIX[rule.group_by]
    return key == prefix if rule.group_by == "global" else key.startswith(prefix + ":")


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _load(state: State | None) -> State:
    """A private deep-enough copy (the caller's state is never mutated)."""
    if not state or state.get("v") != STATE_VERSION:
        return {"v": STATE_VERSION, "clock": None, "arts": {}, "evs": {}, "rules": {}}
    return {
        "v": STATE_VERSION,
        "clock": state["clock"],
        "arts": dict(state["arts"]),
        # Added with rules over events; a state written before has none (same version).
        "evs": dict(state.get("evs", {})),
        "rules": {
            name: {
                k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                for k, v in rs.items()
            }
            for name, rs in state["rules"].items()
        },
    }


def _entry(article: TaggedArticle) -> dict[str, Any]:
    """What the state remembers of an article: its features and a few evidence sentences."""
    s = article.summary
    evidence: list[list[str]] = []
    for kind in EVIDENCE_PRIORITY:
        found = (" ".join(x.sentence.split()) for x in article.signals if x.type == kind)
        sentence = next(found, "")
        if sentence and all(sentence[:SENTENCE_CHARS] != e[1] for e in evidence):
            evidence.append([kind, sentence[:SENTENCE_CHARS]])
        if len(evidence) == EVIDENCE_PER_ARTICLE:
            break
    return {
        "t": _ts(article.event_time),
        "src": article.source,
        "url": article.url,
        "score": article.score.total,
        "killed": s.killed or 0,
        "sig": [t for t in SIGNAL_TYPES if getattr(s, t)],
        "fetched": _ts(article.fetched) if article.fetched else None,
        "ev": evidence,
    }


def _prune(ruleset: RuleSet, st: State) -> None:
    clock = st["clock"]
    arts = {k: e for k, e in st["arts"].items() if e["t"] > clock - ruleset.retention}
    if len(arts) > ruleset.max_articles:
        newest = sorted(arts.items(), key=lambda kv: (kv[1]["t"], kv[0]))[-ruleset.max_articles :]
        arts = dict(newest)
    st["arts"] = arts
    eventstate.prune(ruleset, st, clock)


@dataclass
class _Proposal:
    rule: Rule
    alert: Alert
    rs: dict[str, Any]
    clock: float


@dataclass
class _Pass:
    """One step or tick of group ``key``: its state and ``now``, and what its rules propose or
    hold back (inhibition and the record of what was sent wait for :func:`_finish`)."""

    key: str
    st: State
    now: datetime
    proposals: list[_Proposal] = field(default_factory=list)
    suppressed: list[tuple[str, str]] = field(default_factory=list)


def step(
    ruleset: RuleSet, key: str, state: State | None, article: TaggedArticle, now: datetime
) -> Result:
    """Add one article to group ``key``; return the new state and the alerts it fires."""
    st = _load(state)
    if article.id in st["arts"]:
        return Result(st, duplicate=True)
    t = _ts(article.event_time)
    clock = t if st["clock"] is None else max(st["clock"], t)
    if t <= clock - ruleset.retention:
        return Result(st, late=True)
    st["clock"] = clock
    entry = _entry(article)
    st["arts"][article.id] = entry
    _prune(ruleset, st)
    run = _Pass(key, st, now)
    for rule in ruleset.rules:
        if rule.on_events or not applies(rule, key):
            continue
        rs = st["rules"].setdefault(rule.name, {})
        if rule.type == "any":
            _any(run, rule, rs, article, entry)
        elif rule.type == "sequence":
            _sequence(run, rule, rs, article, entry)
        else:
            if rule.type == "spike" and rule.where.matches(article):
                counts = rs.setdefault("counts", {})
                slot = int(t // rule.window)
                if slot >= int(clock // rule.window) - rule.baseline:
                    counts[str(slot)] = counts.get(str(slot), 0) + 1
            _windowed(run, rule, rs)
    return _finish(ruleset, run)


def step_event(
    ruleset: RuleSet, key: str, state: State | None, event: EventRecord, now: datetime
) -> Result:
    """Add one revision of an event to group ``key``: it replaces the event's earlier figures
    (a ``merged`` one withdraws them); return the new state and the alerts it fires.

    A revision not newer than the one held is a duplicate (at-least-once delivery, or an old copy
    arriving late) and changes nothing.
    """
    st = _load(state)
    old = st["evs"].get(event.id)
    if old is not None and event.revision <= old["rev"]:
        return Result(st, duplicate=True)
    entry = eventstate.entry(event)
    t = entry["t"]
    clock = t if st["clock"] is None else max(st["clock"], t)
    if old is None and t <= clock - ruleset.retention:
        return Result(st, late=True)
    st["clock"] = clock
    if event.status == "merged":
        # Its reports count in the survivor now (the newest revision wins, as everywhere).
        eventstate.withdraw(ruleset, st, event.id, event.merged_into, event.revision, t)
        alive = False
    elif key not in group_keys(ruleset, event):
        # The event left this group (a country or theater corrected): its figures go, what the
        # rules remember of it stays (should it come back, it has alerted here already).
        eventstate.withdraw(ruleset, st, event.id, event.id, event.revision, t)
        alive = False
    elif (holder := eventstate.absorbing(st["evs"], event.id, entry)) is not None:
        # Its reports already count in another event (the merge overtook this revision).
        eventstate.withdraw(ruleset, st, event.id, holder, event.revision, t)
        alive = False
    else:
        for other in eventstate.absorbed_by(st["evs"], event.id, entry):
            eventstate.withdraw(ruleset, st, other, event.id, st["evs"][other]["rev"], t)
        st["evs"][event.id] = entry
        alive = True
    _prune(ruleset, st)
    run = _Pass(key, st, now)
    for rule in ruleset.rules:
        if not rule.on_events or not applies(rule, key):
            continue
        rs = st["rules"].setdefault(rule.name, {})
        if rule.type == "any":
            if alive:
                _any_event(run, rule, rs, event, entry)
            # The clock may have moved past other events' holds.
            _release_held(run, rule, rs)
        elif rule.type == "sequence":
            if alive:
                _sequence_event(run, rule, rs, event, entry)
        else:
            if rule.type == "spike" and alive:
                slot = int(entry["t0"] // rule.window)
                matches = rule.where.matches_event(event)
                eventstate.count_in_slot(rs, event.id, slot, matches)
            _windowed(run, rule, rs)
    return _finish(ruleset, run)


def tick(ruleset: RuleSet, key: str, state: State | None, now: datetime) -> Result:
    """Let time pass for group ``key`` up to ``now``: pending periods end, windows slide out."""
    st = _load(state)
    if st["clock"] is None:
        return Result(st)
    st["clock"] = max(st["clock"], _ts(now))
    _prune(ruleset, st)
    run = _Pass(key, st, now)
    for rule in ruleset.rules:
        if applies(rule, key) and rule.type in ("threshold", "spike"):
            rs = st["rules"].setdefault(rule.name, {})
            _windowed(run, rule, rs)
        elif rule.hold and st["rules"].get(rule.name, {}).get("held") and applies(rule, key):
            _release_held(run, rule, st["rules"][rule.name])
    return _finish(ruleset, run)


def next_due(ruleset: RuleSet, key: str, state: State | None) -> datetime | None:
    """The next event time at which a tick could change something for ``key`` (for replays)."""
    if not state or state.get("clock") is None:
        return None
    clock = state["clock"]
    due: list[float] = []
    for rule in ruleset.rules:
        rs = state["rules"].get(rule.name)
        if rs and rs.get("held") and applies(rule, key):
            due.extend(rs["held"].values())
        if not rs or not applies(rule, key) or rule.type not in ("threshold", "spike"):
            continue
        if rs.get("pending") is not None:
            due.append(rs["pending"] + rule.for_)
        if rs.get("pending") is None and not rs.get("episode"):
            continue
        if rule.type == "spike":
            due.append((int(clock // rule.window) + 1) * rule.window)
        else:
            inside = _window(rule, state, clock)
            if inside:
                # The oldest article leaving the window is the next change.
                due.append(min(e["t"] for _, e in inside) + rule.window)
    later = [d for d in due if d > clock]
    return _dt(min(later)) if later else None


def needs_tick(ruleset: RuleSet, key: str, state: State | None, now: datetime) -> bool:
    """True when a tick at ``now`` would change something: a due deadline, or an article that
    the per-group figures still count but that has left their window by ``now``."""
    if not state or state.get("clock") is None:
        return False
    due = next_due(ruleset, key, state)
    if due is not None and due <= now:
        return True
    clock, t_now, span = state["clock"], _ts(now), ruleset.figures_window
    return any(clock - span < e["t"] <= t_now - span for _, e in _gauged(ruleset, state))


def same_but_clock(a: State | None, b: State | None) -> bool:
    """True when two states differ at most in their clock (not worth a changelog write)."""
    if not a or not b:
        return a == b
    return {**a, "clock": None} == {**b, "clock": None}


def window_figures(ruleset: RuleSet, state: State | None) -> dict[str, float]:
    """Figures of the group's articles (events, when a rule reads events) within
    ``figures_window`` of its clock (for gauges)."""
    if not state or state.get("clock") is None:
        return _figures([])
    since = state["clock"] - ruleset.figures_window
    return _figures([(k, e) for k, e in _gauged(ruleset, state) if e["t"] > since])


def _gauged(ruleset: RuleSet, state: State) -> list[tuple[str, dict[str, Any]]]:
    # Articles and the events linked from them are the same news: gauges show one of the two,
    # events when any rule reads them (their tolls are not summed per report).
    if ruleset.reads_events:
        return eventstate.live(state.get("evs", {}))
    return list(state["arts"].items())


def _window(rule: Rule, st: State, clock: float) -> list[tuple[str, dict[str, Any]]]:
    """The articles (or events) of the rule's current window that match its ``where``."""
    if rule.on_events:
        return _event_window(rule, st, clock)
    if rule.type == "spike":
        slot = int(clock // rule.window)
        inside = [kv for kv in st["arts"].items() if int(kv[1]["t"] // rule.window) == slot]
    else:
        inside = [kv for kv in st["arts"].items() if clock - rule.window < kv[1]["t"] <= clock]
    if rule.where == EVERYTHING:
        return inside
    return [
        (k, e) for k, e in inside if rule.where.holds(e["sig"], int(e["killed"]), e["score"])
    ]


def _event_window(rule: Rule, st: State, clock: float) -> list[tuple[str, dict[str, Any]]]:
    """The live events of the rule's current window that match its ``where``.

    A spike's window is the events its current slot counted (by first report); any other
    window holds the events with a report inside it (by newest report).
    """
    evs = st["evs"]
    if rule.type == "spike":
        rs = st["rules"].get(rule.name) or {}
        counted = (rs.get("evcounts") or {}).get(str(int(clock // rule.window)), [])
        return [(k, evs[k]) for k in counted if k in evs and not evs[k].get("gone")]
    since = clock - rule.window
    return [
        (k, e)
        for k, e in evs.items()
        if since < e["t"] <= clock
        and not e.get("gone")
        and rule.where.holds(e["sig"], int(e["killed"]), e["score"], len(e["src"]))
    ]


def _sources(entries: list[dict[str, Any]]) -> list[str]:
    """Distinct outlets: an article's source, or every source of an event."""
    names: set[str] = set()
    for e in entries:
        names.update(e["src"] if isinstance(e["src"], list) else [e["src"]])
    return sorted(names)


def _metric(metric: str, entries: list[dict[str, Any]]) -> float:
    if metric == "score":
        return float(sum(e["score"] for e in entries))
    if metric == "killed":
        return float(sum(e["killed"] for e in entries))
    if metric == "articles":
        if entries and "arts" in entries[0]:
            return float(len({a for e in entries for a in e["arts"]}))
        return float(len(entries))
    if metric == "sources":
        return float(len(_sources(entries)))
    if metric == "events":
        return float(len(entries))
    return float(sum(1 for e in entries if metric in e["sig"]))


def _figures(items: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    entries = [e for _, e in items]
    figures = {
        "articles": _metric("articles", entries),
        "sources": _metric("sources", entries),
        "strikes": _metric("strike", entries),
        "killed": _metric("killed", entries),
        "pledges": _metric("retaliation_pledge", entries),
        "score": _metric("score", entries),
    }
    if entries and "arts" in entries[0]:
        figures["events"] = float(len(entries))
    return figures


def _cooling(rule: Rule, rs: dict[str, Any], clock: float, severity: str) -> bool:
    """True when the rule+group notified less than ``realert`` ago at this severity or higher."""
    last = rs.get("last_sent")
    return (
        last is not None
        and clock - last < rule.realert
        and rule.rank(severity) <= rule.rank(rs.get("last_sev"))
    )


def _fire(
    run: _Pass,
    rule: Rule,
    rs: dict[str, Any],
    severity: str,
    items: list[tuple[str, dict[str, Any]]],
    value: float,
    span: tuple[float, float],
    about: tuple[str, ...],
    extra: dict[str, float] | None = None,
    *,
    status: str = "firing",
    cooldown: bool = True,
) -> None:
    """Propose an alert of ``rule`` over ``items`` (window ``span``, event times), unless
    ``cooldown`` is asked and the rule+group notified lately at this severity or higher.

    Its id is derived from rule, group, what it is ``about`` (an episode's start, an article, an
    event, a pair) and its severity (or ``resolved``): the same input gives the same id in replay
    and live.
    """
    clock = run.st["clock"]
    if cooldown and _cooling(rule, rs, clock, severity):
        run.suppressed.append((rule.name, "cooldown"))
        return
    what = "resolved" if status == "resolved" else severity
    alert_id = stable_id(rule.name, run.key, *about, what)
    alert = _alert(
        rule, run.key, severity, status, *span, items, value, run.now, alert_id, extra or {}
    )
    run.proposals.append(_Proposal(rule, alert, rs, clock))


def _windowed(run: _Pass, rule: Rule, rs: dict[str, Any]) -> None:
    """Threshold and spike: compare the window's value, with pending, episodes and resolve."""
    st = run.st
    clock = st["clock"]
    items = _window(rule, st, clock)
    extra: dict[str, float] = {}
    if rule.type == "spike":
        slot = int(clock // rule.window)
        if rule.on_events:
            slots = rs.get("evcounts") or {}
            slots = {k: v for k, v in slots.items() if int(k) >= slot - rule.baseline}
            rs["evcounts"] = slots
            counts: dict[str, Any] = {k: len(v) for k, v in slots.items()}
        else:
            counts = {
                k: v for k, v in rs.get("counts", {}).items() if int(k) >= slot - rule.baseline
            }
            rs["counts"] = counts
        count = counts.get(str(slot), 0)
        baseline = sum(counts.get(str(slot - i), 0) for i in range(1, rule.baseline + 1))
        baseline /= rule.baseline
        # A quiet baseline counts as one article per window, so a first story is no infinite spike.
        value = count / max(baseline, 1.0)
        severity = rule.severity_for(value) if count >= rule.min_count else None
        extra = {"count": float(count), "baseline": baseline}
        start = slot * rule.window
    else:
        value = _metric(rule.metric, [e for _, e in items])
        severity = rule.severity_for(value)
        start = clock - rule.window
    episode = rs.get("episode")
    if severity is None:
        rs["pending"] = None
        if episode:
            if rule.resolved and episode.get("sent"):
                since = _dt(episode["since"]).isoformat()
                _fire(
                    run, rule, rs, episode["sev"], items, value, (start, clock), (since,), extra,
                    status="resolved", cooldown=False,
                )
            rs["episode"] = None
        return
    if not episode:
        if rs.get("pending") is None:
            rs["pending"] = clock
        if clock - rs["pending"] < rule.for_:
            return
        episode = rs["episode"] = {"since": rs["pending"], "sev": None, "sent": False}
        rs["pending"] = None
    if rule.rank(severity) <= rule.rank(episode["sev"]):
        return
    first = episode["sev"] is None
    episode["sev"] = severity
    # Only a new episode waits out the cooldown; a rise within one is news at once.
    since = _dt(episode["since"]).isoformat()
    _fire(run, rule, rs, severity, items, value, (start, clock), (since,), extra, cooldown=first)


def _rate(rule: Rule, entry: dict[str, Any] | None, matches: bool) -> tuple[float, str | None]:
    """The value of one article or event (its ``entry``) for an ``any`` rule, and the severity
    it reaches (none unless it ``matches`` the rule's condition)."""
    if entry is None or not matches:
        return 0.0, None
    value = _metric(rule.metric, [entry])
    return value, rule.severity_for(value)


def _any(
    run: _Pass, rule: Rule, rs: dict[str, Any], article: TaggedArticle, entry: dict[str, Any]
) -> None:
    """One article matching the condition fires on its own."""
    value, severity = _rate(rule, entry, rule.where.matches(article))
    if severity is None:
        return
    span = (entry["t"], entry["t"])
    _fire(run, rule, rs, severity, [(article.id, entry)], value, span, (article.id,))


def _sequence(
    run: _Pass, rule: Rule, rs: dict[str, Any], article: TaggedArticle, entry: dict[str, Any]
) -> None:
    """An article matching ``first``, then another matching ``then`` within ``within`` seconds.

    Both sides are remembered, so a pair is found whichever of the two arrives first.
    """
    assert rule.first is not None and rule.then is not None  # noqa: S101 - validated
    st = run.st
    clock, t = st["clock"], entry["t"]
    firsts = [m for m in rs.get("firsts", []) if m[0] > clock - rule.within]
    thens = [m for m in rs.get("thens", []) if m[0] > clock - rule.within]
    is_first, is_then = rule.first.matches(article), rule.then.matches(article)
    pair: tuple[str, str] | None = None
    if is_then:
        before = [m for m in firsts if m[1] != article.id and 0 <= t - m[0] <= rule.within]
        if before:
            pair = (max(before)[1], article.id)
    if pair is None and is_first:
        after = [m for m in thens if m[1] != article.id and 0 <= m[0] - t <= rule.within]
        if after:
            pair = (article.id, min(after)[1])
    if is_first:
        firsts.append([t, article.id])
    if is_then:
        thens.append([t, article.id])
    rs["firsts"], rs["thens"] = firsts[-MAX_SEQUENCE_MARKS:], thens[-MAX_SEQUENCE_MARKS:]
    if pair is None:
        return
    items = [(i, st["arts"][i]) for i in pair if i in st["arts"]]
    _fire_pair(run, rule, rs, pair, items, [e["t"] for _, e in items] or [t])


def _fire_pair(
    run: _Pass,
    rule: Rule,
    rs: dict[str, Any],
    pair: tuple[str, str],
    items: list[tuple[str, dict[str, Any]]],
    times: list[float],
) -> None:
    """Fire a sequence rule for the ``pair`` it found (their ``items``, at event ``times``)."""
    # A sequence has no measure of its own: a pair found counts as the value 1.
    severity = rule.severity_for(1.0)
    if severity is None:
        return
    _fire(run, rule, rs, severity, items, 1.0, (min(times), max(times)), pair)


def _any_event(
    run: _Pass, rule: Rule, rs: dict[str, Any], event: EventRecord, entry: dict[str, Any]
) -> None:
    """An event matching the condition fires once; a later revision fires again only when it
    raises the event's severity (a new report adding nothing alert-worthy stays quiet)."""
    value, severity = _rate(rule, entry, rule.where.matches_event(event))
    if severity is None:
        return
    fired = rs.get("fired") or {}
    before = fired.get(event.id)
    if before is not None and rule.rank(severity) <= rule.rank(before[1]):
        return
    if before is None and rule.hold and run.st["clock"] < entry["t0"] + rule.hold:
        # The first alert waits for the hold, so it can say how many outlets report the event.
        rs["held"] = {**(rs.get("held") or {}), event.id: entry["t0"] + rule.hold}
        return
    _fire_event(run, rule, rs, event.id, entry, severity, value)


def _fire_event(
    run: _Pass,
    rule: Rule,
    rs: dict[str, Any],
    eid: str,
    entry: dict[str, Any],
    severity: str,
    value: float,
) -> None:
    """Fire for one event (no longer held) at ``severity``, and remember that it did."""
    # Remembered even when cooldown holds it back: the event's next revision at the same
    # severity must not slip through once the cooldown is over.
    rs["fired"] = {**(rs.get("fired") or {}), eid: [entry["t"], severity]}
    rs["held"] = {k: v for k, v in (rs.get("held") or {}).items() if k != eid}
    _fire(run, rule, rs, severity, [(eid, entry)], value, (entry["t0"], entry["t"]), (eid,))


def _release_held(run: _Pass, rule: Rule, rs: dict[str, Any]) -> None:
    """Fire the held events whose hold is over, with their newest figures (and drop the ones
    that were merged away or no longer match)."""
    held = rs.get("held")
    if not held:
        return
    st = run.st
    live = dict(eventstate.live(st["evs"]))
    for eid, due in sorted(held.items(), key=lambda kv: (kv[1], kv[0])):
        if due > st["clock"]:
            continue
        entry = live.get(eid)
        matches = entry is not None and rule.where.holds(
            entry["sig"], int(entry["killed"]), entry["score"], len(entry["src"])
        )
        value, severity = _rate(rule, entry, matches)
        if entry is None or severity is None:
            rs["held"] = {k: v for k, v in rs["held"].items() if k != eid}
            continue
        _fire_event(run, rule, rs, eid, entry, severity, value)


def _sequence_event(
    run: _Pass, rule: Rule, rs: dict[str, Any], event: EventRecord, entry: dict[str, Any]
) -> None:
    """An event matching ``first``, then another event matching ``then`` within ``within``
    seconds of its first report. A revision moves the event's marks instead of adding more, and
    a pair fires only when an event newly takes its side (revisions do not re-fire it)."""
    assert rule.first is not None and rule.then is not None  # noqa: S101 - validated
    st = run.st
    clock, t, eid = st["clock"], entry["t0"], event.id
    firsts = [m for m in rs.get("firsts", []) if m[0] > clock - rule.within]
    thens = [m for m in rs.get("thens", []) if m[0] > clock - rule.within]
    was_first, was_then = any(m[1] == eid for m in firsts), any(m[1] == eid for m in thens)
    is_first, is_then = rule.first.matches_event(event), rule.then.matches_event(event)
    firsts = [m for m in firsts if m[1] != eid] + ([[t, eid]] if is_first else [])
    thens = [m for m in thens if m[1] != eid] + ([[t, eid]] if is_then else [])
    pair: tuple[str, str] | None = None
    if is_then and not was_then:
        before = [m for m in firsts if m[1] != eid and 0 <= t - m[0] <= rule.within]
        if before:
            pair = (max(before)[1], eid)
    if pair is None and is_first and not was_first:
        after = [m for m in thens if m[1] != eid and 0 <= m[0] - t <= rule.within]
        if after:
            pair = (eid, min(after)[1])
    rs["firsts"], rs["thens"] = firsts[-MAX_SEQUENCE_MARKS:], thens[-MAX_SEQUENCE_MARKS:]
    if pair is None:
        return
    live = dict(eventstate.live(st["evs"]))
    items = [(i, live[i]) for i in pair if i in live]
    _fire_pair(run, rule, rs, pair, items, [e["t0"] for _, e in items] or [t])


def _inhibiting(ruleset: RuleSet, key: str, st: State, proposals: list[_Proposal]) -> bool:
    """True when a ``source``-severity alert fires or is active for this group."""
    inhibit = ruleset.inhibit
    if inhibit is None:
        return False
    src = inhibit.source
    if any(p.alert.status == "firing" and p.alert.severity == src for p in proposals):
        return True
    clock = st["clock"]
    for rule in ruleset.rules:
        rs = st["rules"].get(rule.name) or {}
        if not applies(rule, key):
            continue
        episode = rs.get("episode")
        if episode and episode.get("sent") and episode.get("sev") == src:
            return True
        # Single-shot rules have no episode: their alert counts as active for one window.
        if (
            rule.type in ("any", "sequence")
            and rs.get("last_sev") == src
            and rs.get("last_sent") is not None
            and clock - rs["last_sent"] < rule.window
        ):
            return True
    return False


def _finish(ruleset: RuleSet, run: _Pass) -> Result:
    """Apply inhibition, then record what was sent (cooldown and resolve depend on it)."""
    inhibiting = _inhibiting(ruleset, run.key, run.st, run.proposals)
    targets = ruleset.inhibit.target if ruleset.inhibit else []
    fired: list[Alert] = []
    suppressed = run.suppressed
    for p in run.proposals:
        a = p.alert
        if a.status == "firing" and inhibiting and a.severity in targets:
            suppressed.append((p.rule.name, "inhibited"))
            continue
        if a.status == "firing":
            p.rs["last_sent"] = p.clock
            p.rs["last_sev"] = a.severity
            if p.rs.get("episode"):
                p.rs["episode"]["sent"] = True
        fired.append(a)
    return Result(run.st, fired, suppressed)


def _alert(
    rule: Rule,
    key: str,
    severity: str,
    status: str,
    start: float,
    end: float,
    items: list[tuple[str, dict[str, Any]]],
    value: float,
    now: datetime,
    alert_id: str,
    extra: dict[str, float],
) -> Alert:
    ranked = sorted(items, key=lambda kv: (-kv[1]["score"], -kv[1]["t"], kv[0]))
    on_events = rule.on_events
    evidence: list[Evidence] = []
    # Round-robin over the strongest articles so several sources show, not one article's lines.
    for row in itertools.zip_longest(*[e["ev"] for _, e in ranked]):
        for (aid, e), ev in zip(ranked, row, strict=True):
            if ev is not None and len(evidence) < EVIDENCE_PER_ALERT:
                # An event's evidence names the report it came from; an article's is its own.
                where = ev[2:5] if on_events else [aid, e["src"], e["url"]]
                evidence.append(
                    Evidence(
                        sentence=ev[1], type=ev[0], article_id=where[0], source=where[1],
                        url=where[2],
                    )
                )
    fetched = [e["fetched"] for _, e in items if e.get("fetched") is not None]
    figures = {"value": value, **_figures(items), **extra}
    what = "resolved" if status == "resolved" else severity
    entries = [e for _, e in ranked]
    if on_events:
        article_ids = list(dict.fromkeys(a for e in entries for a in e["arts"]))
        reported = f" ({_reported(len(entries), len(_sources(entries)))})"
    else:
        article_ids, reported = [k for k, _ in ranked], ""
    return Alert(
        id=alert_id,
        rule=rule.name,
        severity=severity,
        status="resolved" if status == "resolved" else "firing",
        group=key,
        window_start=_dt(start),
        window_end=_dt(end),
        figures=figures,
        evidence=evidence,
        article_ids=article_ids[:MAX_ALERT_ARTICLES],
        event_ids=[k for k, _ in ranked][:MAX_ALERT_ARTICLES] if on_events else [],
        sources=_sources(entries) if on_events else [],
        first_fetched=_dt(min(fetched)) if fetched else None,
        fired_at=now,
        summary=f"{rule.name} {what} for {key}: {_describe(rule, value, extra)}{reported}",
    )


def _reported(events: int, sources: int) -> str:
    """``1 event, reported by 5 sources``: how much independent reporting stands behind it."""
    return (
        f"{events} event{'' if events == 1 else 's'}, "
        f"reported by {sources} source{'' if sources == 1 else 's'}"
    )


def _describe(rule: Rule, value: float, extra: dict[str, float]) -> str:
    if rule.type == "spike":
        unit = "events" if rule.on_events else "articles"
        return (
            f"{extra.get('count', 0):g} {unit} in the window, {value:.1f}x the baseline "
            f"of {extra.get('baseline', 0):g}"
        )
    if rule.type == "sequence":
        assert rule.first is not None and rule.then is not None  # noqa: S101 - validated
        return f"{rule.first.describe()}, then {rule.then.describe()} within {rule.within:g}s"
    return f"{rule.metric} {value:g}"
