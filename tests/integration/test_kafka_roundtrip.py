"""Produce and consume on the real broker: topics, keys, the outbox publisher."""

import pytest
from kafka import KafkaAdminClient

from escmon.models import Article, utcnow
from escmon.settings import load_settings
from escmon.topics import client_options, ensure_topics, topic_names
from producers.publisher import Publisher
from producers.store import Store
from tests.integration.kafka_util import read_topic

pytestmark = pytest.mark.integration


def test_topics_are_created_with_configured_partitions(make_config):
    path, cfg = make_config(kafka={"partitions": 3})
    settings = load_settings(path)
    created = ensure_topics(settings)
    assert sorted(created) == sorted(topic_names(settings))
    assert ensure_topics(settings) == [], "second call is a no-op"
    admin = KafkaAdminClient(**client_options(settings.kafka))
    try:
        described = admin.describe_topics(topic_names(settings))
    finally:
        admin.close()
    assert {t["name"]: len(t["partitions"]) for t in described} == {
        n: 3 for n in topic_names(settings)
    }


def test_outbox_publisher_round_trip_keyed_by_article_id(make_config, tmp_path, kafka_bootstrap):
    path, cfg = make_config()
    settings = load_settings(path)
    ensure_topics(settings)
    store = Store(tmp_path / "p.sqlite")
    articles = [
        Article(id=f"id-{i}", source="test", title=f"t{i}", body="b", fetched=utcnow())
        for i in range(20)
    ]
    for a in articles:
        store.enqueue("article", a.id, a.to_bytes(), "test")
    publisher = Publisher(
        {"article": settings.topics.raw, "deadletter": settings.topics.deadletter},
        client_options(settings.kafka),
    )
    done = publisher.publish(store.pending())
    publisher.close()
    store.acknowledged(done)
    assert len(done) == 20
    assert store.pending_count() == 0
    records = read_topic(kafka_bootstrap, settings.topics.raw, expect=20)
    got = {r.key.decode(): Article.from_bytes(r.value) for r in records}
    assert len(records) == 20, "each article exactly once"
    assert got == {a.id: a for a in articles}
