"""The Faust app of the alert stage (a thin shell around :mod:`alerts.engine`).

``articles.tagged`` → ``route`` and ``events`` → ``route_events`` (one message per rule group,
keyed by group so each group's state lives on one worker; each topic is read only when some rule
reads that kind of record) → ``evaluate`` (rule state in a changelog-backed table, so a restarted
worker resumes) → ``alerts`` topic (the durable history) → ``deliver`` (commits after delivery,
skips the channels it has delivered an alert id to before).

Crash safety, at least once without duplicates: ``evaluate`` waits until the broker has the
alerts a message fired before it writes the group's new state, so a crash in between replays the
message, which recomputes alerts with the same ids; ``deliver`` records each channel's success in
the ``delivered`` table, so a replayed alert is not sent to a channel twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiohttp
import faust
from prometheus_client import CollectorRegistry

from alerts.delivery import Deliverer
from alerts.engine import (
    Result,
    event_routes,
    group_keys,
    needs_tick,
    same_but_clock,
    step,
    step_event,
    tick,
    window_figures,
)
from alerts.preflight import check_channels
from alerts.rules import RuleSet
from alerts.templates import check_templates
from escmon.faustapp import make_app, raw_topic, run_app, send_dead_letter
from escmon.metrics import AlertMetrics
from escmon.models import Alert, EventRecord, RecordError, TaggedArticle, utcnow
from escmon.settings import Settings

logger = logging.getLogger(__name__)

TICK_PREFIX = b'{"tick"'
# route_events forwards EventRecord.to_bytes(), whose first key is the schema: a cheap, sure test.
EVENT_PREFIX = b'{"schema":"event/1"'


def create_app(
    settings: Settings,
    registry: CollectorRegistry | None = None,
    ruleset: RuleSet | None = None,
    app_id: str | None = None,
) -> faust.App:
    """Build the alert app and its agents (rules and templates are validated here)."""
    registry = registry or CollectorRegistry()
    metrics = AlertMetrics.create(registry)
    rules = ruleset or RuleSet.load(settings.alerts.rules)
    check_templates(settings.alerts.template, settings.alerts.title_template)
    # The channels are built in the deliver agent; a bad URL must stop the stage here, with its
    # one line and exit code 2, when it runs on its own (systemd) without `escmon run`'s check.
    problems = check_channels(settings)
    if problems:
        raise problems[0]
    app_id = app_id or f"{settings.kafka.app_prefix}-alerts"
    # A crashed notifier's groups wait for its session to expire before another takes them:
    # Faust's 60 s default is a minute without alerts, so the alert stage uses a shorter one.
    app = make_app(
        settings,
        app_id,
        settings.metrics.notifier_port,
        registry,
        broker_session_timeout=settings.alerts.session_timeout,
    )
    topics = settings.topics
    tagged_topic = raw_topic(app, topics.tagged)
    events_topic = raw_topic(app, topics.events)
    grouped = raw_topic(
        app, f"{app_id}.grouped", partitions=settings.kafka.partitions, internal=True
    )
    alerts_topic = raw_topic(app, topics.alerts)
    dead_topic = raw_topic(app, topics.deadletter)
    cap = settings.processors.deadletter_cap
    state = app.Table("rule-state", default=None, partitions=settings.kafka.partitions)
    delivered = app.Table("delivered", default=None, partitions=settings.kafka.partitions)
    # The groups each event was last sent to. The events topic is keyed by event id, so this
    # table is co-partitioned with it; a revision that leaves a group is sent there too.
    event_groups = (
        app.Table("event-groups", default=None, partitions=settings.kafka.partitions)
        if rules.reads_events
        else {}
    )
    deliverer = Deliverer(settings, metrics)

    async def dead(reason: str, payload: bytes, event: Any) -> None:
        await send_dead_letter(
            dead_topic,
            metrics.deadletters,
            stage="alerts",
            reason=reason,
            payload=payload,
            cap=cap,
            event=event,
            log=logger,
        )

    async def route(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            try:
                article = TaggedArticle.from_bytes(event.value)
            except RecordError as exc:
                await dead(str(exc), event.value or b"", event)
                continue
            metrics.evaluated.inc()
            for key in group_keys(rules, article):
                await grouped.send(key=key.encode(), value=event.value)
            yield None

    async def route_events(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            try:
                record = EventRecord.from_bytes(event.value)
            except RecordError as exc:
                await dead(str(exc), event.value or b"", event)
                continue
            value = record.to_bytes()
            before = event_groups.get(record.id)
            for key in event_routes(rules, record, before):
                await grouped.send(key=key.encode(), value=value)
            now_in = group_keys(rules, record)
            if now_in != before:
                event_groups[record.id] = now_in
            yield None

    # A notifier whose rules all read events does not consume articles.tagged, and vice versa.
    if rules.reads_articles:
        app.agent(tagged_topic, name="route")(route)
    if rules.reads_events:
        app.agent(events_topic, name="route_events")(route_events)

    async def publish(key: str, result: Result) -> None:
        for rule, reason in result.suppressed:
            metrics.suppressed.labels(rule, reason).inc()
        for alert in result.fired:
            # Wait for the broker's ack: only then may the state say this alert was sent.
            await (await alerts_topic.send(key=alert.id.encode(), value=alert.to_bytes()))
            if alert.status == "firing":
                metrics.fired.labels(alert.rule, alert.severity).inc()
            logger.info("alert %s %s %s %s", alert.id, alert.rule, alert.severity, alert.group)
        figures = window_figures(rules, result.state)
        metrics.score.labels(key).set(figures["score"])
        metrics.killed.labels(key).set(figures["killed"])

    @app.agent(grouped, name="evaluate")
    async def evaluate(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            key = event.key.decode() if event.key else "global"
            value = event.value or b""
            now = utcnow()
            old = state.get(key)
            if value.startswith(TICK_PREFIX):
                result = tick(rules, key, old, _tick_time(value, now))
                if not result.fired and same_but_clock(old, result.state):
                    # Only the clock moved: not worth a changelog write of the whole state.
                    await publish(key, result)
                    continue
            else:
                record: TaggedArticle | EventRecord
                try:
                    if value.startswith(EVENT_PREFIX):
                        record = EventRecord.from_bytes(value)
                        result = step_event(rules, key, old, record, now)
                    else:
                        record = TaggedArticle.from_bytes(value)
                        result = step(rules, key, old, record, now)
                except RecordError as exc:
                    await dead(str(exc), value, event)
                    continue
                what = "event" if isinstance(record, EventRecord) else "article"
                logger.debug(
                    "%s %s for %s at offset %s: %d fired, duplicate=%s",
                    what, record.id, key, event.message.offset, len(result.fired),
                    result.duplicate,
                )
                if result.duplicate or result.late:
                    # For an event, "duplicate" also means a revision older than the one held.
                    reason = "duplicate" if result.duplicate else "late"
                    metrics.skipped.labels(reason).inc()
                    logger.info("%s %s not counted for %s: %s", what, record.id, key, reason)
                    continue
            await publish(key, result)
            state[key] = result.state
            yield None

    @app.timer(settings.alerts.tick_interval)
    async def ticker() -> None:
        # Time passing (pending periods, resolves) must reach the table through the stream:
        # Faust only lets a table change inside stream iteration, on the partition's owner.
        # Only groups where time passing changes something get a tick (idle groups cost nothing).
        now = utcnow()
        message = json.dumps({"tick": now.isoformat()}).encode()
        for key in list(state.keys()):
            if needs_tick(rules, key, state.get(key), now):
                await grouped.send(key=key.encode(), value=message)

    @app.agent(alerts_topic, name="deliver")
    async def deliver(stream: Any) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            deliverer.session = session
            async for event in stream.events():
                try:
                    alert = Alert.from_bytes(event.value)
                except RecordError as exc:
                    await dead(str(exc), event.value or b"", event)
                    continue
                done: list[str] = list(delivered.get(alert.id) or [])

                def mark(channel: str, alert_id: str = alert.id, done: list[str] = done) -> None:
                    done.append(channel)
                    delivered[alert_id] = list(done)

                failures = await deliverer.deliver(alert, already=set(done), mark=mark)
                for reason in failures:
                    await dead(reason, event.value, event)
                # Make the record of this delivery durable now, not at the next commit: a crash
                # after this point replays the alert, and the table then says it was delivered.
                await app.producer.flush()
                yield None

    @app.on_before_shutdown.connect
    async def close_channels(sender: Any, /, *args: Any, **kwargs: Any) -> None:
        await deliverer.close()

    return app


def _tick_time(value: bytes, default: datetime) -> datetime:
    try:
        when = datetime.fromisoformat(json.loads(value)["tick"])
    except (ValueError, KeyError, TypeError):
        return default
    return when if when.tzinfo is not None else default


def run_notifier(settings: Settings) -> int:
    """Run the alert stage until SIGTERM/SIGINT."""
    return run_app(create_app(settings), settings)
