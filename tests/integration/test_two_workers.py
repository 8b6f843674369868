"""Two workers and two notifiers share the partitions; one of each stops mid-stream."""

import threading

import pytest
from kafka import KafkaProducer

from escmon.models import Alert, Article, TaggedArticle, utcnow
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import free_port, wait_for
from tests.e2e.test_seed_alert import Receiver
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _articles(start: int, n: int) -> list[Article]:
    out = []
    for i in range(start, start + n):
        if i % 5 == 0:
            body = f"A drone strike killed 3 soldiers at a base in Syria on day {i}."
        else:
            body = f"The city council met on day {i} to discuss the harbour budget."
        out.append(Article(id=f"art-{i:04d}", source="test", title=f"Item {i}", body=body,
                           fetched=utcnow()))
    return out


def _send(bootstrap: str, topic: str, articles: list[Article]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for a in articles:
        producer.send(topic, key=a.id.encode(), value=a.to_bytes())
    producer.flush()
    producer.close()


# One alert per deadly article: no cooldown and no inhibition, unlike the shipped rules, so the
# count of alerts says whether any was lost or repeated while partitions moved.
RULES = """
rules:
  - {name: deadly-strike, type: any, where: {signals: [strike], min_killed: 1}, metric: killed,
     severities: {warning: 1, critical: 10}, realert: 0}
inhibit: null
"""


def test_partitions_move_when_a_worker_stops_and_nothing_is_tagged_or_alerted_twice(
    make_config, escmon_proc, kafka_bootstrap, tmp_path
):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    path, cfg = make_config(kafka={"partitions": 4}, alerts={"webhooks": [receiver.url],
                                                              "console": False,
                                                              "rules": str(rules)})
    settings = load_settings(path)
    ensure_topics(settings)
    worker_a = escmon_proc("--config", str(path), "worker")
    worker_b = escmon_proc("--config", str(path), "worker", "--port", str(free_port()))
    escmon_proc("--config", str(path), "notifier")
    _send(kafka_bootstrap, settings.topics.raw, _articles(0, 100))
    first = wait_for(lambda: (r := read_topic(kafka_bootstrap, settings.topics.tagged,
                                              expect=100, timeout=5)) and len(r) >= 100 and r,
                     120, "first 100 tagged")
    print(f"phase 1: tagged records {len(first)}")
    assert worker_b.stop() == 0, worker_b.output()[-2000:]
    _send(kafka_bootstrap, settings.topics.raw, _articles(100, 100))

    records = read_topic(kafka_bootstrap, settings.topics.tagged, expect=200, timeout=120)
    ids = [TaggedArticle.from_bytes(r.value).id for r in records]
    print(f"tagged records {len(ids)}, distinct {len(set(ids))}")
    assert len(set(ids)) == 200, f"lost {200 - len(set(ids))}\n{worker_a.output()[-2000:]}"
    assert len(ids) == 200, f"tagged twice: {len(ids) - len(set(ids))}"

    expected = 40  # every fifth article reports a deadly strike: one `any` alert each
    wait_for(lambda: len(receiver.bodies) >= expected, 90, f"{expected} alerts at the webhook")
    alerts = [Alert.from_bytes(b) for b in receiver.bodies]
    deadly = [a.id for a in alerts if a.rule == "deadly-strike"]
    assert len(deadly) == len(set(deadly)) == expected
    receiver.shutdown()
