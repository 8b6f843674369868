"""A minimal stand-in for the linking core, so the event stage's shell is tested on its own.

It follows the contract of ``processors.linking`` (routing_key, OpenEvents with add / prune /
to_json / from_json / len) with the crudest rule that can tell two events apart: reports of one
action country and one event date are one event. Never shipped; the real linker is tested in its
own module, and the integration tests run the real one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from escmon.models import EventRecord, LinkDecision, TaggedArticle, Toll, stable_id
from processors.eventstage import Linker


def routing_key(article: TaggedArticle) -> str | None:
    """The first action country, None when the tagger found none."""
    if article.event is None or not article.event.countries:
        return None
    return article.event.countries[0]


class OpenEvents:
    """Open events of one key: event id → (record, article ids), keyed by event date."""

    def __init__(self, records: dict[str, EventRecord] | None = None) -> None:
        self.records: dict[str, EventRecord] = dict(records or {})

    def add(self, article: TaggedArticle) -> list[EventRecord]:
        facts = article.event
        assert facts is not None
        day = (facts.date or article.event_time.date()).isoformat()
        event_id = stable_id(routing_key(article) or "", day)
        old = self.records.get(event_id)
        if old is not None and article.id in old.articles:
            return []
        killed = facts.killed
        if old is not None:
            best = max(x for x in (old.killed.best, killed.best, 0) if x is not None)
            killed = Toll(low=best, best=best, high=best)
        decision = LinkDecision(
            article_id=article.id,
            action="joined" if old else "opened",
            score=1.0 if old else 0.0,
            reasons=[f"same day {day}"] if old else ["no open event of it"],
        )
        when = article.event_time
        record = EventRecord(
            id=event_id,
            revision=old.revision + 1 if old else 1,
            title=old.title if old else article.title,
            countries=list(facts.countries),
            articles=[*(old.articles if old else []), article.id],
            sources=sorted({*(old.sources if old else []), article.source}),
            killed=killed,
            date=facts.date,
            first_seen=min(old.first_seen, when) if old else when,
            last_seen=max(old.last_seen, when) if old else when,
            links=[*(old.links if old else []), decision],
        )
        self.records[event_id] = record
        return [record]

    def prune(self, before: datetime) -> list[EventRecord]:
        gone = [r for r in self.records.values() if r.last_seen < before]
        for r in gone:
            del self.records[r.id]
        return [r.model_copy(update={"status": "closed", "revision": r.revision + 1}) for r in gone]

    def to_json(self) -> dict[str, Any]:
        return {k: r.model_dump(mode="json", by_alias=True) for k, r in self.records.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OpenEvents:
        return cls({k: EventRecord.model_validate(v) for k, v in data.items()})

    def __len__(self) -> int:
        return len(self.records)


STANDIN = Linker(routing_key, OpenEvents, OpenEvents.from_json)
