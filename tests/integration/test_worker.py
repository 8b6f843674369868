"""The Faust tagging worker as a process on the real broker: articles.raw → articles.tagged."""

import json
import urllib.request

import pytest
from kafka import KafkaProducer

from escmon.models import Article, DeadLetter, TaggedArticle, utcnow
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import SEED_ARTICLE, wait_for
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _seed_article() -> Article:
    title, _, body = SEED_ARTICLE.read_text(encoding="utf-8").partition("\n")
    return Article(id="seed-1", source="test", title=title, body=body, fetched=utcnow())


def test_worker_tags_raw_articles_and_dead_letters_poison(
    make_config, escmon_proc, kafka_bootstrap
):
    path, cfg = make_config()
    settings = load_settings(path)
    ensure_topics(settings)
    calm = Article(
        id="calm-1",
        source="test",
        title="Bakery opens",
        body="A new bakery opened on Main Street on Tuesday.",
        fetched=utcnow(),
    )
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for a in (_seed_article(), calm):
        producer.send(settings.topics.raw, key=a.id.encode(), value=a.to_bytes())
    producer.send(settings.topics.raw, key=b"poison", value=b"\xff\xfe not json")
    producer.flush()
    producer.close()

    worker = escmon_proc("--config", str(path), "worker")
    tagged = {
        r.key.decode(): TaggedArticle.from_bytes(r.value)
        for r in read_topic(kafka_bootstrap, settings.topics.tagged, expect=2, timeout=90)
    }
    assert set(tagged) == {"seed-1", "calm-1"}, worker.output()[-3000:]
    seed = tagged["seed-1"].summary
    assert seed.strike and seed.casualties and seed.retaliation_pledge and seed.deescalation
    assert seed.killed == 19
    assert not tagged["calm-1"].summary.strike
    assert tagged["calm-1"].signals == []

    [dead] = read_topic(kafka_bootstrap, settings.topics.deadletter, expect=1, timeout=30)
    letter = DeadLetter.from_bytes(dead.value)
    assert letter.stage == "processors"
    assert "invalid article/1 record" in letter.reason
    assert letter.topic == settings.topics.raw
    assert letter.offset is not None

    port = cfg["metrics"]["worker_port"]

    def scrape() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            return resp.read().decode()

    text = wait_for(
        lambda: (t := scrape()) and "escmon_processor_articles_tagged_total 2.0" in t and t,
        30,
        "tagged counter on /metrics",
    )
    assert 'escmon_signals_total{type="strike"}' in text
    assert "escmon_processor_deadletters_total" in text
    assert "faust_" in text, "Faust's own Prometheus sensor is exported too"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
        assert json.loads(resp.read())["status"] == "alive"
