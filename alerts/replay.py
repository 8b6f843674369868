"""Replaying tagged articles through the rules in event time (the backtest behind
``escmon rules test``), with the ticks a live worker would have made in between."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from alerts.engine import State, group_keys, next_due, step, tick
from alerts.rules import RuleSet
from escmon.models import Alert, TaggedArticle


class Replay:
    """Per-group states of a replay; feed articles in event-time order with :meth:`add`."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.states: dict[str, State] = {}
        # Each group's next due time, recomputed only when its state changes.
        self.due: dict[str, datetime | None] = {}

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

    def add(self, article: TaggedArticle) -> Iterator[Alert]:
        """Time passes up to the article's event time, then the article joins its groups."""
        yield from self.advance(article.event_time)
        for key in group_keys(self.ruleset, article):
            result = step(self.ruleset, key, self.states.get(key), article, article.event_time)
            self._set(key, result.state)
            yield from result.fired


def replay(
    ruleset: RuleSet,
    articles: Iterable[TaggedArticle],
    until: datetime | None = None,
    flush: bool = False,
) -> Iterator[Alert]:
    """The alerts ``articles`` fire, sorted by event time first (stable for equal times).

    Time runs to the last article, or to ``until``; ``flush`` lets every window close and
    every pending period end (so resolves show).
    """
    ordered = sorted(articles, key=lambda a: a.event_time)
    run = Replay(ruleset)
    for article in ordered:
        yield from run.add(article)
    if flush:
        yield from run.advance(None)
    elif until is not None:
        yield from run.advance(until)
