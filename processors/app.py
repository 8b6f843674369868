"""The Faust app of the processors: ``articles.raw`` → tagger → ``articles.tagged``, and the
event stage (:mod:`processors.eventagent`): ``articles.tagged`` → by action country → ``events``."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from escmon.faustapp import make_app, raw_topic, run_app
from escmon.metrics import EventMetrics, ProcessorMetrics
from escmon.settings import Settings
from processors.eventstage import Linker
from processors.handling import RawMessage, handle_batch
from processors.redelivery import HandledOffsets

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    registry: CollectorRegistry | None = None,
    tagger: Any = None,
    app_id: str | None = None,
    linker: Linker | None = None,
) -> faust.App:
    """Build the app and its agents; ``tagger`` defaults to the configured :class:`Tagger`,
    ``linker`` to :mod:`processors.linking` (the event agents run unless ``events.enabled`` is
    false)."""
    registry = registry or CollectorRegistry()
    metrics = ProcessorMetrics.create(registry)
    app_id = app_id or f"{settings.kafka.app_prefix}-processors"
    # A crashed worker's partitions wait for its session to expire before another worker (or
    # its restarted self) takes them; Faust's 60 s default is a minute of no tagging.
    app = make_app(
        settings,
        app_id,
        settings.metrics.worker_port,
        registry,
        broker_session_timeout=settings.processors.session_timeout,
    )
    if tagger is None:
        from processors.tagger import Tagger

        tagger = Tagger(model=settings.processors.model, batch_size=settings.processors.batch_size)
    topics = settings.topics
    raw = raw_topic(app, topics.raw)
    tagged_topic = raw_topic(app, topics.tagged)
    dead_topic = raw_topic(app, topics.deadletter)
    proc = settings.processors
    # Kept on the app so tests (agent.test_context) and tools can reach the output topics.
    app.escmon_outputs = {"tagged": tagged_topic, "deadletter": dead_topic}  # type: ignore[attr-defined]

    handled = HandledOffsets()

    @app.agent(raw, name="tag")
    async def tag(stream: Any) -> AsyncIterator[int]:
        async for events in stream.take_events(proc.batch_size, within=0.2):
            messages = [
                RawMessage(e.value, e.message.topic, e.message.partition, e.message.offset)
                for e in events
            ]
            fresh = [m for m in messages if handled.fresh(m.topic, m.partition, m.offset)]
            if len(fresh) < len(messages):
                # Faust's rewind after a table recovery re-delivers a batch (processors.redelivery).
                metrics.redelivered.inc(len(messages) - len(fresh))
                messages = fresh
            started = time.perf_counter()
            result = handle_batch(
                messages, tagger.tag_many, max_chars=proc.max_chars, cap=proc.deadletter_cap
            )
            metrics.tag_seconds.observe(time.perf_counter() - started)
            # Keyed by article id: a redelivered batch republishes the same keys, and the alert
            # stage ignores an article id it has already counted.
            # One counter update per signal type and batch: a full article holds dozens of
            # signals, and a labelled counter update per signal showed in the worker's profile.
            signals = Counter(signal.type for item in result.tagged for signal in item.signals)
            for item in result.tagged:
                await tagged_topic.send(key=item.id.encode(), value=item.to_bytes())
            metrics.tagged.inc(len(result.tagged))
            for kind, n in signals.items():
                metrics.signals.labels(kind).inc(n)
            for dead in result.dead:
                logger.warning(
                    "dead letter %s/%s@%s: %s", dead.topic, dead.partition, dead.offset, dead.reason
                )
                await dead_topic.send(key=b"processors", value=dead.to_bytes())
                metrics.deadletters.labels(dead.reason.split(":", 1)[0][:60]).inc()
            for m in messages:
                handled.mark(m.topic, m.partition, m.offset)
            yield len(events)

    if settings.events.enabled:
        from processors.eventagent import add_event_agents

        outputs = add_event_agents(
            app, settings, EventMetrics.create(registry), tagged_topic, dead_topic, linker
        )
        app.escmon_outputs.update(outputs)  # type: ignore[attr-defined]
    return app


def run_worker(settings: Settings) -> int:
    """Run the tagging worker until SIGTERM/SIGINT."""
    return run_app(create_app(settings), settings)
