"""Tagged articles, event records and rule sets built in tests, and a driver over the pure
engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.engine import State, event_routes, group_keys, step, step_event, tick
from alerts.rules import RuleSet
from escmon.models import (
    Alert,
    EventRecord,
    Evidence,
    Mention,
    Score,
    Signal,
    Summary,
    TaggedArticle,
    Toll,
)

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """T0 plus ``minutes``."""
    return T0 + timedelta(minutes=minutes)


def article(
    aid: str,
    minutes: float,
    *,
    signals: tuple[str, ...] = (),
    killed: int | None = None,
    score: float = 0.0,
    theater: str | None = "Middle East",
    source: str = "wire",
    countries: tuple[str, ...] = (),
    actors: tuple[str, ...] = (),
) -> TaggedArticle:
    """A tagged article published ``minutes`` after T0 with the given signals and figures."""
    flags: dict[str, Any] = {s: True for s in signals}
    if killed is not None:
        flags["killed"] = killed
    return TaggedArticle(
        id=aid,
        source=source,
        url=f"https://news.example.org/{aid}",
        published=at(minutes),
        fetched=at(minutes),
        signals=[
            Signal(type=s, text=s, start=0, end=1, sentence=f"{aid}: {s} sentence.")  # type: ignore[arg-type]
            for s in signals
        ],
        summary=Summary(**flags),
        places=[Mention(text=c, name=c, kind="country", country=c) for c in countries],
        actors=[Mention(text=a, name=a, kind="force") for a in actors],
        theater=theater,
        score=Score(total=score),
    )


def event(
    eid: str,
    minutes: float,
    *,
    revision: int = 1,
    sources: tuple[str, ...] = ("wire",),
    killed: int | None = None,
    signals: tuple[str, ...] = ("strike",),
    countries: tuple[str, ...] = (),
    theater: str | None = "Middle East",
    score: float = 0.0,
    first: float | None = None,
    status: str = "open",
    merged_into: str | None = None,
    articles: tuple[str, ...] | None = None,
) -> EventRecord:
    """Revision ``revision`` of event ``eid`` whose newest report is ``minutes`` after T0 (its
    first at ``first``, default the same): one report per source unless ``articles`` says."""
    reports = articles if articles is not None else tuple(f"{eid}-{s}" for s in sources)
    return EventRecord(
        id=eid,
        revision=revision,
        status=status,  # type: ignore[arg-type]
        merged_into=merged_into,
        title=f"event {eid}",
        kind=signals[0] if signals else None,
        articles=list(reports),
        sources=list(sources),
        countries=list(countries),
        theater=theater,
        killed=Toll(low=killed, best=killed, high=killed),
        signals=list(signals),  # type: ignore[arg-type]
        score=score,
        first_seen=at(minutes if first is None else first),
        last_seen=at(minutes),
        first_fetched=at(minutes if first is None else first),
        evidence=[
            Evidence(sentence=f"{eid}: {s} reports it.", type=signals[0] if signals else "strike",
                     article_id=a, source=s, url=f"https://{s}.example.org/{a}")
            for a, s in zip(reports, sources, strict=False)
        ],
    )


def rules(yaml_text: str) -> RuleSet:
    """A rule set from YAML text."""
    return RuleSet.from_yaml(yaml_text, "test-rules.yaml")


class Driver:
    """Feeds articles and ticks through ``step``/``tick`` with one state per group key."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.states: dict[str, State] = {}
        self.alerts: list[Alert] = []
        self.suppressed: list[tuple[str, str]] = []
        self.routes: dict[str, list[str]] = {}

    def add(self, *articles: TaggedArticle | EventRecord) -> list[Alert]:
        """Step each article or event into its groups (now = its event time); return what
        fired."""
        fired: list[Alert] = []
        for a in articles:
            keys = group_keys(self.ruleset, a)
            if isinstance(a, EventRecord):
                keys = event_routes(self.ruleset, a, self.routes.get(a.id))
                self.routes[a.id] = group_keys(self.ruleset, a)
            for key in keys:
                state = self.states.get(key)
                if isinstance(a, EventRecord):
                    result = step_event(self.ruleset, key, state, a, a.last_seen)
                else:
                    result = step(self.ruleset, key, state, a, a.event_time)
                self.states[key] = result.state
                fired += result.fired
                self.suppressed += result.suppressed
        self.alerts += fired
        return fired

    def tick(self, minutes: float) -> list[Alert]:
        """Tick every group at T0 + ``minutes``."""
        fired: list[Alert] = []
        for key in list(self.states):
            result = tick(self.ruleset, key, self.states[key], at(minutes))
            self.states[key] = result.state
            fired += result.fired
            self.suppressed += result.suppressed
        self.alerts += fired
        return fired
