"""The event stage's Faust agents (a thin shell around :mod:`processors.eventstage`).

``articles.tagged`` → ``rekey`` (keyed by action country, into the named repartition topic
``topics.by_country``) → ``link`` (the open events of each country in the changelog-backed table
``open-events``, pruned by event time) → ``topics.events`` (``event/1`` keyed by event id).

At least once, without new revisions on redelivery: ``link`` waits until the broker has every
revision an article gave before it writes the key's new state, and the commit of the article's
offset waits for that state's changelog write (Faust flushes the producer before committing). A
crash before the state write replays the article on the old state, which gives the same
revisions again (same ids, same revision numbers: consumers keep the newest per id); a crash after
it replays the article on a state that already holds it, and the linker returns nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import faust

from escmon.faustapp import raw_topic
from escmon.metrics import EventMetrics
from escmon.models import DeadLetter
from escmon.settings import Settings
from processors.eventstage import (
    STAGE,
    KeyState,
    Linker,
    StateError,
    decision_labels,
    decode,
    default_linker,
    step,
)

logger = logging.getLogger(__name__)

TABLE = "open-events"


def add_event_agents(
    app: faust.App,
    settings: Settings,
    metrics: EventMetrics,
    tagged_topic: faust.TopicT,
    dead_topic: faust.TopicT,
    linker: Linker | None = None,
) -> dict[str, faust.TopicT]:
    """Register ``rekey`` and ``link`` on ``app``; return the topics they publish to."""
    linker = linker or default_linker()
    partitions = settings.kafka.partitions
    by_country = raw_topic(app, settings.topics.by_country, partitions=partitions)
    events_topic = raw_topic(app, settings.topics.events, partitions=partitions)
    # Co-partitioned with by_country: the table's changelog partition is the article's partition,
    # so a key's state moves with its articles when partitions move to another worker.
    table = app.Table(TABLE, default=None, partitions=partitions)
    horizon = timedelta(seconds=settings.events.horizon)
    cap = settings.processors.deadletter_cap
    # Live key states, so an article does not parse its key's whole state again: reused only while
    # the table still holds the very object this worker wrote (recovery brings new objects).
    cache: dict[str, tuple[Any, KeyState]] = {}
    # Open events per (partition, key) touched since start, dropped when a partition moves away.
    open_counts: dict[tuple[int, str], int] = {}

    async def dead(reason: str, event: Any) -> None:
        msg = event.message
        letter = DeadLetter.of(
            stage=STAGE,
            reason=reason,
            payload=event.value or b"",
            cap=cap,
            topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
        )
        logger.warning("dead letter %s/%s@%s: %s", msg.topic, msg.partition, msg.offset, reason)
        metrics.deadletters.labels(reason.split(":", 1)[0][:60]).inc()
        await dead_topic.send(key=STAGE.encode(), value=letter.to_bytes())

    async def route(event: Any) -> None:
        article = decode(event.value)
        if isinstance(article, str):
            await dead(article, event)
            return
        try:
            key = linker.routing_key(article)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the stream
            logger.exception("routing failed on article %s", article.id)
            await dead(f"routing error: {type(exc).__name__}: {exc}", event)
            return
        if key is None:
            metrics.not_linked.inc()
            return
        # The tagged bytes as they are: the link agent decodes them once more, which is cheaper
        # than a second serialisation and keeps the record byte for byte.
        await by_country.send(key=key.encode(), value=event.value)

    def state_for(key: str) -> KeyState:
        stored = table.get(key)
        hit = cache.get(key)
        if hit is not None and hit[0] is stored:
            return hit[1]
        cache.pop(key, None)
        return KeyState.load(stored, linker)

    async def handle(event: Any) -> None:
        msg = event.message
        article = decode(event.value)
        if isinstance(article, str):
            await dead(article, event)
            return
        key = event.key.decode("utf-8", "replace") if event.key else ""
        started = time.perf_counter()
        try:
            state = state_for(key)
        except StateError as exc:
            # Kept as it is: overwriting it would lose the key's open events for good.
            logger.error("article %s on %s: %s", article.id, key, exc)
            await dead(f"event state unreadable: {exc}", event)
            return
        try:
            result = step(state, article, horizon)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the stream
            cache.pop(key, None)  # it may be half-changed: read the table's copy next time
            logger.exception(
                "linking failed on article %s (%s/%s@%s)",
                article.id, msg.topic, msg.partition, msg.offset,
            )
            await dead(f"linker error: {type(exc).__name__}: {exc}", event)
            return
        pending = [
            await events_topic.send(key=record.id.encode(), value=record.to_bytes())
            for record in result.published
        ]
        # Wait for the broker's ack: only then may the table say this article was linked.
        for future in pending:
            await future
        # Written for every article, even one that gave nothing: the linker may still have
        # learnt from it, and the newest event time may have moved.
        stored = state.to_json()
        table[key] = stored
        cache[key] = (stored, state)
        for change in result.changes:
            getattr(metrics, change).inc()
        for label in decision_labels(result.linked, article.id):
            metrics.link_decisions.labels(label).inc()
        open_counts[(msg.partition, key)] = len(state.events)
        metrics.open.set(sum(open_counts.values()))
        metrics.link_seconds.observe(time.perf_counter() - started)
        if result.late:
            logger.info("article %s on %s is older than the horizon", article.id, key)
        logger.debug("article %s on %s at %s: %s", article.id, key, msg.offset, result.changes)

    # Both agents yield once per message, whatever became of it: test_context().put() waits for
    # a yielded value, and a stream's acks do not depend on it.
    @app.agent(tagged_topic, name="rekey")
    async def rekey(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            await route(event)
            yield None

    @app.agent(by_country, name="link")
    async def link(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            await handle(event)
            yield None

    @app.on_partitions_revoked.connect
    async def forget_moved(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        revoked = args[0] if args else kwargs.get("revoked", ())
        gone = {tp.partition for tp in revoked if tp.topic == by_country.get_topic_name()}
        for where in [w for w in open_counts if w[0] in gone]:
            del open_counts[where]
        metrics.open.set(sum(open_counts.values()))
        cache.clear()

    return {"by_country": by_country, "events": events_topic}
