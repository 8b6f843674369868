"""Rules over events on the real broker: ``escmon notifier`` with the shipped rules (all of them
``source: events``) reading ``event/1`` records from the events topic.

The records stand for what the event stage publishes for the seed story reported by five outlets:
one revision per report joining the event. They must give one ``deadly-strike`` alert that lists
the five sources, and a later revision that changes nothing alert-worthy must give none.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from kafka import KafkaProducer

from escmon.models import Alert, EventRecord, Evidence, Toll, utcnow
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import REPO, wait_for
from tests.integration.kafka_util import read_topic
from tests.integration.test_alert_pipeline import Receiver, metric

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OUTLETS = ("reuters", "ap", "aljazeera", "bbc", "france24", "dw")


def revisions(n: int) -> list[EventRecord]:
    """Revisions 1..n of the seed event; report i is published two seconds after report i-1.

    All fall inside the shipped rule's 10 s hold; the first report is 30 minutes old, so the hold
    is over by wall clock and the notifier's first tick after the revisions releases the alert.
    """
    first = utcnow() - timedelta(minutes=30)
    out = []
    for i in range(1, n + 1):
        ids = [f"seed-{o}" for o in OUTLETS[:i]]
        out.append(
            EventRecord(
                id="seed-event",
                revision=i,
                title="US strikes Iran-linked forces in Iraq and Syria",
                kind="strike",
                reaction=True,
                articles=ids,
                sources=list(OUTLETS[:i]),
                countries=["Iraq", "Syria"],
                theater="Middle East",
                killed=Toll(low=16, best=16, high=16),
                signals=["strike", "casualties", "retaliation_pledge"],
                score=11.0,
                first_seen=first,
                last_seen=first + timedelta(seconds=2 * (i - 1)),
                first_fetched=first,
                evidence=[
                    Evidence(sentence="The strikes killed 16 people, Iraq said.", type="casualties",
                             article_id=ids[0], source=OUTLETS[0],
                             url="https://news.example.org/seed"),
                ],
            )
        )
    return out


def produce(bootstrap: str, topic: str, records: list[EventRecord]) -> None:
    """Publish keyed by event id, as the event stage does."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for r in records:
        producer.send(topic, key=r.id.encode(), value=r.to_bytes())
    producer.flush()
    producer.close()


def test_event_revisions_on_the_events_topic_give_one_alert_listing_the_sources(
    make_config, escmon_proc, kafka_bootstrap, unique
):
    hook = Receiver()
    path, cfg = make_config(
        topics={"events": f"events-{unique}", "by_country": f"bycountry-{unique}"},
        alerts={"rules": str(REPO / "seeds" / "rules.yaml"), "webhooks": [hook.url]},
    )
    settings = load_settings(path)
    ensure_topics(settings)
    five = revisions(5)
    # All five are on the topic before the notifier reads it (a live stage publishes them as
    # reports arrive; the hold is what waits for them there).
    produce(kafka_bootstrap, settings.topics.events, five)
    proc = escmon_proc("--config", str(path), "notifier")

    wait_for(lambda: hook.ids, 120, "the alert at the webhook")
    time.sleep(3)  # a second alert for the same event would come now
    records = read_topic(kafka_bootstrap, settings.topics.alerts, expect=1, timeout=30)
    alerts = [Alert.from_bytes(r.value) for r in records]
    deadly = [a for a in alerts if a.rule == "deadly-strike"]
    assert len(deadly) == 1, [(a.rule, a.severity, a.group) for a in alerts]
    [alert] = deadly
    assert (alert.severity, alert.group, alert.event_ids) == (
        "critical", "theater:Middle East", ["seed-event"])
    assert alert.sources == sorted(OUTLETS[:5])
    assert alert.figures["killed"] == 16, "one event's toll, not five reports' tolls"
    assert "1 event, reported by 5 sources" in alert.summary
    body = hook.bodies[hook.ids.index(alert.id)]
    assert Alert.from_bytes(body).sources == sorted(OUTLETS[:5])

    port = cfg["metrics"]["notifier_port"]
    assert metric(port, "escmon_killed_reported", {"group": "theater:Middle East"}) == 16
    assert metric(port, "escmon_alerts_fired_total",
                  {"rule": "deadly-strike", "severity": "critical"}) == 1

    # A sixth outlet joins later: more sources, same toll and severity, so no new alert; and
    # a re-delivered old revision is recognised as such.
    sixth = revisions(6)[-1]
    produce(kafka_bootstrap, settings.topics.events, [sixth, five[2]])
    skipped = "escmon_alerts_articles_skipped_total"
    wait_for(lambda: (metric(port, skipped, {"reason": "duplicate"}) or 0) >= 1, 60,
             "the old revision skipped")
    time.sleep(3)
    again = [Alert.from_bytes(r.value) for r in read_topic(
        kafka_bootstrap, settings.topics.alerts, expect=len(alerts), timeout=10)]
    assert [a.id for a in again if a.rule == "deadly-strike"] == [alert.id], proc.output()[-3000:]
