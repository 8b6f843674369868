"""Issue 13's acceptance: the seed story from five outlets is one event and one alert.

The user's own test: the seed article published by five sources used to give `country-killed`
alerts with 38 killed for seven countries. Through the real worker (tagging and the event stage)
and the notifier with the shipped rules (seeds/rules.yaml, rules over events) it must be one event
in Iraq and Syria with the strikes' own toll, 16 (the three US troops died in the drone attack the
strikes answer), reported by five sources, and exactly one `deadly-strike` alert naming them.
"""

import threading
import time

import pytest
from kafka import KafkaProducer

from escmon.models import Alert, Article, EventRecord, utcnow
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import SEED_ARTICLE, SEEDS, wait_for
from tests.e2e.test_seed_alert import Receiver
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OUTLETS = ("Reuters", "AP", "Al Jazeera", "BBC", "France 24")


def _copies() -> list[Article]:
    title, body = SEED_ARTICLE.read_text(encoding="utf-8").split("\n", 1)
    now = utcnow()
    return [
        Article(
            id=f"seed-copy-{i}",
            source=outlet,
            title=title,
            body=body,
            url=f"https://outlet{i}.example/world/us-strikes-iraq-syria",
            published=now,
            fetched=now,
        )
        for i, outlet in enumerate(OUTLETS)
    ]


def _latest(records: list) -> dict[str, EventRecord]:
    latest: dict[str, EventRecord] = {}
    for r in records:
        event = EventRecord.from_bytes(r.value)
        if event.id not in latest or event.revision > latest[event.id].revision:
            latest[event.id] = event
    return latest


def test_seed_story_from_five_outlets_is_one_event_and_one_deadly_strike_alert(
    make_config, escmon_proc, kafka_bootstrap
):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    path, cfg = make_config(
        alerts={"rules": str(SEEDS / "rules.yaml"), "webhooks": [receiver.url]}
    )
    settings = load_settings(path)
    ensure_topics(settings)
    escmon_proc("--config", str(path), "worker")
    escmon_proc("--config", str(path), "notifier")
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for article in _copies():
        producer.send(settings.topics.raw, key=article.id.encode(), value=article.to_bytes())
    producer.flush()
    producer.close()

    def five_reports() -> dict[str, EventRecord] | None:
        records = read_topic(kafka_bootstrap, settings.topics.events, expect=1, timeout=3)
        latest = _latest(records)
        held = sum(len(e.articles) for e in latest.values() if e.status == "open")
        return latest if held >= len(OUTLETS) else None

    latest = wait_for(five_reports, 120, "the five reports on the events topic")
    live = [e for e in latest.values() if e.status == "open"]
    assert len(live) == 1, [(e.id, e.articles, e.countries) for e in live]
    [event] = live
    assert sorted(event.articles) == sorted(a.id for a in _copies())
    assert sorted(event.sources) == sorted(OUTLETS)
    assert sorted(event.countries) == ["Iraq", "Syria"], "not the US, Iran, Jordan, Yemen, Israel"
    assert event.killed.best == 16, "the strikes' toll, not the earlier attack's 3 troops"
    assert event.reaction, "the strikes answer the drone attack"

    def deadly_alerts() -> list[Alert]:
        alerts = [Alert.from_bytes(b) for b in list(receiver.bodies)]
        return [a for a in alerts if a.rule == "deadly-strike"]

    # Other rules (escalation-score, a threshold) may fire first; deadly-strike waits its hold.
    wait_for(deadly_alerts, 90, "the deadly-strike alert at the webhook")
    time.sleep(5)  # a second deadly-strike alert for the same event would come now
    alerts = [Alert.from_bytes(b) for b in receiver.bodies]
    deadly = deadly_alerts()
    assert len(deadly) == 1, [(a.rule, a.severity, a.group, a.sources) for a in alerts]
    [alert] = deadly
    assert alert.event_ids == [event.id]
    assert alert.figures["killed"] == 16
    assert alert.sources == sorted(OUTLETS)
    assert "1 event, reported by 5 sources" in alert.summary
    assert not [a for a in alerts if a.rule == "country-killed"], "16 is below its threshold"
    receiver.shutdown()
