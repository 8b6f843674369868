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

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import faust

from escmon.faustapp import raw_topic, send_dead_letter
from escmon.metrics import EventMetrics
from escmon.models import TaggedArticle
from escmon.settings import Settings
from processors.eventstage import (
    STAGE,
    KeyState,
    Linker,
    StateError,
    decision_labels,
    decode,
    decode_state,
    default_linker,
    link_key,
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
    # Values are the state's JSON bytes, made here, so their size is known before Kafka sees it.
    table = app.Table(TABLE, default=None, partitions=partitions, value_type=bytes)
    horizon = timedelta(seconds=settings.events.horizon)
    cap = settings.processors.deadletter_cap
    # Live key states, so an article does not parse its key's whole state again: reused only while
    # the table still holds the very object this worker wrote (recovery brings new objects).
    cache: dict[str, tuple[bytes, KeyState]] = {}
    # Open events per (partition, key) touched since start, dropped when a partition moves away.
    open_counts: dict[tuple[int, str], int] = {}

    async def dead(reason: str, event: Any) -> None:
        await send_dead_letter(
            dead_topic,
            metrics.deadletters,
            stage=STAGE,
            reason=reason,
            payload=event.value or b"",
            cap=cap,
            event=event,
            log=logger,
        )

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

    def loader(key: str, stored: bytes | None) -> Callable[[], KeyState]:
        # ``stored`` is read from the table by the caller: the loader runs in a worker thread.
        first = True

        def load() -> KeyState:
            nonlocal first
            hit = cache.pop(key, None) if first else None
            first = False
            if hit is not None and hit[0] is stored:
                return hit[1]
            return decode_state(stored, linker)

        return load

    async def handle(stream: Any, events: list[Any]) -> None:
        started = time.perf_counter()
        by_key: dict[str, list[tuple[Any, TaggedArticle]]] = {}
        for event in events:
            article = decode(event.value)
            if isinstance(article, str):
                await dead(article, event)
                continue
            key = event.key.decode("utf-8", "replace") if event.key else ""
            by_key.setdefault(key, []).append((event, article))
        for key, items in by_key.items():
            articles = [a for _, a in items]
            try:
                # Linking and encoding a busy country's state take milliseconds; in a thread, the
                # event loop (tagging, sends, heartbeats) runs between the GIL's switches instead
                # of waiting for the whole batch. Only this agent touches the key states.
                batch = await asyncio.to_thread(
                    link_key,
                    loader(key, table.get(key)),
                    articles,
                    horizon,
                    settings.events.max_state_bytes,
                )
            except StateError as exc:
                # Kept as it is: overwriting it would lose the key's open events for good.
                logger.error("%d articles on %s: %s", len(items), key, exc)
                for event, _ in items:
                    await dead(str(exc), event)
                continue
            for i, reason in batch.failed:
                event, article = items[i]
                msg = event.message
                logger.error(
                    "linking failed on article %s (%s/%s@%s): %s",
                    article.id, msg.topic, msg.partition, msg.offset, reason,
                )
                await dead(reason, event)
            pending = [
                await events_topic.send(key=record.id.encode(), value=record.to_bytes())
                for record in batch.published
            ]
            # Wait for the broker's ack: only then may the table say these articles were linked.
            for future in pending:
                await future
            if batch.overflow:
                logger.warning(
                    "event state of %s over events.max_state_bytes: closed %d events early",
                    key, len(batch.overflow),
                )
                metrics.overflow.inc(len(batch.overflow))
            # The table writes its changelog to the partition of the current event; in a batch
            # that is the last one taken, which may be another key's: make it this key's.
            last = items[-1][0]
            # Only for this write: take_events notes the event of the record it is buffering
            # from stream.current_event once this batch is done, so left pointing at `last` it
            # handed `last` in again and the record taken meanwhile was never linked nor acked
            # (a revocation then waited for its ack until the worker was killed).
            buffering = stream.current_event
            stream._set_current_event(last)
            try:
                # Written even when nothing was published: the linker may still have learnt from
                # the articles, and the newest event time may have moved.
                table[key] = batch.blob
            finally:
                stream.current_event = buffering
            cache[key] = (batch.blob, batch.state)
            for record, change in zip(batch.published, batch.changes, strict=True):
                if change == "opened":
                    metrics.opened.labels(record.theater or "none").inc()
                else:
                    getattr(metrics, change).inc()
            for i, result in batch.steps:
                for label in decision_labels(result.linked, items[i][1].id):
                    metrics.link_decisions.labels(label).inc()
                if result.late:
                    logger.info("article %s on %s is older than the horizon", items[i][1].id, key)
            open_counts[(last.message.partition, key)] = len(batch.state.events)
            metrics.open.set(sum(open_counts.values()))
            logger.debug("%d articles on %s: %s", len(items), key, batch.changes)
        metrics.link_seconds.observe(time.perf_counter() - started)

    # Both agents yield once per message, whatever became of it: test_context().put() waits for
    # a yielded value, and a stream's acks do not depend on it.
    @app.agent(tagged_topic, name="rekey")
    async def rekey(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            await route(event)
            yield None

    @app.agent(by_country, name="link")
    async def link(stream: Any) -> AsyncIterator[None]:
        # In batches: a key's state is stored (and its changelog written) once per batch, not
        # once per article, and a busy country's state is large.
        async for events in stream.take_events(settings.events.batch_size, within=0.1):
            await handle(stream, events)
            for _ in events:
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
