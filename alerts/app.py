"""The Faust app of the alert stage.

``articles.tagged`` → ``route`` (one message per rule group, keyed by group so each group's state
lives on one worker) → ``evaluate`` (rule state in a changelog-backed table, so a restarted worker
resumes) → ``alerts`` topic (the durable history) → ``deliver`` (commits after delivery, skips ids
it has delivered before).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiohttp
import faust
from prometheus_client import CollectorRegistry

from alerts.delivery import Deliverer
from alerts.engine import group_keys, step, tick
from alerts.rules import RuleSet
from escmon.faustapp import make_app, run_app
from escmon.metrics import AlertMetrics
from escmon.models import Alert, DeadLetter, RecordError, TaggedArticle, utcnow
from escmon.settings import Settings

logger = logging.getLogger(__name__)


def _raw_topic(app: faust.App, name: str, **extra: Any) -> faust.TopicT:
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        **extra,
    )


def create_app(
    settings: Settings,
    registry: CollectorRegistry | None = None,
    ruleset: RuleSet | None = None,
    app_id: str | None = None,
) -> faust.App:
    """Build the alert app and its agents."""
    registry = registry or CollectorRegistry()
    metrics = AlertMetrics.create(registry)
    rules = ruleset or RuleSet.load(settings.alerts.rules)
    app_id = app_id or f"{settings.kafka.app_prefix}-alerts"
    app = make_app(settings, app_id, settings.metrics.notifier_port, registry)
    topics = settings.topics
    tagged_topic = _raw_topic(app, topics.tagged)
    grouped = _raw_topic(
        app, f"{app_id}.grouped", partitions=settings.kafka.partitions, internal=True
    )
    alerts_topic = _raw_topic(app, topics.alerts)
    dead_topic = _raw_topic(app, topics.deadletter)
    cap = settings.processors.deadletter_cap
    state = app.Table("rule-state", default=None, partitions=settings.kafka.partitions)
    delivered = app.Table("delivered", default=None, partitions=settings.kafka.partitions)
    deliverer = Deliverer(settings, metrics)

    async def dead(reason: str, payload: bytes, event: Any) -> None:
        msg = event.message
        letter = DeadLetter.of(
            stage="alerts",
            reason=reason,
            payload=payload,
            cap=cap,
            topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
        )
        logger.warning("dead letter %s/%s@%s: %s", msg.topic, msg.partition, msg.offset, reason)
        metrics.deadletters.labels(reason.split(":", 1)[0][:60]).inc()
        await dead_topic.send(key=b"alerts", value=letter.to_bytes())

    @app.agent(tagged_topic, name="route")
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

    async def publish(alerts: list[Alert]) -> None:
        for alert in alerts:
            metrics.fired.labels(alert.rule, alert.severity).inc()
            if alert.status == "firing":
                metrics.score.labels(alert.group).set(alert.figures.get("score", 0.0))
                metrics.killed.labels(alert.group).set(alert.figures.get("killed", 0.0))
            await alerts_topic.send(key=alert.id.encode(), value=alert.to_bytes())

    @app.agent(grouped, name="evaluate")
    async def evaluate(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            key = event.key.decode() if event.key else "global"
            value = event.value or b""
            now = utcnow()
            if value.startswith(b'{"tick"'):
                new, fired = tick(rules, key, state.get(key), _tick_time(value, now))
            else:
                try:
                    article = TaggedArticle.from_bytes(value)
                except RecordError as exc:
                    await dead(str(exc), value, event)
                    continue
                new, fired = step(rules, key, state.get(key), article, now)
            state[key] = new
            await publish(fired)
            yield None

    @app.timer(settings.alerts.tick_interval)
    async def ticker() -> None:
        # Time passing (pending periods, resolves) must reach the table through the stream:
        # Faust only lets a table change inside stream iteration, on the partition's owner.
        now = utcnow().isoformat()
        for key in list(state.keys()):
            await grouped.send(key=key.encode(), value=json.dumps({"tick": now}).encode())

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
                if delivered.get(alert.id) is not None:
                    logger.info("alert %s already delivered; skipped", alert.id)
                    continue
                failures = await deliverer.deliver(alert)
                for reason in failures:
                    await dead(reason, event.value, event)
                delivered[alert.id] = time.time()
                yield None

    return app


def _tick_time(value: bytes, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(json.loads(value)["tick"])
    except (ValueError, KeyError, TypeError):
        return default


def run_notifier(settings: Settings) -> int:
    """Run the alert stage until SIGTERM/SIGINT."""
    return run_app(create_app(settings), settings)
