"""The event stage in the worker process on the real broker: articles.raw → tagger → by action
country → linker → events, with the real tagger and linker, before and after a SIGKILL.

The reports are ours (tests/fixtures/events/two-events.jsonl): a missile strike on Kharkiv
(three outlets, nine killed in each) and a drone strike on a Khartoum market (three outlets: an
early "at least 11", then 14 twice). Whatever the arrival order, they are two events.
"""

from __future__ import annotations

import json
import random
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from escmon.models import Article, DeadLetter, EventRecord, Toll, utcnow
from escmon.settings import Settings, load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "events" / "two-events.jsonl"
PARTITIONS = 4


def _reports() -> list[tuple[Article, str]]:
    """The six reports as articles published over the last hours, with their true event."""
    base = utcnow() - timedelta(hours=8)
    out = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        article = Article(
            id=d["id"],
            source=d["source"],
            title=d["title"],
            body=d["body"],
            published=base + timedelta(hours=d["hours"]),
            fetched=utcnow(),
        )
        out.append((article, d["event"]))
    return out


TRUTH = {
    "kharkiv": ({"kh-wire", "kh-local", "kh-europe"}, Toll(low=9, best=9, high=9), "Ukraine"),
    "khartoum": ({"kt-early", "kt-wire", "kt-africa"}, Toll(low=11, best=14, high=14), "Sudan"),
}


def _send(bootstrap: str, topic: str, items: list[tuple[bytes, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for key, value in items:
            producer.send(topic, key=key, value=value)
        producer.flush(timeout=60)
    finally:
        producer.close()


def _articles(items: list[Article]) -> list[tuple[bytes, bytes]]:
    return [(a.id.encode(), a.to_bytes()) for a in items]


def _events(bootstrap: str, settings: Settings, expect: int) -> list[EventRecord]:
    records = read_topic(bootstrap, settings.topics.events, expect=expect, timeout=5)
    out = []
    for r in records:
        event = EventRecord.from_bytes(r.value)
        assert r.key == event.id.encode(), "events are keyed by event id"
        out.append(event)
    return out


def _latest(events: list[EventRecord]) -> dict[str, EventRecord]:
    latest: dict[str, EventRecord] = {}
    for e in events:
        if e.id not in latest or e.revision > latest[e.id].revision:
            latest[e.id] = e
    return latest


def _linked(events: list[EventRecord]) -> set[str]:
    """Article ids in the live (not merged-away) events so far."""
    live = [e for e in _latest(events).values() if e.status != "merged"]
    return {a for e in live for a in e.articles}


def _check(events: list[EventRecord]) -> dict[str, int]:
    """Two events, each with all its reports and its toll; the figures for the report."""
    latest = _latest(events)
    live = [e for e in latest.values() if e.status != "merged"]
    by_articles = {frozenset(e.articles): e for e in live}
    figures = {
        "records": len(events),
        "distinct_ids": len(latest),
        "live_events": len(live),
        "merged_away": len(latest) - len(live),
    }
    assert len(live) == 2, (figures, [(e.id, e.articles) for e in live])
    for name, (articles, toll, country) in TRUTH.items():
        event = by_articles.get(frozenset(articles))
        assert event is not None, f"{name}: no event with exactly {sorted(articles)}: {live}"
        assert event.killed == toll, (name, event.killed)
        assert country in event.countries, (name, event.countries)
        assert len(event.sources) == 3, (name, event.sources)
    # The same revision of an event published twice (a replay after a crash) must be the same
    # record: the linker is deterministic on the same state and input.
    seen: dict[tuple[str, int], bytes] = {}
    for e in events:
        body = e.to_bytes()
        assert seen.setdefault((e.id, e.revision), body) == body, f"{e.id} r{e.revision} differs"
    return figures


def test_shuffled_reports_of_two_events_give_two_events_and_poison_is_dead_lettered(
    make_config, escmon_proc, kafka_bootstrap
):
    path, _ = make_config(kafka={"partitions": PARTITIONS})
    settings = load_settings(path)
    ensure_topics(settings)
    reports = [a for a, _ in _reports()]
    random.Random(13).shuffle(reports)
    print("arrival order:", [a.id for a in reports])
    _send(kafka_bootstrap, settings.topics.raw, _articles(reports))
    # Poison on articles.tagged reaches the event stage only: the tagger never reads it.
    _send(kafka_bootstrap, settings.topics.tagged, [(b"poison", b'{"schema": "tagged/9"}')])

    worker = escmon_proc("--config", str(path), "worker")
    every = {a.id for a in reports}
    events = wait_for(
        lambda: (ev := _events(kafka_bootstrap, settings, 6)) and _linked(ev) >= every and ev,
        120,
        "every report linked into an event",
    )
    print("events:", _check(events))
    assert _check(events)["distinct_ids"] == 2, worker.output()[-3000:]

    letters = [
        DeadLetter.from_bytes(r.value)
        for r in read_topic(kafka_bootstrap, settings.topics.deadletter, expect=1, timeout=30)
    ]
    [letter] = [x for x in letters if x.stage == "events"]
    assert "invalid tagged/1 record" in letter.reason
    assert letter.topic == settings.topics.tagged and letter.offset is not None


def _committed(bootstrap: str, group: str, topic: str) -> int:
    """Offsets the group committed on ``topic``, summed over partitions (read without joining)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return sum(consumer.committed(tp) or 0 for tp in tps)
    finally:
        consumer.close(autocommit=False)


def _end(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return sum(consumer.end_offsets(tps).values())
    finally:
        consumer.close()


def test_a_sigkilled_worker_s_successor_recovers_the_open_events(
    make_config, escmon_proc, kafka_bootstrap
):
    path, cfg = make_config(kafka={"partitions": PARTITIONS})
    settings = load_settings(path)
    ensure_topics(settings)
    reports = [a for a, _ in _reports()]
    random.Random(7).shuffle(reports)
    # One report of each event first, so that after the kill both events must be found again
    # in the recovered table (a successor without it would open two new events).
    first = [next(a for a in reports if a.id.startswith(p)) for p in ("kh-", "kt-")]
    rest = [a for a in reports if a not in first]
    print("before the kill:", [a.id for a in first], "after:", [a.id for a in rest])
    group = f"{cfg['kafka']['app_prefix']}-processors"

    worker = escmon_proc("--config", str(path), "worker")
    _send(kafka_bootstrap, settings.topics.raw, _articles(first))
    wait_for(
        lambda: _linked(_events(kafka_bootstrap, settings, 2)) >= {a.id for a in first},
        120,
        "the first reports linked",
    )
    # The first worker has committed them: its successor will not read them again, so only a
    # recovered table can tell it which events are open.
    def committed() -> bool:
        done = _committed(kafka_bootstrap, group, settings.topics.by_country)
        end = _end(kafka_bootstrap, settings.topics.by_country)
        print("committed", done, "of", end)
        return done >= end >= 2

    wait_for(committed, 30, "the by-country offsets committed", every=1.0)
    # One more report, killed while it is in flight (probably not committed): replayed later.
    _send(kafka_bootstrap, settings.topics.raw, _articles(rest[:1]))
    worker.popen.send_signal(signal.SIGKILL)
    worker.popen.wait(10)
    before = _events(kafka_bootstrap, settings, 2)
    print(f"at the kill: {len(before)} event records, linked {sorted(_linked(before))}")
    _send(kafka_bootstrap, settings.topics.raw, _articles(rest[1:]))

    successor = escmon_proc("--config", str(path), "worker")
    every = {a.id for a in reports}
    events = wait_for(
        lambda: (ev := _events(kafka_bootstrap, settings, 6)) and _linked(ev) >= every and ev,
        150,
        "every report linked after the restart",
        every=1.0,
    )
    figures = _check(events)
    print("events after the restart:", figures)
    assert figures["distinct_ids"] == 2, (figures, successor.output()[-3000:])
