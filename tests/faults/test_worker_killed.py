"""The tagging worker is killed with SIGKILL mid-batch and restarted: no article is lost and no
alert reaches the webhook twice (redelivered articles may be tagged again; the alert stage
ignores an article id it has counted, and the deliverer skips alert ids it has delivered)."""

import signal
import time

import pytest
from kafka import KafkaConsumer, TopicPartition

from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.faults.faultkit import (
    alert_ids,
    figures,
    send,
    start_receiver,
    strike_articles,
    tagged_ids,
    write_rules,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

N = 2000


class _Counter:
    """Records on a topic so far (sum of the end offsets), one client for the whole wait."""

    def __init__(self, bootstrap: str, topic: str, partitions: int) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        self.tps = [TopicPartition(topic, p) for p in range(partitions)]

    def __call__(self) -> int:
        return sum(self.consumer.end_offsets(self.tps).values())


def test_worker_killed_mid_batch_loses_no_article_and_delivers_no_alert_twice(
    make_config, escmon_proc, kafka_bootstrap, tmp_path
):
    receiver = start_receiver()
    path, cfg = make_config(
        kafka={"partitions": 4},
        alerts={"rules": str(write_rules(tmp_path)), "webhooks": [receiver.url], "console": False},
    )
    settings = load_settings(path)
    ensure_topics(settings)
    topics = settings.topics
    worker = escmon_proc("--config", str(path), "worker")
    escmon_proc("--config", str(path), "notifier")
    articles = strike_articles(0, N)
    sent = {a.id for a in articles}
    send(kafka_bootstrap, topics.raw, articles)

    # Kill it while it works through the backlog (batch after batch, so almost surely inside
    # one): some batches published, most still to do.
    count = _Counter(kafka_bootstrap, topics.tagged, 4)
    wait_for(lambda: count() >= N // 10, 120, "first tagged", every=0.05)
    worker.popen.send_signal(signal.SIGKILL)
    worker.popen.wait(10)
    at_kill = count()
    count.consumer.close()
    print(f"killed after {at_kill} of {N} tagged")
    assert at_kill < N, "the worker finished before it was killed: the test proved nothing"

    started = time.monotonic()
    escmon_proc("--config", str(path), "worker")
    wait_for(
        lambda: len(set(tagged_ids(kafka_bootstrap, topics.tagged, N, 5))) >= N,
        150,
        "every article tagged after the restart",
        every=2.0,
    )
    print(f"restarted worker caught up in {time.monotonic() - started:.1f} s")
    tagged = figures(sent, tagged_ids(kafka_bootstrap, topics.tagged, N, 30))
    print(f"tagged: {tagged}")
    assert tagged["lost"] == 0, tagged
    assert tagged["unexpected"] == 0, tagged

    wait_for(
        lambda: len(set(alert_ids(receiver))) >= N, 120, f"{N} alerts at the webhook", every=1.0
    )
    time.sleep(3)  # anything delivered twice would arrive now
    ids = alert_ids(receiver)
    delivered = {
        "alerts_expected": N,
        "delivered": len(ids),
        "distinct": len(set(ids)),
        "duplicated": len(ids) - len(set(ids)),
    }
    print(f"alerts: {delivered}")
    receiver.shutdown()
    assert len(set(ids)) == N, delivered
    assert len(ids) == len(set(ids)), f"an alert was delivered twice: {delivered}"
