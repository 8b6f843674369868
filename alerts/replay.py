"""Replaying tagged articles and event records through the rules in event time (the backtest
behind ``escmon rules test``), with the ticks a live worker would have made in between."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from alerts.engine import State, event_routes, group_keys, next_due, step, step_event, tick
from alerts.rules import RuleSet
from escmon.models import Alert, EventRecord, TaggedArticle

Record = TaggedArticle | EventRecord


def event_time(record: Record) -> datetime:
    """When a record happened: an article's event time, an event revision's newest report."""
    return record.last_seen if isinstance(record, EventRecord) else record.event_time


class Replay:
    """Per-group states of a replay; feed articles in event-time order with :meth:`add`."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.states: dict[str, State] = {}
        # Each group's next due time, recomputed only when its state changes.
        self.due: dict[str, datetime | None] = {}
        # The groups each event went to, so a revision that leaves one still reaches it.
        self.routes: dict[str, list[str]] = {}

    def _set(self, key: str, state: State) -> None:
        self.states[key] = state
        self.due[key] = next_due(self.ruleset, key, state)

    def advance(self, until: datetime | None) -> Iterator[Alert]:
        """Tick every group whose next change is due at or before ``until`` (None: all)."""
        while True:
            due = [
                (d, key)
                for key, d in self.due.items()
                if d is not None and (until is None or d <= until)
            ]
            if not due:
                return
            when, key = min(due)
            result = tick(self.ruleset, key, self.states[key], when)
            self._set(key, result.state)
            yield from result.fired

    def add(self, record: Record) -> Iterator[Alert]:
        """Time passes up to the record's event time, then it joins its groups."""
        when = event_time(record)
        yield from self.advance(when)
        if isinstance(record, EventRecord):
            keys = event_routes(self.ruleset, record, self.routes.get(record.id))
            self.routes[record.id] = group_keys(self.ruleset, record)
        else:
            keys = group_keys(self.ruleset, record)
        for key in keys:
            state = self.states.get(key)
            if isinstance(record, EventRecord):
                result = step_event(self.ruleset, key, state, record, when)
            else:
                result = step(self.ruleset, key, state, record, when)
            self._set(key, result.state)
            yield from result.fired


def replay(
    ruleset: RuleSet,
    articles: Iterable[Record],
    until: datetime | None = None,
    flush: bool = False,
) -> Iterator[Alert]:
    """The alerts ``articles`` (tagged articles and/or event records) fire, sorted by event time
    first (stable for equal times, so revisions of an event keep their file order).

    Time runs to the last article plus the longest ``hold`` (a held event alert is one that will
    fire, so a backtest shows it), or to ``until``; ``flush`` lets every window close and
    every pending period end (so resolves show).
    """
    ordered = sorted(articles, key=event_time)
    run = Replay(ruleset)
    for article in ordered:
        yield from run.add(article)
    hold = max(r.hold for r in ruleset.rules)
    if until is None and hold and ordered:
        until = event_time(ordered[-1]) + timedelta(seconds=hold)
    if flush:
        yield from run.advance(None)
    elif until is not None:
        yield from run.advance(until)
