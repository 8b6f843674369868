"""The notifier killed with SIGKILL mid-window and restarted: its rule state and its record of
deliveries come back from the changelog topics, so an alert fires neither twice nor never."""

from __future__ import annotations

import contextlib
import json
import signal
import time
import urllib.error
import urllib.request

import pytest
from kafka import KafkaProducer

from escmon.models import Alert
from tests.conftest import wait_for
from tests.integration.kafka_util import read_topic
from tests.integration.test_alert_pipeline import Receiver, metric, notifier, produce, tagged

pytestmark = [pytest.mark.integration, pytest.mark.slow]
__all__ = ["notifier"]  # the fixture, imported for this module's tests


def ready(port: int) -> dict:
    """The notifier's /readyz answer (ready once it has partitions and is not rebalancing)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as resp:
            return dict(json.loads(resp.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))


def wait_ready(port: int) -> None:
    """Wait for a restarted notifier to take its partitions; say so clearly if it never does."""
    last: dict = {}

    def check() -> bool:
        nonlocal last
        last = ready(port)
        return bool(last.get("ready")) and last.get("assigned", 0) > 0

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            if check():
                return
        time.sleep(0.5)
    pytest.fail(f"the restarted notifier never became ready in 90 s; last /readyz: {last}")

RULES = """
rules:
  - {name: deadly, type: any, where: {signals: [strike], min_killed: 1}, metric: killed,
     severities: {warning: 1}}
  - {name: score, type: threshold, metric: score, window: 3600, severities: {warning: 10}}
inhibit: null
"""


def _setup(make_config, tmp_path):
    """This module's rules, a webhook receiver, a config and topics; returns what tests use."""
    from escmon.settings import load_settings
    from escmon.topics import ensure_topics

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    hook = Receiver()
    path, cfg = make_config(alerts={"rules": str(rules), "console": False,
                                    "webhooks": [hook.url]})
    settings = load_settings(path)
    ensure_topics(settings)
    return path, settings, hook, cfg["metrics"]["notifier_port"]


def test_sigkill_mid_window_neither_repeats_nor_loses_alerts(
    make_config, escmon_proc, kafka_bootstrap, tmp_path
):
    path, settings, hook, port = _setup(make_config, tmp_path)
    first = escmon_proc("--config", str(path), "notifier")

    # Half of the score window: a deadly strike (its own alert) worth 6 of the 10 points.
    produce(kafka_bootstrap, settings.topics.tagged,
            [tagged("a", 120, strike=True, killed=2, score=6)])
    wait_for(lambda: hook.ids, 90, "the deadly alert")
    wait_for(lambda: metric(port, "escmon_notifications_total",
                            {"channel": "webhook", "outcome": "ok"}) == 1, 20, "counted")
    # Let the periodic commit (0.5 s) and the changelog writes happen, then kill hard.
    time.sleep(2.0)
    first.popen.send_signal(signal.SIGKILL)
    first.popen.wait(timeout=10)

    second = escmon_proc("--config", str(path), "notifier")
    wait_ready(port)
    # The other half: only a worker that remembers "a" sees 6 + 6 >= 10.
    produce(kafka_bootstrap, settings.topics.tagged, [tagged("b", 60, threat=True, score=6)])
    wait_for(lambda: len(hook.ids) >= 2, 120, "the score alert after the restart")
    time.sleep(3.0)  # a duplicate would arrive now
    alerts = [Alert.from_bytes(b) for b in hook.bodies]
    assert sorted(a.rule for a in alerts) == ["deadly", "score"], second.output()[-3000:]
    assert len(hook.ids) == len(set(hook.ids)) == 2
    score = next(a for a in alerts if a.rule == "score")
    assert score.figures["score"] == 12 and sorted(score.article_ids) == ["a", "b"]
    records = read_topic(kafka_bootstrap, settings.topics.alerts, expect=2, timeout=20)
    assert sorted({Alert.from_bytes(r.value).rule for r in records}) == ["deadly", "score"]

    # A redelivery of an alert delivered before the crash (what an uncommitted offset gives)
    # is recognised from the recovered ``delivered`` table and not sent again.
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    deadly = next(b for b in hook.bodies if Alert.from_bytes(b).rule == "deadly")
    producer.send(settings.topics.alerts, key=Alert.from_bytes(deadly).id.encode(), value=deadly)
    producer.flush()
    producer.close()
    wait_for(lambda: metric(port, "escmon_notifications_total",
                            {"channel": "all", "outcome": "duplicate"}) == 1, 30, "the repeat seen")
    time.sleep(1.0)
    assert len(hook.ids) == 2


def test_replayed_article_after_restart_is_not_counted_twice(
    make_config, escmon_proc, kafka_bootstrap, tmp_path
):
    # The same article arriving again (a producer retry, or a replay after a crash upstream)
    # must not push the window over the threshold on its own.
    path, settings, hook, port = _setup(make_config, tmp_path)
    proc = escmon_proc("--config", str(path), "notifier")
    a = tagged("a", 120, threat=True, score=6)
    produce(kafka_bootstrap, settings.topics.tagged, [a])
    wait_for(lambda: metric(port, "escmon_alerts_articles_evaluated_total") == 1, 90, "evaluated")
    assert (metric(port, "escmon_alerts_articles_skipped_total", {"reason": "duplicate"}) or 0) == 0
    time.sleep(2.0)
    proc.popen.send_signal(signal.SIGKILL)
    proc.popen.wait(timeout=10)
    second = escmon_proc("--config", str(path), "notifier")
    wait_ready(port)
    produce(kafka_bootstrap, settings.topics.tagged, [a, a])

    def skipped() -> float:
        return metric(port, "escmon_alerts_articles_skipped_total", {"reason": "duplicate"}) or 0

    wait_for(lambda: skipped() >= 2, 120, "the repeats recognised by the restarted notifier")
    produce(kafka_bootstrap, settings.topics.tagged, [tagged("c", 30, threat=True, score=3)])
    # The group's window score (a gauge) shows what was counted: 6 + 3 if "a" counted once.
    group = {"group": "theater:Middle East"}
    wait_for(lambda: metric(port, "escmon_escalation_score", group) == 9, 60, "c counted")
    time.sleep(3.0)
    assert hook.ids == [], "6 + 3 < 10: the repeats of 'a' were not counted"
    produce(kafka_bootstrap, settings.topics.tagged, [tagged("d", 20, threat=True, score=1)])
    wait_for(lambda: hook.ids, 60, "6 + 3 + 1 reaches 10")
    assert [Alert.from_bytes(b).figures["score"] for b in hook.bodies] == [10], second.output()
